"""Locale-aware formatting (Babel) and the catalog text of one document language."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from pmworkbook.core.templates import Templates

WEEKDAY_INDEX = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}

# A date in a table cell, per language, where CLDR's medium format does not read as a professional
# writes it: Polish "4 maj 2027" takes the abbreviation that is also the nominative full name (a
# Pole writes "4 maja 2027" or 04.05.2027); a table takes the numeric form. The others keep their
# medium format: May 4, 2027 / 4 May 2027, 2027年5月4日, 4 мая 2027 г.
TABLE_DATE = {"pl": "dd.MM.y"}
# The abbreviated month of a skeleton (MMM, "4 maj") spelled out where the abbreviation reads as
# the wrong case: Polish "maj" is May's nominative; "4 maja", "4–10 maja" are what a Pole writes.
FULL_MONTH = {"pl"}
# The word that joins the two ends of a span where the locale writes one rather than a dash: CLDR zh
# joins its own MMMd interval with 至 (2月1日至7日) while its yMMMd has a dash; a Chinese professional
# writes 2027年2月1日至7日 and 2026年9月7日至2027年1月29日 (each end with its 日).
INTERVAL_WORD = {"zh": "至"}


@lru_cache(maxsize=256)
def locale_for(language: str, country: str | None = None) -> Locale:
    """The Babel locale for a document: the language as spoken in the client's country if Babel knows it."""
    if country:
        try:
            return Locale.parse(f"{language}_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse({"en": "en_GB", "zh": "zh_Hans_CN", "pl": "pl_PL", "ru": "ru_RU"}.get(language, language))


def no_break(text: str) -> str:
    """Text that stays on one line: its spaces (Babel's thin spaces around a dash included) made
    non-breaking, a thin one narrow (U+202F), any other U+00A0."""
    return text.replace("\u2009", "\u202f").replace(" ", "\u00a0")


class Formatter:
    """Dates, times, numbers and money in one locale, plus that language's catalog text."""

    def __init__(self, language: str, country: str | None, templates: Templates):
        self.language = language
        self.locale = locale_for(language, country)
        self.templates = templates
        self.t = templates.text("i18n", language)

    def date(self, value: dt.date, format: str = "long") -> str:
        return babel_dates.format_date(value, format=format, locale=self.locale)

    def date_short(self, value: dt.date) -> str:
        """A date in a table cell, the same form in every document: May 4, 2027, 4 May 2027,
        2027年5月4日, 04.05.2027, 4 мая 2027 г. (running text takes `date`, the long form)."""
        return babel_dates.format_date(value, format=TABLE_DATE.get(self.language, "medium"), locale=self.locale)

    def date_time(self, value: dt.datetime) -> str:
        """A day and its clock time, as the locale joins them: May 4, 2027, 10:00 AM; 4 maja 2027 10:00;
        2027年5月4日 10:00; 4 мая 2027 г., 10:00. A datetime counts by its own wall clock."""
        return self.day_time(self.date(value.date()), self.time(value), "long")

    def day_time(self, day: str, time: str, width: str = "medium") -> str:
        """A day and a clock time already written, joined as the locale joins a date and a time
        (CLDR's dateTimeFormat of that width): Jan 12, 1:30 AM; 12 stycznia, 01:30; 1月12日 01:30;
        12 января, 01:30."""
        return str(self.locale.datetime_formats[width]).replace("'", "").replace("{1}", day).replace("{0}", time)

    def _skeleton(self, skeleton: str) -> str:
        return _wide_months(skeleton) if self.language in FULL_MONTH else skeleton

    def skeleton(self, value: dt.date, skeleton: str) -> str:
        """A date in the fields of a CLDR skeleton (MMMd: May 4, 4 May, 5月4日, 4 мая; Polish spells
        the month out: 4 maja)."""
        return babel_dates.format_skeleton(self._skeleton(skeleton), value, locale=self.locale)

    def weekday(self, value: dt.date | str, width: str = "wide") -> str:
        index = WEEKDAY_INDEX[value] if isinstance(value, str) else value.weekday()
        return self.locale.days["format"][width][index]

    def day_month(self, value: dt.date) -> str:
        """A day of the year in running text: 20 września, 20 сентября, 9月20日, September 20; one unit,
        its space does not break (a narrow cell never ends a line between the day and its month)."""
        return no_break(babel_dates.format_skeleton("MMMMd", value, locale=self.locale))

    def month_year(self, value: dt.date) -> str:
        return babel_dates.format_skeleton("yMMMM", value, locale=self.locale)

    def interval(self, start: dt.date, end: dt.date, skeleton: str = "yMMMMd") -> str:
        """Two dates as one span, as the locale writes it: 1–7 lutego 2027, 1—7 февраля 2027 г.,
        February 1 – 7, 2027, 2027年2月1日至7日; with MMMd: May 4 – 10, 4–10 maja, 5月4日至10日, 4—10 мая
        (Polish spells the month out, as in `skeleton`).

        Babel's format_interval takes a skeleton the locale has no interval pattern for from the
        nearest one as it is, so yMMMMd in Russian and English comes out abbreviated (1—7 февр.);
        CLDR (UTS #35, interval formats) says to widen the month to the width asked for, as here.
        A locale whose own date for the skeleton has no month name (Chinese: 2月) keeps its pattern."""
        skeleton = self._skeleton(skeleton)
        if start == end:
            return babel_dates.format_skeleton(skeleton, start, locale=self.locale)
        word = INTERVAL_WORD.get(self.language)
        if word:  # a month without a name (2月): the abbreviated skeleton, whose pattern writes 日 at both ends
            text = babel_dates.format_interval(start, end, skeleton.replace("MMMM", "MMM"), locale=self.locale)
            return re.sub(r"\s*[–—~-]\s*|至", word, text, count=1)
        formats = self.locale.interval_formats
        narrower = skeleton.replace("MMMM", "MMM")
        if skeleton in formats or narrower == skeleton or narrower not in formats:
            return babel_dates.format_interval(start, end, skeleton, locale=self.locale)
        single = self.locale.datetime_skeletons.get(skeleton)
        if single is None or "MMMM" not in single.pattern:
            return babel_dates.format_interval(start, end, narrower, locale=self.locale)
        patterns = formats[narrower]
        field = "y" if start.year != end.year else "M" if start.month != end.month else "d"
        if field not in patterns:  # a difference the pattern does not cover: "{0} – {1}"
            return str(formats[None]).replace("{0}", babel_dates.format_skeleton(skeleton, start, locale=self.locale)) \
                .replace("{1}", babel_dates.format_skeleton(skeleton, end, locale=self.locale))
        return "".join(babel_dates.parse_pattern(_wide_months(pattern)).apply(day, self.locale)
                       for pattern, day in zip(patterns[field], (start, end), strict=True))

    def time(self, value: dt.time | dt.datetime) -> str:
        return babel_dates.format_time(value, format="short", locale=self.locale)

    @property
    def twelve_hour(self) -> bool:
        """Whether the locale writes times on a 12-hour clock (en_US: 9:00 AM), by its short time pattern."""
        pattern = self.locale.time_formats["short"].pattern
        return any(letter in re.sub(r"'[^']*'", "", pattern) for letter in "hK")

    def time_range(self, start: dt.time | dt.datetime, end: dt.time | dt.datetime) -> str:
        """From one clock time to another on the same day, as the locale writes it: 9:00 AM – 6:00 PM
        and 9:30 – 10:30 AM (Babel's interval formats) on a 12-hour clock, 09:00–18:00 on a 24-hour one.
        A datetime counts by its own wall clock (the time in its zone). One unit: its spaces do not
        break (a table cell never ends a line after the dash)."""
        start, end = (value.time() if isinstance(value, dt.datetime) else value for value in (start, end))
        if self.twelve_hour:
            text = babel_dates.format_interval(start, end, skeleton="hm", locale=self.locale)
        else:
            text = f"{self.time(start)}–{self.time(end)}"
        return no_break(text)

    def clock_hours(self, hours: str) -> str:
        """Service hours as the portfolio gives them ("09:00-18:00") as the locale writes them."""
        opens, closes = (dt.time.fromisoformat(part.strip()) for part in hours.split("-"))
        return self.time_range(opens, closes)

    def number(self, value: float | Decimal, digits: int = 0) -> str:
        return babel_numbers.format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=self.locale)

    def percent(self, value: float) -> str:
        return babel_numbers.format_percent(value, locale=self.locale)

    def money(self, amount: Decimal, currency: str) -> str:
        """A whole amount without its zero cents or kopecks ($240,000, 9 500 000 ₽); others as the locale writes them."""
        if amount == amount.to_integral_value():
            pattern = re.sub(r"\.0+", "", self.locale.currency_formats["standard"].pattern)
            return babel_numbers.format_currency(amount, currency, format=pattern, locale=self.locale, currency_digits=False)
        return babel_numbers.format_currency(amount, currency, locale=self.locale)

    def join(self, items: list[str]) -> str:
        """Items of a list in running text or a table cell: "A, B" ("A、B" in Chinese); items that
        hold the separator's comma themselves (US dates: May 4, 2027) are kept apart by "; "."""
        separator = self.t["list_separator"]
        if separator.strip() and any(separator.strip() in item for item in items):
            separator = self.t["list_separator_strong"]
        return separator.join(items)

    def in_sentence(self, label: str) -> str:
        """A catalog label (a role, channel or audience name, written to stand alone) as it reads
        inside a sentence: lower case first letter where the language has case, unless it is an
        acronym (its second letter a capital: PMO, IT)."""
        if self.language == "zh" or len(label) < 2 or label[1].isupper():
            return label
        return label[0].lower() + label[1:]

    def labelled(self, label: Any, value: Any) -> str:
        """"Label: value" with the colon of the language (full width in Chinese: 本周完成：2项)."""
        return f"{label}{'：' if self.language == 'zh' else ': '}{value}"

    def join_labels(self, labels: list[str]) -> str:
        """Catalog labels as one list in a cell or a sentence: the first as it stands, every other
        as it reads mid-sentence (Команда заказчика, команда агентства; Client team, agency team)."""
        return self.join([label if index == 0 else self.in_sentence(label) for index, label in enumerate(labels)])

    def sentences(self, *sentences: str) -> str:
        """Whole sentences one after another in a paragraph: a space between them, none in Chinese
        (each ends with its full-width 。). Empty ones are left out."""
        return self.t["sentence_separator"].join(sentence for sentence in sentences if sentence)

    def plural(self, key: str, count: int | float | Decimal, digits: int = 0, **values: Any) -> str:
        """The catalog sentence `key` in the form Babel's plural rules give for `count` in this locale,
        written with `digits` decimals; {count} is the number as the locale writes it.

        Polish and Russian use one, few and many for whole numbers, and other for a number written
        with decimals (CLDR's v > 0), which takes the genitive singular: 0,89 punktu, 0,89 балла,
        also for 1,00 and 2,00. English uses one only for a whole 1: 1 point, 1.00 points."""
        shown = Decimal(str(count)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
        forms = self.t[key]
        category = self.locale.plural_form(shown)
        return str(forms[category] if category in forms else forms["other"]).format(count=self.number(shown, digits), **values)

    def city(self, timezone: str) -> str:
        """A time zone as people name it: its city in the document's language (Warszawa, Нью-Йорк), or
        the city the catalog names for it (time_zone_cities: Asia/Shanghai is 北京 in Chinese, 北京时间)."""
        named = (self.t.get("time_zone_cities") or {}).get(timezone)
        return str(named) if named else babel_dates.get_timezone_location(timezone, locale=self.locale, return_city=True)

    def country(self, code: str) -> str:
        """The country's name in the document's language (CN -> 中国, Chiny, Китай)."""
        return self.locale.territories.get(code, code)

    @property
    def first_weekday(self) -> int:
        """0 = Monday, as in the locale's calendars."""
        return self.locale.first_week_day


def _wide_months(pattern: str) -> str:
    """A date pattern with its abbreviated months (MMM) as full names (MMMM), outside quoted text."""
    parts = pattern.split("'")
    return "'".join(re.sub(r"(?<!M)MMM(?!M)", "MMMM", part) if index % 2 == 0 else part for index, part in enumerate(parts))
