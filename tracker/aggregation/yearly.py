"""Figures for an organisation over a range of a year (全年, 前三季度, 1—9月), from its subtree's reports.

The one aggregation used by every summary page, export, the review text, the checks page and
the JSON. It is in four parts:

- `sql.py`: every statement it runs, built from plain values (no caller writes SQL);
- `counts.py`: the reports counted per range and the notes, each read when first asked for;
- `results.py`: what it answers, `Figure`, `BreakdownFigures` and `OrgFigures`;
- this module: the `Aggregator`, which fetches the rows and builds the results.

The order of adding up is what makes the totals right:

1. within each reporting organisation and period, derived figures are formed first (a typed
   total stands for that period, else the parts' sum when every part is known). This happens
   when values are written: entry.services.derived_figures_refresh stores each report's
   derived sums (entry.DerivedFigure) in the same transaction as the values, so they are
   rows like the entered values and add up the same way;
2. then the periods of the range add up for that reporter: `sum` indicators add, `latest`
   (cumulative, 累计) ones take the last period with a value;
3. then reporters add up the tree: a group's figure for a unit-entered indicator is the sum
   over its units, the commission's the sum over all of them;
4. shares are taken last, in Python, from the added-up counts (figures.share_values,
   breakdown_shares).

Steps 2 and 3 are one SQL statement (`sql.figures_query`): the entered values and derived sums of
the counted reports, grouped per reporter, period type and indicator (sum, number of periods
known, the last period's value), then joined to every organisation asked for through the
tree's closure table (orgs.TreeLink) and grouped per organisation, year and indicator, with
the number of reporters that have every period of the range. Python receives one row per
organisation × indicator × year, never a row per value: time grows with the organisations and
indicators shown, not with the values stored. Approved figures, the default, are read the same
way from the stored running totals (`sql.totals_query`), kept up to date when reports are approved.

A reporter that has not entered every period of the range for a figure is *incomplete* for
it; a figure says how many of its reporters are (`Figure.missing`), and "not known" (None)
stays distinct from 0. A reporter whose period type cannot make the range (a yearly
reporter asked for 前三季度) is incomplete too, and counted in `OrgFigures.unavailable`.

Only approved reports count unless `include_unapproved` is set. A commission's pages count, of
its groups' and units' reports, only the periods it has accepted from each group
(entry.GroupAcceptance marks the reports it covers: Report.accepted; its own reports need none)
unless `include_unaccepted` is set: the stored totals keep both counts (ApprovedTotal.accepted).
Queries are bounded whatever the size of the data: the subtree and the catalogue are read once
when the Aggregator is made; the reports' period types and counts, and the notes, once each when
first asked for; the figures once per range end month and depth of the organisations asked for
(a summary: one; the per-unit page: two; the checks page: one per level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.db.models import Count, Q

from tracker.aggregation import sql
from tracker.aggregation.counts import ReportCounts, ReportNotes
from tracker.aggregation.results import KIND_RANK, Figure, OrgFigures, indicators_for
from tracker.catalogue.figures import share_values
from tracker.catalogue.models import Aggregation, Catalogue, Indicator
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period, PeriodType, Range
from tracker.orgs.models import Organisation, OrgKind, path_prefixes


class Aggregator:
    """Reads a subtree's reports for some ranges, then answers per organisation and range.

    Figures are fetched on demand, for every organisation of the subtree at the depth asked
    for at once (all the children when the per-unit page asks for one of them).
    """

    def __init__(
        self,
        root: Organisation,
        ranges: Iterable[Range | int],
        *,
        include_unapproved: bool = False,
        include_unaccepted: bool = False,
        subtree: bool = True,
        stored: bool = True,
        catalogue: Catalogue | None = None,
    ):
        """`ranges` are Ranges, or years for whole years. `subtree=False` reads only the root's own
        reports (the commission's city-wide figures). `stored=False` adds approved figures up live
        from the values, as unapproved ones always are (the tests check the stored totals by it).
        Under a commission, `include_unaccepted` counts approved figures its groups have not yet had
        accepted (`include_unapproved` counts everything). `catalogue`: the one another aggregator of
        the same request has read already."""
        self.root = root
        self.ranges = sorted(
            {Range.full(r) if isinstance(r, int) else r for r in ranges}, key=lambda r: (r.year, r.end_month)
        )
        self.years = sorted({r.year for r in self.ranges})
        self.include_unapproved = include_unapproved
        # Acceptance is the commission's: a group's pages count what the group approved.
        self.acceptance_applies = root.kind == OrgKind.COMMISSION and subtree
        self.accepted_only = self.acceptance_applies and not (include_unapproved or include_unaccepted)
        if include_unapproved:
            self.counted = sql.Counted.ALL
        else:
            self.counted = sql.Counted.ACCEPTED if self.accepted_only else sql.Counted.APPROVED
        self.subtree = subtree
        self.stored = stored
        if subtree:
            self.orgs = list(Organisation.objects.filter(path__startswith=root.path))
        else:
            self.orgs = [root]
        by_path = {org.path: org for org in self.orgs}
        # Each organisation with itself and its ancestors within the subtree.
        self._up: dict[int, list[Organisation]] = {
            org.pk: [by_path[p] for p in path_prefixes(org.path) if p in by_path] for org in self.orgs
        }
        # (organisation id, kind) -> how many organisations of that kind its subtree holds.
        self._kind_counts: dict[tuple[int, str], int] = defaultdict(int)
        for org in self.orgs:
            for above in self._up[org.pk]:
                self._kind_counts[(above.pk, org.kind)] += 1
        self.catalogue = catalogue or Catalogue.active()
        self.all_indicators = self.catalogue.indicators
        self.by_code = self.catalogue.by_code
        self._code_of = {ind.pk: ind.code for ind in self.all_indicators}
        months = sorted({r.end_month for r in self.ranges})

        # Read when first asked for.
        self.report_counts = ReportCounts(
            root_id=root.pk, subtree=subtree, years=self.years, months=months, acceptance=self.acceptance_applies
        )
        self.notes = ReportNotes(
            root_id=root.pk, subtree=subtree, years=self.years, counted=self.counted, code_of=self._code_of
        )
        # (organisation id, year, end month) -> {code: (sum, latest, complete by sum, complete by latest)}
        self._sums: dict[tuple[int, int, int], dict[str, tuple[int, int, int, int]]] = {}
        self._fetched: set[tuple[int, int]] = set()  # (depth, end month)
        self._cache: dict[tuple[int, Range], OrgFigures] = {}
        # Per organisation kind: its indicators, the counts among them, and each share with its parts.
        self._shown: dict[str, tuple[list[Indicator], list[Indicator], list[tuple[Indicator, tuple[str, ...]]]]] = {}
        self._counts_cache: dict[tuple[int, int], dict[int, tuple[int, int, int, int]]] = {}
        self._reporters: dict[tuple[int, str], list[Organisation]] = {}

    # -- fetching -----------------------------------------------------------------------------

    def fetch(self, orgs: Iterable[Organisation] | None = None) -> None:
        """Read the figures of `orgs` (default: every organisation of the subtree) for every range at
        once: a page that shows several depths (the per-unit page, the checks) asks for them here, in
        one statement for approved figures (one per range end for live ones), instead of one per
        depth and range end as each organisation is built."""
        depths = {org.path.count("/") for org in (self.orgs if orgs is None else orgs)}
        self._fetch(depths, {r.end_month for r in self.ranges})

    def _fetch(self, depths: set[int], months: set[int]) -> None:
        """The figures of every organisation of the subtree at `depths`, for every year, through
        each of `months` (each range's end)."""
        wanted = {(d, m) for d in depths for m in months} - self._fetched
        if not wanted:
            return
        self._fetched |= wanted
        depths = sorted({d for d, _m in wanted})
        months = sorted(m for m in {m for _d, m in wanted} if sql.last_periods(m, reporters_only=True))
        if not months or not any(org.path.count("/") in depths for org in self.orgs):
            return
        where = {"root_id": self.root.pk, "subtree": self.subtree, "depths": depths}
        if self.stored and not self.include_unapproved:
            periods = sorted({(r.year, r.end_month) for r in self.ranges if r.end_month in months})
            rows = sql.run(sql.totals_query(**where, periods=periods, accepted=self.accepted_only))
        else:
            rows = []
            for month in months:
                years = sorted({r.year for r in self.ranges if r.end_month == month})
                query = sql.figures_query(**where, years=years, month=month, counted=self.counted)
                rows += [(org_id, year, month, *rest) for org_id, year, *rest in sql.run(query)]
        code_of, sums = self._code_of, self._sums
        for org_id, year, month, indicator_id, total, latest, complete_sum, complete_latest in rows:
            code = code_of.get(indicator_id)
            if code is not None:
                sums.setdefault((org_id, year, month), {})[code] = (
                    int(total),
                    int(latest),
                    int(complete_sum),
                    int(complete_latest),
                )

    # -- building, per organisation and range -------------------------------------------------

    def reporters(self, org: Organisation, indicator: Indicator) -> list[Organisation]:
        """The organisations in `org`'s subtree that enter `indicator`."""
        key = (org.pk, indicator.reported_by)
        if key not in self._reporters:
            self._reporters[key] = [
                o for o in self.orgs if o.kind == indicator.reported_by and o.path.startswith(org.path)
            ]
        return self._reporters[key]

    def figure(self, org: Organisation, rng: Range, indicator: Indicator) -> Figure:
        """One figure of one organisation (of a reporter: its own), without forming all the others."""
        if indicator.is_share or KIND_RANK[indicator.reported_by] < KIND_RANK[org.kind]:
            figure = self.figures_for(org, rng).figures.get(indicator.code)
            return figure if figure is not None else Figure(None, missing=1)
        self._fetch({org.path.count("/")}, {rng.end_month})
        return self._count(org, rng, indicator, self._sums.get((org.pk, rng.year, rng.end_month), {}))

    def _count(self, org: Organisation, rng: Range, ind: Indicator, sums: dict) -> Figure:
        """A count (not a share) from the added-up rows: its value, and how many reporters lack periods."""
        org_id = org.id
        reporters = self._kind_counts.get((org_id, ind.reported_by), 0)
        row = sums.get(ind.code)
        if row is None:
            value, complete = None, 0
        elif ind.aggregation == Aggregation.LATEST:
            value, complete = row[1], row[3]
        else:
            value, complete = row[0], row[2]
        own = ind.reported_by == org.kind
        return Figure(
            value,
            missing=max(reporters, 1 if own else 0) - complete,
            reporters=max(reporters, 1) if own else reporters,
        )

    def figures_for(self, org: Organisation, rng: Range) -> OrgFigures:
        key = (org.pk, rng)
        if key not in self._cache:
            self._cache[key] = self._build(org, rng)
        return self._cache[key]

    def org_year(self, org: Organisation, year: int) -> OrgFigures:
        """The whole year's figures."""
        return self.figures_for(org, Range.full(year))

    def _build(self, org: Organisation, rng: Range) -> OrgFigures:
        # Every range at once: a page building several (the trend's years) reads them in one statement.
        self._fetch({org.path.count("/")}, {r.end_month for r in self.ranges})
        sums = self._sums.get((org.pk, rng.year, rng.end_month), {})
        if org.kind not in self._shown:
            shown = indicators_for(org.kind, self.all_indicators)
            shares = []
            for ind in shown:
                if ind.is_share:
                    breakdown = self.catalogue.share_breakdown(ind)
                    shares.append((ind, breakdown.parts if breakdown else ()))
            self._shown[org.kind] = (shown, [ind for ind in shown if not ind.is_share], shares)
        shown, counts, shares_of = self._shown[org.kind]
        figures: dict[str, Figure] = {ind.code: self._count(org, rng, ind, sums) for ind in counts}
        shares = share_values({code: f.value for code, f in figures.items()}, self.catalogue)
        for ind, parts in shares_of:
            # A share of partial sums is partial too: it carries its breakdown's incomplete reporters.
            of_parts = [figures[p] for p in parts if p in figures]
            figures[ind.code] = Figure(
                shares.get(ind.code),
                missing=max((p.missing for p in of_parts), default=0),
                reporters=max((p.reporters for p in of_parts), default=1),
            )
        total, unapproved, unaccepted, unavailable = self._subtree_counts(rng).get(org.pk, (0, 0, 0, 0))
        return OrgFigures(
            organisation=org,
            range=rng,
            indicators=shown,
            figures=figures,
            catalogue=self.catalogue,
            unapproved_reports=unapproved,
            reports=total,
            unaccepted_reports=unaccepted if self.acceptance_applies else 0,
            accepted_only=self.accepted_only,
            unavailable=unavailable,
            own_unavailable=self._unavailable(org, rng),
            notes_of=partial(self.notes.of, org.pk, rng),
        )

    def _subtree_counts(self, rng: Range) -> dict[int, tuple[int, int, int, int]]:
        """Per organisation: its subtree's reports in the range, those not yet approved, those approved
        but not accepted by the commission, and its reporters whose period type cannot make the
        range; added up the tree once per range."""
        key = (rng.year, rng.end_month)
        if key not in self._counts_cache:
            counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for o in self.orgs:
                total, open_, unaccepted = self.report_counts.reports(o.pk, rng)
                unavailable = int(self._unavailable(o, rng))
                if total or open_ or unavailable:
                    for above in self._up[o.pk]:
                        row = counts[above.pk]
                        row[0] += total
                        row[1] += open_
                        row[2] += unaccepted
                        row[3] += unavailable
            self._counts_cache[key] = {pk: tuple(row) for pk, row in counts.items()}
        return self._counts_cache[key]

    def _unavailable(self, org: Organisation, rng: Range) -> bool:
        """The organisation reports this year by a period type that cannot make the range."""
        ptype = self.report_counts.period_type(org.pk, rng.year)
        return ptype is not None and rng.periods_of(ptype) is None

    def entry_period(self, org: Organisation, year: int) -> Period:
        """Where to enter the organisation's figures for the year: its first period, of the type it uses."""
        return Period.all_in_year(year, self.report_counts.period_type(org.pk, year) or PeriodType.YEAR)[0]

    def children(self, org: Organisation) -> list[Organisation]:
        return sorted((o for o in self.orgs if o.parent_id == org.pk), key=lambda o: (o.order, o.path))


def years_with_figures(org: Organisation) -> dict[int, bool]:
    """Every year in which the organisation's subtree has a report, and whether one of them is approved:
    what a leader's page counts unless it includes unapproved reports (one query). The report pages open
    on the latest year with figures, never on an empty year because it is the current one."""
    rows = (
        Report.objects.filter(organisation__path__startswith=org.path)
        .values_list("year")
        .annotate(approved=Count("pk", filter=Q(status=Status.APPROVED)))
        .order_by("year")
    )
    return {year: approved > 0 for year, approved in rows}


def years_with_data(org: Organisation) -> list[int]:
    """Every year in which the organisation's subtree has a report (one query)."""
    return sorted(
        Report.objects.filter(organisation__path__startswith=org.path)
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
