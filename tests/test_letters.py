"""The announcement letters: one Letter rendered as the role description's page and as a draft
.eml that says the same, from whoever announces the role, to the teams, with the rhythm, the
contacts with phone numbers and the communication calendar attached, in all four languages."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from collections import Counter

import icalendar
import pytest
import recurring_ical_events

from conftest import DEMO_LANGUAGES, demo_client, visible_text
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.documents.role import RoleDescription
from pmworkbook.render import calendar_views
from pmworkbook.render.eml import to_email, to_text

TEMPLATES = Templates.get()
# The demo's roles with an announcement: client_pm everywhere, project_manager where the client lists it.
LETTERS = [(client_id, role) for client_id in DEMO_LANGUAGES for role in demo_client(client_id).roles]


def parsed(letter) -> email.message.EmailMessage:
    return email.message_from_bytes(bytes(to_email(letter)), policy=email.policy.default)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def documents() -> dict[tuple[str, str], RoleDescription]:
    return {(client_id, role): RoleDescription(demo_client(client_id), TEMPLATES, role_id=role) for client_id, role in LETTERS}


@pytest.mark.parametrize("client_id,role", LETTERS)
def test_the_eml_is_a_draft_with_subject_parts_and_the_calendar(documents, client_id, role):
    doc = documents[client_id, role]
    letter = doc.letter()
    data = bytes(to_email(letter))
    message = email.message_from_bytes(data, policy=email.policy.default)
    # A draft: mail programs open it as a new message to send, and date and identify it when it is sent.
    assert message["X-Unsent"] == "1"
    assert message["Message-ID"] is None and message["Date"] is None
    assert message["Subject"] == message["Subject"].strip() == letter.subject
    assert doc.holder.name in message["Subject"] and doc.client.project.name in message["Subject"]
    assert all(byte < 128 for byte in data.split(b"\r\n\r\n", 1)[0])  # headers 7-bit on the wire (RFC 2047)
    # The body and the calendar, as parts.
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(preferencelist=("plain",))
    assert body.get_content_charset() == "utf-8"
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["communication_calendar.ics"]
    assert attachments[0].get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachments[0].get_content())
    assert doc.client.name in str(calendar["X-WR-CALNAME"])
    # The letter's own sentence about the file gives the number of dates the file holds.
    start = dt.datetime.combine(doc.client.project.start, dt.time(), dt.timezone.utc) - dt.timedelta(days=1)
    held = recurring_ical_events.of(calendar).between(start, start + dt.timedelta(days=3 * 366))
    assert len(held) == len(doc.plan.occurrences)
    assert doc.fmt.number(len(held)) in letter.attachment_note and letter.attachment_note in flat(body.get_content())


@pytest.mark.parametrize("client_id,role", LETTERS)
def test_the_page_and_the_eml_say_the_same(documents, client_id, role):
    doc = documents[client_id, role]
    letter = doc.letter()
    page = str(doc.announcement())
    page_body = flat(visible_text(re.search(r'<div class="letter-body">(.*?)</div>', page, re.S)[1]))
    bullet = re.escape(TEMPLATES.text("i18n", doc.client.language)["letter_bullet"])
    eml_body = flat(re.sub(rf"^{bullet}", "", body_of(parsed(letter)), flags=re.M))
    assert page_body == eml_body
    # both hold every part: the rhythm, the calendar sentence, the contacts, the closing and signature
    for part in [*letter.rhythm, letter.attachment_note, *letter.contacts, *letter.closing, *letter.signature]:
        assert flat(part) in eml_body
    assert letter.rhythm and len(letter.contacts) >= 2
    # and the page shows whom it goes to
    for name, address in letter.to + letter.cc:
        assert address in visible_text(page) and name in visible_text(page)


@pytest.mark.parametrize("client_id,role", LETTERS)
def test_sender_and_addressees(documents, client_id, role):
    doc = documents[client_id, role]
    client, holder = doc.client, doc.holder
    side = TEMPLATES.structure("roles")["roles"][role]["side"]
    if side == "client":  # the client's sponsor announces a client-side role
        sender = next(p for p in client.people if p.role == "sponsor" and p.side == "client")
        organisation = client.name
    else:  # the agency's account lead an agency role
        agency = [p for p in client.people if p.side == "agency"]
        sender = next((p for p in agency if p.role == "account_director"), None) or next(p for p in agency if p.role == "account_manager")
        organisation = client.agency.name
    message = parsed(doc.letter())
    assert message["From"].addresses[0].addr_spec == sender.email
    # To: the client's and the agency's teams; the appointee in Cc, never the sole addressee.
    to = {a.addr_spec for a in message["To"].addresses}
    assert to == {p.email for p in client.people if p.email} - {sender.email, holder.email}
    assert to and holder.email not in to
    assert [a.addr_spec for a in message["Cc"].addresses] == [holder.email]
    # signed by the sender, for the sender's organisation
    body = body_of(message)
    assert re.search(rf"{re.escape(sender.name)}\n.*\n{re.escape(organisation)}\n*$", body), body[-200:]


def test_an_agency_without_account_director_is_announced_by_the_account_manager_and_no_sponsor_leaves_from_empty():
    client = demo_client("acme-shop")
    people = [p for p in client.people if p.role not in ("account_director", "sponsor")]
    client = client.model_copy(update={"people": people})
    message = parsed(RoleDescription(client, TEMPLATES, role_id="project_manager").letter())
    assert message["From"].addresses[0].display_name == "Jan Kowalski"  # the account manager
    client_side = RoleDescription(client, TEMPLATES, role_id="client_pm").letter()
    # no sponsor: the consultant's mail program fills in the sender; the letter is signed by the client
    assert client_side.sender is None and parsed(client_side)["From"] is None
    assert client_side.signature == [client.name]


@pytest.mark.parametrize("client_id,role", LETTERS)
def test_rhythm_and_contacts_with_phones(documents, client_id, role):
    doc = documents[client_id, role]
    letter = doc.letter()
    body = body_of(parsed(letter))
    fmt = doc.fmt
    # every cadence with its whole frequency phrase for its rule and weekday, and its usual time
    for cadence in calendar_views.cadences(doc.plan, fmt):
        line = next(line for line in letter.rhythm if line.startswith(cadence.title))
        assert cadence.frequency in line and cadence.time in line
        if cadence.rule == "weekly":
            assert fmt.t[f"calendar.frequency.weekly_on.{doc.client.communication.meeting_day}"] in line
    # phone numbers of everyone the contacts name (the appointee first), each kept on one line
    def unbroken(phone):
        return phone.replace(" ", "\u00a0")
    assert doc.holder.phone and unbroken(doc.holder.phone) in letter.contacts[0]
    for person in doc.client.people:
        if person.name in " ".join(letter.contacts) and person.phone:
            assert unbroken(person.phone) in body
    assert unbroken(doc.client.agency.phone) in body


def test_both_local_times_in_the_letter_when_the_agency_works_in_another_zone():
    doc = RoleDescription(demo_client("harbor-health"), TEMPLATES, role_id="client_pm")
    frame = doc.plan.occurrences
    meetings = frame[frame["item"] == "status_meeting"]
    usual = Counter(doc.fmt.time(start) for start in meetings["agency_start"]).most_common(1)[0][0]
    line = next(line for line in doc.letter().rhythm if line.startswith("Weekly status meeting"))
    assert "New York" in line and "Warsaw" in line and "9:30" in line and usual in line
    same_zone = RoleDescription(demo_client("acme-shop"), TEMPLATES, role_id="client_pm").letter()
    assert not any("Warszawa" in line for line in same_zone.rhythm)


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_greeting_and_closing_as_each_language_writes_a_letter(documents, client_id):
    language = DEMO_LANGUAGES[client_id]
    letter = documents[client_id, "client_pm"].letter()
    body = body_of(parsed(letter))
    paragraphs = body.split("\n\n")
    greeting, first = paragraphs[0], paragraphs[1]
    # English and Russian start the letter with a capital; Polish, after a comma, in lower case.
    expected_case = {"en": str.isupper, "ru": str.isupper, "pl": str.islower}.get(language)
    if expected_case:
        assert expected_case(first[0]), (greeting, first)
    lines = body.rstrip("\n").split("\n")
    if language == "zh":
        # 此致 on its own line, indented two characters; 敬礼 at the margin of the next line
        at = next(n for n, line in enumerate(lines) if "此致" in line)
        assert lines[at] == "\u3000\u3000此致" and lines[at + 1].startswith("敬礼")
        assert "此致敬礼" not in body
    else:
        closing = Formatter(language, None, TEMPLATES).t["role.letter_closing"]
        assert closing[0] in lines and lines[lines.index(closing[0]) + 1] == letter.signature[0]


@pytest.mark.parametrize("language,counts", [
    ("pl", {1: "termin ", 2: "terminy", 5: "terminów", 22: "terminy", 25: "terminów", 112: "terminów"}),
    ("ru", {1: "событие", 3: "события", 5: "событий", 21: "событие", 22: "события", 11: "событий"}),
    ("en", {2: "dates", 21: "dates"}),  # one date reads "the one date", without the figure
])
def test_counts_take_babels_plural_forms(language, counts):
    fmt = Formatter(language, None, TEMPLATES)
    for count, word in counts.items():
        sentence = fmt.plural("role.letter_attachment", count, file="x.ics")
        assert f"{fmt.number(count)} {word}" in sentence + " ", (count, sentence)


def test_the_built_pack_writes_the_draft_it_shows(demo_packs):
    for client_id in DEMO_LANGUAGES:
        message = email.message_from_bytes((demo_packs / client_id / "announcement_client_pm.eml").read_bytes(),
                                           policy=email.policy.default)
        assert message["X-Unsent"] == "1" and message["Message-ID"] is None
        assert [part.get_filename() for part in message.iter_attachments()] == ["communication_calendar.ics"]
        page = visible_text((demo_packs / client_id / "role_description_client_pm.html").read_text(encoding="utf-8"))
        assert flat(message["Subject"]) in flat(page)
        for paragraph in body_of(message).split("\n\n")[:3]:
            assert flat(paragraph) in flat(page)


def test_the_text_of_a_letter_is_its_blocks_in_order():
    letter = RoleDescription(demo_client("sever-logistics"), TEMPLATES).letter()
    text = to_text(letter)
    positions = [text.index(part) for part in
                 [letter.greeting, *letter.paragraphs, letter.rhythm_lead, letter.attachment_note, letter.contacts_lead, letter.closing[0]]]
    assert positions == sorted(positions)
