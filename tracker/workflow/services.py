"""Moving a report through draft → submitted → approved, with return and unlock.

    draft ──submit──▶ submitted ──approve──▶ approved ──unlock (reason)──▶ draft
                         │
                         └─return (reason)──▶ returned ──submit──▶ submitted

Each rule is checked here, whatever the caller: who may take which action is the permission
table's (tracker.orgs.access; clerks and reviewers submit, only reviewers return, approve and
unlock), the statuses are TRANSITIONS below. Submission runs the validation rules: errors
block it, warnings need a note on one of the figures involved.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker.aggregation.totals import approved_totals_refresh
from tracker.checks.report import report_checks
from tracker.entry.models import Report, Status
from tracker.orgs.access import NEEDS_REASON, Permission, allowed, require
from tracker.orgs.models import Organisation
from tracker.workflow import notifications
from tracker.workflow.acceptance import group_of, unlock_refusal
from tracker.workflow.models import Action, ReportTransition

# action → (statuses it starts from, status it ends in). Who may take it, and whether it needs a
# reason, is the permission table's (tracker.orgs.access): the action's name is its permission.
TRANSITIONS = {
    Action.SUBMIT: ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
    Action.RETURN: ((Status.SUBMITTED,), Status.RETURNED),
    Action.APPROVE: ((Status.SUBMITTED,), Status.APPROVED),
    Action.UNLOCK: ((Status.APPROVED,), Status.DRAFT),
}


def allowed_actions(*, report: Report, user) -> list[dict]:
    """The actions this user may take on this report now (for the buttons; the service re-checks).

    Each is {"action", "label", "needs_reason"}, so the template decides nothing itself.
    """
    permitted = allowed(user, report.organisation)
    actions = [
        {"action": action, "label": action.label, "needs_reason": Permission(action) in NEEDS_REASON}
        for action, (sources, _target) in TRANSITIONS.items()
        if report.status in sources and Permission(action) in permitted
    ]
    if any(a["action"] == Action.UNLOCK for a in actions) and unlock_refusal(report):
        # Its group's figures are with the commission: no button that can only be refused.
        actions = [a for a in actions if a["action"] != Action.UNLOCK]
    return actions


def _check_submission(report: Report, user) -> None:
    result = report_checks(report, viewer=user)
    problems = [_("Error: %(message)s") % {"message": finding.message} for finding in result.errors]
    for finding in result.warnings:
        if not finding.explained:
            problems.append(
                _("Warning without a note: %(message)s Add a note to one of the figures involved.")
                % {"message": finding.message}
            )
    if problems:
        raise ValidationError(problems, code="checks_failed")


def report_transition(
    *, report: Report, user, action: str, reason: str = "", expected_revision: int | None = None
) -> ReportTransition:
    """Take one workflow step on one report, with the approved totals it changes rebuilt in the same transaction.

    `expected_revision`: the report's revision the page showed (a bulk action's list); a report whose figures
    were saved again since is refused. Several reports at once: tracker.workflow.bulk.reports_transition.
    """
    with transaction.atomic():
        transition, keys = transition_without_totals(
            report=report, user=user, action=action, reason=reason, expected_revision=expected_revision
        )
        # Which figures are approved changed (approve, unlock): the pages' totals follow, in this transaction.
        approved_totals_refresh(keys)
    return transition


def transition_without_totals(
    *, report: Report, user, action: str, reason: str = "", expected_revision: int | None = None
) -> tuple[ReportTransition, set[tuple[int, int]]]:
    """The step itself (permission, row lock, status and revision check, audit row, notification), leaving the
    approved totals to the caller: returns the (organisation id, year) pairs whose totals it made stale, which
    the caller must rebuild in the same transaction (report_transition, or the bulk action once for all)."""
    sources, target = TRANSITIONS[Action(action)]
    require(user, action, report.organisation)
    reason = (reason or "").strip()
    if Permission(action) in NEEDS_REASON and not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    with transaction.atomic():
        if action == Action.UNLOCK and (group := group_of(report.organisation)) is not None:
            # The group's row first, as the commission's steps take it: an unlock and a report to the
            # commission of the same period never pass each other.
            Organisation.objects.select_for_update().filter(pk=group.pk).first()
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status not in sources:
            raise ValidationError(
                _("This report is %(status)s; it cannot be changed that way now.")
                % {"status": locked.get_status_display()},
                code="wrong_status",
            )
        if expected_revision is not None and locked.revision != expected_revision:
            raise ValidationError(
                _("Its figures were saved again after you opened the page; open it and check them first."),
                code="stale",
            )
        if action == Action.SUBMIT:
            _check_submission(locked, user)
        if action == Action.UNLOCK and (refusal := unlock_refusal(locked)):
            raise ValidationError(refusal, code="held_by_commission")
        transition = ReportTransition.objects.create(
            report=locked, action=action, from_status=locked.status, to_status=target, user=user, reason=reason
        )
        Report.objects.filter(pk=locked.pk).update(status=target)
        keys = {(locked.organisation_id, locked.year)} if Status.APPROVED in (locked.status, target) else set()
        report.status = target
        notifications.event(locked, action, user, reason)
    return transition, keys
