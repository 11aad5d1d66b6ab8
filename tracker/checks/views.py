from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from tablib import Dataset

from tracker.aggregation.scope import ReportScope
from tracker.checks.selectors import subtree_findings
from tracker.spreadsheets import spreadsheet_cell


@require_safe
def checks_page(request, org: str, year: int):
    """Every rule broken or skipped, for every organisation of the subtree; exportable to Excel."""
    scope = ReportScope.from_request(request, org, year)
    rows = subtree_findings(scope.organisation, scope.range, include_unapproved=scope.include_unapproved)
    if request.GET.get("_export") == "xlsx":
        return _export(rows, scope.organisation, scope.range.through_text)
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
        },
    )


def _export(rows, organisation, year) -> HttpResponse:
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
    dataset = Dataset(headers=headers, title=str(year))
    for row in data:
        dataset.append([spreadsheet_cell(cell) for cell in row])
    response = HttpResponse(
        dataset.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{organisation.code}-{year}-checks.xlsx"'
    return response
