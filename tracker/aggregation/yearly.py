"""Yearly figures for an organisation, from its subtree's reports.

The one aggregation used by every summary page, export, the review text and the JSON:

- within an organisation that enters an indicator, sub-period reports add up for `sum`
  indicators; `latest` (cumulative, 累计) indicators take the last period with a value;
- above it, a group's figure for a unit-entered indicator is the sum over its units, and
  the commission's is the sum over all units of all its groups (the sum over its groups);
- "not known" stays distinct from 0: a figure none of whose reporters has a value is
  None, and a sum over reporters some of which have no value says how many are missing;
- derived figures (sums, four-form shares) come from tracker.aggregation.figures.

Only approved reports count unless `include_unapproved` is set.

Queries are bounded whatever the size of the data: organisations, indicators, values and
report counts are each read once for the whole subtree and all requested years.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from tracker.aggregation.figures import FormShare, derive, derived_parts, four_forms, sum_known
from tracker.catalogue.models import Aggregation, Indicator
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import Period, PeriodType
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
    # How many of the organisations that enter this figure have not (for a sum over units).
    missing: int = 0
    reporters: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass
class OrgYear:
    """Everything the pages show for one organisation and year."""

    organisation: Organisation
    year: int
    indicators: list[Indicator]
    figures: dict[str, Figure]
    four_forms: list[FormShare]
    unapproved_reports: int
    reports: int

    def value(self, code: str) -> int | Decimal | None:
        figure = self.figures.get(code)
        return figure.value if figure else None

    @property
    def values(self) -> dict[str, int | Decimal | None]:
        return {code: figure.value for code, figure in self.figures.items()}


class Aggregator:
    """Reads a subtree's reports for some years once, then answers per organisation and year."""

    def __init__(
        self,
        root: Organisation,
        years: Iterable[int],
        *,
        include_unapproved: bool = False,
        subtree: bool = True,
    ):
        """`subtree=False` reads only the root's own reports (the commission's city-wide figures)."""
        self.root = root
        self.years = sorted(set(years))
        self.include_unapproved = include_unapproved
        if subtree:
            self.orgs = list(Organisation.objects.filter(path__startswith=root.path))
        else:
            self.orgs = [root]
        self.by_id = {org.pk: org for org in self.orgs}
        self.all_indicators = list(Indicator.objects.active())
        self.by_code = {ind.code: ind for ind in self.all_indicators}

        reports = Report.objects.filter(organisation__in=[o.pk for o in self.orgs], year__in=self.years)
        counted = reports if include_unapproved else reports.filter(status=Status.APPROVED)
        # (org id, year, indicator id) -> [(period key, value, note)]
        self._entered: dict[tuple[int, int, int], list[tuple[tuple[str, int], int | None, str]]] = defaultdict(list)
        rows = Value.objects.filter(report__in=counted, indicator__active=True).values_list(
            "report__organisation_id",
            "report__year",
            "report__period_type",
            "report__period_number",
            "indicator_id",
            "value",
            "note",
        )
        for org_id, year, ptype, pnum, ind_id, value, note in rows:
            self._entered[(org_id, year, ind_id)].append(((ptype, pnum), value, note))

        # Report counts per organisation and year: all, and not yet approved.
        self._report_counts: dict[tuple[int, int], tuple[int, int]] = {}
        # …and the period type each organisation uses in each year.
        self._period_types: dict[tuple[int, int], str] = {}
        for row in reports.values("organisation_id", "year", "period_type").annotate(
            total=Count("id"), unapproved=Count("id", filter=~Q(status=Status.APPROVED))
        ):
            key = (row["organisation_id"], row["year"])
            total, unapproved = self._report_counts.get(key, (0, 0))
            self._report_counts[key] = (total + row["total"], unapproved + row["unapproved"])
            self._period_types[key] = row["period_type"]
        self._cache: dict[tuple[int, int], OrgYear] = {}
        self._reporters: dict[tuple[int, str], list[Organisation]] = {}

    # -- per reporting organisation ---------------------------------------------------------

    def _own_figure(self, org: Organisation, year: int, indicator: Indicator) -> Figure:
        """The figure an organisation entered itself, over the periods of the year."""
        entries = sorted(self._entered.get((org.pk, year, indicator.pk), []), key=lambda e: e[0])
        notes = [note for _, _, note in entries if note]
        values = [value for _, value, _ in entries]
        if indicator.aggregation == Aggregation.LATEST:
            # A running total: the last period that has one.
            latest = next((v for v in reversed(values) if v is not None), None)
            return Figure(latest, missing=int(latest is None), notes=notes)
        total, _ = sum_known(values)
        return Figure(total, missing=int(total is None), notes=notes)

    def reporters(self, org: Organisation, indicator: Indicator) -> list[Organisation]:
        """The organisations in `org`'s subtree that enter `indicator`."""
        key = (org.pk, indicator.reported_by)
        if key not in self._reporters:
            self._reporters[key] = [
                o for o in self.orgs if o.kind == indicator.reported_by and o.path.startswith(org.path)
            ]
        return self._reporters[key]

    def figure(self, org: Organisation, year: int, indicator: Indicator) -> Figure:
        if org.kind == indicator.reported_by:
            return self._own_figure(org, year, indicator)
        parts = [self._own_figure(o, year, indicator) for o in self.reporters(org, indicator)]
        total, missing = sum_known([p.value for p in parts])
        return Figure(total, missing=missing, reporters=len(parts))

    # -- per organisation and year ----------------------------------------------------------

    def org_year(self, org: Organisation, year: int) -> OrgYear:
        key = (org.pk, year)
        if key not in self._cache:
            self._cache[key] = self._build(org, year)
        return self._cache[key]

    def _build(self, org: Organisation, year: int) -> OrgYear:
        shown = indicators_for(org.kind, self.all_indicators)
        figures: dict[str, Figure] = {}
        for ind in shown:
            if ind.is_entered:
                figures[ind.code] = self.figure(org, year, ind)
        derived = derive({code: f.value for code, f in figures.items()})
        for ind in shown:
            if ind.is_derived:
                # A figure made of partial sums is partial too: carry the parts' missing units.
                parts = [figures[p] for p in derived_parts(ind.code) if p in figures]
                figures[ind.code] = Figure(
                    derived.get(ind.code),
                    missing=max((p.missing for p in parts), default=0),
                    reporters=max((p.reporters for p in parts), default=1),
                )
        total = unapproved = 0
        for o in self.orgs:
            if o.path.startswith(org.path):
                counts = self._report_counts.get((o.pk, year), (0, 0))
                total += counts[0]
                unapproved += counts[1]
        return OrgYear(
            organisation=org,
            year=year,
            indicators=shown,
            figures=figures,
            four_forms=four_forms({code: f.value for code, f in figures.items()}),
            unapproved_reports=unapproved,
            reports=total,
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
