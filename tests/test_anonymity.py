"""Anonymity against arithmetic: no figure of the evaluation report lets a reader recover the
scores of a withheld rater group. Reports are rendered in-process from responses written here
(the same Document the notebook runs), and attacked with the subtraction that recovered a
withheld group's means from the report before (a client group of two: professionalism 2.50)."""

from __future__ import annotations

import html as htmllib
import re
from statistics import mean

import pytest

from conftest import DEMO_LANGUAGES, demo_client
from pmworkbook.core.i18n import Formatter
from pmworkbook.core.templates import Templates
from pmworkbook.documents.evaluation_report import EvaluationReport
from pmworkbook.plan.evaluation import criteria_for, subject, threshold
from pmworkbook.plan.responses import Collected, Response

CLIENT = "harbor-health"  # English: the figures parse as plain decimals
SHOWN = {
    "self": [[5, 4, 4, 5, 4, 5]],
    "manager": [[4, 3, 4, 4, 3, 4]],
    # the second member did not observe budget control: the team's budget mean rests on two answers
    "team": [[4, 4, 3, 5, 4, 4], [3, None, 4, 4, 3, 3], [5, 4, 4, 4, 5, 4]],
}
# Two client raters against a threshold of 3: withheld. Two versions, with different scores
# and a different "not observed" pattern, and different comments.
WITHHELD = {
    "a": [[2, 3, 2, 3, 2, 2], [3, 2, 3, 3, 3, 2]],
    "b": [[5, 1, 5, 1, None, 4], [1, 5, 2, 5, 5, 1]],
}
SECRET = "only the two client raters wrote this"


def responses(version: str) -> list[Response]:
    ids = [c["id"] for c in criteria_for(demo_client(CLIENT), Templates.get())]
    found = []
    for group, forms in {**SHOWN, "client": WITHHELD[version]}.items():
        for number, scores in enumerate(forms, start=1):
            comments = {ids[0]: f"{SECRET} ({version}{number})"} if group == "client" else {ids[0]: f"{group} {number} comment"}
            found.append(Response(f"{group}-{number}.xlsx", group, dict(zip(ids, scores, strict=True)), comments,
                                  open_answers={"strengths": f"{SECRET}, open ({version})" if group == "client" else f"{group} strengths"}))
    return found


def render(tmp_path, version: str) -> tuple[EvaluationReport, dict[str, str]]:
    path = tmp_path / f"responses-{version}.json"
    path.write_text(Collected(responses(version), []).to_json(), encoding="utf-8")
    doc = EvaluationReport(demo_client(CLIENT), Templates.get(), None, subject="client_pm", responses=path)
    sections = ("header", "summary", "by_group", "by_criterion", "charts", "comments", "anonymity")
    return doc, {name: str(getattr(doc, name)()) for name in sections}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("anonymity")
    return {version: render(folder, version) for version in WITHHELD}


def test_no_figure_of_the_report_depends_on_the_withheld_group(reports):
    # Everything a reader sees (figures, counts, charts as images, comments) is the same whichever
    # scores and comments the withheld group gave: nothing in it can be worked back to them.
    (_, a), (_, b) = reports["a"], reports["b"]
    assert a.keys() == b.keys()
    for section in a:
        assert a[section] == b[section], section
    everything = "".join(a.values())
    assert SECRET not in everything
    assert "team 1 comment" in everything and "manager strengths" in everything  # shown groups' words are there
    assert "Withheld: fewer than 3 responses" in a["by_group"]


def test_the_report_gives_no_count_of_a_withheld_groups_responses(reports):
    # The responses card and the table count the shown groups only (1 + 1 + 3): with the two
    # withheld forms in the total, total less the shown groups' rows would give their number.
    figures = figures_of(reports["a"][1])
    assert figures["by_group"]["Client"] == (None, None)
    shown = [n for n, _ in figures["by_group"].values() if n is not None]
    assert figures["responses"] == sum(shown) == 5
    assert len(reports["a"][0].collected.responses) == 7  # the two withheld forms were collected


