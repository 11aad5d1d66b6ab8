"""Reads for the entry page."""

from __future__ import annotations

from tracker.entry.models import Value
from tracker.entry.periods import Period
from tracker.orgs.models import Organisation


def values_by_period(organisation: Organisation, periods: list[Period]) -> dict[Period, dict[str, Value]]:
    """The organisation's values in each of `periods`, keyed by indicator code (one query)."""
    wanted = {(p.year, p.type, p.number): p for p in periods}
    result: dict[Period, dict[str, Value]] = {p: {} for p in periods}
    rows = Value.objects.filter(
        report__organisation=organisation, report__year__in={p.year for p in periods}
    ).select_related("report", "indicator")
    for value in rows:
        key = (value.report.year, value.report.period_type, value.report.period_number)
        if key in wanted:
            result[wanted[key]][value.indicator.code] = value
    return result
