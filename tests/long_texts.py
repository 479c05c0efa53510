"""A portfolio whose every free text is as long as the model allows (MAX_TEXT characters): the
demo's four clients (pl, zh, ru, en) with long names, titles, addresses, e-mails and links, long
words that no line can hold (a 60-letter Polish compound, Russian and English compounds, an e-mail
address and a link without a space, a Chinese run without a space), and task registers whose
titles, owners and descriptions are as long. Used by tests/test_long_texts.py."""

from __future__ import annotations

import copy
import csv
import itertools
from pathlib import Path

import openpyxl

from conftest import DEMO, write_portfolio
from pmworkbook.portfolio.model import MAX_TEXT

POLISH_COMPOUND = "dziewięćsetdziewięćdziesięciodziewięciotysięcznokilometrowego"  # 61 letters, one word
RUSSIAN_COMPOUND = "рентгеноэлектрокардиографическиобследованного"
ENGLISH_COMPOUND = "Pneumonoultramicroscopicsilicovolcanoconiosis"
# Words of each language that the long texts are made of: long ones among them.
WORDS = {
    "pl": ["Przedsiębiorstwo", "Handlowo-Usługowe", POLISH_COMPOUND, "Międzynarodowej", "Sieci", "Sklepów",
           "Internetowych", "i", "Stacjonarnych", "Oddział", "Mazowiecki", "Konstantynopolitańczykowianeczka",
           "Spółka", "z", "ograniczoną", "odpowiedzialnością", "Wielkopolsko-Pomorskiego", "Centrum",
           "Przetwarzania", "Zamówień"],
    "zh": [],  # Chinese: one run without spaces, see long_text
    "ru": ["Северо-Западное", "Межрегиональное", RUSSIAN_COMPOUND, "Управление", "Высокотехнологичного",
           "Материально-технического", "Обеспечения", "и", "Сопровождения", "Грузоперевозок", "Общество", "с",
           "ограниченной", "ответственностью", "Частнопредпринимательское", "Транспортно-экспедиционное"],
    "en": ["Harbor", "Health", ENGLISH_COMPOUND, "Interdisciplinary", "Department", "of", "Patient", "Experience",
           "and", "Telemedicine", "Incorporated", "Northeastern", "Administrative", "Headquarters",
           "Internationalization", "Programme"],
}
CHINESE = ("华信零售集团有限公司上海浦东新区数字化转型与全渠道会员运营管理中心暨长三角区域智慧门店供应链协同创新实验室"
           "会员小程序升级项目联合工作组")
LINK_WORDS = ["projekt", "wdrozenie", "spotkanie-statusowe", "integracja-systemow", "zespol-projektowy", "harmonogram"]
EMAIL_WORDS = ["projekt", "wdrozenie", "spotkanie", "statusowe", "integracja", "systemow", "zespol", "harmonogram"]


def long_text(language: str, start: str, length: int = MAX_TEXT, offset: int = 0) -> str:
    """`start` followed by the language's words (or a Chinese run without spaces), `length` characters."""
    if language == "zh":
        run = itertools.cycle(CHINESE[offset % len(CHINESE):] + CHINESE[:offset % len(CHINESE)])
        text = start + "".join(next(run) for _ in range(length))
        return text[:length]
    words = WORDS[language]
    parts = [start]
    for index in itertools.count(offset):
        if len(" ".join(parts)) >= length:
            break
        parts.append(words[index % len(words)])
    return " ".join(parts)[:length].rstrip() .ljust(length, "x")


def long_email(start: str, length: int = MAX_TEXT) -> str:
    """An address without a space or a hyphen before its domain (nowhere to break a line):
    name.surname.department...@a-long-domain.example."""
    domain = "@dzial-wdrozen-i-integracji-systemow-informatycznych.oddzial-mazowiecki.example"
    local = start
    for word in itertools.cycle(EMAIL_WORDS):
        if len(local) + len(word) + 1 > length - len(domain):
            break
        local += "." + word
    return local.ljust(length - len(domain), "a") + domain


def long_link(length: int = MAX_TEXT) -> str:
    """A meeting link: a long path, then a token of 80 letters and digits."""
    link = "https://meet.example.com/"
    for word in itertools.cycle(LINK_WORDS):
        if len(link) + len(word) + 1 > length - 90:
            break
        link += word + "-"
    token = "".join(itertools.islice(itertools.cycle("k7Qx2mZ9pR4tW8vB3nL6"), 80))
    return (link.rstrip("-") + "?pwd=" + token).ljust(length, "x")


# The registers' free-text columns (task titles, request descriptions, decisions, risks, mitigations)
# and their owners, in the headers the demo's files use.
TEXT_COLUMNS = {"Summary", "title", "Opis", "Decyzja", "Ryzyko", "Działania zaradcze", "decision", "risk", "mitigation",
                "summary", "决策事项", "风险", "应对措施", "摘要", "Решение", "Риск", "Меры реагирования", "Суть обращения"}
