"""Figures for an organisation over a range of a year (全年, 前三季度, 1—9月), from its subtree's reports.

The one aggregation used by every summary page, export, the review text, the checks page and
the JSON. The order of adding up is what makes the totals right:

1. within each reporting organisation and period, derived figures are formed first
   (figures.derive_period: a typed total stands for that period, else the parts' sum when
   every part is known);
2. then the periods of the range add up for that reporter: `sum` indicators add, `latest`
   (cumulative, 累计) ones take the last period with a value;
3. then reporters add up the tree: a group's figure for a unit-entered indicator is the sum
   over its units, the commission's the sum over all of them;
4. shares are taken last, from the added-up counts (figures.share_values, breakdown_shares).

A reporter that has not entered every period of the range for a figure is *incomplete* for
it; a figure says how many of its reporters are (`Figure.missing`), and "not known" (None)
stays distinct from 0. A reporter whose period type cannot make the range (a yearly
reporter asked for 前三季度) is incomplete too, and counted in `OrgFigures.unavailable`.

Only approved reports count unless `include_unapproved` is set. Queries are bounded whatever
the size of the data: organisations, indicators, values and report counts are each read once
for the whole subtree and all requested ranges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from tracker.aggregation.figures import PartShare, breakdown_shares, derive_period, share_values
from tracker.catalogue.models import Aggregation, Breakdown, Catalogue, Indicator
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import Period, PeriodType, Range, period_end_month
from tracker.orgs.models import Organisation, OrgKind

# Higher rank = further down the tree.
KIND_RANK = {OrgKind.COMMISSION: 0, OrgKind.GROUP: 1, OrgKind.UNIT: 2}


def indicators_for(org_kind: str, indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators an organisation's pages show: those entered at its level or below."""
    rank = KIND_RANK[org_kind]
    return [ind for ind in indicators if KIND_RANK[ind.reported_by] >= rank]


@dataclass
class Figure:
    value: int | Decimal | None
    # How many of the organisations that enter this figure have not entered all of the range.
    missing: int = 0
    reporters: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def complete(self) -> bool:
        return self.missing == 0 and self.value is not None


@dataclass(frozen=True)
class BreakdownFigures:
    """A whole and its parts for one organisation and range, with every part's share."""

    breakdown: Breakdown
    whole: Indicator
    whole_figure: Figure
    parts: list[tuple[Indicator, Figure, PartShare]]
    # The catalogue has share indicators for its parts (the four forms): the speech prints these shares.
    featured: bool = False

    @property
    def missing(self) -> int:
        return max([self.whole_figure.missing] + [figure.missing for _, figure, _ in self.parts])

    @property
    def known(self) -> bool:
        return any(figure.known for _, figure, _ in self.parts)


@dataclass
class OrgFigures:
    """Everything the pages show for one organisation and range."""

    organisation: Organisation
    range: Range
    indicators: list[Indicator]
    figures: dict[str, Figure]
    breakdowns: list[BreakdownFigures]
    unapproved_reports: int
    reports: int
    # Reporters in the subtree whose period type cannot make this range (yearly, for 前三季度)…
    unavailable: int = 0
    # …and whether the organisation itself is one of them.
    own_unavailable: bool = False

    @property
    def year(self) -> int:
        return self.range.year

    def value(self, code: str) -> int | Decimal | None:
        figure = self.figures.get(code)
        return figure.value if figure else None

    @property
    def values(self) -> dict[str, int | Decimal | None]:
        return {code: figure.value for code, figure in self.figures.items()}

    def incomplete(self, indicator: Indicator) -> int:
        """How many reporters the "N个单位未报全" mark names for a figure (pages, exports, JSON).

        A sum over reporters below counts every incomplete one; the organisation's own figure is
        marked only when it was entered for some periods of the range: not entered at all, it is
        simply not known ("—", null).
        """
        figure = self.figures.get(indicator.code)
        if figure is None or not figure.missing:
            return 0
        if indicator.reported_by == self.organisation.kind and not figure.known:
            return 0
        return figure.missing

    @property
    def share_breakdowns(self) -> list[BreakdownFigures]:
        """The breakdowns the catalogue gives shares for: exact ones."""
        return [b for b in self.breakdowns if b.breakdown.is_exact]


# A reporter's periods for a range: derived figures per period, or why there are none.
_NOTHING = "nothing"  # no report of this year at all
_UNAVAILABLE = "unavailable"  # reports by a period type that cannot make the range


