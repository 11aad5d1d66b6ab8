"""Reporting periods: a year, a quarter or a month, written 2022, 2022Q1 or 2022-03."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PeriodType(models.TextChoices):
    YEAR = "year", gettext_lazy("Year")
    QUARTER = "quarter", gettext_lazy("Quarter")
    MONTH = "month", gettext_lazy("Month")


_PATTERNS = [
    (re.compile(r"^(\d{4})$"), PeriodType.YEAR),
    (re.compile(r"^(\d{4})Q([1-4])$"), PeriodType.QUARTER),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), PeriodType.MONTH),
]

PERIODS_PER_YEAR = {PeriodType.YEAR: 1, PeriodType.QUARTER: 4, PeriodType.MONTH: 12}

MIN_YEAR, MAX_YEAR = 2000, 2100

# How people write periods in a file (Period.parse_written), after NFKC, without spaces, upper-case:
# 2023, 2023年, 2023年全年, 2023年度; 2023Q1, 2023年第一季度, 2023年一季度, 2023年第1季度;
# 2023-03, 2023-3, 2023/3, 2023年3月, 2023年三月. Not 2023.3: a spreadsheet turns 2023.10 into 2023.1.
_CHINESE_NUMBERS = {name: number for number, name in enumerate("一二三四五六七八九十", start=1)} | {
    "十一": 11,
    "十二": 12,
}
_WRITTEN = [
    (re.compile(r"(\d{4})(?:年(?:全年|度)?|全年)?"), PeriodType.YEAR),
    (re.compile(r"(\d{4})Q(\d)"), PeriodType.QUARTER),
    (re.compile(r"(\d{4})年?第?(\d|[一二三四])季度?"), PeriodType.QUARTER),
    (re.compile(r"(\d{4})[-/](\d{1,2})"), PeriodType.MONTH),
    (re.compile(r"(\d{4})年(\d{1,2}|十[一二]?|[一二三四五六七八九])月份?"), PeriodType.MONTH),
]


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    type: str
    number: int  # 0 for a year, 1–4 for a quarter, 1–12 for a month

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip().upper()
        for pattern, period_type in _PATTERNS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                if not MIN_YEAR <= year <= MAX_YEAR:
                    break
                number = int(match.group(2)) if period_type != PeriodType.YEAR else 0
                return cls(year, period_type, number)
        raise PeriodError(_("“%(text)s” is not a period; write 2022, 2022Q1 or 2022-03.") % {"text": text})

    @classmethod
    def parse_written(cls, text: str) -> Period:
        """A period as people write it in a file they import: Period.parse's forms, or the Chinese ones
        (2023年, 2023年全年, 2023年第一季度, 2023年一季度, 2023年3月, 2023-3). Used by the imports
        (tracker.entry.csvio); anything else gets Period.parse's error."""
        text = unicodedata.normalize("NFKC", text or "")
        compact = re.sub(r"\s+", "", text).upper()
        for pattern, period_type in _WRITTEN:
            match = pattern.fullmatch(compact)
            if match is None:
                continue
            year = int(match.group(1))
            number = 0 if period_type == PeriodType.YEAR else _number(match.group(2))
            in_year = period_type == PeriodType.YEAR or 1 <= number <= PERIODS_PER_YEAR[period_type]
            if MIN_YEAR <= year <= MAX_YEAR and in_year:
                return cls(year, period_type, number)
            break
        return cls.parse(text)

    @property
    def written(self) -> str:
        """The period as a Chinese file writes it, whatever the language: 2023年, 2023年第一季度, 2023年3月
        (the import's sample file)."""
        if self.type == PeriodType.YEAR:
            return f"{self.year}年"
        if self.type == PeriodType.QUARTER:
            return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
        return f"{self.year}年{self.number}月"

    @classmethod
    def all_in_year(cls, year: int, period_type: str) -> list[Period]:
        if period_type == PeriodType.YEAR:
            return [cls(year, PeriodType.YEAR, 0)]
        return [cls(year, period_type, n) for n in range(1, PERIODS_PER_YEAR[period_type] + 1)]

    def __str__(self) -> str:
        if self.type == PeriodType.YEAR:
            return f"{self.year}"
        if self.type == PeriodType.QUARTER:
            return f"{self.year}Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        if self.type == PeriodType.YEAR:
            return _("%(year)d") % {"year": self.year}
        if self.type == PeriodType.QUARTER:
            return _("%(year)d Q%(n)d") % {"year": self.year, "n": self.number}
        return _("%(year)d-%(n)02d") % {"year": self.year, "n": self.number}

    def previous(self) -> Period:
        if self.type == PeriodType.YEAR:
            return Period(self.year - 1, self.type, 0)
        if self.number > 1:
            return Period(self.year, self.type, self.number - 1)
        return Period(self.year - 1, self.type, PERIODS_PER_YEAR[self.type])

    def same_last_year(self) -> Period:
        return Period(self.year - 1, self.type, self.number)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _CHINESE_NUMBERS[text]


