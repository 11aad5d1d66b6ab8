"""What a report page, export, the checks page and the JSON are about: organisation, year, range, approval.

One object parses it from a request and renders it back into links, so that every page keeps
the range (`through=`) and the approval switch (`include_unapproved=1`) as the reader moves on.
Bad values are refused (BadRequest → 400), never silently replaced by a default.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, Range
from tracker.inputs import parse_whole
from tracker.orgs.access import get_org_for_user
from tracker.orgs.models import Organisation, OrgKind

INCLUDE_UNAPPROVED = "include_unapproved"
# On a commission's pages: count the groups' approved figures it has not accepted yet too.
INCLUDE_UNACCEPTED = "include_unaccepted"
THROUGH = "through"


def checked_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year.")
    return year


def parse_include_unapproved(request: HttpRequest) -> bool:
    return _switch(request, INCLUDE_UNAPPROVED)


def parse_include_unaccepted(request: HttpRequest) -> bool:
    return _switch(request, INCLUDE_UNACCEPTED)


def _switch(request: HttpRequest, name: str) -> bool:
    text = request.GET.get(name, "")
    if text not in ("", "0", "1"):
        raise BadRequest(_("%(name)s is 1 or 0.") % {"name": name})
    return text == "1"


def parse_range(request: HttpRequest, year: int) -> tuple[Range, bool]:
    """The range asked for (`?through=2023Q3`), or the default one; and whether it was asked for."""
    text = request.GET.get(THROUGH, "").strip()
    if not text:
        return Range.default(year, timezone.localdate()), False
    try:
        return Range.through(year, text), True
    except PeriodError as exc:
        raise BadRequest(str(exc)) from exc


def parse_year(text: str) -> int:
    """A year typed into a query (`?year=2022`): four digits within the years the app keeps."""
    year = parse_whole(text)
    if year is None:
        raise BadRequest(_("Give a year as four digits: ?year=2022."))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadRequest(_("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR})
    return year


# What flipping the approval switch drops besides the scope's own parameters: an export request.
NOT_KEPT = (THROUGH, INCLUDE_UNAPPROVED, INCLUDE_UNACCEPTED, "_export")


@dataclass(frozen=True)
class ReportScope:
    organisation: Organisation
    range: Range | None  # None on pages without a year (the trend chooses its own years)
    include_unapproved: bool
    # Whether the range was asked for; a default range is not written into links.
    explicit_range: bool = False
    # The page's own parameters (sorting, filters, the chosen indicator), kept when the switch is flipped.
    kept: tuple[tuple[str, str], ...] = ()
    # A commission's pages: also count approved figures of the groups it has not accepted yet.
    include_unaccepted: bool = False

    @classmethod
    def from_request(cls, request: HttpRequest, org: str, year: int | None = None) -> ReportScope:
        """The organisation (404 outside the user's subtree), the year, the range and the switch.

        Without a year (the trend), `?through=2023Q3` gives both the last year and the range.
        """
        organisation = get_org_for_user(request.user, org)
        include_unapproved = parse_include_unapproved(request)
        # Only a commission's pages count by acceptance; elsewhere the switch means nothing and is dropped.
        unaccepted = parse_include_unaccepted(request) and organisation.kind == OrgKind.COMMISSION
        kept = tuple((key, value) for key, values in request.GET.lists() if key not in NOT_KEPT for value in values)
        if year is None:
            through = request.GET.get(THROUGH, "").strip()
            if not through:
                return cls(organisation, None, include_unapproved, kept=kept, include_unaccepted=unaccepted)
            try:
                year = Period.parse(through).year
            except PeriodError as exc:
                raise BadRequest(str(exc)) from exc
        rng, explicit = parse_range(request, checked_year(year))
        return cls(organisation, rng, include_unapproved, explicit, kept, unaccepted)

    @classmethod
    def from_query(cls, request: HttpRequest) -> ReportScope:
        """The same, with the organisation and year in the query too (`?org=forestry&year=2022`): the JSON."""
        code = request.GET.get("org", "").strip()
        if not code:
            raise BadRequest(_("Give an organisation code: ?org=…"))
        return cls.from_request(request, code, parse_year(request.GET.get("year", "")))

    @property
    def year(self) -> int | None:
        return self.range.year if self.range else None

    def params(self) -> dict[str, str]:
        params = {}
        if self.range is not None and (self.explicit_range or not self.range.is_full_year):
            params[THROUGH] = self.range.through_text
        if self.include_unapproved:
            params[INCLUDE_UNAPPROVED] = "1"
        if self.include_unaccepted:
            params[INCLUDE_UNACCEPTED] = "1"
        return params

    @property
    def query(self) -> str:
        """ "?through=2023Q3&include_unapproved=1", or "" when there is nothing to keep."""
        params = self.params()
        return "?" + urlencode(params) if params else ""

    @property
    def switch_query(self) -> str:
        """This page with the approval switch flipped (its sorting and chosen indicator kept)."""
        params = [*self.kept, *replace(self, include_unapproved=not self.include_unapproved).params().items()]
        return "?" + urlencode(params)

    @property
    def by_acceptance(self) -> bool:
        """The page counts by the commission's acceptance (a commission's page): it offers that switch."""
        return self.organisation.kind == OrgKind.COMMISSION

    @property
    def accepted_only(self) -> bool:
        """Only what the commission accepted is counted (its page, with neither switch on)."""
        return self.by_acceptance and not (self.include_unapproved or self.include_unaccepted)

    @property
    def unaccepted_switch_query(self) -> str:
        """This page with the acceptance switch flipped."""
        params = [*self.kept, *replace(self, include_unaccepted=not self.include_unaccepted).params().items()]
        return "?" + urlencode(params)

    @property
    def counting(self) -> dict[str, bool]:
        """What the aggregation counts, as its keyword arguments: `Aggregator(org, ranges, **scope.counting)`."""
        return {"include_unapproved": self.include_unapproved, "include_unaccepted": self.include_unaccepted}

    @property
    def switch_param(self) -> str:
        """The switch's field name, for a form that offers it as a checkbox."""
        return INCLUDE_UNAPPROVED

    @property
    def range_param(self) -> str:
        """The range's field name, for a form that offers the range as a choice."""
        return THROUGH

    @property
    def approval_fields(self) -> list[tuple[str, str]]:
        """Hidden fields that keep the switch through a form that chooses the rest (the switcher)."""
        fields = [(INCLUDE_UNAPPROVED, "1")] if self.include_unapproved else []
        return fields + ([(INCLUDE_UNACCEPTED, "1")] if self.include_unaccepted else [])

    @property
    def range_fields(self) -> list[tuple[str, str]]:
        """Hidden fields that keep the range through a form that chooses the rest."""
        return [(THROUGH, self.params()[THROUGH])] if THROUGH in self.params() else []

    def with_range(self, rng: Range) -> ReportScope:
        return replace(self, range=rng, explicit_range=True)
