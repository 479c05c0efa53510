"""Text the documents put together from catalog patterns, so that each language places and
punctuates the parts itself (no space before a Chinese full-width bracket)."""

from __future__ import annotations

import re

import pytest

from conftest import DEMO_LANGUAGES, demo_client
from pmworkbook.core.templates import Templates

TEMPLATES = Templates.get()


def text_of(fragment) -> str:
    """A fragment's text as a reader sees it, tags dropped without adding spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(fragment)))


def test_fill_escapes_the_pattern_and_plain_values_and_keeps_markup():
    from markupsafe import Markup

    fill = TEMPLATES.jinja.filters["fill"]
    assert str(fill("{a} & {b}", a="<x>", b=Markup("<i>y</i>"))) == "&lt;x&gt; &amp; <i>y</i>"


@pytest.mark.parametrize("client_id", list(DEMO_LANGUAGES))
def test_the_escalation_timing_and_a_criterions_weight_follow_their_languages_punctuation(client_id):
    from pmworkbook.documents.calendar import CommunicationCalendar
    from pmworkbook.documents.evaluation_sheet import EvaluationSheet

    client = demo_client(client_id)
    response = text_of(CommunicationCalendar(client, TEMPLATES).response_and_escalation())
    sheet = text_of(EvaluationSheet(client, TEMPLATES).sheet())
    if client.language == "zh":
        assert "> （" not in response and "（立即）" in response
        assert not re.search(r"\s（权重", sheet) and "（权重：" in sheet
    else:
        assert re.search(r"\S \(", response) and re.search(r"\S \(", sheet)


@pytest.mark.parametrize(("client_id", "bullet"), [("huaxin-retail", "· "), ("harbor-health", "• "), ("acme-shop", "– "),
                                                   ("sever-logistics", "– ")])
def test_a_plain_text_letters_list_items_take_the_languages_bullet(client_id, bullet):
    from pmworkbook.documents.role import RoleDescription
    from pmworkbook.render.eml import to_text

    letter = RoleDescription(demo_client(client_id), TEMPLATES).letter()
    lines = to_text(letter).splitlines()
    assert f"{bullet}{letter.rhythm[0]}" in lines and f"{bullet}{letter.contacts[0]}" in lines


@pytest.mark.parametrize("client_id", list(DEMO_LANGUAGES))
def test_labels_after_the_first_and_channels_mid_sentence_are_lower_case(client_id):
    from pmworkbook.core.i18n import Formatter
    from pmworkbook.documents.calendar import CommunicationCalendar
    from pmworkbook.render.ics import to_ical

    client = demo_client(client_id)
    fmt = Formatter(client.language, client.country, TEMPLATES)
    cadences = TEMPLATES.text("cadences", client.language)
    first, second = cadences["audiences.client_team"], cadences["audiences.agency_team"]
    joined = fmt.join_labels([first, second])
    document = CommunicationCalendar(client, TEMPLATES)
    summary, ical = text_of(document.summary()), to_ical(document.plan, fmt).decode()
    if client.language == "zh":
        assert joined == f"{first}、{second}"
    else:
        assert joined == f"{first}, {second[0].lower()}{second[1:]}"
        assert f", {second}" not in summary and f", {second}" not in ical.replace("\r\n ", "")
        line = dict(document.plan.channels[0])
        response = text_of(document.response_and_escalation())
        line["channel"] = line["channel"][0].lower() + line["channel"][1:]
        assert fmt.t.format("calendar.channel_line", **line) in response
    assert fmt.join_labels(["PMO", "IT"]) == fmt.join(["PMO", "IT"])


@pytest.mark.parametrize("client_id", list(DEMO_LANGUAGES))
def test_the_instructions_heading_of_the_weights_is_its_own_phrase(client_id):
    from pmworkbook.documents.evaluation_sheet import EvaluationSheet

    client = demo_client(client_id)
    html = str(EvaluationSheet(client, TEMPLATES).instructions())
    t = TEMPLATES.text("i18n", client.language)
    assert f"<h3>{t['evaluation.weights_heading']}</h3>" in html and f"<h3>{t['evaluation.weight']}</h3>" not in html
