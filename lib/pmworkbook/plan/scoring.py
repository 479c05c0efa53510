"""Scores of a 360-degree evaluation: weighted per response (weights renormalised over answered
criteria), per rater group with anonymity thresholds, per criterion, bands and the self gap."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from pmworkbook.plan.evaluation import threshold
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
    shown: bool
    score: float | None  # None when withheld or nothing scored
    criteria: dict[str, float | None]


@dataclass
class Report:
    overall: float | None  # all groups except self, withheld groups included
    band: str | None
    self_score: float | None
    gap: float | None  # self minus others
    groups: list[GroupResult]
    criteria: dict[str, float | None]  # others' mean per criterion
    criteria_counts: dict[str, int]
    self_criteria: dict[str, float | None]
    comments: dict[str, list[tuple[str, str]]]  # criterion -> [(group, comment)] from shown groups only


def band_for(score: float | None, bands: list[dict]) -> str | None:
    """The first band (of the criteria catalog's, best first) whose minimum the score reaches."""
    if score is None:
        return None
    for band in bands:
        if score >= band["min"]:
            return band["id"]
    return None


def _criterion_means(responses: list[Response], criteria: list[str]) -> dict[str, float | None]:
    means: dict[str, float | None] = {}
    for criterion in criteria:
        values = [score for r in responses if (score := r.scores.get(criterion)) is not None]
        means[criterion] = mean(values) if values else None
    return means


def score(responses: list[Response], criteria: list[dict], bands: list[dict]) -> Report:
    weights = {c["id"]: c["weight"] for c in criteria}
    ids = [c["id"] for c in criteria]
    per_response = [(r, weighted_score(r, weights)) for r in responses]
    groups = []
    for group in RATER_GROUPS:
        mine = [(r, s) for r, s in per_response if r.rater_group == group]
        if not mine:
            continue
        shown = len(mine) >= threshold(group)
        scored = [s for _, s in mine if s is not None]
        groups.append(GroupResult(group, len(mine), threshold(group), shown,
                                  mean(scored) if shown and scored else None,
                                  _criterion_means([r for r, _ in mine], ids) if shown else {}))
    others = [(r, s) for r, s in per_response if r.rater_group != "self"]
    others_scores = [s for _, s in others if s is not None]
    overall = mean(others_scores) if others_scores else None
    selves = [s for r, s in per_response if r.rater_group == "self" and s is not None]
    self_score = mean(selves) if selves else None
    shown_groups = {g.group for g in groups if g.shown}
    comments: dict[str, list[tuple[str, str]]] = {c: [] for c in ids}
    for response in responses:
        if response.rater_group in shown_groups:
            for criterion, text in response.comments.items():
                comments.setdefault(criterion, []).append((response.rater_group, text))
    return Report(
        overall=overall, band=band_for(overall, bands), self_score=self_score,
        gap=self_score - overall if self_score is not None and overall is not None else None,
        groups=groups,
        criteria=_criterion_means([r for r, _ in others], ids),
        criteria_counts={c: sum(1 for r, _ in others if r.scores.get(c) is not None) for c in ids},
        self_criteria=_criterion_means([r for r in responses if r.rater_group == "self"], ids),
        comments=comments,
    )
