"""What a page is about: organisation, year, range, approval; parsed here and nowhere else.

One object parses it from a request and renders it back into links, so that every page keeps
the range (`through=`) and the approval switch (`include_unapproved=1`) as the reader moves on.
The pages that take them in the query (the reports' switcher, a document's chooser, the entry
chooser, the acceptance overview, the JSON) read them with the `*_from_query` functions below.
Bad values are refused (BadRequest → 400), never silently replaced by a default; an organisation
that does not exist or lies outside the user's organisations is a 404, the same for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, PeriodType, Range
from tracker.inputs import parse_whole
from tracker.orgs.access import get_org_for_user
from tracker.orgs.models import Organisation, OrgKind

INCLUDE_UNAPPROVED = "include_unapproved"
# On a commission's pages: count the groups' approved figures it has not accepted yet too.
INCLUDE_UNACCEPTED = "include_unaccepted"
THROUGH = "through"
# The switcher's and choosers' fields (`?org=forestry&year=2023&range=Q3`).
ORG = "org"
YEAR = "year"
RANGE = "range"

# An organisation code as the URLs take it (`<slug:org>`).
_CODE = re.compile(r"[-a-zA-Z0-9_]+")


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


# The range switcher's choices: the end of the range within the chosen year.
RANGE_CHOICES = ["year", "Q1", "Q2", "Q3"] + [f"M{n:02d}" for n in range(1, 12)]


def through_for(year: int, choice: str) -> str:
    """The `through=` value for a range chosen in the switcher ("Q3" in 2023 → "2023Q3")."""
    if choice == "year":
        return str(year)
    if choice.startswith("Q"):
        return f"{year}{choice}"
    return f"{year}-{choice[1:]}"


def range_choices(year: int) -> list[tuple[str, str]]:
    choices = [("year", Range.full(year).label)]
    choices += [(f"Q{n}", Range(year, Period(year, PeriodType.QUARTER, n)).label) for n in (1, 2, 3)]
    choices += [(f"M{n:02d}", Range(year, Period(year, PeriodType.MONTH, n)).label) for n in range(1, 12)]
    return choices


def range_choice(rng: Range) -> str:
    if rng.end is None:
        return "year"
    if rng.end.type == PeriodType.QUARTER:
        return f"Q{rng.end.number}"
    return f"M{rng.end.number:02d}"


def org_code_from_query(request: HttpRequest) -> str:
    """`?org=forestry`: 400 when missing or not a code. The page looks the code up once the rest of
    its query is read (get_org_for_user: 404 when unknown or outside the user's reach), so that a
    malformed query is a 400 whichever organisation it names."""
    code = request.GET.get(ORG, "").strip()
    if not code:
        raise BadRequest(_("Give an organisation code: ?org=…"))
    if not _CODE.fullmatch(code):
        raise BadRequest(_("An organisation code is letters, digits and hyphens: ?org=forestry."))
    return code


def year_from_query(request: HttpRequest, *, required: bool = True) -> int | None:
    """`?year=2023`; None when the query has none and the page has a default of its own."""
    text = request.GET.get(YEAR, "")
    if not text and not required:
        return None
    return parse_year(text)


def range_choice_from_query(request: HttpRequest) -> str | None:
    """The switcher's `?range=Q3` (one of RANGE_CHOICES, see through_for); None when the query has none."""
    choice = request.GET.get(RANGE, "")
    if not choice:
        return None
    if choice not in RANGE_CHOICES:
        raise BadRequest(_("No such range."))
    return choice


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
        code = org_code_from_query(request)
        return cls.from_request(request, code, year_from_query(request))

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
