"""Working days of a client's country: weekends, public holidays, make-up working days, and the
engagement's own extra days off and extra working days; moving a date that falls on a day off."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import holidays

ONE_DAY = dt.timedelta(days=1)
SEARCH_DAYS = 3660  # ten years: a calendar with no working day within them is a data error


class NoWorkingDay(ValueError):
    """The engagement's days off leave no working day where the plan needs one: none within ten
    years after (`forward`) or before `start`."""

    def __init__(self, start: dt.date, forward: bool):
        super().__init__(f"no working day within ten years {'after' if forward else 'before'} {start}")
        self.start, self.forward = start, forward

    def __reduce__(self):  # raised in a build's worker process, read in the parent's
        return NoWorkingDay, (self.start, self.forward)


@lru_cache(maxsize=128)
def _country_holidays(country: str, language: str, years: tuple[int, ...]) -> holidays.HolidayBase | None:
    try:
        probe = holidays.country_holidays(country)
    except NotImplementedError:
        return None
    supported = probe.supported_languages or ()
    # Holiday names in the document's language where the package has them, else the country's own.
    choice = next((c for c in (f"{language}_{country}", language) if c in supported), None)
    choice = choice or next((c for c in supported if c.split("_")[0] == language), None)
    return holidays.country_holidays(country, years=years, language=choice)


def official_until(country: str) -> int | None:
    """The last year for which the holidays package has the country's official schedule of
    moved days off and make-up working days, or None when the country has no such schedule.

    Countries such as China and Russia publish each year's schedule by decree (China's in
    November for the next year); the package lists those decrees year by year as substituted
    days in `special_public_holidays`. After the last listed year it still computes the public
    holidays by their fixed rules, but the moved days off and make-up days are unknown: those
    years' days off are provisional."""
    from holidays.helpers import _normalize_tuple

    found = _country_holidays(country, "en", ())
    if found is None:
        return None
    years = [year for name in dir(found) if name.startswith("special_") and name.endswith("_holidays")
             and isinstance(mapping := getattr(found, name, None), dict)
             for year, entries in mapping.items()
             if any(len(entry) >= 4 for entry in _normalize_tuple(entries))]  # (to_month, to_day, from_month, from_day[, year])
    return max(years) if years else None


@dataclass(frozen=True)
class DayOffReason:
    kind: str  # "holiday", "weekend" or "engagement"
    name: str = ""


@dataclass(frozen=True)
class HolidayLabels:
    """How the documents name a holiday's observed day and a day off swapped with a weekend day.

    The `holidays` package names them by its own patterns ("国庆节（补假）", "休息日（由 2026-09-20 调休）",
    "Выходной (перенесено с 20.02.2027)"): Hong Kong and Taiwan usage in Chinese, ISO dates in
    sentences. These catalog patterns ({name}, {date}) replace them."""

    observed: str
    substituted: str
    date: Callable[[dt.date], str]


class WorkingCalendar:
    """Which days are working days for one engagement."""

    def __init__(self, country: str, language: str, first: dt.date, last: dt.date,
                 days_off: list[dt.date] | tuple[dt.date, ...] = (),
                 working_days: list[dt.date] | tuple[dt.date, ...] = (), labels: HolidayLabels | None = None):
        years = tuple(range(first.year - 1, last.year + 2))
        self.country = country
        self.holidays = _country_holidays(country, language, years)
        self.known_country = self.holidays is not None
        weekend = getattr(self.holidays, "weekend", None) or {5, 6}
        self.weekend = frozenset(weekend)
        # China (and a few others) move weekend days into working days around long holidays.
        self.makeup_days = frozenset(getattr(self.holidays, "weekend_workdays", ()) or ())
        self.days_off = frozenset(days_off)
        self.extra_working_days = frozenset(working_days)
        official = official_until(country)
        self.provisional_from = official + 1 if official is not None else None
        self.labels = labels
        self._label_patterns = self._patterns() if labels and self.holidays is not None else None

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, str]:
        """The package's own observed and substituted labels, in its language, as patterns to read
        (None where the country has no such days)."""
        h = self.holidays
        assert h is not None

        def pattern(attribute: str, group: str) -> re.Pattern[str] | None:
            label = getattr(h, attribute, None)
            return re.compile(re.escape(h.tr(label)).replace("%s", f"(?P<{group}>.+)") + "$") if label else None

        return (pattern("observed_label", "name"), pattern("substituted_label", "date"),
                h.tr(getattr(h, "substituted_date_format", None) or "%Y-%m-%d"))

    def holiday_name(self, day: dt.date, labels: HolidayLabels | None = None) -> str:
        """The day's public holiday as the documents name it: by the calendar's labels, or by
        `labels` (a moved meeting's reason names a swapped day off as it reads inside a sentence)."""
        name = str(self.holidays.get(day)) if self.holidays is not None else ""
        labels = labels or self.labels
        if labels is None or self._label_patterns is None:
            return name
        observed, substituted, date_format = self._label_patterns
        for part in name.split("; "):  # the package joins two holidays on one day with "; "
            found = substituted.match(part) if substituted else None
            if found:
                try:
                    swapped = dt.datetime.strptime(found["date"], date_format).date()
                except ValueError:
                    continue
                name = name.replace(part, labels.substituted.format(date=labels.date(swapped)))
                continue
            found = observed.match(part) if observed else None
            if found:
                name = name.replace(part, labels.observed.format(name=found["name"]))
        return name

    def is_provisional(self, day: dt.date) -> bool:
        """Whether the day's public holidays and make-up days are not official yet."""
        return self.provisional_from is not None and day.year >= self.provisional_from

    def is_working_day(self, day: dt.date) -> bool:
        return self.reason_off(day) is None

    def reason_off(self, day: dt.date) -> DayOffReason | None:
        """Why `day` is not a working day, or None if it is one."""
        if day in self.extra_working_days:
            return None
        if day in self.days_off:
            return DayOffReason("engagement")
        if self.holidays is not None and day in self.holidays:
            return DayOffReason("holiday", self.holiday_name(day))
        if day in self.makeup_days:
            return None
        if day.weekday() in self.weekend:
            return DayOffReason("weekend")
        return None

    def is_makeup_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekend and (day in self.makeup_days or day in self.extra_working_days)

    def next_working_day(self, day: dt.date, step: int = 1) -> dt.date:
        """`day` itself if it is a working day, else the nearest one after (step 1) or before (step -1)."""
        start = day
        for _ in range(SEARCH_DAYS):
            if self.is_working_day(day):
                return day
            day += step * ONE_DAY
        raise NoWorkingDay(start, step > 0)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day `count` working days after (count > 0) or before (count < 0) `day`."""
        step = 1 if count >= 0 else -1
        for _ in range(abs(count)):
            day = self.next_working_day(day + step * ONE_DAY, step)
        return day

    def move(self, day: dt.date, rule: str) -> dt.date | None:
        """Where an occurrence on `day` goes by `rule`; None when it is skipped."""
        if self.is_working_day(day):
            return day
        if rule == "skip":
            return None
        if rule == "preceding":
            return self.next_working_day(day, -1)
        following = self.next_working_day(day, 1)
        if rule == "modified_following" and following.month != day.month:
            return self.next_working_day(day, -1)
        return following

    def working_days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        days, day = [], first
        while day <= last:
            if self.is_working_day(day):
                days.append(day)
            day += ONE_DAY
        return days
