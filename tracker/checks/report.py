"""The checks of one report: the validation rules, the typo and year-over-year checks and the sibling outliers
over its own figures. Used by the entry page, the web import's preview and the workflow's submission."""

from __future__ import annotations

from tracker.catalogue.figures import report_figures
from tracker.catalogue.models import Aggregation, Catalogue, Indicator
from tracker.checks.engine import CheckResult, active_rules, explained, outliers, run_checks
from tracker.entry.models import Report, Value
from tracker.entry.periods import PERIODS_PER_YEAR
from tracker.orgs.access import Permission, can


def report_checks(report: Report, *, rules=None, viewer=None) -> CheckResult:
    """The validation rules and the typo and year-over-year checks over one report's own figures.

    Compared with the period before (a typo check) and the same period last year (like with
    like: the same period type); warnings a note explains are marked so. The sibling units'
    median is named only to a `viewer` who may see the group's figures (None: the system).
    """
    catalogue = Catalogue.active()
    values = _report_values(report)
    values = report_figures(values, catalogue)
    period = report.period
    last_values = _last_year_values(report.organisation, period, catalogue)
    previous = period.previous()
    previous_values = _period_values(report.organisation, previous) if previous != period.same_last_year() else None
    reported = Indicator.objects.active().filter(reported_by=report.organisation.kind)
    result = run_checks(
        values,
        applicable=reported.values_list("code", flat=True),
        rules=active_rules() if rules is None else rules,
        last_year=last_values,
        yoy_codes=reported.entered().values_list("code", flat=True),
        previous_period=previous_values,
        names={ind.code: ind.name for ind in catalogue.indicators},
    )
    if report.organisation.parent_id is not None:
        siblings = _sibling_values(report)
        result.violations += outliers(
            values,
            siblings,
            reported.entered().values_list("code", flat=True),
            names={ind.code: ind.name for ind in catalogue.indicators},
            show_median=viewer is None or can(viewer, Permission.VIEW, report.organisation.parent),
        )
    noted = {
        code
        for code, note in Value.objects.filter(report=report).values_list("indicator__code", "note")
        if note.strip()
    }
    return explained(result, noted)


def _report_values(report: Report) -> dict:
    return {code: value for code, value in Value.objects.filter(report=report).values_list("indicator__code", "value")}


def _period_values(organisation, period) -> dict | None:
    """The figures of the organisation's report for that period, or None when there is none."""
    report = Report.objects.filter(
        organisation=organisation,
        year=period.year,
        period_type=period.type,
        period_number=period.number,
    ).first()
    return _report_values(report) if report else None


def _last_year_values(organisation, period, catalogue) -> dict | None:
    """The same period last year, like with like, whatever period type last year used.

    The same period where last year has it; otherwise, for a figure added up over periods, last
    year's figures brought to this period's length: a quarter against a yearly report's quarter
    average (a month's: its twelfth), a year against the sum of last year's quarters or months.
    A cumulative (latest) figure compares with last year's latest. None when nothing comparable
    (last year incomplete, or in several period types).
    """
    same = _period_values(organisation, period.same_last_year())
    if same is not None:
        return same
    reports = list(Report.objects.filter(organisation=organisation, year=period.year - 1))
    if not reports:
        return None
    kind = reports[0].period_type
    if any(r.period_type != kind for r in reports) or len(reports) != PERIODS_PER_YEAR[kind]:
        return None  # an incomplete year compares with nothing
    by_report = {r.pk: r for r in reports}
    totals: dict[str, list] = {}
    for report_id, code, value in Value.objects.filter(report__in=reports).values_list(
        "report_id", "indicator__code", "value"
    ):
        totals.setdefault(code, []).append((by_report[report_id].period_number, value))
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


def _sibling_values(report: Report) -> dict[int, dict]:
    """The same period's figures of the organisation's siblings (the other units of its group)."""
    reports = Report.objects.filter(
        organisation__parent_id=report.organisation.parent_id,
        organisation__kind=report.organisation.kind,
        year=report.year,
        period_type=report.period_type,
        period_number=report.period_number,
    ).exclude(pk=report.pk)
    result: dict[int, dict] = {}
    for report_id, code, value in Value.objects.filter(report__in=reports).values_list(
        "report_id", "indicator__code", "value"
    ):
        result.setdefault(report_id, {})[code] = value
    return result