def cells(html: str, section: str) -> list[list[str]]:
    """The visible text of each body row of a section's table."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)[1]
    return [[htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def number(text: str) -> float | None:
    return None if text in ("—", "") else float(text.replace(",", ""))


def figures_of(sections: dict[str, str]) -> dict:
    """What a reader takes from the report: others' mean and answer count per criterion, each
    shown group's mean per criterion and score, responses per group, the overall score."""
    header = re.findall(r"<th[^>]*>(.*?)</th>", re.search(r"<thead>(.*?)</thead>", sections["by_criterion"], re.S)[1])
    groups = [htmllib.unescape(h) for h in header[4:]]
    rows = cells(sections["by_criterion"], "by_criterion")
    # A withheld group's row is one cell after its name, without its number of responses.
    by_group = {row[0]: (int(row[1]), number(row[2])) if len(row) == 3 else (None, None)
                for row in cells(sections["by_group"], "by_group")}
    overall, _, total = re.findall(r'class="score-value[^"]*">([^<]*)<', sections["summary"])
    return {"others": [(number(r[2]), int(r[3])) for r in rows],
            "groups": {g: [number(r[4 + i]) for r in rows] for i, g in enumerate(groups)},
            "by_group": by_group, "overall": number(overall), "responses": int(total)}


def subtraction_attack(figures: dict, known_counts: dict[str, list[int]], withheld_n: int = 2) -> tuple[list[float | None], float | None]:
    """Take the shown groups out of the totals; what is left is the withheld group's, if anything.
    The attacker knows each shown group's answer counts exactly (as a member of it would), and how
    many of the withheld group responded (the report does not say; an insider might know)."""
    per_criterion = []
    for index, (others, count) in enumerate(figures["others"]):
        rest_sum = (others or 0) * count
        rest_count = count
        for group in ("Manager", "Team"):
            mean_shown = figures["groups"][group][index]
            if mean_shown is not None:
                rest_sum -= mean_shown * known_counts[group][index]
                rest_count -= known_counts[group][index]
        per_criterion.append(rest_sum / rest_count if rest_count > 0 else None)
    shown = {g: (n, s) for g, (n, s) in figures["by_group"].items() if g in ("Manager", "Team")}
    others_n = sum(n for n, _ in shown.values()) + withheld_n
    overall = None
    if withheld_n > 0 and figures["overall"] is not None:
        overall = (figures["overall"] * others_n - sum(n * s for n, s in shown.values())) / withheld_n
    return per_criterion, overall


def weighted(scores: list, weights: list[float]) -> float:
    answered = [(w, s) for w, s in zip(weights, scores, strict=True) if s is not None]
    return sum(w * s for w, s in answered) / sum(w for w, _ in answered)


def leaky_figures(version: str, weights: list[float]) -> dict:
    """The figures as the report computed them before: the withheld group inside the totals."""
    others = SHOWN["manager"] + SHOWN["team"] + WITHHELD[version]
    columns = list(zip(*others, strict=True))
    team_columns = list(zip(*SHOWN["team"], strict=True))
    return {
        "others": [(mean(v for v in c if v is not None), sum(v is not None for v in c)) for c in columns],
        "groups": {"Manager": [float(v) for v in SHOWN["manager"][0]],
                   "Team": [mean(v for v in c if v is not None) for c in team_columns]},
        "by_group": {"Self": (1, None), "Manager": (1, weighted(SHOWN["manager"][0], weights)),
                     "Team": (3, mean(weighted(s, weights) for s in SHOWN["team"])), "Client": (2, None)},
        "overall": mean(weighted(s, weights) for s in others),
    }