class Aggregator:
    """Reads a subtree's reports for some ranges once, then answers per organisation and range."""

    def __init__(
        self,
        root: Organisation,
        ranges: Iterable[Range | int],
        *,
        include_unapproved: bool = False,
        subtree: bool = True,
    ):
        """`ranges` are Ranges, or years for whole years. `subtree=False` reads only the root's own
        reports (the commission's city-wide figures)."""
        self.root = root
        self.ranges = sorted({Range.full(r) if isinstance(r, int) else r for r in ranges})
        self.years = sorted({r.year for r in self.ranges})
        self.include_unapproved = include_unapproved
        if subtree:
            self.orgs = list(Organisation.objects.filter(path__startswith=root.path))
        else:
            self.orgs = [root]
        self.by_id = {org.pk: org for org in self.orgs}
        self.catalogue = Catalogue.active()
        self.all_indicators = self.catalogue.indicators
        self.by_code = self.catalogue.by_code

        reports = Report.objects.filter(organisation__in=[o.pk for o in self.orgs], year__in=self.years)
        counted = reports if include_unapproved else reports.filter(status=Status.APPROVED)
        # (org id, year) -> {(period type, number): {code: value}}
        self._entered: dict[tuple[int, int], dict[tuple[str, int], dict[str, int | None]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        # (org id, year, code) -> [(period, note)]
        self._notes: dict[tuple[int, int, str], list[tuple[Period, str]]] = defaultdict(list)
        rows = (
            Value.objects.filter(report__in=counted, indicator__active=True)
            .order_by()
            .values_list(
                "report__organisation_id",
                "report__year",
                "report__period_type",
                "report__period_number",
                "indicator__code",
                "value",
                "note",
            )
        )
        for org_id, year, ptype, pnum, code, value, note in rows:
            self._entered[(org_id, year)][(ptype, pnum)][code] = value
            if note:
                self._notes[(org_id, year, code)].append((Period(year, ptype, pnum), note))

        # Report counts per organisation and period: all, and not yet approved…
        self._report_counts: dict[tuple[int, int], list[tuple[Period, int, int]]] = defaultdict(list)
        # …and the period type each organisation uses in each year.
        self._period_types: dict[tuple[int, int], str] = {}
        for row in (
            reports.order_by()
            .values("organisation_id", "year", "period_type", "period_number")
            .annotate(total=Count("id"), unapproved=Count("id", filter=~Q(status=Status.APPROVED)))
        ):
            key = (row["organisation_id"], row["year"])
            period = Period(row["year"], row["period_type"], row["period_number"])
            self._report_counts[key].append((period, row["total"], row["unapproved"]))
            self._period_types[key] = row["period_type"]
        self._cache: dict[tuple[int, Range], OrgFigures] = {}
        self._periods_cache: dict[tuple[int, Range], list[dict] | str] = {}
        self._reporters: dict[tuple[int, str], list[Organisation]] = {}

    # -- per reporting organisation ---------------------------------------------------------

    def _periods(self, org: Organisation, rng: Range) -> list[dict] | str:
        """The reporter's figures in each period of the range, derived figures formed."""
        key = (org.pk, rng)
        if key not in self._periods_cache:
            ptype = self._period_types.get((org.pk, rng.year))
            expected = rng.periods_of(ptype) if ptype else None
            if ptype is None:
                result: list[dict] | str = _NOTHING
            elif expected is None:
                result = _UNAVAILABLE
            else:
                entered = self._entered.get((org.pk, rng.year), {})
                result = [derive_period(entered.get((p.type, p.number), {}), self.catalogue) for p in expected]
            self._periods_cache[key] = result
        return self._periods_cache[key]

    def own_figure(self, org: Organisation, rng: Range, indicator: Indicator) -> Figure:
        """The figure an organisation entered itself, over the periods of the range."""
        periods = self._periods(org, rng)
        if isinstance(periods, str):
            return Figure(None, missing=1)
        values = [period.get(indicator.code) for period in periods]
        notes = [
            note for period, note in self._notes.get((org.pk, rng.year, indicator.code), ()) if self._in(period, rng)
        ]
        if indicator.aggregation == Aggregation.LATEST:
            # A running total: the last period that has one; complete when the range's last period has it.
            latest = next((v for v in reversed(values) if v is not None), None)
            return Figure(latest, missing=int(values[-1] is None), notes=notes)
        known = [v for v in values if v is not None]
        return Figure(sum(known) if known else None, missing=int(len(known) < len(values)), notes=notes)

    @staticmethod
    def _in(period: Period, rng: Range) -> bool:
        return period_end_month(period.type, period.number) <= rng.end_month

    def reporters(self, org: Organisation, indicator: Indicator) -> list[Organisation]:
        """The organisations in `org`'s subtree that enter `indicator`."""
        key = (org.pk, indicator.reported_by)
        if key not in self._reporters:
            self._reporters[key] = [
                o for o in self.orgs if o.kind == indicator.reported_by and o.path.startswith(org.path)
            ]
        return self._reporters[key]

    def figure(self, org: Organisation, rng: Range, indicator: Indicator) -> Figure:
        if org.kind == indicator.reported_by:
            return self.own_figure(org, rng, indicator)
        parts = [self.own_figure(o, rng, indicator) for o in self.reporters(org, indicator)]
        known = [p.value for p in parts if p.value is not None]
        return Figure(
            sum(known) if known else None,
            missing=sum(p.missing for p in parts),
            reporters=len(parts),
        )

    # -- per organisation and range ---------------------------------------------------------

    def figures_for(self, org: Organisation, rng: Range) -> OrgFigures:
        key = (org.pk, rng)
        if key not in self._cache:
            self._cache[key] = self._build(org, rng)
        return self._cache[key]

    def org_year(self, org: Organisation, year: int) -> OrgFigures:
        """The whole year's figures."""
        return self.figures_for(org, Range.full(year))

    def _build(self, org: Organisation, rng: Range) -> OrgFigures:
        shown = indicators_for(org.kind, self.all_indicators)
        figures: dict[str, Figure] = {}
        for ind in shown:
            if not ind.is_share:
                figures[ind.code] = self.figure(org, rng, ind)
        values = {code: f.value for code, f in figures.items()}
        shares = share_values(values, self.catalogue)
        for ind in shown:
            if ind.is_share:
                # A share of partial sums is partial too: it carries its breakdown's incomplete reporters.
                breakdown = self.catalogue.share_breakdown(ind)
                parts = [figures[p] for p in (breakdown.parts if breakdown else ()) if p in figures]
                figures[ind.code] = Figure(
                    shares.get(ind.code),
                    missing=max((p.missing for p in parts), default=0),
                    reporters=max((p.reporters for p in parts), default=1),
                )
        breakdowns = []
        for breakdown in self.catalogue.breakdowns:
            if breakdown.whole in figures and all(p in figures for p in breakdown.parts):
                part_shares = breakdown_shares(breakdown, values)
                breakdowns.append(
                    BreakdownFigures(
                        breakdown=breakdown,
                        whole=self.by_code[breakdown.whole],
                        whole_figure=figures[breakdown.whole],
                        parts=[(self.by_code[share.code], figures[share.code], share) for share in part_shares],
                        featured=any(p in self.catalogue.share_indicator_of for p in breakdown.parts),
                    )
                )
        total = unapproved = unavailable = 0
        reporting_kinds = {ind.reported_by for ind in shown}
        for o in self.orgs:
            if not o.path.startswith(org.path):
                continue
            for period, count, not_approved in self._report_counts.get((o.pk, rng.year), ()):
                if self._in(period, rng):
                    total += count
                    unapproved += not_approved
            if o.kind in reporting_kinds and self._periods(o, rng) == _UNAVAILABLE:
                unavailable += 1
        return OrgFigures(
            organisation=org,
            range=rng,
            indicators=shown,
            figures=figures,
            breakdowns=breakdowns,
            unapproved_reports=unapproved,
            reports=total,
            unavailable=unavailable,
            own_unavailable=self._periods(org, rng) == _UNAVAILABLE,
        )

    def entry_period(self, org: Organisation, year: int) -> Period:
        """Where to enter the organisation's figures for the year: its first period, of the type it uses."""
        return Period.all_in_year(year, self._period_types.get((org.pk, year), PeriodType.YEAR))[0]

    def children(self, org: Organisation) -> list[Organisation]:
        return sorted((o for o in self.orgs if o.parent_id == org.pk), key=lambda o: (o.order, o.path))


def years_with_data(org: Organisation) -> list[int]:
    """Every year in which the organisation's subtree has a report (one query)."""
    return sorted(
        Report.objects.filter(organisation__path__startswith=org.path)
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
