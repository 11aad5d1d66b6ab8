"""The aggregation's SQL: every statement the Aggregator and ReportCounts run, built here.

Each function takes plain values (ids, years, a month, a depth, a `Counted` choice) and returns
the statement with its parameters. Nothing that becomes SQL text comes from a caller: table
names are the models' (`_meta.db_table`) quoted by the connection, literals are this module's
own choices (period types, the commission's kind) or integers formatted with `:d`, and every
value from the caller (organisation ids, years, months, statuses) is a parameter.

Why plain SQL rather than the ORM: the figures are one statement of a shape (a CTE, a UNION, a
join on the tree's closure table) the ORM cannot write, and the counts and notes are small
statements that are cheaper so (tracker/demo/management/commands/benchmark.py, SPEED A).
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.db import connection, connections
from django.db.models import Model

from tracker.aggregation.models import ApprovedTotal
from tracker.catalogue.models import Indicator
from tracker.entry.models import DerivedFigure, Report, Status, Value
from tracker.entry.periods import MONTHS_PER_PERIOD, PeriodType
from tracker.orgs.models import Organisation, OrgKind, TreeLink


class Counted(enum.Enum):
    """Which reports a figure counts."""

    ALL = "all"  # include_unapproved
    APPROVED = "approved"
    # Approved and, of a commission's groups and units, accepted by the commission.
    ACCEPTED = "accepted"


Query = tuple[str, list]


def run(query: Query) -> list[tuple]:
    """The rows of a statement, read where the router sends the reports' reads (the replica on report pages)."""
    sql, params = query
    with connections[Report.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


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
FROM per_reporter p JOIN {treelink} t ON t.descendant_id = p.org_id AND t.ancestor_depth IN ({depths})
GROUP BY t.ancestor_id, p.year, p.indicator_id
"""

# Approved figures (the default): each reporter's stored running totals to the range's end
# (ApprovedTotal), one row per reporter and indicator, added up per organisation asked for.
_TOTALS_SQL = """
SELECT t.ancestor_id, a.year, a.end_month, a.indicator_id, SUM(a.total), SUM(a.latest),
       SUM(CASE WHEN a.known = a.periods THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.latest_current THEN 1 ELSE 0 END)
FROM {totals} a JOIN {treelink} t ON t.descendant_id = a.organisation_id AND t.ancestor_depth IN ({depths})
WHERE {scope} AND a.year IN ({years}) AND a.end_month IN ({months})
  AND (a.year, a.end_month) IN (VALUES {pairs}) AND a.accepted = %s
GROUP BY t.ancestor_id, a.year, a.end_month, a.indicator_id
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


def figures_query(
    *, root_id: int, subtree: bool, depths: list[int], years: list[int], month: int, counted: Counted
) -> Query:
    """Per organisation at one of `depths`, year and indicator, added up live from the counted reports'
    values and derived sums: (sum, latest, reporters complete by sum, reporters complete by latest)."""
    last = last_periods(month, reporters_only=True)
    expected = {ptype: (1 if ptype == PeriodType.YEAR else number) for ptype, number in last.items()}
    status, status_params = _counted(counted)
    sql = _FIGURES_SQL.format(
        report=_table(Report),
        organisation=_table(Organisation),
        value=_table(Value),
        derived=_table(DerivedFigure),
        indicator=_table(Indicator),
        treelink=_table(TreeLink),
        scope=_scope("r.organisation_id", subtree),
        years=_placeholders(years),
        in_range=_in_range(month, reporters_only=True),
        status=status,
        depths=_placeholders(depths),
        k=_K,
        expected=_case("p.ptype", expected),
        last=_case("p.ptype", last),
    )
    return sql, [root_id, *years, *status_params, *depths]


def totals_query(
    *, root_id: int, subtree: bool, depths: list[int], periods: list[tuple[int, int]], accepted: bool
) -> Query:
    """The same rows as `figures_query` for approved reports, from the stored totals, for every (year,
    end month) in `periods` at once; each row says its end month after the year."""
    years = sorted({year for year, _month in periods})
    months = sorted({month for _year, month in periods})
    sql = _TOTALS_SQL.format(
        totals=_table(ApprovedTotal),
        treelink=_table(TreeLink),
        depths=_placeholders(depths),
        scope=_scope("a.organisation_id", subtree),
        years=_placeholders(years),
        months=_placeholders(months),
        pairs=", ".join(["(%s, %s)"] * len(periods)),
    )
    pairs = [value for pair in periods for value in pair]
    return sql, [*depths, root_id, *years, *months, *pairs, accepted]


def counts_query(*, root_id: int, subtree: bool, years: list[int], months: list[int], acceptance: bool) -> Query:
    """Per organisation, year and period type, for each month in `months`: the reports in the range to
    that month, those not approved and (with `acceptance`) those approved but not accepted."""
    columns = []
    params: list = []
    for month in months:
        in_range = _in_range(month, reporters_only=False)
        columns += [
            f"SUM(CASE WHEN {in_range} THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN ({in_range}) AND r.status <> %s THEN 1 ELSE 0 END)",
        ]
        params.append(Status.APPROVED)
        if acceptance:
            columns.append(f"SUM(CASE WHEN ({in_range}) AND r.status = %s AND NOT {_accepted()} THEN 1 ELSE 0 END)")
            params.append(Status.APPROVED)
    sql = _COUNTS_SQL.format(
        report=_table(Report),
        columns=", ".join(columns),
        scope=_scope("r.organisation_id", subtree),
        years=_placeholders(years),
    )
    return sql, [*params, root_id, *years]


def notes_query(*, root_id: int, subtree: bool, years: list[int], counted: Counted) -> Query:
    """The notes of the counted reports: (organisation, year, period type, number, indicator id, note)."""
    status, status_params = _counted(counted)
    sql = _NOTES_SQL.format(
        value=_table(Value),
        report=_table(Report),
        scope=_scope("r.organisation_id", subtree),
        years=_placeholders(years),
        status=status,
    )
    return sql, [root_id, *years, *status_params]


def last_periods(month: int, *, reporters_only: bool) -> dict[str, int]:
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


# -- fragments, each from this module's own choices -----------------------------------------


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _scope(column: str, subtree: bool) -> str:
    """The reporters counted: the root's subtree, or the root alone. One parameter, the root's id."""
    if subtree:
        return f"{column} IN (SELECT descendant_id FROM {_table(TreeLink)} WHERE ancestor_id = %s)"  # noqa: S608 - a table name
    return f"{column} = %s"


def _accepted() -> str:
    """The report `r` counts on a commission's pages: a commission's own, or accepted from its group."""
    commission = OrgKind.COMMISSION.value
    return f"(r.accepted OR r.organisation_id IN (SELECT id FROM {_table(Organisation)} WHERE kind = '{commission}'))"  # noqa: S608 - a table name and a constant


def _counted(counted: Counted) -> tuple[str, list]:
    """The reports counted, as SQL over `r` with its parameters."""
    if counted is Counted.ALL:
        return "", []
    accepted = f" AND {_accepted()}" if counted is Counted.ACCEPTED else ""
    return "AND r.status = %s" + accepted, [Status.APPROVED]


def _in_range(month: int, *, reporters_only: bool) -> str:
    """The reports whose period ends by `month`, as SQL over `r` (literals only: types and numbers)."""
    last = last_periods(month, reporters_only=reporters_only)
    if not last:
        return "1 = 0"
    return (
        "("
        + " OR ".join(
            f"(r.period_type = '{ptype}' AND r.period_number <= {number:d})" for ptype, number in last.items()
        )
        + ")"
    )


def _case(column: str, by_type: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{ptype}' THEN {number:d}" for ptype, number in by_type.items())
    return f"(CASE {column} {whens} ELSE -1 END)"
