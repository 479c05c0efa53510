"""Reading filled evaluation forms back: the .xlsx each rater returns and the JSON the widget
form saves. Every file is counted, rejected with its reason, or (a form copy sent again)
replaced by the later one; none is dropped silently.

A copy token stands for one rater: the token of a numbered .xlsx copy (`pmworkbook forms
--copies`), or the one a rater types in the rating app. Two files of the same person, rater group
and token are one rater's correction (the later counts, the earlier is listed as replaced) unless
they look like two raters' answers, a *clash* (both count, and `collect` says so):

- two .xlsx files last saved by different people (the workbooks' "last modified by" property,
  compared, never shown), or named as different numbered copies (`..._team_01.xlsx` and
  `..._team_02.xlsx`: a copy duplicated by hand keeps its token);
- a rating-app response that does not name the earlier one as the answers it replaces (the app
  asks before a token is used again, and records the rater's answer);
- a rating-app response and an .xlsx form.

Different times and different answers are no sign of two raters: a correction has both."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pmworkbook.core.spreadsheets import unzipped_size
from pmworkbook.core.templates import Templates
from pmworkbook.plan.evaluation import FORM_ID_SHEET, OPEN_QUESTIONS, Subject, criteria_for, subjects
from pmworkbook.portfolio.model import LANGUAGES, RATER_GROUPS, Client

NOT_OBSERVED = None  # a criterion answered "not observed": left out of averages, not a zero
# Spreadsheets a rater may have saved instead of .xlsx: named in the rater's language, with the fix.
OTHER_SPREADSHEETS = (".ods", ".fods", ".xls", ".numbers", ".csv")


@dataclass
class Response:
    """One rater's answers: criterion id -> score 1..5 or None (not observed), comments, and the
    open questions' answers; whose evaluation, which copy of the form, when it was saved."""

    file: str
    rater_group: str
    scores: dict[str, int | None]
    comments: dict[str, str] = field(default_factory=dict)
    subject: str = "client_pm"
    open_answers: dict[str, str] = field(default_factory=dict)
    token: str = ""  # the form copy's own token ("" on a form that is not a numbered copy)
    copy: int | None = None
    saved: str = ""  # ISO time the rater saved it (the file's own record, else the file's time)
    replaces: str = ""  # a rating-app response: the earlier response of its token the rater chose to replace
    editor: str = field(default="", repr=False)  # a digest of who last saved an .xlsx (compared only, never kept)


@dataclass
class Rejection:
    file: str
    reason: str  # for the consultant, in English
    rater_message: str = ""  # for the rater, in the client's language, where the rater must do something


@dataclass
class Replacement:
    """A numbered form copy sent again: the later file counts, the earlier one does not."""

    file: str
    by: str
    subject: str
    rater_group: str
    copy: int | None


@dataclass
class Clash:
    """Two files with one copy token that look like two raters' answers: both are counted."""

    file: str
    other: str  # the earlier file with the same token
    subject: str
    rater_group: str
    copy: int | None
    reason: str  # why they look like two raters, for the consultant, in English


@dataclass
class Collected:
    responses: list[Response]
    rejected: list[Rejection]
    replaced: list[Replacement] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"responses": [{k: v for k, v in asdict(r).items() if k != "editor"} for r in self.responses],
                           "rejected": [asdict(r) for r in self.rejected],
                           "replaced": [asdict(r) for r in self.replaced],
                           "clashes": [asdict(r) for r in self.clashes]}, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Collected:
        data = json.loads(text)
        return cls([Response(**r) for r in data["responses"]], [Rejection(**r) for r in data["rejected"]],
                   [Replacement(**r) for r in data.get("replaced", [])], [Clash(**r) for r in data.get("clashes", [])])

    def of(self, subject: str) -> Collected:
        """The responses, replacements and clashes of one evaluated person."""
        return Collected([r for r in self.responses if r.subject == subject], [],
                         [r for r in self.replaced if r.subject == subject], [r for r in self.clashes if r.subject == subject])


# Bounds on a returned file: a filled form is about 20 kB, a JSON response a few kB.
MAX_RESPONSE_BYTES = 5 * 2**20
MAX_RESPONSE_UNZIPPED = 10 * 2**20


class FormError(ValueError):
    """Why one returned file cannot be counted."""

    def __init__(self, reason: str, rater_message: str = ""):
        super().__init__(reason)
        self.rater_message = rater_message


