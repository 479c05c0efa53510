"""The messages about invalid values in every language: each problem our code makes has a code and
params, the catalogs hold a sentence for each code (and for pydantic's own error types), and the
apps show that sentence in the reader's language. Whatever a workshop user can cause through the
app's fields is said in the four languages, never in English alone."""

from __future__ import annotations

import ast
import copy
import datetime as dt
import re
import shutil
import warnings

import pytest

from conftest import DEMO
from pmworkbook.apps.workshop import WorkshopSession
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.problems import PLURAL_CATEGORIES, PYDANTIC_TYPES, Problem, describe
from pmworkbook.core.templates import PACKAGE_DIR, Templates

LANGUAGES = ("en", "zh", "pl", "ru")
TEMPLATES = Templates.get()
DAY = dt.timedelta(days=1)


def codes_in_source() -> set[str]:
    """Every problem code the package gives: InvalidValue("code", ...) and code="..." anywhere."""
    codes = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "InvalidValue" and node.args and isinstance(node.args[0], ast.Constant):
                codes.add(node.args[0].value)
            codes |= {k.value.value for k in node.keywords
                      if k.arg == "code" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
    return codes


ALL_CODES = codes_in_source() | set(PYDANTIC_TYPES)


def sentences(entry) -> list[str]:
    """A catalog entry's sentences: one, its plural forms, or its variants (each one or plural)."""
    if isinstance(entry, str):
        return [entry]
    return [text for value in entry.values() for text in sentences(value)]


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


# What a person can do to one client through the workshop's fields (the dropdowns offer only valid
# days and presets, but a value the file already held, or a team's own catalog, can still be wrong).
HARBOR_MILESTONES = [{"name": "Discovery report", "date": dt.date(2027, 2, 26)}, {"name": "Kickoff", "date": dt.date(2027, 3, 1)}]
WORKSHOP_CHANGES = [
    ("sever-logistics", {"communication.meeting_time": "25:00"}),
    ("sever-logistics", {"communication.meeting_time": "7 pm"}),
    ("sever-logistics", {"communication.meeting_time": ""}),
    ("sever-logistics", {"communication.meeting_day": "XX"}),
    ("sever-logistics", {"communication.preset": "weekly-ish"}),
    ("harbor-health", {"communication.meeting_time": "06:00"}),  # outside the client's hours: advice
    ("harbor-health", {"communication.meeting_day": "FR", "communication.meeting_time": "16:00"}),  # the agency's; a clash
    ("harbor-health", {"project.milestones": [{"name": "Discovery report", "date": dt.date(2030, 1, 1)}]}),
    ("harbor-health", {"project.milestones": [{"name": "x" * 301, "date": dt.date(2027, 3, 1)}]}),
    ("harbor-health", {"project.milestones": [{"name": "Kick\x07off", "date": dt.date(2027, 3, 1)}]}),
    ("harbor-health", {"project.milestones": [{"name": "", "date": dt.date(2027, 3, 1)}]}),
    ("harbor-health", {"project.milestones": [{"name": "Kickoff"}]}),
    ("harbor-health", {"project.milestones": [{"name": "Kickoff", "date": "2027-13-01"}]}),
    ("harbor-health", {"communication.days_off": ["someday"]}),
    ("harbor-health", {"communication.days_off": [dt.date(2017, 1, 1) + n * DAY for n in range(7400)]}),  # no working day left
]
# The codes those changes give, and so the ones the four languages must have a sentence for.
APP_REACHABLE = {"time_of_day", "unknown_weekday", "unknown_catalog_id", "outside_working_hours", "item_overlaps", "time_empty",
                 "milestone_outside_project", "text_too_long", "text_control_character", "string_empty", "missing",
                 "date_from_datetime_parsing", "no_working_day"}


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> list[Problem]:
    """The errors and the new warnings of every change above, as the workshop sees them."""
    path = tmp_path_factory.mktemp("messages") / "portfolio.yaml"
    shutil.copy(DEMO, path)
    session = WorkshopSession(path, TEMPLATES)
    problems = []
    for client_id, changes in WORKSHOP_CHANGES:
        candidate = session.candidate(client_id, changes)
        given = [p for group in (candidate.problems, candidate.warnings) for found in group.values() for p in found]
        assert given, (client_id, changes)
        problems += given
    return problems


def test_every_problem_the_workshop_can_show_has_a_code_that_is_translated(found):
    assert {p.code for p in found} == APP_REACHABLE, "WORKSHOP_CHANGES and APP_REACHABLE are out of step"
    for language in LANGUAGES:
        fmt = Formatter(language, "US", TEMPLATES)
        for problem in found:
            text = describe(problem, fmt)
            assert "{" not in text and text.strip(), (language, problem.code, text)
            if language != "en":
                assert text != problem.english, (language, problem.code, text)  # not the English fallback
    variants = {p.params.get("variant") for p in found if p.code == "outside_working_hours"}
    assert {"meeting_client", "meeting_agency"} <= variants, variants


def test_which_codes_lack_a_sentence(recwarn):
    """Lists the codes without a sentence in some language: those show English. None of them may be
    one the workshop can show."""
    assert APP_REACHABLE <= ALL_CODES
    lacking = {language: sorted(code for code in ALL_CODES if TEMPLATES.text("i18n", language).get(f"problems.{code}") is None)
               for language in LANGUAGES}
    for language, codes in lacking.items():
        assert not set(codes) & APP_REACHABLE, (language, sorted(set(codes) & APP_REACHABLE))
        if codes:
            warnings.warn(f"problem codes shown in English in {language}: {', '.join(codes)}", stacklevel=1)
    assert lacking == {language: [] for language in LANGUAGES}  # today every code has its sentences


def test_no_catalog_sentence_for_a_code_nobody_gives():
    for language in LANGUAGES:
        problems = TEMPLATES.text("i18n", language)["problems"]
        assert set(problems) - {"fields"} <= ALL_CODES, language


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_translations_use_the_values_english_does(language):
    """A translation names no value the English sentence does not (the code gives only those), and
    a sentence by count has every plural form."""
    english, other = TEMPLATES.text("i18n", "en")["problems"], TEMPLATES.text("i18n", language)["problems"]
    for code in set(english) - {"fields"}:
        allowed = {name for text in sentences(english[code]) for name in placeholders(text)} | {"field", "count"}
        for text in sentences(other[code]):
            assert placeholders(text) <= allowed, (language, code, text)
        if isinstance(english[code], dict) and set(english[code]) <= PLURAL_CATEGORIES:
            assert set(other[code]) == set(english[code]) == {"one", "few", "many", "other"}, code


def test_plural_forms_follow_the_count():
    problem = Problem("p.yaml", "english", field="project.milestones[0].name", code="text_too_long",
                      params={"length": 305, "count": 300})
    assert "najwyżej 300 znaków, a ma 305" in describe(problem, Formatter("pl", "PL", TEMPLATES))
    assert "не более 300 символов" in describe(problem, Formatter("ru", "RU", TEMPLATES))
    assert "«Название вехи №\u00a01»" in describe(problem, Formatter("ru", "RU", TEMPLATES))
    short = Problem("p.yaml", "english", field="name", code="string_too_short", params={"count": 22})
    assert "co najmniej 22 znaki" in describe(short, Formatter("pl", "PL", TEMPLATES))
    assert "не менее 22 символов" in describe(short, Formatter("ru", "RU", TEMPLATES))
    assert "不能" not in describe(short, Formatter("zh", "CN", TEMPLATES))


def test_pydantic_errors_name_the_field_and_the_limit(demo_raw):
    from pmworkbook.plan.validation import validate_data

    data = copy.deepcopy(demo_raw)
    data["clients"][0]["communication"] = {"meeting_minutes": 2, "move_rule": "sideways", "response_hours": "soon"}
    problems = {p.field: p for p in validate_data(data, "p.yaml", TEMPLATES).errors}
    pl = Formatter("pl", "PL", TEMPLATES)
    assert describe(problems["communication.meeting_minutes"], pl) == \
        "Wartość pola „Czas trwania spotkania” musi wynosić co najmniej 5."
    assert describe(problems["communication.move_rule"], pl) == ("„sideways” nie jest dopuszczalną wartością pola „Przenoszenie "
                                                                 "spotkań z dni wolnych”. Wybierz jedną z następujących: following, "
                                                                 "preceding, modified_following, skip.")
    assert describe(problems["communication.response_hours"], Formatter("zh", "CN", TEMPLATES)) == "“响应时间”必须是整数。"


def test_a_problem_without_a_sentence_is_shown_in_english():
    fmt = Formatter("zh", "CN", TEMPLATES)
    plain = Problem("p.yaml", "the matrix has no row", fix="add one")
    assert describe(plain, fmt) == "the matrix has no row; add one"
    unknown = Problem("p.yaml", "something new", code="not_in_any_catalog")
    assert describe(unknown, fmt) == "something new"
    missing_value = Problem("p.yaml", "bad time", code="time_of_day")  # a team's catalog or a code without its params
    assert describe(missing_value, fmt) == "bad time"


def test_the_command_line_keeps_its_english(demo_raw):
    """`validate` prints the English message and fix as before; the code is for the apps only."""
    from pmworkbook.plan.validation import validate_data

    data = copy.deepcopy(demo_raw)
    data["clients"][0]["communication"] = {"meeting_time": "25:00"}
    (problem,) = validate_data(data, "p.yaml", TEMPLATES).errors
    assert str(problem) == ("p.yaml: client 'acme-shop': field 'communication.meeting_time': '25:00' is not a time of day; "
                            "write it as HH:MM between 00:00 and 23:59")
    assert (problem.code, dict(problem.params)) == ("time_of_day", {"value": "25:00"})


def test_a_coded_refusal_survives_pickling():
    """A worker process hands a refusal back to the parent pickled."""
    import pickle

    from pmworkbook.core.problems import InvalidValue
    from pmworkbook.plan.workdays import NoWorkingDay

    error = pickle.loads(pickle.dumps(InvalidValue("time_of_day", "'x' is not a time of day", value="x")))
    assert (error.code, error.params, str(error)) == ("time_of_day", {"value": "x"}, "'x' is not a time of day")
    stuck = pickle.loads(pickle.dumps(NoWorkingDay(dt.date(2027, 1, 1), False)))
    assert (stuck.start, stuck.forward, str(stuck)) == (dt.date(2027, 1, 1), False, "no working day within ten years before 2027-01-01")


def test_the_source_scan_sees_the_codes():
    assert {"time_of_day", "milestone_outside_project", "outside_working_hours", "unknown_timezone"} <= ALL_CODES


def test_a_list_of_us_dates_is_kept_apart_by_semicolons_and_options_are_shown_by_their_labels():
    english = Formatter("en", "US", TEMPLATES)
    days = [dt.date(2027, 2, 4), dt.date(2027, 2, 11)]
    overlaps = Problem("p.yaml", "english", field="communication.meeting_time", code="item_overlaps",
                       params={"item": "Monthly video review", "count": 5, "days": days})
    assert "(starting with February 4, 2027; February 11, 2027)" in describe(overlaps, english)
    assert english.join(["A", "B"]) == "A, B" and Formatter("pl", "PL", TEMPLATES).join(["4 maja 2027", "B"]) == "4 maja 2027, B"
    preset = Problem("p.yaml", "english", field="communication.preset", code="unknown_catalog_id",
                     params={"value": "weekly", "allowed": ["standard", "light", "intensive"]})
    assert describe(preset, english).endswith("Use one of these: Standard, Light, Intensive.")
    assert "стандартный, облегчённый, интенсивный" in describe(preset, Formatter("ru", "RU", TEMPLATES))


@pytest.mark.parametrize(("language", "label"), [("en", "Day off 3"), ("pl", "Dzień wolny nr 3"),
                                                 ("ru", "Выходной день №\u00a03"), ("zh", "第 3 个休息日")])
def test_an_invalid_day_off_names_its_entry(language, label):
    from pmworkbook.core.problems import field_label

    fmt = Formatter(language, None, TEMPLATES)
    assert field_label("communication.days_off[2]", fmt) == label
    assert field_label("communication.days_off", fmt) == TEMPLATES.text("i18n", language)["problems.fields.communication.days_off._"]