OWNER_COLUMNS = {"Assignee", "owner", "Osoba odpowiedzialna", "负责人", "Ответственное лицо"}


def _rewrite_rows(rows: list[list[object]], lengthen, replacements: dict[str, str]) -> list[list[object]]:
    header = [str(name) for name in rows[0]]
    out = [rows[0]]
    for number, row in enumerate(rows[1:]):
        cells = []
        for index, cell in enumerate(row):
            column = header[index] if index < len(header) else ""
            if isinstance(cell, str) and cell.strip() and (column in TEXT_COLUMNS or column in OWNER_COLUMNS):
                cell = lengthen(cell.strip(), number)
            elif isinstance(cell, str) and cell.strip() in replacements:  # a milestone's or a person's name
                cell = replacements[cell.strip()]
            cells.append(cell)
        out.append(cells)
    return out


def _rewrite_register(source: Path, target: Path, lengthen, replacements: dict[str, str]) -> None:
    if source.suffix == ".csv":
        with source.open(encoding="utf-8-sig", newline="") as file:
            rows: list[list[object]] = [list(row) for row in csv.reader(file)]
        with target.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows(_rewrite_rows(rows, lengthen, replacements))
        return
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]  # the log; the others hold the drop-down lists and the instructions
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    for row_cells, values in zip(sheet.iter_rows(), _rewrite_rows(rows, lengthen, replacements), strict=True):
        for cell, value in zip(row_cells, values, strict=True):
            cell.value = value
    workbook.save(target)


def long_portfolio(demo_raw: dict, folder: Path) -> Path:
    """The demo with every free text MAX_TEXT characters long, written into `folder` with its registers."""
    raw = copy.deepcopy(demo_raw)
    raw["portfolio"] = long_text("en", "Demo portfolio")
    agency = raw["defaults"]["agency"]
    agency["name"] = long_text("pl", agency["name"])
    agency["email"] = long_email("hello")
    agency["phone"] = long_text("pl", agency["phone"])
    for client in raw["clients"]:
        language = client["language"]
        replacements: dict[str, str] = {}

        def lengthen(old: str, offset: int = 0, _language: str = language, _replacements: dict[str, str] = replacements) -> str:
            new = _replacements.get(old) or long_text(_language, old, offset=offset)
            _replacements[old] = new
            return new

        client["name"] = lengthen(client["name"])
        project = client["project"]
        project["name"] = lengthen(project["name"], 3)
        for number, milestone in enumerate(project["milestones"]):
            milestone["name"] = lengthen(milestone["name"], 5 + number)
        project["deliverables"] = [lengthen(name, 9 + number) for number, name in enumerate(project["deliverables"])]
        if client.get("raci"):
            client["raci"] = {lengthen(name): row for name, row in client["raci"].items()}
        for number, person in enumerate(client["people"]):
            old_name = person["name"]
            person["name"] = lengthen(old_name, 2 * number)
            person["email"] = long_email(person["email"].split("@")[0])
            person["phone"] = long_text(language, person["phone"], offset=number)
            person["title"] = long_text(language, person.get("title") or "Kierownik", offset=7 + number)
        if "agency" in client:
            client["agency"]["name"] = long_text(language, client["agency"]["name"])
            client["agency"]["email"] = long_email("office")
        communication = client.setdefault("communication", {})
        communication["location"] = long_text(language, "ul. Marszałkowska 142, 00-061 Warszawa" if language == "pl" else "",
                                              offset=4).strip() or long_text(language, "Office", offset=4)
        communication["video_link"] = long_link()
        people = [person["name"] for person in client["people"]]
        client["charter"] = {"version": long_text(language, "1.0", offset=1), "reports_to": people[1],
                             "deputy": people[-1]}
        client["evaluation"] = {**client.get("evaluation", {}), "return_to": long_email("oceny")}
        for key in ("tasks", "requests", "decisions", "risks"):
            name = client.get(key)
            if not name:
                continue
            _rewrite_register(DEMO.parent / name, folder / name, lengthen, replacements)
    return write_portfolio(folder / "long-texts.yaml", raw)


def fill_forms(pack: Path, language: str, inbox: Path) -> Path:
    """One filled form per rater group of the client-side project manager's evaluation, each with a
    comment and an answer as long as a portfolio text: what `collect` makes the report of."""
    from test_evaluation import fill  # a rater's hand in a spreadsheet program

    inbox.mkdir(parents=True, exist_ok=True)
    for number, blank in enumerate(sorted(pack.glob("evaluation_form_client_pm_*.xlsx"))):
        fill(blank, inbox / blank.name, [4, 3, 5, 4, 4, 3], {0: long_text(language, "Komentarz", offset=number)},
             {0: long_text(language, "Odpowiedź", offset=number + 3)})
    return inbox
