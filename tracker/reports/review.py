"""The year's review (工作回顾) for the leader's speech: as a page to read and copy, and as a .docx.

Both render the one structure from tracker.reports.review_text, so they carry the same text.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tracker.aggregation.scope import ReportScope
from tracker.entry.periods import MAX_YEAR, MIN_YEAR
from tracker.orgs.access import Permission, can
from tracker.orgs.models import Organisation, OrgKind
from tracker.reports.docx import CONTENT_TYPE, review_document
from tracker.reports.review_text import Review, build_review


def _review(request: HttpRequest, org: str, year: int) -> tuple[Review, ReportScope]:
    scope = ReportScope.from_request(request, org, year)
    review = build_review(scope.organisation, scope.year, include_unapproved=scope.include_unapproved, rng=scope.range)
    return review, scope


def _texts_admin_url(review: Review) -> str:
    """Where an administrator adds the names the text needs: the group's (or else the organisation's) texts."""
    target = review.organisation
    if target.kind == OrgKind.UNIT and target.parent_id:
        target = target.parent
    return reverse("admin:orgs_organisation_change", args=[target.pk])


def _other_year(scope: ReportScope, year: int) -> ReportScope:
    """The same range in another year, for the ‹ › links (a default range stays a default)."""
    if not scope.explicit_range or not MIN_YEAR <= year <= MAX_YEAR:
        return ReportScope(scope.organisation, None, scope.include_unapproved)
    return scope.with_range(scope.range.in_other_year(year))


@require_GET
def review_page(request: HttpRequest, org: str, year: int) -> HttpResponse:
    review, scope = _review(request, org, year)
    query = scope.query
    # Entry links are shown only for organisations the user may open.
    visible = set(Organisation.objects.for_user(request.user).values_list("pk", flat=True))
    context = {
        "review": review,
        "organisation": review.organisation,
        "year": review.year,
        "include_unapproved": review.include_unapproved,
        "docx_url": reverse("reports:review_docx", args=[review.organisation.code, review.year]) + query,
        "previous_year": review.year - 1 if review.year > MIN_YEAR else None,
        "next_year": review.year + 1 if review.year < MAX_YEAR else None,
        "previous_query": _other_year(scope, review.year - 1).query,
        "next_query": _other_year(scope, review.year + 1).query,
        "scope": scope,
        "query": query,
        "visible": visible,
        # The names live in the admin: offered to those the table lets manage texts, with admin access.
        "texts_admin_url": _texts_admin_url(review)
        if request.user.is_staff and can(request.user, Permission.MANAGE_TEMPLATES, review.organisation)
        else None,
    }
    return render(request, "reports/review.html", context)


@require_GET
def review_docx(request: HttpRequest, org: str, year: int) -> HttpResponse:
    review, _scope = _review(request, org, year)
    response = HttpResponse(review_document(review), content_type=CONTENT_TYPE)
    # Organisation codes are [a-z0-9-] only (code_validator), safe in a header as they are.
    filename = f"{review.organisation.code}-{review.range.through_text}-review.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
