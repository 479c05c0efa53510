"""The widget forms, driven from Python: what a PM changes is validated, previewed and saved."""

from __future__ import annotations

import datetime as dt
import html
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
    form = WorkshopForm(portfolio_copy, "sever-logistics", language="en")
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

    assert "Every Monday" in html()
    form.meeting_day.value = "TH"
    assert "Every Thursday" in html() and "Every Monday" not in html() and 'src="data:image/png;base64,' in html()


def test_the_workshop_speaks_the_clients_language_and_switches(portfolio_copy):
    form = WorkshopForm(portfolio_copy, "sever-logistics")
    assert form.language.value == "ru"
    seen = {}
    for language in ("en", "zh", "pl", "ru"):
        form.language.value = language
        t = Templates.get().text("i18n", language)
        labels = (form.save_button.description, form.build_button.description, form.meeting_day.description,
                  form.add_milestone.description, form.milestone_rows[0].remove.description)
        assert labels == (t["apps.workshop.save"], t["apps.workshop.build"], t["apps.workshop.meeting_day"],
                          t["apps.workshop.add_milestone"], t["apps.workshop.remove"])
        seen[language] = labels[0]
        form.days_off.value = "someday"  # a message of the form's own, in the language chosen
        assert html.escape(t.format("apps.workshop.bad_date", value="someday")) in form.errors["days_off"].value
        form.days_off.value = ""
    assert seen == {"en": "Save", "zh": "保存", "pl": "Zapisz", "ru": "Сохранить"}
    form.language.value = "zh"
    assert dict(form.meeting_day.options)["星期四"] == "TH"  # weekdays by name, the value still the code


def test_unsaved_changes_are_marked_and_switching_asks(portfolio_copy):
    before = portfolio_copy.read_bytes()
    form = WorkshopForm(portfolio_copy, "acme-shop", language="en")
    assert form.unsaved.value == "" and form.ask.layout.display == "none"
    form.meeting_day.value = "TH"
    assert "Unsaved changes" in form.unsaved.value
    form.client.value = "harbor-health"  # asked, not switched: the edits are still on screen
    assert form.ask.layout.display == "flex" and "Unsaved changes" in form.unsaved.value
    assert form.client.value == "acme-shop" and form.meeting_day.value == "TH"
    form.answer("cancel")
    assert form.ask.layout.display == "none" and form.client.value == "acme-shop" and form.meeting_day.value == "TH"
    form.client.value = "harbor-health"
    form.answer("discard")
    assert form.client.value == "harbor-health" and form.unsaved.value == "" and portfolio_copy.read_bytes() == before
    form.client.value = "sever-logistics"  # nothing unsaved: switched at once, in that client's language
    assert form.language.value == "ru" and form.save_button.description == "Сохранить"
    form.language.value = "en"
    form.client.value = "harbor-health"
    form.meeting_day.value = "FR"
    form.client.value = "acme-shop"
    form.answer("save")  # saved, then switched
    assert form.client.value == "acme-shop" and form.meeting_day.value == "TU"
    assert load_portfolio(portfolio_copy).client("harbor-health").communication.meeting_day == "FR"


def test_a_message_goes_when_the_form_changes_and_a_second_save_writes_nothing(portfolio_copy):
    form = WorkshopForm(portfolio_copy, "harbor-health", language="en")
    form.meeting_time.value = "25:00"
    assert not form.save() and "Not saved" in form.status.value
    form.meeting_time.value = "11:00"
    assert form.status.value == ""  # the old message no longer applies
    assert form.save() and "Saved to portfolio.yaml" in form.status.value
    saved = portfolio_copy.read_bytes()
    assert form.save() and "no changes to save" in form.status.value  # a double click: nothing more is written
    assert portfolio_copy.read_bytes() == saved and not form.save_button.disabled


def test_links_point_into_the_served_folder(tmp_path, monkeypatch):
    from pmworkbook.apps.server import file_url

    target = tmp_path / "outputs" / "acme-shop" / "kalendarz komunikacji.pdf"
    assert file_url(target) is None  # not served: the widget falls back to a path
    monkeypatch.setenv("PMWORKBOOK_ROOT", str(tmp_path))
    monkeypatch.setenv("PMWORKBOOK_FILES_URL", "/voila/files/")
    assert file_url(target) == "/voila/files/outputs/acme-shop/kalendarz%20komunikacji.pdf"
    assert file_url(tmp_path.parent / "elsewhere.pdf") is None


