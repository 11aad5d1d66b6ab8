"""The bulletin (通报) of an organisation for a range: as a page to read, and as a .docx.

Both render the one structure from tracker.reports.bulletin, so they carry the same text.
The organisation is looked up through ReportScope: another group's organisation is a 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tracker.entry.periods import MAX_YEAR, MIN_YEAR
from tracker.reports.bulletin import Bulletin, build_bulletin
from tracker.reports.docx import CONTENT_TYPE, official_document
from tracker.web.reports import range_notice
from tracker.web.scope import ReportScope


def _bulletin(request: HttpRequest, org: str, year: int) -> tuple[Bulletin, ReportScope]:
    scope = ReportScope.from_request(request, org, year)
    bulletin = build_bulletin(scope.organisation, scope.range, **scope.counting)
    return bulletin, scope


def _other_year(scope: ReportScope, year: int) -> ReportScope:
    """The same range in another year, for the ‹ › links (a default range stays a default)."""
    if not scope.explicit_range or not MIN_YEAR <= year <= MAX_YEAR:
        return ReportScope(
            scope.organisation, None, scope.include_unapproved, include_unaccepted=scope.include_unaccepted
        )
    return scope.with_range(scope.range.in_other_year(year))


@require_safe
def bulletin_page(request: HttpRequest, org: str, year: int) -> HttpResponse:
    bulletin, scope = _bulletin(request, org, year)
    query = scope.query
    context = {
        "bulletin": bulletin,
        "organisation": bulletin.organisation,
        "year": bulletin.year,
        "include_unapproved": bulletin.include_unapproved,
        "docx_url": reverse("reports:bulletin_docx", args=[bulletin.organisation.code, bulletin.year]) + query,
        "previous_year": bulletin.year - 1 if bulletin.year > MIN_YEAR else None,
        "next_year": bulletin.year + 1 if bulletin.year < MAX_YEAR else None,
        "previous_query": _other_year(scope, bulletin.year - 1).query,
        "next_query": _other_year(scope, bulletin.year + 1).query,
        "scope": scope,
        "query": query,
        # Yearly reporters have no figures for a shorter range: the text marks them incomplete, this says why.
        "range_notice": range_notice(bulletin.figures),
    }
    return render(request, "reports/bulletin.html", context)


@require_safe
def bulletin_docx(request: HttpRequest, org: str, year: int) -> HttpResponse:
    bulletin, _scope = _bulletin(request, org, year)
    document = official_document(bulletin.title, bulletin.organisation.name, bulletin.paragraphs)
    response = HttpResponse(document, content_type=CONTENT_TYPE)
    # Organisation codes are [a-z0-9-] only (code_validator), safe in a header as they are.
    filename = f"{bulletin.organisation.code}-{bulletin.range.through_text}-bulletin.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
