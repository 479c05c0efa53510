"""Reading filled evaluation forms back: the .xlsx each rater returns and the JSON the widget
form saves. Every file is either counted or rejected with its reason; none is dropped silently."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pmworkbook.core.templates import Templates
from pmworkbook.plan.evaluation import FORM_ID_SHEET, criteria_for
from pmworkbook.portfolio.model import LANGUAGES, RATER_GROUPS, Client

NOT_OBSERVED = None  # a criterion answered "not observed": left out of averages, not a zero


@dataclass
class Response:
    """One rater's answers: criterion id -> score 1..5 or None (not observed), and comments."""

    file: str
    rater_group: str
    scores: dict[str, int | None]
    comments: dict[str, str] = field(default_factory=dict)


@dataclass
class Rejection:
    file: str
    reason: str


@dataclass
class Collected:
    responses: list[Response]
    rejected: list[Rejection]

    def to_json(self) -> str:
        return json.dumps({"responses": [asdict(r) for r in self.responses],
                           "rejected": [asdict(r) for r in self.rejected]}, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Collected:
        data = json.loads(text)
        return cls([Response(**r) for r in data["responses"]], [Rejection(**r) for r in data["rejected"]])


class FormError(ValueError):
    """Why one returned file cannot be counted."""


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


def _check_identity(identity: dict[str, Any], client: Client, templates: Templates) -> None:
    if identity.get("client_id") != client.id:
        raise FormError(f"the form is for client '{identity.get('client_id')}', not '{client.id}'")
    if identity.get("preset") != client.evaluation.preset:
        raise FormError(f"the form is for criteria preset '{identity.get('preset')}', the client uses '{client.evaluation.preset}'")
    version = templates.structure("criteria")["form_version"]
    if str(identity.get("form_version")) != str(version):
        raise FormError(f"form version {identity.get('form_version')} is not the current version {version}; send the rater a new form")
    if identity.get("rater_group") not in RATER_GROUPS:
        raise FormError(f"unknown rater group {identity.get('rater_group')!r}")


def read_xlsx(path: Path, client: Client, templates: Templates) -> Response:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a rejection, not a crash
        raise FormError(f"not a readable .xlsx file ({type(exc).__name__})") from None
    if FORM_ID_SHEET not in workbook.sheetnames:
        raise FormError("not a pmworkbook evaluation form (its identity sheet is missing)")
    identity = {row[0]: row[1] for row in workbook[FORM_ID_SHEET].iter_rows(values_only=True) if row and row[0]}
    _check_identity(identity, client, templates)
    sheet = workbook.worksheets[0]
    first_row = int(identity["first_row"])
    criteria = str(identity["criteria"]).split(",")
    scores: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for offset, criterion in enumerate(criteria):
        row = first_row + offset
        value = sheet.cell(row=row, column=4).value
        if not _blank(value):
            scores[criterion] = _score(value, criterion, f"row {row}", templates)
        comment = sheet.cell(row=row, column=5).value
        if comment is not None and str(comment).strip():
            comments[criterion] = str(comment).strip()
    return Response(path.name, str(identity["rater_group"]), scores, comments)


def read_json(path: Path, client: Client, templates: Templates) -> Response:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormError(f"not a JSON response file ({exc})") from None
    if not isinstance(data, dict) or "answers" not in data:
        raise FormError("not a pmworkbook response file (no 'answers')")
    _check_identity(data, client, templates)
    known = {c["id"] for c in criteria_for(client, templates)}
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
    return Response(path.name, data["rater_group"], scores, comments)


def collect(folder: Path, client: Client, templates: Templates) -> Collected:
    """Read every .xlsx and .json in `folder` for `client`."""
    responses: list[Response] = []
    rejected: list[Rejection] = []
    seen: dict[str, str] = {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    for path in files:
        if path.suffix.lower() not in (".xlsx", ".json"):
            rejected.append(Rejection(path.name, "not an .xlsx form or a .json response"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            rejected.append(Rejection(path.name, f"the same file as {seen[digest]} (counted once)"))
            continue
        try:
            response = read_xlsx(path, client, templates) if path.suffix.lower() == ".xlsx" else read_json(path, client, templates)
        except FormError as exc:
            rejected.append(Rejection(path.name, str(exc)))
            continue
        if not response.scores and not response.comments:
            rejected.append(Rejection(path.name, "the form is empty: no score and no comment"))
            continue
        seen[digest] = path.name
        responses.append(response)
    return Collected(responses, rejected)