@lru_cache(maxsize=8)
def _not_observed_labels(templates: Templates) -> frozenset[str]:
    return frozenset(templates.text("i18n", lang)["evaluation.not_observed"].casefold() for lang in LANGUAGES)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _score(value: Any, criterion: str, where: str, templates: Templates) -> int | None:
    """A filled cell's score: 1..5, or NOT_OBSERVED."""
    if isinstance(value, str) and value.strip().casefold() in _not_observed_labels(templates):
        return NOT_OBSERVED
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FormError(f"{where}: criterion '{criterion}' has {value!r}; choose 1-5 or 'not observed'") from None
    scale = templates.structure("criteria")["scale"]
    if not number.is_integer() or int(number) not in scale:
        raise FormError(f"{where}: criterion '{criterion}' has score {value!r}, out of range {scale[0]}-{scale[-1]}")
    return int(number)


def _subject_of(identity: dict[str, Any], client: Client) -> Subject:
    """Whose evaluation the form is; a response without a subject (the widget's) is the one
    evaluation of its preset that has its rater group."""
    evaluated = subjects(client)
    key = identity.get("subject")
    if key:
        found = next((s for s in evaluated if s.key == key), None)
        if found is None:
            known = ", ".join(s.key for s in evaluated) or "none"
            raise FormError(f"the form is for the evaluation of '{key}', which client '{client.id}' no longer has (it has: {known})")
        return found
    matching = [s for s in evaluated if s.preset == identity.get("preset") and identity.get("rater_group") in s.raters]
    if len(matching) != 1:
        raise FormError("the response does not say whose evaluation it is; send the rater the form of the person evaluated")
    return matching[0]


def _check_identity(identity: dict[str, Any], client: Client, templates: Templates) -> Subject:
    if identity.get("client_id") != client.id:
        raise FormError(f"the form is for client '{identity.get('client_id')}', not '{client.id}'")
    version = templates.structure("criteria")["form_version"]
    if str(identity.get("form_version")) != str(version):
        raise FormError(f"form version {identity.get('form_version')} is not the current version {version}; send the rater a new form")
    if identity.get("rater_group") not in RATER_GROUPS:
        raise FormError(f"unknown rater group {identity.get('rater_group')!r}")
    subject = _subject_of(identity, client)
    if identity.get("preset") != subject.preset:
        raise FormError(f"the form is for criteria preset '{identity.get('preset')}', the evaluation uses '{subject.preset}'")
    return subject


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _saved_time(path: Path, recorded: dt.datetime | str | None) -> str:
    """When the rater saved the answers, in UTC: the file's own record (an .xlsx's properties, a
    response's saved_at; both UTC), else the file's modification time."""
    moment = None
    if isinstance(recorded, dt.datetime):
        moment = recorded if recorded.tzinfo else recorded.replace(tzinfo=dt.timezone.utc)
    elif isinstance(recorded, str) and recorded:
        try:
            moment = dt.datetime.fromisoformat(recorded)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
    if moment is None:
        moment = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def read_xlsx(path: Path, client: Client, templates: Templates) -> Response:
    import openpyxl

    unzipped = unzipped_size(path)  # before openpyxl unpacks anything: a form unzips to tens of kilobytes
    if unzipped is None:
        raise FormError("not an .xlsx file (not a zip archive)")
    if unzipped > MAX_RESPONSE_UNZIPPED:
        raise FormError(f"the workbook unpacks to {unzipped:,} bytes, more than a form can ({MAX_RESPONSE_UNZIPPED:,})")
    try:
        # Twice: the values a spreadsheet program last calculated, and what each cell holds (a formula?).
        workbook = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a rejection, not a crash
        raise FormError(f"not a readable .xlsx file ({type(exc).__name__})") from None
    if FORM_ID_SHEET not in workbook.sheetnames:
        raise FormError("not a pmworkbook evaluation form (its identity sheet is missing)")
    identity = {row[0]: row[1] for row in workbook[FORM_ID_SHEET].iter_rows(values_only=True) if row and row[0]}
    subject = _check_identity(identity, client, templates)
    sheet, source = workbook.worksheets[0], formulas.worksheets[0]

    def value(row: int, column: int) -> Any:
        """The cell's value; a formula or a formula's error is refused, naming the cell."""
        cell, held = sheet.cell(row=row, column=column), source.cell(row=row, column=column)
        if cell.data_type == "e" or held.data_type == "e":
            raise FormError(f"cell {cell.coordinate} holds the error {cell.value or held.value} instead of an answer; "
                            "type the answer again as plain text")
        if held.data_type == "f":
            raise FormError(f"cell {cell.coordinate} holds a formula ({held.value}) instead of an answer; "
                            "type the answer again as plain text")
        return cell.value

    first_row = int(identity["first_row"])
    criteria = str(identity["criteria"]).split(",")
    scores: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for offset, criterion in enumerate(criteria):
        row = first_row + offset
        score = value(row, 4)
        if not _blank(score):
            scores[criterion] = _score(score, criterion, f"cell {sheet.cell(row=row, column=4).coordinate}", templates)
        if comment := _cell_text(value(row, 5)):
            comments[criterion] = comment
    open_answers: dict[str, str] = {}
    if identity.get("open_first_row"):
        for offset, question in enumerate(str(identity["open_questions"]).split(",")):
            if answer := _cell_text(value(int(identity["open_first_row"]) + offset, 2)):
                open_answers[question] = answer
    copy = identity.get("copy")
    editor = str(workbook.properties.lastModifiedBy or "").strip()
    return Response(path.name, str(identity["rater_group"]), scores, comments, subject=subject.key,
                    open_answers=open_answers, token=str(identity.get("token") or ""),
                    copy=int(copy) if copy not in (None, "") else None,
                    saved=_saved_time(path, workbook.properties.modified),
                    editor=hashlib.sha256(editor.casefold().encode()).hexdigest()[:16] if editor else "")


