from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tracker.entry.models import Report
from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, Range
from tracker.entry.services import report_get
from tracker.orgs.access import get_org_for_user
from tracker.orgs.models import Organisation
from tracker.orgs.templatetags.people import person
from tracker.spreadsheets import XLSX, SheetHeading, spreadsheet_download
from tracker.workflow.models import Action
from tracker.workflow.selectors import Completeness, completeness
from tracker.workflow.services import report_transition


def _report_for_user(request, org: str, period: str) -> Report:
    organisation = get_org_for_user(request.user, org)
    try:
        report = report_get(organisation=organisation, period=Period.parse(period))
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if report is None:
        raise Http404("No such report.")
    return report


@require_POST
def transition(request, org: str, period: str, action: str):
    """Submit, return, approve or unlock a report (the service checks role, status and rules)."""
    if action not in Action.values:
        raise Http404("No such action.")
    report = _report_for_user(request, org, period)
    try:
        report_transition(report=report, user=request.user, action=action, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("entry:report", org=org, period=period)


@require_safe
def completeness_page(request, org: str, year: int):
    """For each unit and period of the year: the report's status, and the share done."""
    organisation = get_org_for_user(request.user, org)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year.")
    table = completeness(organisation, year)
    if request.GET.get("_export") == XLSX:
        return _completeness_export(organisation, year, table)
    return render(request, "workflow/completeness.html", {"organisation": organisation, "year": year, "table": table})


def _completeness_export(organisation: Organisation, year: int, table: Completeness) -> HttpResponse:
    """One row per organisation and period with its report's status, laid out as every download is.

    The page lists reports whatever their status, so the title block says nothing about approval.
    """
    rows = [
        [
            row.organisation.name,
            row.period_type_label,
            cell.period.label,
            cell.report.get_status_display() if cell.report else _("none"),
            cell.due,
            timezone.localtime(cell.submitted).replace(tzinfo=None) if cell.submitted else None,
            str(cell.state.label),
            person(cell.last_saved_by) if cell.last_saved_at else "",
            timezone.localtime(cell.last_saved_at).replace(tzinfo=None) if cell.last_saved_at else None,
        ]
        for row in table.rows
        for cell in row.cells
    ]
    heading = SheetHeading(
        organisation=organisation.name,
        page=_("Completeness"),
        range_heading=Range.full(year).heading,
        include_unapproved=None,
    )
    return spreadsheet_download(
        file_format=XLSX,
        heading=heading,
        headers=[
            _("Organisation"),
            _("Period type"),
            _("Period"),
            _("Status"),
            _("Due"),
            _("Submitted at"),
            _("On time"),
            _("Last saved by"),
            _("Last saved"),
        ],
        rows=rows,
        ascii_name=f"{organisation.code}-{year}-completeness.xlsx",
        sheet_title=str(year),
    )