# How many months one period of each type spans.
MONTHS_PER_PERIOD = {PeriodType.YEAR: 12, PeriodType.QUARTER: 3, PeriodType.MONTH: 1}

# What bulletins call the first N quarters of a year.
QUARTER_RANGE_NAMES = {1: gettext_lazy("Q1"), 2: gettext_lazy("first half"), 3: gettext_lazy("Q1–Q3")}


def period_end_month(period_type: str, number: int) -> int:
    return 12 if period_type == PeriodType.YEAR else number * MONTHS_PER_PERIOD[period_type]


@dataclass(frozen=True, order=True)
class Range:
    """From the start of a year to the end of one of its periods: 全年, 前三季度, 1—9月.

    `end` is None for the whole year. Every summary, breakdown, trend, review, export and the
    JSON show a range, and compare it with the same range of last year (同期).
    """

    year: int
    end: Period | None = None

    @classmethod
    def full(cls, year: int) -> Range:
        return cls(year, None)

    @classmethod
    def through(cls, year: int, text: str | None) -> Range:
        """`?through=2023Q3` or `2023-09` (or `2023` for the whole year) for a page of `year`."""
        if not text:
            return cls.full(year)
        period = Period.parse(text)
        if period.year != year:
            raise PeriodError(
                _("“%(text)s” is not in %(year)d: the range ends in the year shown.") % {"text": text, "year": year}
            )
        if period_end_month(period.type, period.number) == 12:
            return cls.full(year)
        return cls(year, period)

    @classmethod
    def default(cls, year: int, today) -> Range:
        """A year that has ended: all of it. This year: through its last ended quarter (else month)."""
        if year != today.year:
            return cls.full(year)
        ended_quarters = (today.month - 1) // 3
        if ended_quarters:
            return cls(year, Period(year, PeriodType.QUARTER, ended_quarters))
        if today.month > 1:
            return cls(year, Period(year, PeriodType.MONTH, today.month - 1))
        return cls.full(year)

    @property
    def end_month(self) -> int:
        return 12 if self.end is None else period_end_month(self.end.type, self.end.number)

    @property
    def is_full_year(self) -> bool:
        return self.end is None

    @property
    def label(self) -> str:
        """The range's name as bulletins print it: 全年, 一季度, 上半年, 前三季度, 1—9月, 1月."""
        if self.end is None:
            return _("full year")
        if self.end.type == PeriodType.QUARTER:
            return str(QUARTER_RANGE_NAMES[self.end.number])
        if self.end.number == 1:
            return _("January")
        return _("months 1–%(month)d") % {"month": self.end.number}

    @property
    def heading(self) -> str:
        """ "2023年前三季度", "2022年" for a whole year."""
        year = _("%(year)d") % {"year": self.year}
        if self.is_full_year:
            return year
        return _("%(year)s %(range)s") % {"year": year, "range": self.label}

    @property
    def through_text(self) -> str:
        """The `through=` value for links and the JSON: "2023Q3", "2023-09", or "2023"."""
        return str(self.year) if self.end is None else str(self.end)

    def same_last_year(self) -> Range:
        """同期: the same range a year earlier."""
        return self.in_other_year(self.year - 1)

    def in_other_year(self, year: int) -> Range:
        if self.end is None:
            return Range(year, None)
        return Range(year, Period(year, self.end.type, self.end.number))

    def periods_of(self, period_type: str) -> list[Period] | None:
        """The periods of `period_type` that make up this range, or None if they cannot
        (a yearly reporter has no figure for 前三季度; a quarterly one none for 1—5月)."""
        months = MONTHS_PER_PERIOD[period_type]
        if self.end_month % months:
            return None
        periods = Period.all_in_year(self.year, period_type)
        return [p for p in periods if period_end_month(p.type, p.number) <= self.end_month]
