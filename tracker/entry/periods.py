"""Reporting periods: a year, a quarter or a month, written 2022, 2022Q1 or 2022-03."""

from __future__ import annotations

import re
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