def _answer_all(form: EvaluationForm, scores: list, group: str = "team") -> None:
    form.group.value = group
    for (score, comment, _), value in zip(form.answers.values(), scores, strict=True):
        score.value = value
        comment.value = "=1+1 literal" if value == 5 else ""


def test_evaluation_form_requires_every_answer_and_never_overwrites(tmp_path):
    form = EvaluationForm(DEMO, tmp_path / "responses", "sever-logistics")
    assert form.group.value is None  # the rater chooses; nothing is preselected
    assert "Не наблюдалось" in form.answers["on_time_delivery"][0].options[-1]
    assert form.save() is None
    assert html.escape(Templates.get().text("i18n", "ru").format("evaluation.form.missing", count=6)) in form.status.value
    assert Templates.get().text("i18n", "ru")["apps.rating.choose_group"] in form.group_error.value
    assert not (tmp_path / "responses").exists() or not list((tmp_path / "responses").iterdir())
    for score, _, _ in form.answers.values():
        score.value = 3
    assert form.save() is None and "группу" in form.status.value  # every score given, the group not chosen
    _answer_all(form, [5, 4, "not_observed", 3, 4, 4])
    first = form.save()
    assert first and all(score.value is None for score, _, _ in form.answers.values())  # blank for the next rater
    assert form.group.value is None
    _answer_all(form, [3, 3, 3, 3, 3, 3])
    second = form.save()
    assert second != first and json.loads(first.read_text())["answers"]["on_time_delivery"]["score"] == 5
    assert first.parent == second.parent == tmp_path / "responses" / "sever-logistics"  # one folder per client
    assert json.loads(first.read_text())["subject"] == form.chosen.key
    # collect reads what the form saved, from the client's own folder
    result = run_cli("collect", tmp_path / "responses" / "sever-logistics", "--portfolio", DEMO, "--client", "sever-logistics",
                     "--out", tmp_path / "outputs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 response(s) counted, 0 rejected" in result.stdout


def test_a_spreadsheet_portfolio_is_saved_in_place_or_says_why_not(tmp_path):
    table = tmp_path / "demo-clients.csv"
    shutil.copy(DEMO.parent / "demo-clients.csv", table)
    form = WorkshopForm(table, "harbor-health", language="en")
    form.meeting_day.value = "TH"
    assert form.save()
    assert "Saved to demo-clients.csv at" in form.status.value and form.path == table
    assert load_portfolio(table).client("harbor-health").communication.meeting_day == "TH"
    assert not (tmp_path / "demo-clients.yaml").exists()
    # a milestone name with ';' (the separator within a cell): saved beside it, and the Polish page says why
    form = WorkshopForm(table, "acme-shop")
    form.milestone_rows[0].name.value = "Koncepcja; etap 1"
    assert form.save() and form.path == tmp_path / "demo-clients.yaml"
    t = Templates.get().text("i18n", "pl")
    expected = (t.format("apps.workshop.cannot_hold.separator", table="demo-clients.csv", value="Koncepcja; etap 1") + " "
                + t.format("apps.workshop.saved_beside", file="demo-clients.yaml", table="demo-clients.csv"))
    assert form.status.value == html.escape(expected)
    assert "średnik" in form.status.value and "pozostał bez zmian" in form.status.value
    assert load_portfolio(tmp_path / "demo-clients.yaml").client("acme-shop").project.milestones[0].name == "Koncepcja; etap 1"


def test_a_copy_token_already_saved_for_the_group_asks_before_saving(tmp_path):
    responses = tmp_path / "responses"
    folder = responses / "sever-logistics"
    t = Templates.get().text("i18n", "ru")
    form = EvaluationForm(DEMO, responses, "sever-logistics", token="T3")  # as from ?token=T3 in the link
    _answer_all(form, [4, 4, 4, 4, 4, 4])
    first = form.save()
    assert first and json.loads(first.read_text())["token"] == "T3" and form.token.value == ""  # blank for the next rater
    # another rater of the team types the same token (written differently): asked, nothing saved
    _answer_all(form, [2, 2, 2, 2, 2, 2])
    form.token.value = " t3"
    assert form.save() is None and len(list(folder.iterdir())) == 1
    assert form.token_ask.layout.display == "flex" and "«t3»" in form.token_ask_text.value
    assert form.token_ask_text.value.startswith(html.escape(t["apps.rating.token_used"].split("«")[0]))
    form.token_correct.click()  # not theirs: they correct it
    assert form.token_ask.layout.display == "none" and t["apps.rating.token_check"] in form.token_error.value
    assert len(list(folder.iterdir())) == 1
    form.token.value = "T4"
    second = form.save()
    assert second and json.loads(second.read_text())["token"] == "T4" and "replaces" not in json.loads(second.read_text())
    # the first rater corrects their answers with their own token: asked, confirms, the new file names the one it replaces
    _answer_all(form, [5, 5, 5, 5, 5, 5])
    form.token.value = "T3"
    assert form.save() is None and form.token_ask.layout.display == "flex"
    third = form.replace_earlier()
    assert third and json.loads(third.read_text())["replaces"] == first.name and form.token_ask.layout.display == "none"
    assert form.status.value == html.escape(t.format("apps.rating.replaced", file=third.name))
    # the same token in another rater group is another copy: no question
    _answer_all(form, [3, 3, 3, 3, 3, 3], group="client")
    form.token.value = "T3"
    assert form.save() and form.token_ask.layout.display == "none"
    result = run_cli("collect", folder, "--portfolio", DEMO, "--client", "sever-logistics", "--out", tmp_path / "outputs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 response(s) counted, 0 rejected, 1 replaced by a later copy, 0 copy token clash(es)" in result.stdout
    assert f"replaced {first.name} by {third.name}" in result.stdout
    # a response with the token saved elsewhere (another laptop, no question asked) and copied in: a clash, both counted
    other = json.loads(second.read_text()) | {"saved_at": "2030-01-01T10:00:00+00:00"}
    (folder / "from-another-laptop.json").write_text(json.dumps(other), encoding="utf-8")
    result = run_cli("collect", folder, "--portfolio", DEMO, "--client", "sever-logistics", "--out", tmp_path / "outputs")
    assert result.returncode == 1
    assert "4 response(s) counted, 0 rejected, 1 replaced by a later copy, 1 copy token clash(es)" in result.stdout
    assert f"clash: from-another-laptop.json and {second.name} carry the same copy token" in result.stderr


@pytest.mark.parametrize("language", ["en", "zh", "pl", "ru"])
def test_invalid_values_are_said_in_the_chosen_language(portfolio_copy, language):
    """The messages beside the fields are the catalog's sentences in the form's language, with the
    dates as that language writes them; a change that is only advice (a meeting outside the client's
    working hours) is shown in amber and saved all the same."""
    from pmworkbook.core.i18n import Formatter

    templates = Templates.get()
    t, fmt = templates.text("i18n", language), Formatter(language, "US", templates)  # harbor-health is in the US
    form = WorkshopForm(portfolio_copy, "harbor-health", language=language)
    project = form.current.project
    form.meeting_time.value = "25:00"
    assert form.errors["meeting_time"].value == \
        f'<span class="pmw-error" style="color:#b42318">{html.escape(t.format("problems.time_of_day", value="25:00"))}</span>'
    form.meeting_time.value = "10:00"
    first = form.milestone_rows[0]
    first.date.value = dt.date(2030, 1, 1)  # a milestone moved outside the project
    expected = t.format("problems.milestone_outside_project", name=first.name.value, date=fmt.date(dt.date(2030, 1, 1)),
                        start=fmt.date(project.start), end=fmt.date(project.end))
    assert html.escape(expected) in form.errors["milestones"].value
    assert not form.save() and html.escape(t["apps.workshop.not_saved"]) in form.status.value
    first.date.value = project.milestones[0].date
    assert form.errors["milestones"].value == ""
    form.meeting_time.value = "06:00"
    assert "pmw-warning" in form.errors["meeting_time"].value and "pmw-error" not in form.errors["meeting_time"].value
    assert html.escape(fmt.time(dt.time(6, 0))) in form.errors["meeting_time"].value
    assert form.save() and load_portfolio(portfolio_copy).client("harbor-health").communication.meeting_time == dt.time(6, 0)
    assert form.errors["meeting_time"].value == ""  # saved: no longer a change of this session
