"""The JSON summary for dashboards: one organisation, one year, the same figures as the summary page.

GET /api/v1/summary/?org=forestry&year=2022[&include_unapproved=1]

Scoped like the pages: a session is enough, another organisation's code answers 404 with
no data. Anonymous callers get 401 JSON rather than the login redirect a browser gets,
since a dashboard cannot follow a redirect to an HTML form.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker.aggregation.yearly import Aggregator, OrgYear
from tracker.entry.periods import MAX_YEAR, MIN_YEAR
from tracker.reports.common import org_and_year, wants_unapproved

JSON_OPTIONS = {"ensure_ascii": False}


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params=JSON_OPTIONS)


def _number(value: int | Decimal | None) -> int | float | None:
    """A figure as JSON: whole numbers as ints, anything with decimals as a float."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value)


def summary_data(figures: OrgYear, *, include_unapproved: bool) -> dict:
    """The JSON body for one organisation and year; every number comes from the aggregation."""
    org = figures.organisation
    values: dict[str, int | float | None] = {}
    derived: dict[str, int | float | None] = {}
    approximate: list[str] = []
    units_missing: dict[str, int] = {}
    for indicator in figures.indicators:
        figure = figures.figures[indicator.code]
        # Only a sum over the organisations below (units; groups, for the commission) can lack parts.
        if indicator.reported_by != org.kind and figure.missing > 0:
            units_missing[indicator.code] = figure.missing
        if indicator.is_derived:
            derived[indicator.code] = _number(figure.value)
            continue
        values[indicator.code] = _number(figure.value)
        if indicator.is_approximate:
            approximate.append(indicator.code)
    shares = {
        f"form{position}": {
            "whole": None if form.whole is None else int(form.whole),
            "one_decimal": None if form.one_decimal is None else float(form.one_decimal),
        }
        for position, form in enumerate(figures.four_forms, start=1)
    }
    return {
        "org": org.code,
        "year": figures.year,
        "values": values,
        "derived": derived,
        "shares": shares,
        "approximate": approximate,
        "units_missing": units_missing,
        "include_unapproved": include_unapproved,
        "unapproved_reports": figures.unapproved_reports,
    }


@login_not_required
@require_GET
def summary(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _error(_("Log in first."), 401)
    code = request.GET.get("org", "").strip()
    if not code:
        return _error(_("Give an organisation code: ?org=…"), 400)
    year_text = request.GET.get("year", "").strip()
    if not (year_text.isascii() and year_text.isdigit()):
        return _error(_("Give a year as four digits: ?year=2022."), 400)
    year = int(year_text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _error(_("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}, 400)
    try:
        organisation, year = org_and_year(request, code, year)
    except Http404:
        # The same answer whether the code exists elsewhere or not at all.
        return _error(_("No such organisation."), 404)
    include_unapproved = wants_unapproved(request)
    figures = Aggregator(organisation, [year], include_unapproved=include_unapproved).org_year(organisation, year)
    return JsonResponse(summary_data(figures, include_unapproved=include_unapproved), json_dumps_params=JSON_OPTIONS)