def read_json(path: Path, client: Client, templates: Templates) -> Response:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(f"not a JSON response file ({exc})") from None
    if not isinstance(data, dict) or "answers" not in data:
        raise FormError("not a pmworkbook response file (no 'answers')")
    if not isinstance(data["answers"], dict) or not all(isinstance(a, dict) for a in data["answers"].values()):
        raise FormError("'answers' is not a mapping of criterion to its score and comment")
    if not isinstance(data.get("open") or {}, dict) or not isinstance(data.get("rater_group"), str):
        raise FormError("'open' is not a mapping of question to answer, or 'rater_group' is not a name")
    subject = _check_identity(data, client, templates)
    known = {c["id"] for c in criteria_for(client, templates, subject.preset)}
    scores: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for criterion, answer in data["answers"].items():
        if criterion not in known:
            raise FormError(f"unknown criterion '{criterion}'")
        score = answer.get("score")
        if score == "not_observed":
            scores[criterion] = NOT_OBSERVED
        elif not _blank(score):
            scores[criterion] = _score(score, criterion, "answers", templates)
        if str(answer.get("comment") or "").strip():
            comments[criterion] = str(answer["comment"]).strip()
    open_answers = {q: str(a).strip() for q, a in (data.get("open") or {}).items() if q in OPEN_QUESTIONS and str(a or "").strip()}
    return Response(path.name, data["rater_group"], scores, comments, subject=subject.key, open_answers=open_answers,
                    token=str(data.get("token") or "").strip(), saved=_saved_time(path, data.get("saved_at")),
                    replaces=str(data.get("replaces") or ""))


def _save_as_xlsx(client: Client, templates: Templates, suffix: str) -> str:
    t = templates.text("i18n", client.language)
    return t.format("evaluation.form.save_as_xlsx", xlsx=".xlsx", other=suffix, excel="Excel 2007–365 (.xlsx)")


def token_key(token: str) -> str:
    """A copy token as tokens are compared: "T3 " and "t3" are the same token."""
    return token.strip().casefold()