def test_subtracting_the_shown_groups_from_the_totals_recovers_nothing(reports):
    doc = reports["a"][0]
    weights = [c["weight"] for c in doc.criteria]
    counts = {"Manager": [1] * 6, "Team": [sum(s[i] is not None for s in SHOWN["team"]) for i in range(6)]}
    truths = {v: ([mean(x for x in c if x is not None) for c in zip(*WITHHELD[v], strict=True)],
                  mean(weighted(s, weights) for s in WITHHELD[v])) for v in WITHHELD}
    # The attack works: on the figures the report used to show, it gives the withheld means back.
    per_criterion, overall = subtraction_attack(leaky_figures("a", weights), counts)
    assert per_criterion == pytest.approx(truths["a"][0]) and overall == pytest.approx(truths["a"][1])
    # On the report's own figures it finds no answers left to attribute, and the overall says the
    # same whichever scores the withheld group gave, so it cannot be theirs.
    for version in WITHHELD:
        per_criterion, overall = subtraction_attack(figures_of(reports[version][1]), counts)
        assert per_criterion == [None] * 6
        assert overall is not None and overall == pytest.approx(subtraction_attack(figures_of(reports["a"][1]), counts)[1])
    assert truths["a"][1] != pytest.approx(truths["b"][1], abs=0.01)


def test_a_criterion_with_too_few_answers_in_a_shown_group_is_not_shown_nor_counted(reports):
    doc, sections = reports["a"]
    report = doc.report
    team = next(g for g in report.groups if g.group == "team")
    assert team.shown and team.partial
    assert team.criteria["budget_control"] is None  # two answers against a threshold of 3
    assert report.criteria["budget_control"] == SHOWN["manager"][0][1]  # the manager's alone
    assert report.criteria_counts["budget_control"] == 1
    assert report.criteria_counts["on_time_delivery"] == 4  # manager and three team members, no client
    expected_overall = mean([weighted(s, [c["weight"] for c in doc.criteria]) for s in SHOWN["manager"] + SHOWN["team"]])
    assert report.overall == pytest.approx(expected_overall)
    row = next(r for r in cells(sections["by_criterion"], "") if r[0] == "Budget control")
    assert row[2:4] == ["3.00", "1"] and row[-1] == "—"


def test_a_shown_group_with_too_few_scored_responses_has_no_score_and_no_share_in_the_overall(tmp_path):
    client = demo_client(CLIENT)
    ids = [c["id"] for c in criteria_for(client, Templates.get())]
    team = [Response(f"t{n}.xlsx", "team", dict.fromkeys(ids, 4 if n == 1 else None), {ids[0]: "seen little"}) for n in range(1, 4)]
    manager = [Response("m.xlsx", "manager", dict.fromkeys(ids, 2))]
    path = tmp_path / "r.json"
    path.write_text(Collected(team + manager, []).to_json(), encoding="utf-8")
    report = EvaluationReport(client, Templates.get(), None, subject="client_pm", responses=path).report
    group = next(g for g in report.groups if g.group == "team")
    assert group.shown and group.score is None  # one member scored: their score would be on show
    assert report.overall == pytest.approx(2.0)
    assert [text for _, text in report.comments[ids[0]]] == ["seen little"] * 3  # three responded: comments are shown


@pytest.mark.parametrize("client_id", DEMO_LANGUAGES)
def test_the_report_states_the_rule_in_the_clients_language(tmp_path, client_id):
    client = demo_client(client_id)
    templates = Templates.get()
    path = tmp_path / "none.json"
    path.write_text(Collected([], []).to_json(), encoding="utf-8")
    t = templates.text("i18n", client.language)
    before, after = t["evaluation.report.anonymity_rule"].split("{minimums}")
    for evaluated in ("client_pm", "project_manager"):
        doc = EvaluationReport(client, templates, None, subject=evaluated, responses=path)
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", str(doc.anonymity())))
        assert t["evaluation.report.anonymity"] in text and text.count(before) == 1 and text.count(after) == 1
        minimums = text[text.index(before) + len(before):text.index(after)]
        fmt = Formatter(client.language, client.country, templates)
        for group in subject(client, evaluated).groups:  # each group's minimum, as its catalog phrase writes it
            phrase = fmt.plural(f"evaluation.report.anonymity_minimum.{group}", threshold(group))
            assert phrase in minimums and str(threshold(group)) in phrase, (group, minimums)
