"""The checks report: the rules run over each organisation's yearly figures in a subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tracker.aggregation.yearly import Aggregator
from tracker.checks.engine import Finding, active_rules, run_checks
from tracker.checks.models import Severity
from tracker.entry.periods import Range
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
        return _("skipped: not all figures known") if self.skipped else _("broken")


def subtree_findings(organisation: Organisation, rng: Range, *, include_unapproved: bool) -> list[FindingRow]:
    """Each rule is run where its figures are entered: unit rules on each unit, and so on.

    The year-over-year check compares the range with the same range last year (同期).
    """
    previous = rng.same_last_year()
    aggregator = Aggregator(organisation, [previous, rng], include_unapproved=include_unapproved)
    rules = active_rules()
    rows: list[FindingRow] = []
    for org in aggregator.orgs:
        now, last = aggregator.figures_for(org, rng), aggregator.figures_for(org, previous)
        own = [ind for ind in now.indicators if ind.reported_by == org.kind]
        if not any(now.value(ind.code) is not None for ind in own):
            # Nothing entered (or approved) yet: the completeness page says so, not a list of skipped rules.
            continue
        result = run_checks(
            now.values,
            applicable=[ind.code for ind in own],
            rules=rules,
            last_year=last.values,
            yoy_codes=[ind.code for ind in own if ind.is_entered],
            names={ind.code: ind.name for ind in now.indicators},
        )
        rows += [FindingRow(org, f, False) for f in result.violations]
        rows += [FindingRow(org, f, True) for f in result.skipped]
    return rows
