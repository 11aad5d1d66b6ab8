"""What the pages say beside the figures: how many reports a range holds, which period type each
organisation uses, and the notes of the counted reports.

Each is one statement for the whole subtree and every year and range asked for, run the first
time it is asked for, not when the Aggregator is made (one that only says where to enter a
figure never reads the notes).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from tracker.aggregation import sql
from tracker.entry.periods import Period, Range, period_end_month


class ReportCounts:
    """Per organisation, year and range: the reports, those not yet approved, and those approved but not
    accepted by the commission (`acceptance`: on a commission's pages); the period type of each
    organisation's year."""

    def __init__(self, *, root_id: int, subtree: bool, years: list[int], months: list[int], acceptance: bool):
        self._query = sql.counts_query(
            root_id=root_id, subtree=subtree, years=years, months=months, acceptance=acceptance
        )
        self._months = months
        self._width = 3 if acceptance else 2

    @cached_property
    def _rows(self) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int, int], tuple[int, int, int]]]:
        period_types: dict[tuple[int, int], str] = {}
        counts: dict[tuple[int, int, int], tuple[int, int, int]] = {}
        width = self._width
        for org_id, year, ptype, *sums in sql.run(self._query):
            period_types[(org_id, year)] = ptype
            for n, month in enumerate(self._months):
                row = [int(sums[width * n + i] or 0) for i in range(width)]
                counts[(org_id, year, month)] = (row[0], row[1], row[2] if width == 3 else 0)
        return period_types, counts

    def period_type(self, org_id: int, year: int) -> str | None:
        """The period type the organisation reports by in that year (None: no report)."""
        return self._rows[0].get((org_id, year))

    def reports(self, org_id: int, rng: Range) -> tuple[int, int, int]:
        """(reports in the range, not yet approved, approved but not accepted) of the organisation itself."""
        return self._rows[1].get((org_id, rng.year, rng.end_month), (0, 0, 0))


class ReportNotes:
    """The notes of the counted reports, per organisation, year and indicator."""

    def __init__(self, *, root_id: int, subtree: bool, years: list[int], counted: sql.Counted, code_of: dict[int, str]):
        self._query = sql.notes_query(root_id=root_id, subtree=subtree, years=years, counted=counted)
        self._code_of = code_of

    @cached_property
    def _notes(self) -> dict[tuple[int, int, str], list[tuple[Period, str]]]:
        notes: dict[tuple[int, int, str], list[tuple[Period, str]]] = defaultdict(list)
        for org_id, year, ptype, pnum, indicator_id, note in sql.run(self._query):
            code = self._code_of.get(indicator_id)
            if code is not None:
                notes[(org_id, year, code)].append((Period(year, ptype, pnum), note))
        return notes

    @cached_property
    def _noted(self) -> set[tuple[int, int]]:
        return {(org_id, year) for org_id, year, _code in self._notes}

    def of(self, org_id: int, rng: Range, code: str) -> list[str]:
        """The organisation's own notes on a figure, from the periods within the range."""
        if (org_id, rng.year) not in self._noted:
            return []
        return [
            note
            for period, note in self._notes.get((org_id, rng.year, code), ())
            if period_end_month(period.type, period.number) <= rng.end_month
        ]
