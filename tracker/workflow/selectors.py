"""Reads for the workflow pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from tracker.catalogue.figures import percent
from tracker.catalogue.models import Catalogue
from tracker.entry.deadlines import Deadlines, Timeliness, timeliness
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period, PeriodType
from tracker.orgs.models import Organisation
from tracker.workflow.models import Action, ReportTransition


@dataclass
class Cell:
    """One organisation's report of one period: its status, when it was due and came in, who last saved it."""

    period: Period
    report: Report | None
    due: datetime.date
    submitted: datetime.datetime | None
    state: Timeliness
    last_saved_by: object | None = None
    last_saved_at: datetime.datetime | None = None
    # A group's period the commission has seen: its entry.GroupAcceptance, when asked.
    acceptance: object | None = None

    def __iter__(self):
        # (period, report), as the page and the export read a cell.
        return iter((self.period, self.report))


@dataclass
class CompletenessRow:
    organisation: Organisation
    period_type: str
    cells: list[Cell]
    depth: int = 0

    @property
    def period_type_label(self) -> str:
        return PeriodType(self.period_type).label

    @property
    def approved(self) -> int:
        return sum(1 for cell in self.cells if cell.report is not None and cell.report.status == Status.APPROVED)

    @property
    def on_time_rate(self) -> Decimal | None:
        """On-time reports among those due by now (submitted on time, late, or overdue)."""
        judged = [c for c in self.cells if c.state not in (Timeliness.OPEN, Timeliness.UNRECORDED)]
        return percent(sum(1 for c in judged if c.state == Timeliness.ON_TIME), len(judged)) if judged else None


@dataclass
class Completeness:
    rows: list[CompletenessRow]
    done: int
    expected: int

    @property
    def share(self) -> Decimal | None:
        return percent(self.done, self.expected)


def reporting_periods(orgs, year: int):
    """(organisation, period) of every report the organisations owe for the year.

    An organisation's period type is the one its reports use that year (yearly if none yet);
    only organisations of a kind that reports something owe reports.
    """
    # From the catalogue kept per process (Indicator.objects.active().entered()'s indicators).
    kinds_reporting = {ind.reported_by for ind in Catalogue.active().indicators if ind.is_entered}
    types = dict(Report.objects.filter(organisation__in=orgs, year=year).values_list("organisation_id", "period_type"))
    for org in orgs:
        if org.kind in kinds_reporting:
            for period in Period.all_in_year(year, types.get(org.pk, PeriodType.YEAR)):
                yield org, period


def completeness(organisation: Organisation, year: int) -> Completeness:
    """Every organisation of the subtree that reports something, its periods and their status.

    An organisation's period type is the one its reports use that year (yearly if none yet).
    "Done" means approved. Each cell also says when the report was due, when it was first
    submitted (on time, late, or overdue) and who last saved its figures: a bounded number of
    queries whatever the size of the subtree.
    """
    # From the catalogue kept per process (Indicator.objects.active().entered()'s indicators).
    kinds_reporting = {ind.reported_by for ind in Catalogue.active().indicators if ind.is_entered}
    orgs = [
        o
        for o in Organisation.objects.filter(path__startswith=organisation.path).order_by("path")
        if o.kind in kinds_reporting
    ]
    # Each report with who last saved its figures, and when (kept on the report by every save).
    reports: dict[int, list[Report]] = {}
    for report in Report.objects.filter(organisation__in=orgs, year=year).select_related("figures_saved_by"):
        reports.setdefault(report.organisation_id, []).append(report)
    all_reports = [r for own in reports.values() for r in own]
    # The first submission of each report (one query).
    first_submitted = dict(
        ReportTransition.objects.filter(report__in=all_reports, action=Action.SUBMIT)
        .values("report_id")
        .annotate(first=Min("at"))
        .values_list("report_id", "first")
    )
    deadlines = Deadlines(orgs, year)
    today = timezone.localdate()
    top = organisation.path.count("/")
    rows, done, expected = [], 0, 0
    for org in orgs:
        own = reports.get(org.pk, [])
        period_type = own[0].period_type if own else PeriodType.YEAR
        by_period = {r.period: r for r in own}
        cells = []
        for period in Period.all_in_year(year, period_type):
            report = by_period.get(period)
            due = deadlines.due(org, period)
            submitted = first_submitted.get(report.pk) if report else None
            submitted_day = timezone.localtime(submitted).date() if submitted else None
            saved_by, saved_at = (report.figures_saved_by, report.figures_saved_at) if report else (None, None)
            past_draft = report is not None and report.status != Status.DRAFT
            cells.append(
                Cell(
                    period,
                    report,
                    due,
                    submitted,
                    timeliness(due, submitted_day, today, was_submitted=past_draft),
                    saved_by,
                    saved_at,
                )
            )
        row = CompletenessRow(org, period_type, cells, depth=org.path.count("/") - top)
        rows.append(row)
        done += row.approved
        expected += len(cells)
    return Completeness(rows, done, expected)
