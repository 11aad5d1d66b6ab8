"""The checks of one report: the validation rules, the typo and year-over-year checks and the sibling outliers
over its own figures. Used by the entry page, the web import's preview and the workflow's submission."""

from __future__ import annotations

from django.db.models import Q

from tracker.catalogue.figures import report_figures
from tracker.catalogue.models import Aggregation, Catalogue, Kind
from tracker.checks.engine import CheckResult, active_rules, explained, outliers, run_checks
from tracker.entry.models import Report, Value
from tracker.entry.periods import PERIODS_PER_YEAR, Period
from tracker.orgs.access import Permission, can


def report_checks(report: Report, *, rules=None, viewer=None) -> CheckResult:
    """The validation rules and the typo and year-over-year checks over one report's own figures.

    Compared with the period before (a typo check) and the same period last year (like with
    like: the same period type); warnings a note explains are marked so. The sibling units'
    median is named only to a `viewer` who may see the group's figures (None: the system).
    """
    return reports_checks([report], rules=rules, viewer=viewer)[report.pk]


def reports_checks(reports: list[Report], *, rules=None, viewer=None) -> dict[int, CheckResult]:
    """report_checks of several reports (report id → result), in a fixed number of queries however many
    (the group's grid checks every unit's report on each visit)."""
    if not reports:
        return {}
    catalogue = Catalogue.active()
    names = {ind.code: ind.name for ind in catalogue.indicators}
    rules = active_rules() if rules is None else rules
    known = _Figures(reports)
    results = {}
    for report in reports:
        kind = report.organisation.kind
        reported = [ind for ind in catalogue.indicators if ind.reported_by == kind]
        entered = [ind.code for ind in reported if ind.kind in ENTERED_KINDS or ind.may_be_entered]
        values = report_figures(known.values_of(report.pk), catalogue)
        period = report.period
        previous = period.previous()
        result = run_checks(
            values,
            applicable=[ind.code for ind in reported],
            rules=rules,
            last_year=known.last_year(report.organisation_id, period, catalogue),
            yoy_codes=entered,
            previous_period=known.period_values(report.organisation_id, previous)
            if previous != period.same_last_year()
            else None,
            names=names,
        )
        if report.organisation.parent_id is not None:
            result.violations += outliers(
                values,
                known.siblings(report),
                entered,
                names=names,
                show_median=viewer is None or can(viewer, Permission.VIEW, report.organisation.parent),
            )
        results[report.pk] = explained(result, known.noted(report.pk))
    return results


# The kinds of indicator people type in (IndicatorQuerySet.entered), besides a total that may be entered.
ENTERED_KINDS = (Kind.COUNT, Kind.APPROX_OVER_N)


class _Figures:
    """The figures the checks of some reports compare: their own, the same organisations' reports of those
    years and the year before (the previous period, the same period last year, last year whole), and their
    sibling units' of the same periods. Four queries, whatever the number of reports."""

    def __init__(self, reports: list[Report]):
        orgs = {r.organisation_id for r in reports}
        years = {y for r in reports for y in (r.year, r.year - 1)}
        # (organisation id, year) → its reports, by period
        self.by_org_year: dict[tuple[int, int], dict] = {}
        nearby = list(Report.objects.filter(organisation_id__in=orgs, year__in=years).order_by())
        for r in nearby:
            self.by_org_year.setdefault((r.organisation_id, r.year), {})[r.period] = r
        where = Q(pk__in=[])
        for r in reports:
            if r.organisation.parent_id is not None:
                where |= Q(
                    organisation__parent_id=r.organisation.parent_id,
                    organisation__kind=r.organisation.kind,
                    year=r.year,
                    period_type=r.period_type,
                    period_number=r.period_number,
                )
        # (parent id, kind, period) → the report ids of its units
        self.sibling_reports: dict[tuple, list[int]] = {}
        sibling_ids = set()
        for pk, parent_id, kind, year, ptype, number in (
            Report.objects.filter(where)
            .order_by()
            .values_list("pk", "organisation__parent_id", "organisation__kind", "year", "period_type", "period_number")
        ):
            self.sibling_reports.setdefault((parent_id, kind, Period(year, ptype, number)), []).append(pk)
            sibling_ids.add(pk)
        self.values: dict[int, dict[str, int | None]] = {}
        self.notes: dict[int, set[str]] = {}
        ids = {r.pk for r in nearby} | sibling_ids | {r.pk for r in reports}
        for report_id, code, value, note in Value.objects.filter(report_id__in=ids).values_list(
            "report_id", "indicator__code", "value", "note"
        ):
            self.values.setdefault(report_id, {})[code] = value
            if note.strip():
                self.notes.setdefault(report_id, set()).add(code)

    def values_of(self, report_id: int) -> dict:
        return dict(self.values.get(report_id, {}))

    def noted(self, report_id: int) -> set[str]:
        return self.notes.get(report_id, set())

    def period_values(self, org_id: int, period) -> dict | None:
        """The figures of the organisation's report for that period, or None when there is none."""
        report = self.by_org_year.get((org_id, period.year), {}).get(period)
        return self.values_of(report.pk) if report else None

    def siblings(self, report: Report) -> dict[int, dict]:
        """The same period's figures of the organisation's siblings (the other units of its group)."""
        key = (report.organisation.parent_id, report.organisation.kind, report.period)
        return {
            pk: self.values[pk] for pk in self.sibling_reports.get(key, []) if pk != report.pk and pk in self.values
        }

    def last_year(self, org_id: int, period, catalogue) -> dict | None:
        """The same period last year, like with like, whatever period type last year used.

        The same period where last year has it; otherwise, for a figure added up over periods, last
        year's figures brought to this period's length: a quarter against a yearly report's quarter
        average (a month's: its twelfth), a year against the sum of last year's quarters or months.
        A cumulative (latest) figure compares with last year's latest. None when nothing comparable
        (last year incomplete, or in several period types).
        """
        same = self.period_values(org_id, period.same_last_year())
        if same is not None:
            return same
        reports = list(self.by_org_year.get((org_id, period.year - 1), {}).values())
        if not reports:
            return None
        kind = reports[0].period_type
        if any(r.period_type != kind for r in reports) or len(reports) != PERIODS_PER_YEAR[kind]:
            return None  # an incomplete year compares with nothing
        totals: dict[str, list] = {}
        for r in reports:
            for code, value in self.values.get(r.pk, {}).items():
                totals.setdefault(code, []).append((r.period_number, value))
        comparable: dict[str, float | int] = {}
        for code, entries in totals.items():
            indicator = catalogue.by_code.get(code)
            values = [v for _n, v in sorted(entries)]
            if indicator is None or any(v is None for v in values):
                continue
            if indicator.aggregation == Aggregation.LATEST:
                comparable[code] = values[-1]
            else:
                # Last year's total brought to this period's length (a quarter: a quarter of the year).
                comparable[code] = round(sum(values) / PERIODS_PER_YEAR[period.type], 1)
        return comparable
