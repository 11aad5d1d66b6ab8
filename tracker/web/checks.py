"""The checks page of a report: every finding of the organisation's subtree, and its download."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.checks.selectors import subtree_findings
from tracker.spreadsheets import XLSX, SheetHeading
from tracker.web.downloads import spreadsheet_download
from tracker.web.scope import ReportScope


@require_safe
def checks_page(request, org: str, year: int):
    """Every rule broken or skipped, for every organisation of the subtree; exportable to Excel."""
    scope = ReportScope.from_request(request, org, year)
    rows = subtree_findings(scope.organisation, scope.range, **scope.counting)
    if request.GET.get("_export") == "xlsx":
        return _export(rows, scope)
    return render(
        request,
        "checks/checks.html",
        {
            "organisation": scope.organisation,
            "year": scope.year,
            "range": scope.range,
            "scope": scope,
            "rows": rows,
            "include_unapproved": scope.include_unapproved,
            "include_unaccepted": scope.include_unaccepted,
        },
    )


def _export(rows, scope: ReportScope) -> HttpResponse:
    """The findings as an Excel file, laid out as every download of the app is."""
    headers = [_("Organisation"), _("Severity"), _("Rule"), _("Expression"), _("Left"), _("Right"), _("State")]
    data = [
        [
            row.organisation.name,
            row.severity_label,
            row.finding.message,
            row.finding.expression,
            row.finding.left,
            row.finding.right,
            row.state_label,
        ]
        for row in rows
    ]
    heading = SheetHeading(
        organisation=scope.organisation.name,
        page=_("Checks"),
        range_heading=scope.range.heading,
        include_unapproved=scope.include_unapproved,
        accepted_only=scope.accepted_only if scope.by_acceptance else None,
    )
    return spreadsheet_download(
        file_format=XLSX,
        heading=heading,
        headers=headers,
        rows=data,
        ascii_name=f"{scope.organisation.code}-{scope.range.through_text}-checks.xlsx",
        sheet_title=scope.range.through_text,
    )
