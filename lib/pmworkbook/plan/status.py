"""The weekly status report's figures, from the task register, the requests log, the decisions
and risks, and the communication plan: RAG per dimension against the portfolio's thresholds,
the week's tasks by state and side, milestone forecasts in working days, the effort burn-up,
response and resolution times in working hours, open complaints on the escalation ladder, and
next week's meetings.

Every figure is taken as of the end of the report's `as_of` day: a task done later counts as
open, a request received later is not counted, an answer given later is not yet given.

Working hours are the agency's service hours (`status.service_hours`, in the agency's time zone)
on the working days of the communication calendar (its country's public holidays, the
engagement's days off and make-up days, exactly as the calendar has them); a daylight-saving
change is counted as the clock on the wall shows it, because every boundary is an instant.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
import zoneinfo
from dataclasses import asdict, dataclass, field
from typing import Any

from pmworkbook.plan.communication import CommunicationPlan
from pmworkbook.plan.workdays import ONE_DAY, WorkingCalendar
from pmworkbook.portfolio.model import Client, RagLimits, StatusThresholds
from pmworkbook.portfolio.tasks import Decision, Request, Risk, StatusInputs, Task

LEVELS = ("green", "amber", "red")
DIMENSIONS = ("schedule", "effort", "scope", "service")
WEEK_PATTERN = re.compile(r"(\d{4})-?W(\d{2})")


# ----------------------------------------------------------------------------- the week


@dataclass(frozen=True)
class Week:
    """An ISO 8601 week: 2027-W07 is Monday 15 to Sunday 21 February 2027."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        match = WEEK_PATTERN.fullmatch(text.strip().upper())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week; write it as YYYY-Www, e.g. 2027-W07")
        year, number = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{text!r}: {year} has no week {number}") from None
        return cls(year, number)

    @classmethod
    def of(cls, day: dt.date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + 6 * ONE_DAY

    @property
    def next(self) -> Week:
        return Week.of(self.monday + 7 * ONE_DAY)

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


def choose_week(week: str | None, as_of: dt.date | None, today: dt.date | None = None) -> tuple[Week, dt.date]:
    """The report's week and the day its figures are taken at the end of: --week alone, the week's
    Sunday; --as-of alone, its week; both, as_of within the week; neither, the last completed week."""
    if week:
        try:
            chosen = Week.parse(week)
        except ValueError as exc:
            raise ValueError(f"{exc} (--week)") from None
        if as_of is None:
            return chosen, chosen.sunday
        if not chosen.monday <= as_of <= chosen.sunday:
            raise ValueError(f"--as-of {as_of} is not in {chosen} ({chosen.monday} to {chosen.sunday})")
        return chosen, as_of
    if as_of is not None:
        return Week.of(as_of), as_of
    last = Week.of((today or dt.date.today()) - 7 * ONE_DAY)
    return last, last.sunday


# ----------------------------------------------------------------------------- working hours


class ServiceClock:
    """Working hours between two instants: the service hours of each working day of the calendar,
    in the agency's time zone."""

    def __init__(self, calendar: WorkingCalendar, zone: zoneinfo.ZoneInfo, opens: dt.time, closes: dt.time):
        self.calendar, self.zone, self.opens, self.closes = calendar, zone, opens, closes

    @classmethod
    def for_client(cls, client: Client, calendar: WorkingCalendar) -> ServiceClock:
        zone = zoneinfo.ZoneInfo(client.agency.timezone if client.agency and client.agency.timezone else client.timezone)
        opens, closes = (dt.time.fromisoformat(part) for part in client.status.service_hours.split("-"))
        return cls(calendar, zone, opens, closes)

    @property
    def hours_per_day(self) -> float:
        return (dt.datetime.combine(dt.date.min, self.closes) - dt.datetime.combine(dt.date.min, self.opens)).seconds / 3600

    def hours(self, start: dt.datetime, end: dt.datetime) -> float:
        if end <= start:
            return 0.0
        seconds = 0.0
        day, last = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        # In UTC: Python subtracts and compares two times of one zone by their wall clocks, which
        # on the night the clocks change is an hour off.
        start, end = start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
        while day <= last:
            if self.calendar.is_working_day(day):
                # Wall-clock hours as instants: on the day the clocks change, the zone gives each its offset.
                opens = dt.datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(dt.timezone.utc)
                closes = dt.datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(dt.timezone.utc)
                overlap = (min(end, closes) - max(start, opens)).total_seconds()
                seconds += max(overlap, 0.0)
            day += ONE_DAY
        return seconds / 3600


def percentile(values: list[float], share: float) -> float | None:
    """The value below which `share` of them lie, interpolated between neighbours (as numpy's and
    Excel's PERCENTILE.INC)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ----------------------------------------------------------------------------- RAG


MORE_IS_WORSE = {"schedule_slip_days": True, "effort_overrun_percent": True, "open_changes": True,
                 "response_within_percent": False, "open_complaints": True}


def level_of(value: float | None, limits: RagLimits, more_is_worse: bool = True) -> str | None:
    """green, amber or red; None when there is nothing to judge. More is worse: amber from `amber`,
    red from `red` (inclusive). Less is worse (a share): amber below `amber`, red below `red`."""
    if value is None:
        return None
    if more_is_worse:
        return "red" if value >= limits.red else "amber" if value >= limits.amber else "green"
    return "red" if value < limits.red else "amber" if value < limits.amber else "green"


def worst(levels: list[str | None]) -> str | None:
    judged = [level for level in levels if level]
    return max(judged, key=LEVELS.index) if judged else None


# ----------------------------------------------------------------------------- figures


@dataclass
class TaskLine:
    task: Task
    overdue: bool


@dataclass
class TaskLists:
    done: list[TaskLine] = field(default_factory=list)  # done this week, by the day finished
    # The others: overdue first, then by due date.
    in_progress: list[TaskLine] = field(default_factory=list)
    next_days: list[TaskLine] = field(default_factory=list)  # to do, due within the next days (or overdue)
    long_term: list[TaskLine] = field(default_factory=list)  # to do, due later or without a date
    counts: dict[str, int] = field(default_factory=dict)  # todo, in_progress, done, overdue, done_this_week


@dataclass
class MilestoneLine:
    name: str
    baseline: dt.date
    forecast: dt.date
    state: str  # reached, on_track, late, no_tasks
    slip_days: int  # working days, forecast (or the day reached) against the baseline; negative: early
    open_tasks: int
    reached_on: dt.date | None = None


@dataclass
class Effort:
    planned: float  # hours: every task's estimate
    planned_to_date: float  # what the plan has done by as_of (each estimate spread over its start to its due)
    spent: float
    earned: float  # the estimates of the tasks done
    remaining: float  # the open tasks' estimates less what they have taken
    forecast: float  # spent + remaining
    overrun_percent: float | None
    burnup: list[dict[str, Any]] = field(default_factory=list)  # date, scope, plan, done (None after as_of)


@dataclass
class TimeFigures:
    count: int  # measured: answered (or resolved), plus unanswered ones past the promise (first response)
    median: float | None
    p90: float | None
    within: int | None = None  # first response: answered within the promise
    pending: int = 0  # not answered yet, still within the promise: not counted

    @property
    def within_share(self) -> float | None:
        return None if self.within is None or not self.count else self.within / self.count


@dataclass
class Complaint:
    request: Request
    age_hours: float  # working hours since it came in
    step: dict[str, Any] | None  # the escalation step due: role, name, after_hours


@dataclass
class Service:
    by_kind: dict[str, dict[str, int]]  # kind -> week, open, to_date
    first_response_week: TimeFigures
    first_response_to_date: TimeFigures
    resolution_week: TimeFigures
    resolution_to_date: TimeFigures
    complaints: list[Complaint]
    open_changes: list[Request]
    unanswered: list[tuple[Request, float]]  # still waiting for a first answer: with their age in working hours
    response_hours: int
    hours_per_day: float


@dataclass
class Dimension:
    level: str | None  # green, amber, red; None: nothing to judge
    reason: str  # which sentence of the catalog says why (status.reasons.<dimension>.<reason>)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusFigures:
    client_id: str
    week: Week
    as_of: dt.date
    tasks: TaskLists
    milestones: list[MilestoneLine]
    effort: Effort
    service: Service
    decisions: list[tuple[Decision, bool]]  # open ones, with whether they are overdue
    risks: list[Risk]  # open ones, the highest probability × impact first
    meetings: list[dict[str, Any]]
    daily: list[dict[str, Any]]  # next week's items on every working day: named once
    dimensions: dict[str, Dimension]
    overall: str | None
    next_days_until: dt.date
    has_requests: bool = True

    def to_json(self) -> dict[str, Any]:
        """The figures for dashboards: RAG per dimension, task counts, milestones, effort, service."""
        def times(figures: TimeFigures) -> dict[str, Any]:
            return {"count": figures.count, "median_hours": _round(figures.median), "p90_hours": _round(figures.p90),
                    **({"within": figures.within, "within_share": _round(figures.within_share, 3), "pending": figures.pending}
                       if figures.within is not None else {})}

        service = self.service
        return {
            "client": self.client_id,
            "week": str(self.week),
            "as_of": self.as_of.isoformat(),
            "rag": {"overall": self.overall, **{name: d.level for name, d in self.dimensions.items()}},
            "reasons": {name: {"reason": d.reason, **{k: _plain(v) for k, v in d.values.items()}}
                        for name, d in self.dimensions.items()},
            "tasks": dict(self.tasks.counts),
            "milestones": [{**asdict(m), "baseline": m.baseline.isoformat(), "forecast": m.forecast.isoformat(),
                            "reached_on": m.reached_on.isoformat() if m.reached_on else None} for m in self.milestones],
            "effort": {k: _round(v) for k, v in asdict(self.effort).items() if k != "burnup"},
            "service": {
                "requests": service.by_kind,
                "first_response": {"week": times(service.first_response_week), "to_date": times(service.first_response_to_date),
                                   "promise_hours": service.response_hours},
                "resolution": {"week": times(service.resolution_week), "to_date": times(service.resolution_to_date)},
                "open_complaints": len(service.complaints),
                "open_changes": len(service.open_changes),
            },
            "decisions_open": len(self.decisions),
        }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def compute(client: Client, inputs: StatusInputs, plan: CommunicationPlan, week: Week, as_of: dt.date) -> StatusFigures:
    calendar = plan.calendar
    clock = ServiceClock.for_client(client, calendar)
    tasks = [_as_of(task, as_of) for task in inputs.tasks.rows]
    next_until = calendar.add_working_days(as_of, client.status.next_days)
    lists = task_lists(tasks, week, as_of, next_until)
    milestones = milestone_lines(client, tasks, calendar, as_of)
    effort = effort_of(client, tasks, calendar, as_of)
    service = service_of(client, inputs.requests.rows, plan, clock, week, as_of)
    decisions = sorted(((d, bool(d.due and d.due <= as_of)) for d in inputs.decisions.rows if d.status == "open"),
                       key=lambda item: (item[0].due or dt.date.max, item[0].row))
    risks = sorted((r for r in inputs.risks.rows if r.status == "open"), key=lambda r: (-r.score, r.row))  # the top first
    meetings, daily = next_week_meetings(plan, week.next)
    dimensions = judge(client.status.thresholds, milestones, effort, service, inputs.tasks.path is not None,
                       inputs.requests.path is not None)
    overall = worst([d.level for d in dimensions.values()])
    return StatusFigures(client.id, week, as_of, lists, milestones, effort, service, decisions, risks, meetings, daily,
                         dimensions, overall, next_until, inputs.requests.path is not None)


def _as_of(task: Task, as_of: dt.date) -> Task:
    """The task as it stood at the end of `as_of`: done later means still open then."""
    if task.state == "done" and task.done_on and task.done_on > as_of:
        from dataclasses import replace

        return replace(task, state="in_progress", done_on=None)
    return task


def task_lists(tasks: list[Task], week: Week, as_of: dt.date, next_until: dt.date) -> TaskLists:
    lists = TaskLists()

    def order(line: TaskLine) -> tuple[bool, dt.date, int]:
        """What matters first: overdue tasks, then by due date (those without one last), then as registered."""
        return not line.overdue, line.task.due or dt.date.max, line.task.row

    def finished(line: TaskLine) -> tuple[dt.date, int]:
        return line.task.done_on or dt.date.min, line.task.row

    for task in tasks:
        overdue = task.state != "done" and task.due is not None and task.due <= as_of
        line = TaskLine(task, overdue)
        if task.state == "done":
            if task.done_on and week.monday <= task.done_on <= as_of:
                lists.done.append(line)
        elif task.state == "in_progress":
            lists.in_progress.append(line)
        elif task.due is not None and task.due <= next_until:
            lists.next_days.append(line)
        else:
            lists.long_term.append(line)
    lists.done.sort(key=finished)  # in the order the week finished them
    for name in ("in_progress", "next_days", "long_term"):
        getattr(lists, name).sort(key=order)
    lists.counts = {
        "todo": sum(t.state == "todo" for t in tasks),
        "in_progress": sum(t.state == "in_progress" for t in tasks),
        "done": sum(t.state == "done" for t in tasks),
        "overdue": sum(t.state != "done" and t.due is not None and t.due <= as_of for t in tasks),
        "done_this_week": len(lists.done),
        "total": len(tasks),
    }
    return lists


def working_days_between(calendar: WorkingCalendar, first: dt.date, last: dt.date) -> int:
    """Working days after `first` up to `last` (negative when `last` is earlier): the slip."""
    if last == first:
        return 0
    if last > first:
        return len(calendar.working_days(first + ONE_DAY, last))
    return -len(calendar.working_days(last + ONE_DAY, first))


def milestone_lines(client: Client, tasks: list[Task], calendar: WorkingCalendar, as_of: dt.date) -> list[MilestoneLine]:
    """Each milestone's forecast: its baseline, or later where an open task of it is due later (an
    overdue task is done at the earliest on the next working day)."""
    earliest = calendar.next_working_day(as_of + ONE_DAY)
    lines = []
    for milestone in client.project.milestones:
        mine = [t for t in tasks if t.milestone == milestone.name]
        open_tasks = [t for t in mine if t.state != "done"]
        baseline = milestone.date
        if not mine:
            lines.append(MilestoneLine(milestone.name, baseline, baseline, "no_tasks", 0, 0))
            continue
        if not open_tasks:
            reached = max((t.done_on for t in mine if t.done_on), default=baseline)
            lines.append(MilestoneLine(milestone.name, baseline, reached, "reached",
                                       working_days_between(calendar, baseline, reached), 0, reached))
            continue
        finishes = [max(t.due or baseline, earliest) if (t.due or baseline) <= as_of else (t.due or baseline) for t in open_tasks]
        forecast = max([baseline, *finishes])
        slip = working_days_between(calendar, baseline, forecast)
        lines.append(MilestoneLine(milestone.name, baseline, forecast, "late" if slip > 0 else "on_track", slip, len(open_tasks)))
    return lines


def _spread(calendar: WorkingCalendar, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Each date's count of working days from `first` to it: a task's share of its span in O(1)."""
    counts, total, day = {}, 0, first
    while day <= last:
        if calendar.is_working_day(day):
            total += 1
        counts[day] = total
        day += ONE_DAY
    return counts


