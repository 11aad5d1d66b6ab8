"""What every leader's page, export and the JSON share: scoping, the year, the approval switch."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from tracker.aggregation.yearly import Aggregator, OrgYear
from tracker.entry.periods import MAX_YEAR, MIN_YEAR
from tracker.orgs.access import get_org_for_user
from tracker.orgs.models import Organisation

# The same query parameter on every page, export and the JSON.
INCLUDE_UNAPPROVED = "include_unapproved"


def wants_unapproved(request: HttpRequest) -> bool:
    return request.GET.get(INCLUDE_UNAPPROVED) == "1"


def checked_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year.")
    return year


def org_and_year(request: HttpRequest, org: str, year: int) -> tuple[Organisation, int]:
    """The organisation (404 outside the user's subtree) and a sane year."""
    return get_org_for_user(request.user, org), checked_year(year)


def year_and_last(
    organisation: Organisation, year: int, *, include_unapproved: bool
) -> tuple[Aggregator, OrgYear, OrgYear]:
    """This year's and last year's figures, read together (a bounded number of queries)."""
    aggregator = Aggregator(organisation, [year - 1, year], include_unapproved=include_unapproved)
    return aggregator, aggregator.org_year(organisation, year), aggregator.org_year(organisation, year - 1)
