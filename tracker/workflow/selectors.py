"""Reads for the workflow pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tracker.catalogue.figures import percent
from tracker.catalogue.models import Indicator
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period, PeriodType
from tracker.orgs.models import Organisation


@dataclass
class CompletenessRow:
    organisation: Organisation
    period_type: str
    cells: list[tuple[Period, Report | None]]

    @property
    def period_type_label(self) -> str:
        return PeriodType(self.period_type).label

    @property
    def approved(self) -> int:
        return sum(1 for _, r in self.cells if r is not None and r.status == Status.APPROVED)


@dataclass
class Completeness:
    rows: list[CompletenessRow]
    done: int
    expected: int

    @property
    def share(self) -> Decimal | None:
        return percent(self.done, self.expected)


def completeness(organisation: Organisation, year: int) -> Completeness:
    """Every organisation of the subtree that reports something, its periods and their status.

    An organisation's period type is the one its reports use that year (yearly if none yet).
    "Done" means approved. Two queries whatever the size of the subtree.
    """
    kinds_reporting = set(Indicator.objects.active().entered().values_list("reported_by", flat=True).distinct())
    orgs = [o for o in Organisation.objects.filter(path__startswith=organisation.path) if o.kind in kinds_reporting]
    reports: dict[int, list[Report]] = {}
    for report in Report.objects.filter(organisation__in=orgs, year=year):
        reports.setdefault(report.organisation_id, []).append(report)
    rows, done, expected = [], 0, 0
    for org in orgs:
        own = reports.get(org.pk, [])
        period_type = own[0].period_type if own else PeriodType.YEAR
        by_period = {r.period: r for r in own}
        cells = [(p, by_period.get(p)) for p in Period.all_in_year(year, period_type)]
        row = CompletenessRow(org, period_type, cells)
        rows.append(row)
        done += row.approved
        expected += len(cells)
    return Completeness(rows, done, expected)
