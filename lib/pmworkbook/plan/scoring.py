"""Scores of a 360-degree evaluation: weighted per response (weights renormalised over answered
criteria), per rater group, per criterion, bands and the self gap, under one anonymity rule.

The rule: a rater group with fewer responses than its threshold is withheld, and a withheld
group's answers are in no figure at all: not in the overall score, not in the per-criterion
column of others, not in the answer counts, not in the comments. Leaving them out of the
totals is what keeps them secret: a total that included them, beside the shown groups' own
figures, would give them back by subtraction. The same holds inside a shown group for each
criterion (a mean of fewer answers than the threshold is not shown and not added to the
others' column) and for its score (fewer scored responses than the threshold: no score, and
those responses are not in the overall)."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

from pmworkbook.plan.evaluation import OPEN_QUESTIONS, threshold
from pmworkbook.plan.responses import Response
from pmworkbook.portfolio.model import RATER_GROUPS


def weighted_score(response: Response, weights: dict[str, float]) -> float | None:
    """Σ wᵢ·sᵢ / Σ wᵢ over the criteria this rater scored; None if they scored none."""
    answered = {c: s for c, s in response.scores.items() if s is not None and c in weights}
    if not answered:
        return None
    return sum(weights[c] * s for c, s in answered.items()) / sum(weights[c] for c in answered)


@dataclass
class GroupResult:
    group: str
    responses: int
    threshold: int
    shown: bool  # enough responses: its figures and comments appear
    score: float | None  # None when withheld or fewer scored responses than the threshold
    criteria: dict[str, float | None]  # None where withheld or fewer answers than the threshold
    counts: dict[str, int] = field(default_factory=dict)  # answers behind each shown mean
    partial: bool = False  # shown, but its score or a criterion's mean had too few answers to show


@dataclass
class Report:
    overall: float | None  # the shown groups' raters except self
    band: str | None
    self_score: float | None
    gap: float | None  # self minus others
    groups: list[GroupResult]
    criteria: dict[str, float | None]  # others' mean per criterion, from the shown means only
    criteria_counts: dict[str, int]  # the answers behind it
    self_criteria: dict[str, float | None]
    comments: dict[str, list[tuple[str, str]]]  # criterion -> [(group, comment)], shown groups only
    open_answers: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # question -> [(group, text)]
    withheld: list[str] = field(default_factory=list)  # groups withheld as a whole
    partly_withheld: bool = False  # a shown group had a criterion or its score withheld


def band_for(score: float | None, bands: list[dict]) -> str | None:
    """The first band (of the criteria catalog's, best first) whose minimum the score reaches."""
    if score is None:
        return None
    for band in bands:
        if score >= band["min"]:
            return band["id"]
    return None


def _answers(responses: list[Response], criterion: str) -> list[int]:
    return [value for r in responses if (value := r.scores.get(criterion)) is not None]


def _group(group: str, mine: list[Response], weights: dict[str, float], ids: list[str]) -> tuple[GroupResult, list[float]]:
    """The group's result and the weighted scores that may count in the overall."""
    needed = threshold(group)
    shown = len(mine) >= needed
    scored = [s for r in mine if (s := weighted_score(r, weights)) is not None]
    counted = scored if shown and len(scored) >= needed else []
    partial = shown and 0 < len(scored) < needed
    criteria: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for criterion in ids:
        values = _answers(mine, criterion) if shown else []
        enough = len(values) >= needed
        partial = partial or (0 < len(values) < needed)
        criteria[criterion] = mean(values) if enough else None
        counts[criterion] = len(values) if enough else 0
    result = GroupResult(group, len(mine), needed, shown, mean(counted) if counted else None, criteria, counts, partial)
    return result, counted


def score(responses: list[Response], criteria: list[dict], bands: list[dict]) -> Report:
    weights = {c["id"]: c["weight"] for c in criteria}
    ids = [c["id"] for c in criteria]
    groups: list[GroupResult] = []
    counted: dict[str, list[float]] = {}
    for group in RATER_GROUPS:
        mine = [r for r in responses if r.rater_group == group]
        if mine:
            result, counted[group] = _group(group, mine, weights, ids)
            groups.append(result)
    shown = {g.group: g for g in groups if g.shown}
    others = [g for g in shown.values() if g.group != "self"]
    others_scores = [s for g in others for s in counted[g.group]]
    overall = mean(others_scores) if others_scores else None
    self_group = shown.get("self")
    self_score = self_group.score if self_group else None
    # Others per criterion: a mean of the shown groups' answers (each shown mean times its count).
    criteria_means: dict[str, float | None] = {}
    criteria_counts: dict[str, int] = {}
    for criterion in ids:
        total = sum(g.counts[criterion] for g in others)
        weighted = sum(g.counts[criterion] * (g.criteria[criterion] or 0) for g in others)
        criteria_means[criterion] = weighted / total if total else None
        criteria_counts[criterion] = total
    comments: dict[str, list[tuple[str, str]]] = {c: [] for c in ids}
    open_answers: dict[str, list[tuple[str, str]]] = {q: [] for q in OPEN_QUESTIONS}
    for response in sorted(responses, key=lambda r: RATER_GROUPS.index(r.rater_group)):  # self, manager, team, client
        if response.rater_group in shown:
            for criterion, text in response.comments.items():
                comments.setdefault(criterion, []).append((response.rater_group, text))
            for question, text in response.open_answers.items():
                open_answers.setdefault(question, []).append((response.rater_group, text))
    return Report(
        overall=overall, band=band_for(overall, bands), self_score=self_score,
        gap=self_score - overall if self_score is not None and overall is not None else None,
        groups=groups, criteria=criteria_means, criteria_counts=criteria_counts,
        self_criteria=self_group.criteria if self_group else dict.fromkeys(ids),
        comments=comments, open_answers=open_answers,
        withheld=[g.group for g in groups if not g.shown], partly_withheld=any(g.partial for g in groups),
    )