def saved_with_token(folder: Path, client_id: str, subject: str, rater_group: str, token: str) -> list[tuple[str, Path]]:
    """The rating-app responses in `folder` of one client, person and rater group saved with
    `token`, as (saved_at, file), earliest first: what a new response with that token would replace."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.name.startswith(".") or not path.is_file() or path.stat().st_size > MAX_RESPONSE_BYTES:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if (isinstance(data, dict) and data.get("client_id") == client_id and data.get("subject") == subject
                and data.get("rater_group") == rater_group and token_key(str(data.get("token") or "")) == token_key(token)):
            found.append((str(data.get("saved_at") or ""), path))
    return sorted(found)


def collect(folder: Path, client: Client, templates: Templates) -> Collected:
    """Read every .xlsx and .json in `folder` for `client`. Files of one person, rater group and
    copy token count once, the latest saved (the others listed as replaced), unless they look
    like two raters' answers: then each counts and the clash is listed (see the module's rules)."""
    responses: list[Response] = []
    rejected: list[Rejection] = []
    seen: dict[str, str] = {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$", ".~lock")))
    for path in files:
        suffix = path.suffix.lower()
        if suffix in OTHER_SPREADSHEETS:
            rejected.append(Rejection(path.name, f"a {suffix} file, not the .xlsx form; ask the rater to save it as .xlsx "
                                                 "(the message below, in the client's language)",
                                      _save_as_xlsx(client, templates, suffix)))
            continue
        if suffix not in (".xlsx", ".json"):
            rejected.append(Rejection(path.name, "not an .xlsx form or a .json response"))
            continue
        if path.stat().st_size > MAX_RESPONSE_BYTES:
            rejected.append(Rejection(path.name, f"{path.stat().st_size:,} bytes, more than a returned form can be "
                                                 f"({MAX_RESPONSE_BYTES:,}); not read"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            rejected.append(Rejection(path.name, f"the same file as {seen[digest]} (counted once)"))
            continue
        try:
            response = read_xlsx(path, client, templates) if suffix == ".xlsx" else read_json(path, client, templates)
        except FormError as exc:
            rejected.append(Rejection(path.name, str(exc), exc.rater_message))
            continue
        except Exception as exc:  # noqa: BLE001 - a crafted file is rejected by name; the others are still counted
            rejected.append(Rejection(path.name, f"cannot be read as a response ({type(exc).__name__})"))
            continue
        if not response.scores and not response.comments and not response.open_answers:
            rejected.append(Rejection(path.name, "the form is empty: no score and no comment"))
            continue
        seen[digest] = path.name
        responses.append(response)
    return _latest_copies(responses, rejected, folder)


def _copy_in_name(response: Response) -> int | None:
    """The copy number a numbered form's file name carries (evaluation_form_client_pm_team_03.xlsx,
    also as "... (1).xlsx" or with a prefix), whatever its identity sheet says."""
    pattern = rf"evaluation_form_{re.escape(response.subject)}_{re.escape(response.rater_group)}_(\d+)(?!\d)"
    match = re.search(pattern, response.file)
    return int(match[1]) if match else None


def _two_raters(earlier: Response, later: Response) -> str | None:
    """Why two files with one token look like two raters' answers; None: one rater's correction."""
    from_app = later.file.lower().endswith(".json")
    if from_app != earlier.file.lower().endswith(".json"):
        return "one is a rating-app response, the other a spreadsheet form"
    if from_app:
        if later.replaces == earlier.file:
            return None
        return "the later rating-app response was not saved as a replacement of the earlier one (the app asks first)"
    if earlier.editor and later.editor and earlier.editor != later.editor:
        return "the two workbooks were last saved by different people (their document properties)"
    numbers = _copy_in_name(earlier), _copy_in_name(later)
    if None not in numbers and numbers[0] != numbers[1]:
        return f"the files are named as different copies ({numbers[0]:02d} and {numbers[1]:02d}): a copy duplicated by hand keeps its token"
    return None


def _latest_copies(responses: list[Response], rejected: list[Rejection], folder: Path) -> Collected:
    holders: dict[tuple[str, str, str], list[Response]] = {}  # the files counted for each person, group and token
    replaced: list[Replacement] = []
    clashes: list[Clash] = []
    order = sorted(responses, key=lambda r: (r.saved, (folder / r.file).stat().st_mtime_ns, r.file))
    for response in order:
        if not token_key(response.token):
            continue
        held = holders.setdefault((response.subject, response.rater_group, token_key(response.token)), [])
        # the latest counted file this one corrects; none: a rater of its own
        earlier = next((h for h in reversed(held) if _two_raters(h, response) is None), None)
        if earlier is not None:
            replaced.append(Replacement(earlier.file, response.file, response.subject, response.rater_group, response.copy))
            held[held.index(earlier)] = response
        elif held:
            reason = _two_raters(held[-1], response) or ""
            clashes.append(Clash(response.file, held[-1].file, response.subject, response.rater_group, response.copy, reason))
            held.append(response)
        else:
            held.append(response)
    gone = {r.file for r in replaced}
    return Collected([r for r in responses if r.file not in gone], rejected, replaced, clashes)
