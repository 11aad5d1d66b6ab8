"""The checks report: the rules run over each organisation's yearly figures in a subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.utils.translation import gettext as _

from tracker.aggregation.yearly import Aggregator
from tracker.catalogue.models import Indicator
from tracker.checks.engine import Finding, active_rules, explained, run_checks
from tracker.checks.models import Severity
from tracker.entry.models import Report, Value
from tracker.entry.periods import Range, period_end_month
from tracker.orgs.models import Organisation


@dataclass
class FindingRow:
    organisation: Organisation
    finding: Finding
    skipped: bool

    @property
    def severity_label(self) -> str:
        return Severity(self.finding.severity).label

    @property
    def state_label(self) -> str:
        if self.skipped:
            return _("skipped: not all figures known")
        return _("explained") if self.finding.explained else _("broken")


# The figures with a note in the organisations' reports of a year (few: the partial index value_noted
# finds them). Plain SQL: benchmark.py, SPEED A.
_NOTED_SQL = """
SELECT r.organisation_id, r.period_type, r.period_number, i.code
FROM {value} v JOIN {report} r ON r.id = v.report_id JOIN {indicator} i ON i.id = v.indicator_id
WHERE NOT (v.note = '') AND r.organisation_id IN ({orgs}) AND r.year = %s
"""


def _noted(orgs, rng: Range) -> dict[int, set[str]]:
    """Per organisation, the figures with a note in one of its reports of the range (one query)."""
    noted: dict[int, set[str]] = {}
    if not orgs:
        return noted
    sql = _NOTED_SQL.format(
        value=Value._meta.db_table,
        report=Report._meta.db_table,
        indicator=Indicator._meta.db_table,
        orgs=", ".join(["%s"] * len(orgs)),
    )
    with connections[Value.objects.db].cursor() as cursor:
        cursor.execute(sql, [*(org.pk for org in orgs), rng.year])
        rows = cursor.fetchall()
    for org_id, period_type, number, code in rows:
        if period_end_month(period_type, number) <= rng.end_month:
            noted.setdefault(org_id, set()).add(code)
    return noted


def subtree_findings(
    organisation: Organisation, rng: Range, *, include_unapproved: bool, include_unaccepted: bool = False
) -> list[FindingRow]:
    """Each rule is run where its figures are entered: unit rules on each unit, and so on.

    The year-over-year check compares the range with the same range last year (同期).
    """
    previous = rng.same_last_year()
    aggregator = Aggregator(
        organisation, [previous, rng], include_unapproved=include_unapproved, include_unaccepted=include_unaccepted
    )
    aggregator.fetch()
    names = aggregator.catalogue.names()
    rules = active_rules()
    noted = _noted(aggregator.orgs, rng)
    rows: list[FindingRow] = []
    for org in aggregator.orgs:
        now = aggregator.figures_for(org, rng)
        own = [ind for ind in now.indicators if ind.reported_by == org.kind]
        if not any(now.value(ind.code) is not None for ind in own):
            # Nothing entered (or approved) yet: the completeness page says so, not a list of skipped rules.
            continue
        # Last year's figures only where there is something to check (they cost as much as this year's).
        last = aggregator.figures_for(org, previous)
        result = run_checks(
            now.values,
            applicable=[ind.code for ind in own],
            rules=rules,
            last_year=last.values,
            yoy_codes=[ind.code for ind in own if ind.is_entered],
            names=names,
        )
        result = explained(result, noted.get(org.pk, set()))
        rows += [FindingRow(org, f, False) for f in result.violations]
        rows += [FindingRow(org, f, True) for f in result.skipped]
    return rows
