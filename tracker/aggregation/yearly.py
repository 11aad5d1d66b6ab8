"""Figures for an organisation over a range of a year (全年, 前三季度, 1—9月), from its subtree's reports.

The one aggregation used by every summary page, export, the review text, the checks page and
the JSON. The order of adding up is what makes the totals right:

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

Steps 2 and 3 are one SQL statement (`_FIGURES_SQL`): the entered values and derived sums of
the counted reports, grouped per reporter, period type and indicator (sum, number of periods
known, the last period's value), then joined to every organisation asked for through the
tree's closure table (orgs.TreeLink) and grouped per organisation, year and indicator, with
the number of reporters that have every period of the range. Python receives one row per
organisation × indicator × year, never a row per value: time grows with the organisations and
indicators shown, not with the values stored, and a figure approved a moment ago is on the
next page load (there is no analytics table to rebuild).

A reporter that has not entered every period of the range for a figure is *incomplete* for
it; a figure says how many of its reporters are (`Figure.missing`), and "not known" (None)
stays distinct from 0. A reporter whose period type cannot make the range (a yearly
reporter asked for 前三季度) is incomplete too, and counted in `OrgFigures.unavailable`.

Only approved reports count unless `include_unapproved` is set. A commission's pages count, of
its groups' and units' reports, only the periods it has accepted from each group
(entry.GroupAcceptance marks the reports it covers: Report.accepted; its own reports need none)
unless `include_unaccepted` is set: the stored totals keep both counts (ApprovedTotal.accepted).
Queries are bounded whatever
the size of the data: the subtree, the catalogue, the reports' period types and counts and
the notes are read once; the figures once per range end month and depth of the organisations
asked for (a summary: one; the per-unit page: two; the checks page: one per level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import connections
from django.db.models import Count, Q

from tracker.aggregation.models import ApprovedTotal
from tracker.catalogue.figures import Change, PartShare, breakdown_shares, change, share_values
from tracker.catalogue.models import Aggregation, Breakdown, Catalogue, Indicator
from tracker.entry.models import DerivedFigure, Report, Status, Value
from tracker.entry.periods import MONTHS_PER_PERIOD, Period, PeriodType, Range, period_end_month
from tracker.orgs.models import Organisation, OrgKind, TreeLink, path_prefixes

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
    catalogue: Catalogue
    unapproved_reports: int
    reports: int
    # On a commission's pages: approved reports of periods it has not accepted from their group…
    unaccepted_reports: int = 0
    # …and whether its figures leave those out (False: counted, or a group's page, where it does not apply).
    accepted_only: bool = False
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

    def change(self, indicator: Indicator, last: OrgFigures) -> Change:
        """This figure against `last` (the same range last year): the one 同比 of every page, export,
        document and the start page, marked partial when either side is incomplete."""
        return change(
            self.value(indicator.code),
            last.value(indicator.code),
            is_share=indicator.is_share,
            partial=bool(self.incomplete(indicator) or last.incomplete(indicator)),
        )

    @cached_property
    def breakdowns(self) -> list[BreakdownFigures]:
        """Every breakdown of the catalogue whose whole and parts this organisation shows."""
        figures, catalogue = self.figures, self.catalogue
        values = self.values
        result = []
        for breakdown in catalogue.breakdowns:
            if breakdown.whole in figures and all(p in figures for p in breakdown.parts):
                result.append(
                    BreakdownFigures(
                        breakdown=breakdown,
                        whole=catalogue.by_code[breakdown.whole],
                        whole_figure=figures[breakdown.whole],
                        parts=[
                            (catalogue.by_code[share.code], figures[share.code], share)
                            for share in breakdown_shares(breakdown, values)
                        ],
                        featured=any(p in catalogue.share_indicator_of for p in breakdown.parts),
                    )
                )
        return result

    @property
    def share_breakdowns(self) -> list[BreakdownFigures]:
        """The breakdowns the catalogue gives shares for: exact ones."""
        return [b for b in self.breakdowns if b.breakdown.is_exact]


# The last period's value rides along with the period number: MAX(number × K + value) keeps the
# last period's value, recovered as the remainder by K. Every figure is below K (MAX_FIGURE).
_K = 2**31
assert settings.MAX_FIGURE < _K

_FIGURES_SQL = """
WITH rep AS (
    SELECT r.id, r.organisation_id AS org_id, r.year, r.period_type AS ptype, r.period_number AS pnum, o.kind
    FROM {report} r JOIN {organisation} o ON o.id = r.organisation_id
    WHERE {scope} AND r.year IN ({years}) AND ({in_range}) {status}
),
fig AS (
    SELECT rep.org_id, rep.year, rep.ptype, rep.pnum, rep.kind, v.indicator_id, v.value
    FROM {value} v JOIN rep ON rep.id = v.report_id
    WHERE v.value IS NOT NULL
    UNION ALL
    SELECT rep.org_id, rep.year, rep.ptype, rep.pnum, rep.kind, d.indicator_id, d.value
    FROM {derived} d JOIN rep ON rep.id = d.report_id
),
per_reporter AS (
    SELECT fig.org_id, fig.year, fig.ptype, fig.indicator_id,
           SUM(fig.value) AS total, COUNT(*) AS known, MAX(fig.pnum * {k} + fig.value) AS last_value
    FROM fig JOIN {indicator} i ON i.id = fig.indicator_id
    WHERE i.reported_by = fig.kind AND i.active
    GROUP BY fig.org_id, fig.year, fig.ptype, fig.indicator_id
)
SELECT t.ancestor_id, p.year, p.indicator_id,
       SUM(p.total), SUM(p.last_value %% {k}),
       SUM(CASE WHEN p.known = {expected} THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.last_value >= {last} * {k} THEN 1 ELSE 0 END)
