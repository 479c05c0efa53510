"""The widget forms, driven from Python: what a PM changes is validated, previewed and saved."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import yaml

from conftest import DEMO, run_cli
from pmworkbook.apps.widgets import EvaluationForm, WorkshopForm
from pmworkbook.core.templates import Templates
from pmworkbook.plan.validation import validate


def load_portfolio(path):
    return validate(path, Templates.get()).require()


@pytest.fixture
def portfolio_copy(tmp_path):
    path = tmp_path / "portfolio.yaml"
    shutil.copy(DEMO, path)
    return path


def test_workshop_saves_changes_keeping_comments_and_order(portfolio_copy):
    before = portfolio_copy.read_text(encoding="utf-8")
    form = WorkshopForm(portfolio_copy, "acme-shop")
    form.meeting_day.value = "WE"
    form.meeting_time.value = "09:15"
    form.days_off.value = "2027-05-04\n2027-06-01"
    form._add_row("Testy akceptacyjne", dt.date(2027, 5, 20))
    form.milestone_rows[0].date.value = dt.date(2027, 2, 16)
    assert all(not label.value for label in form.errors.values())
    assert form.save()
    after = portfolio_copy.read_text(encoding="utf-8")
    # every comment line of the file survives, in order
    assert [ln for ln in before.splitlines() if ln.lstrip().startswith("#")] == [ln for ln in after.splitlines() if ln.lstrip().startswith("#")]
    client = load_portfolio(portfolio_copy).client("acme-shop")
    assert client.communication.meeting_day == "WE" and client.communication.meeting_time == dt.time(9, 15)
    assert client.communication.days_off == [dt.date(2027, 5, 4), dt.date(2027, 6, 1)]
    assert [m.name for m in client.project.milestones][-1] == "Testy akceptacyjne"
    assert client.project.milestones[0].date == dt.date(2027, 2, 16)
    # other clients are untouched, key order of the edited one kept
    assert load_portfolio(portfolio_copy).client("harbor-health") == load_portfolio(DEMO).client("harbor-health")
    raw = yaml.safe_load(after)
    assert list(raw["clients"][0]) == list(yaml.safe_load(before)["clients"][0])
    assert '"09:15"' in after  # quoted, so that YAML 1.1 readers do not take it for a number


@pytest.mark.parametrize("field,value,where,message", [
    ("meeting_time", "25:00", "meeting_time", "not a time of day"),
    ("days_off", "next tuesday", "days_off", "not a date"),
])
def test_invalid_values_are_shown_and_nothing_is_saved(portfolio_copy, field, value, where, message):
    before = portfolio_copy.read_bytes()
    form = WorkshopForm(portfolio_copy, "sever-logistics")
    getattr(form, field).value = value
    assert message in form.errors[where].value
    assert not form.save()
    assert "Not saved" in form.status.value
    assert portfolio_copy.read_bytes() == before


def test_a_milestone_moved_outside_the_project_is_refused(portfolio_copy):
    before = portfolio_copy.read_bytes()
    form = WorkshopForm(portfolio_copy, "harbor-health")
    form.milestone_rows[0].date.value = dt.date(2030, 1, 1)
    assert "outside the project" in form.errors["milestones"].value
    assert not form.save() and portfolio_copy.read_bytes() == before
    form.milestone_rows[0].date.value = dt.date(2027, 3, 1)
    assert form.errors["milestones"].value == "" and form.save()


def test_the_preview_follows_the_widgets(portfolio_copy):
    form = WorkshopForm(portfolio_copy, "harbor-health")

    def html() -> str:
        return form.preview.value

    assert "Weekly on Monday" in html()
    form.meeting_day.value = "TH"
    assert "Weekly on Thursday" in html() and 'src="data:image/png;base64,' in html()


def _answer_all(form: EvaluationForm, scores: list) -> None:
    for (score, comment, _), value in zip(form.answers.values(), scores, strict=True):
        score.value = value
        comment.value = "=1+1 literal" if value == 5 else ""


def test_evaluation_form_requires_every_answer_and_never_overwrites(tmp_path):
    form = EvaluationForm(DEMO, tmp_path / "responses", "sever-logistics", "team")
    assert "Не наблюдалось" in form.answers["on_time_delivery"][0].options[-1]
    assert form.save() is None
    assert "критериев без ответа: 6" in form.status.value
    assert not (tmp_path / "responses").exists() or not list((tmp_path / "responses").iterdir())
    _answer_all(form, [5, 4, "not_observed", 3, 4, 4])
    first = form.save()
    assert first and all(score.value is None for score, _, _ in form.answers.values())  # blank for the next rater
    _answer_all(form, [3, 3, 3, 3, 3, 3])
    second = form.save()
    assert second != first and json.loads(first.read_text())["answers"]["on_time_delivery"]["score"] == 5
    # collect reads what the form saved
    result = run_cli("collect", tmp_path / "responses", "--portfolio", DEMO, "--client", "sever-logistics",
                     "--out", tmp_path / "outputs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 response(s) counted, 0 rejected" in result.stdout