def effort_of(client: Client, tasks: list[Task], calendar: WorkingCalendar, as_of: dt.date) -> Effort:
    project = client.project
    estimated = [t for t in tasks if t.estimate_hours]
    first = min([project.start, *(t.start or t.created or project.start for t in estimated)])
    last = max([project.end, as_of, *(t.due for t in estimated if t.due)])
    cumulative = _spread(calendar, first - ONE_DAY, last)

    def span(task: Task) -> tuple[dt.date, dt.date]:
        start = task.start or task.created or project.start
        return start, max(task.due or project.end, start)

    def planned_by(day: dt.date, task: Task) -> float:
        start, end = span(task)
        if day < start:
            return 0.0
        if day >= end:
            return task.estimate_hours or 0.0
        days = cumulative[end] - cumulative[start - ONE_DAY]
        done = cumulative[day] - cumulative[start - ONE_DAY]
        return (task.estimate_hours or 0.0) * (done / days if days else 1.0)

    planned = sum(t.estimate_hours or 0.0 for t in estimated)
    spent = sum(t.spent_hours or 0.0 for t in tasks)
    earned = sum(t.estimate_hours or 0.0 for t in estimated if t.state == "done")
    remaining = sum(max((t.estimate_hours or 0.0) - (t.spent_hours or 0.0), 0.0) for t in estimated if t.state != "done")
    forecast = spent + remaining
    overrun = (forecast / planned - 1) * 100 if planned else None
    # The burn-up, week by week (Fridays would hide the weekend's work; Sundays close each week).
    points = []
    sundays = project.start + (6 - project.start.weekday()) * ONE_DAY
    end = max(project.end, as_of)
    days = [sundays + 7 * n * ONE_DAY for n in range(max(0, (end - sundays).days // 7 + 1)) if sundays + 7 * n * ONE_DAY < end]
    # From the project's start (nothing done yet), then each Sunday, then the end.
    for day in [project.start - ONE_DAY, *days, end]:
        # Scope as the register knew it that day; after the report's day, all of today's.
        scope = sum(t.estimate_hours or 0.0 for t in estimated if day >= as_of or (t.created or project.start) <= max(day, project.start))
        plan = sum(planned_by(day, t) for t in estimated)
        done = sum(t.estimate_hours or 0.0 for t in estimated if t.state == "done" and (t.done_on or t.due or as_of) <= day)
        points.append({"date": day, "scope": scope, "plan": plan, "done": done if day <= as_of else None})
    planned_to_date = sum(planned_by(as_of, t) for t in estimated)
    return Effort(planned, planned_to_date, spent, earned, remaining, forecast, overrun, points)


def _cutoff(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The end of `day` in `zone`: midnight after it."""
    return dt.datetime.combine(day + ONE_DAY, dt.time(), tzinfo=zone)


def _times(values: list[float], within: int | None = None, count: int | None = None, pending: int = 0) -> TimeFigures:
    return TimeFigures(count if count is not None else len(values), statistics.median(values) if values else None,
                       percentile(values, 0.9), within, pending)


def service_of(client: Client, requests: list[Request], plan: CommunicationPlan, clock: ServiceClock, week: Week,
               as_of: dt.date) -> Service:
    zone = clock.zone
    start, cutoff = dt.datetime.combine(week.monday, dt.time(), tzinfo=zone), _cutoff(as_of, zone)
    promise = client.communication.response_hours
    known = [r for r in requests if r.received_at < cutoff]
    this_week = [r for r in known if r.received_at >= start]

    def answered_at(request: Request) -> dt.datetime | None:
        answers = [t for t in (request.first_response_at, request.resolved_at) if t is not None and t < cutoff]
        return min(answers) if answers else None

    def first_response(chosen: list[Request]) -> TimeFigures:
        times, within, late_open, pending = [], 0, 0, 0
        for request in chosen:
            answered = answered_at(request)
            if answered is None:
                age = clock.hours(request.received_at, cutoff)
                if age > promise:
                    late_open += 1
                else:
                    pending += 1
                continue
            hours = clock.hours(request.received_at, answered)
            times.append(hours)
            within += hours <= promise
        return _times(times, within, len(times) + late_open, pending)

    def resolution(chosen: list[Request]) -> TimeFigures:
        return _times([clock.hours(r.received_at, r.resolved_at) for r in chosen if r.resolved_at and r.resolved_at < cutoff])

    def is_open(request: Request) -> bool:
        return request.resolved_at is None or request.resolved_at >= cutoff

    by_kind = {kind: {"week": sum(r.kind == kind for r in this_week), "open": sum(r.kind == kind and is_open(r) for r in known),
                      "to_date": sum(r.kind == kind for r in known)}
               for kind in ("question", "change", "complaint", "incident")}
    ladder = plan.escalation
    complaints = []
    for request in sorted((r for r in known if r.kind == "complaint" and is_open(r)), key=lambda r: r.received_at):
        age = clock.hours(request.received_at, cutoff)
        step = None
        for candidate in ladder:
            if candidate["after_hours"] <= age:
                step = candidate
        complaints.append(Complaint(request, age, step))
    # The longest waiting first: the ones past the promise lead.
    unanswered = [(r, clock.hours(r.received_at, cutoff)) for r in sorted(known, key=lambda r: (r.received_at, r.row))
                  if answered_at(r) is None]
    return Service(by_kind, first_response(this_week), first_response(known), resolution(this_week), resolution(known),
                   complaints, [r for r in known if r.kind == "change" and is_open(r)], unanswered, promise, clock.hours_per_day)


def next_week_meetings(plan: CommunicationPlan, week: Week) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Next week's occurrences of the communication plan; items on every working day once each."""
    frame = plan.occurrences
    rows = frame[(frame["date"] >= week.monday) & (frame["date"] <= week.sunday)] if len(frame) else frame
    records = rows.to_dict("records")
    meetings = [r for r in records if r["item"] not in plan.daily_items]
    daily = list({r["item"]: r for r in records if r["item"] in plan.daily_items}.values())
    return meetings, daily


def judge(thresholds: StatusThresholds, milestones: list[MilestoneLine], effort: Effort, service: Service,
          has_tasks: bool = True, has_requests: bool = True) -> dict[str, Dimension]:
    """Each dimension's level and why (the reason a catalog sentence, its values beside it)."""
    dimensions = {}
    pending = [m for m in milestones if m.state in ("on_track", "late")]
    if not has_tasks or not pending:
        dimensions["schedule"] = Dimension(None if not has_tasks else "green", "no_tasks" if not has_tasks else "all_reached")
    else:
        late = max(pending, key=lambda m: (m.slip_days, -m.baseline.toordinal()))
        level = level_of(late.slip_days, thresholds.schedule_slip_days)
        dimensions["schedule"] = Dimension(level, "late" if late.slip_days > 0 else "on_track",
                                           {"milestone": late.name, "days": late.slip_days, "forecast": late.forecast,
                                            "baseline": late.baseline})
    if effort.overrun_percent is None:
        dimensions["effort"] = Dimension(None, "no_estimates")
    else:
        level = level_of(effort.overrun_percent, thresholds.effort_overrun_percent)
        reason = "on_plan" if round(effort.overrun_percent) == 0 else "over" if effort.overrun_percent > 0 else "within"
        dimensions["effort"] = Dimension(level, reason,
                                         {"forecast": effort.forecast, "planned": effort.planned,
                                          "percent": abs(effort.overrun_percent)})
    if not has_requests:
        dimensions["scope"] = Dimension(None, "no_log")
        dimensions["service"] = Dimension(None, "no_log")
        return dimensions
    changes = len(service.open_changes)
    dimensions["scope"] = Dimension(level_of(changes, thresholds.open_changes), "changes", {"count": changes})
    share = service.first_response_week.within_share
    complaints = len(service.complaints)
    levels = [level_of(None if share is None else share * 100, thresholds.response_within_percent, more_is_worse=False),
              level_of(complaints, thresholds.open_complaints)]
    dimensions["service"] = Dimension(worst(levels), "answered" if share is not None else "no_requests",
                                      {"share": share, "hours": service.response_hours, "complaints": complaints,
                                       "share_level": levels[0], "complaints_level": levels[1]})
    return dimensions