FROM per_reporter p JOIN {treelink} t ON t.descendant_id = p.org_id AND t.ancestor_depth = {depth:d}
GROUP BY t.ancestor_id, p.year, p.indicator_id
"""


# Approved figures (the default): each reporter's stored running totals to the range's end
# (aggregation.ApprovedTotal), one row per reporter and indicator, added up per organisation asked for.
_TOTALS_SQL = """
SELECT t.ancestor_id, a.year, a.indicator_id, SUM(a.total), SUM(a.latest),
       SUM(CASE WHEN a.known = a.periods THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.latest_current THEN 1 ELSE 0 END)
FROM {totals} a JOIN {treelink} t ON t.descendant_id = a.organisation_id AND t.ancestor_depth = %s
WHERE {scope} AND a.year IN ({years}) AND a.end_month = %s AND a.accepted = %s
GROUP BY t.ancestor_id, a.year, a.indicator_id
"""


# Per organisation, year and period type: the reports in each range asked for, and those not approved.
_COUNTS_SQL = """
SELECT r.organisation_id, r.year, r.period_type, {columns}
FROM {report} r WHERE {scope} AND r.year IN ({years})
GROUP BY r.organisation_id, r.year, r.period_type
"""

# The notes of the counted reports (few: the partial index value_noted finds them).
_NOTES_SQL = """
SELECT r.organisation_id, r.year, r.period_type, r.period_number, v.indicator_id, v.note
FROM {value} v JOIN {report} r ON r.id = v.report_id
WHERE NOT (v.note = '') AND {scope} AND r.year IN ({years}) {status}
"""


# The report `r` counts on a commission's pages: a commission's own, or accepted from its group.
_ACCEPTED_SQL = "(r.accepted OR r.organisation_id IN (SELECT id FROM {organisation} WHERE kind = '{commission}'))"


def _accepted_sql() -> str:
    return _ACCEPTED_SQL.format(organisation=Organisation._meta.db_table, commission=OrgKind.COMMISSION.value)


def _range_sql(month: int, *, reporters_only: bool) -> str:
    """The reports whose period ends by `month` as SQL over `r` (literals only: types and numbers)."""
    last = _last_periods(month, reporters_only=reporters_only)
    if not last:
        return "1 = 0"
    return (
        "("
        + " OR ".join(
            f"(r.period_type = '{ptype}' AND r.period_number <= {number:d})" for ptype, number in last.items()
        )
        + ")"
    )


def _last_periods(month: int, *, reporters_only: bool) -> dict[str, int]:
    """The last period number of each period type whose periods end by `month`.

    With `reporters_only`, only period types that can make the range (1—9月 from quarters or
    months, not from a year) are kept.
    """
    last = {}
    for ptype in PeriodType.values:
        per = MONTHS_PER_PERIOD[ptype]
        if reporters_only and month % per:
            continue
        if ptype == PeriodType.YEAR and month < 12:
            continue
        last[ptype] = 0 if ptype == PeriodType.YEAR else month // per
    return last


def _case(column: str, by_type: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{ptype}' THEN {number:d}" for ptype, number in by_type.items())
    return f"(CASE {column} {whens} ELSE -1 END)"


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
        self._months = sorted({r.end_month for r in self.ranges})

        # Two small statements in plain SQL: built by the ORM, they cost more than they take to run.
        years = ", ".join(["%s"] * len(self.years))
        # The period type each organisation uses each year, and its reports within each range.
        self._period_types: dict[tuple[int, int], str] = {}
        # (organisation id, year, end month) -> (reports, not yet approved, approved but not accepted)
        counts: dict[tuple[int, int, int], tuple[int, int, int]] = {}
        columns = []
        width = 3 if self.acceptance_applies else 2
        for month in self._months:
            in_range = _range_sql(month, reporters_only=False)
            columns += [
                f"SUM(CASE WHEN {in_range} THEN 1 ELSE 0 END)",
                f"SUM(CASE WHEN ({in_range}) AND r.status <> %s THEN 1 ELSE 0 END)",
            ]
            if self.acceptance_applies:
                columns.append(
                    f"SUM(CASE WHEN ({in_range}) AND r.status = %s AND NOT {_accepted_sql()} THEN 1 ELSE 0 END)"
                )
        sql = _COUNTS_SQL.format(
            report=Report._meta.db_table,
            columns=", ".join(columns),
            scope=self._scope_sql("r.organisation_id"),
            years=years,
        )
        params = [Status.APPROVED] * (len(self._months) * (width - 1)) + [root.pk, *self.years]
        with connections[Report.objects.db].cursor() as cursor:
            cursor.execute(sql, params)
            for org_id, year, ptype, *sums in cursor.fetchall():
                self._period_types[(org_id, year)] = ptype
                for n, month in enumerate(self._months):
                    row = [int(sums[width * n + i] or 0) for i in range(width)]
                    counts[(org_id, year, month)] = (row[0], row[1], row[2] if width == 3 else 0)
        self._report_counts = counts

        # (organisation id, year, code) -> [(period, note)], of the counted reports.
        self._notes: dict[tuple[int, int, str], list[tuple[Period, str]]] = defaultdict(list)
        sql = _NOTES_SQL.format(
            value=Value._meta.db_table,
            report=Report._meta.db_table,
            scope=self._scope_sql("r.organisation_id"),
            years=years,
            status=self._counted_sql(),
        )
        params = [root.pk, *self.years] + ([] if include_unapproved else [Status.APPROVED])
        with connections[Report.objects.db].cursor() as cursor:
            cursor.execute(sql, params)
            for org_id, year, ptype, pnum, indicator_id, note in cursor.fetchall():
                code = self._code_of.get(indicator_id)
                if code is not None:
                    self._notes[(org_id, year, code)].append((Period(year, ptype, pnum), note))

        self._noted = {(org_id, year) for org_id, year, _code in self._notes}
        # (organisation id, year, end month) -> {code: (sum, latest, complete by sum, complete by latest)}
        self._sums: dict[tuple[int, int, int], dict[str, tuple[int, int, int, int]]] = {}
        self._fetched: set[tuple[int, int]] = set()  # (depth, end month)
        self._cache: dict[tuple[int, Range], OrgFigures] = {}
        self._shown: dict[str, list[Indicator]] = {}
        self._counts_cache: dict[tuple[int, int], dict[int, tuple[int, int, int]]] = {}
        self._reporters: dict[tuple[int, str], list[Organisation]] = {}

    # -- the query ----------------------------------------------------------------------------

    def _fetch(self, depth: int, month: int) -> None:
        """The figures of every organisation of the subtree at `depth`, for every year, through `month`."""
        if (depth, month) in self._fetched:
            return
        self._fetched.add((depth, month))
        targets = [org for org in self.orgs if org.path.count("/") == depth]
        years = [r.year for r in self.ranges if r.end_month == month]
        last = _last_periods(month, reporters_only=True)
        if not targets or not last:
            return
        if self.stored and not self.include_unapproved:
            sql = _TOTALS_SQL.format(
                totals=ApprovedTotal._meta.db_table,
                treelink=TreeLink._meta.db_table,
                years=", ".join(["%s"] * len(years)),
                scope=self._scope_sql("a.organisation_id"),
            )
            self._read_sums(sql, [depth, self.root.pk, *years, month, self.accepted_only], month)
            return
        expected = {ptype: (1 if ptype == PeriodType.YEAR else number) for ptype, number in last.items()}
        range_sql = _range_sql(month, reporters_only=True)
        params: list = [self.root.pk, *years]
        status = self._counted_sql()
        if not self.include_unapproved:
            params.append(Status.APPROVED)
        sql = _FIGURES_SQL.format(
            report=Report._meta.db_table,
            organisation=Organisation._meta.db_table,
            value=Value._meta.db_table,
            derived=DerivedFigure._meta.db_table,
            indicator=Indicator._meta.db_table,
            treelink=TreeLink._meta.db_table,
            scope=self._scope_sql("r.organisation_id"),
            years=", ".join(["%s"] * len(years)),
            in_range=range_sql,
            status=status,
            depth=depth,
            k=_K,
            expected=_case("p.ptype", expected),
            last=_case("p.ptype", last),
        )
        self._read_sums(sql, params, month)

    def _counted_sql(self) -> str:
        """The reports counted, as SQL over `r`: all, the approved (one parameter), or the accepted among them."""
        if self.include_unapproved:
            return ""
        return "AND r.status = %s" + (f" AND {_accepted_sql()}" if self.accepted_only else "")

    def _scope_sql(self, column: str) -> str:
        """The reporters counted: the root's subtree, or (subtree=False) the root alone. One parameter."""
        if self.subtree:
            return f"{column} IN (SELECT descendant_id FROM {TreeLink._meta.db_table} WHERE ancestor_id = %s)"  # noqa: S608 - table and column names only
        return f"{column} = %s"

    def _read_sums(self, sql: str, params: list, month: int) -> None:
        with connections[Report.objects.db].cursor() as cursor:
            cursor.execute(sql, params)
            for org_id, year, indicator_id, total, latest, complete_sum, complete_latest in cursor.fetchall():
                code = self._code_of.get(indicator_id)
                if code is not None:
                    self._sums.setdefault((org_id, year, month), {})[code] = (
                        int(total),
                        int(latest),
                        int(complete_sum),
                        int(complete_latest),
                    )

    # -- per organisation and range ---------------------------------------------------------

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
        self._fetch(org.path.count("/"), rng.end_month)
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
            notes=self._own_notes(org, rng, ind.code) if own and (org_id, rng.year) in self._noted else [],
        )

    def figures_for(self, org: Organisation, rng: Range) -> OrgFigures:
        key = (org.pk, rng)
        if key not in self._cache:
            self._cache[key] = self._build(org, rng)
        return self._cache[key]

    def org_year(self, org: Organisation, year: int) -> OrgFigures:
        """The whole year's figures."""
        return self.figures_for(org, Range.full(year))

    def _own_notes(self, org: Organisation, rng: Range, code: str) -> list[str]:
        if (org.pk, rng.year) not in self._noted:
            return []
        return [note for period, note in self._notes.get((org.pk, rng.year, code), ()) if self._in(period, rng)]

    @staticmethod
    def _in(period: Period, rng: Range) -> bool:
        return period_end_month(period.type, period.number) <= rng.end_month

    def _build(self, org: Organisation, rng: Range) -> OrgFigures:
        self._fetch(org.path.count("/"), rng.end_month)
        sums = self._sums.get((org.pk, rng.year, rng.end_month), {})
        if org.kind not in self._shown:
            self._shown[org.kind] = indicators_for(org.kind, self.all_indicators)
        shown = self._shown[org.kind]
        figures: dict[str, Figure] = {}
        for ind in shown:
            if not ind.is_share:
                figures[ind.code] = self._count(org, rng, ind, sums)
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
        )

    def _subtree_counts(self, rng: Range) -> dict[int, tuple[int, int, int, int]]:
        """Per organisation: its subtree's reports in the range, those not yet approved, those approved
        but not accepted by the commission, and its reporters whose period type cannot make the
        range; added up the tree once per range."""
        key = (rng.year, rng.end_month)
        if key not in self._counts_cache:
            counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for o in self.orgs:
                total, open_, unaccepted = self._report_counts.get((o.pk, rng.year, rng.end_month), (0, 0, 0))
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
        ptype = self._period_types.get((org.pk, rng.year))
        return ptype is not None and rng.periods_of(ptype) is None

    def entry_period(self, org: Organisation, year: int) -> Period:
        """Where to enter the organisation's figures for the year: its first period, of the type it uses."""
        return Period.all_in_year(year, self._period_types.get((org.pk, year), PeriodType.YEAR))[0]

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
