"""Several reports through one workflow step at once: a reviewer's approvals or returns, a clerk's submissions.

Used by the start page's review list, the completeness page and the group's grid (tracker.web.bulk). Each
report goes through the one step of tracker.workflow.services (permission, row lock, status and revision
check, the checks before a submission, audit row, notification); only the approved totals are left to the
end, rebuilt once per organisation and year for all the reports approved or unlocked.

Why one transaction, with a savepoint per report, and the totals rebuilt at its end:
- a refused report (no permission, its status or figures changed meanwhile, its checks fail, its group's
  figures held by the commission) rolls back its own savepoint only: the others stay done;
- the totals are rebuilt before the one commit, so no reader ever sees an approved report whose figures the
  stored totals do not count yet, nor totals counting a report whose approval was rolled back. A transaction
  per report with one rebuild after the last would leave the totals stale between the commits, and for good
  if the process stopped before the rebuild;
- the reports are locked in one order (by id), so two bulk actions over overlapping lists take turns instead
  of deadlocking. The price is that the chosen reports stay locked until the end: a list is a page's worth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker.aggregation.totals import approved_totals_refresh
from tracker.entry.models import Report
from tracker.orgs.access import NEEDS_REASON, Permission
from tracker.workflow.models import Action
from tracker.workflow.services import transition_without_totals


@dataclass
class Refusal:
    report: Report
    reasons: list[str]


@dataclass
class BulkOutcome:
    action: str
    done: list[Report] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def reports_transition(*, reports: list[tuple[Report, int | None]], user, action: str, reason: str = "") -> BulkOutcome:
    """Take `action` on each (report, revision the page showed it at, or None); say which were done and which
    refused, with why. A return without a reason is refused whole, before anything is done."""
    action = Action(action)
    reason = (reason or "").strip()
    if Permission(action) in NEEDS_REASON and not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    outcome = BulkOutcome(action)
    stale: set[tuple[int, int]] = set()
    with transaction.atomic():
        for report, revision in sorted(reports, key=lambda pair: pair[0].pk):
            try:
                # Its own savepoint (the step's atomic block): a refusal rolls back this report only.
                _transition, keys = transition_without_totals(
                    report=report, user=user, action=action, reason=reason, expected_revision=revision
                )
            except PermissionDenied as exc:
                outcome.refused.append(Refusal(report, [str(exc) or _("Your role may not do this.")]))
            except ValidationError as exc:
                outcome.refused.append(Refusal(report, exc.messages))
            else:
                stale |= keys
                outcome.done.append(report)
        # Once for every organisation-year whose approved figures changed, before the one commit.
        approved_totals_refresh(stale)
    return outcome
