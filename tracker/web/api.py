"""The JSON summary for dashboards: one organisation, one year, the same figures as the summary page.

GET /api/v1/summary/?org=forestry&year=2022[&through=2022Q3][&include_unapproved=1]

`through` ends the range (a quarter or a month of the year); without it a year that has ended is
shown whole and the current year through its last ended quarter, as on the pages. `previous`
holds the same range of last year (同期), `units_missing` how many reporters are incomplete for
each figure (`previous_units_missing` last year's), `changes` each figure's 同比 (`partial` where
either side is incomplete: the pages print it with the mark （含未报全数据）), `breakdowns` every
part's share of its whole (`partial` where formed from incomplete figures; none for an `approx`
breakdown, whose parts are counted in another measure word).

Scoped like the pages: a session is enough, another organisation's code answers 404 with
no data. Anonymous callers get 401 JSON rather than the login redirect a browser gets,
since a dashboard cannot follow a redirect to an HTML form.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker.aggregation.results import OrgFigures
from tracker.aggregation.yearly import Aggregator
from tracker.catalogue.models import Relation
from tracker.exceptions import NotFound
from tracker.web.scope import ReportScope

JSON_OPTIONS = {"ensure_ascii": False}


# How a breakdown's shares are rounded: an exact one's by the largest remainder, to add up to 100; an
# approx one (parts counted in another measure word than the whole) has none; the others half up.
ROUNDING = {Relation.EXACT: "largest_remainder", Relation.APPROX: None}


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params=JSON_OPTIONS)


def _number(value: int | Decimal | None) -> int | float | None:
    """A figure as JSON: whole numbers as ints, anything with decimals as a float."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value)


def _share(value: Decimal | None, *, one_decimal: bool = False) -> int | float | None:
    if value is None:
        return None
    return float(value) if one_decimal else _number(value)


def summary_data(figures: OrgFigures, previous: OrgFigures, *, include_unapproved: bool) -> dict:
    """The JSON body for one organisation and range; every number comes from the aggregation."""
    org = figures.organisation
    values: dict[str, int | float | None] = {}
    derived: dict[str, int | float | None] = {}
    approximate: list[str] = []
    units_missing: dict[str, int] = {}
    for indicator in figures.indicators:
        figure = figures.figures[indicator.code]
        if figures.incomplete(indicator):
            units_missing[indicator.code] = figures.incomplete(indicator)
        if indicator.is_derived:
            derived[indicator.code] = _number(figure.value)
            continue
        values[indicator.code] = _number(figure.value)
        if indicator.is_approximate:
            approximate.append(indicator.code)
    breakdowns = {
        block.breakdown.whole + ("" if block.breakdown.is_exact else f":{block.breakdown.relation}"): {
            "relation": block.breakdown.relation,
            "whole": _number(block.whole_figure.value),
            "parts": {
                indicator.code: {
                    "value": _number(figure.value),
                    "whole": _share(share.whole),
                    "one_decimal": _share(share.one_decimal, one_decimal=True),
                }
                for indicator, figure, share in block.parts
            },
            # Shares of figures added up from incomplete reports (the pages mark them so).
            "partial": bool(block.missing),
            "rounding": ROUNDING.get(block.breakdown.relation, "half_up"),
        }
        for block in figures.breakdowns
    }
    # 同比 of every figure, as the summary page prints it; `partial`: either side is incomplete.
    changes = {}
    for indicator in figures.indicators:
        delta = figures.change(indicator, previous)
        if delta.absolute is not None:
            changes[indicator.code] = {
                "absolute": _number(delta.absolute),
                "percent": None if delta.percent is None else float(delta.percent),
                "partial": delta.partial,
            }
    # The catalogue's derived share indicators (the four forms' shares), whole and to one decimal.
    by_part = {indicator.code: share for block in figures.share_breakdowns for indicator, _figure, share in block.parts}
    shares = {
        indicator.code: {
            "whole": _share(by_part[indicator.share_of].whole),
            "one_decimal": _share(by_part[indicator.share_of].one_decimal, one_decimal=True),
        }
        for indicator in figures.indicators
        if indicator.is_share and indicator.share_of in by_part
    }
    return {
        "org": org.code,
        "year": figures.year,
        "through": figures.range.through_text,
        "range": figures.range.label,
        "values": values,
        "derived": derived,
        "previous": {indicator.code: _number(previous.value(indicator.code)) for indicator in previous.indicators},
        "shares": shares,
        "breakdowns": breakdowns,
        "approximate": approximate,
        "units_missing": units_missing,
        "previous_units_missing": {
            indicator.code: previous.incomplete(indicator)
            for indicator in previous.indicators
            if previous.incomplete(indicator)
        },
        "changes": changes,
        "include_unapproved": include_unapproved,
        "unapproved_reports": figures.unapproved_reports,
        # A commission's figures: whether only what it accepted from the groups is counted, and
        # how many approved reports of periods it has not accepted are left out (or counted).
        "accepted_only": figures.accepted_only,
        "unaccepted_reports": figures.unaccepted_reports,
    }


@login_not_required
@require_GET
def summary(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _error(_("Log in first."), 401)
    try:
        scope = ReportScope.from_query(request)
    except NotFound:
        # The same answer whether the code exists elsewhere or not at all.
        return _error(_("No such organisation."), 404)
    except BadRequest as exc:
        return _error(str(exc), 400)
    rng = scope.range
    aggregator = Aggregator(scope.organisation, [rng, rng.same_last_year()], **scope.counting)
    body = summary_data(
        aggregator.figures_for(scope.organisation, rng),
        aggregator.figures_for(scope.organisation, rng.same_last_year()),
        include_unapproved=scope.include_unapproved,
    )
    return JsonResponse(body, json_dumps_params=JSON_OPTIONS)
