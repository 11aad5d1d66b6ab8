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

from tracker.catalogue.figures import report_figures
from tracker.catalogue.models import Catalogue, Indicator
from tracker.checks.engine import CheckResult, active_rules, run_checks
from tracker.entry.models import Report, Status, Value
from tracker.orgs.access import NEEDS_REASON, Permission, allowed, require
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
    return [
        {"action": action, "label": action.label, "needs_reason": Permission(action) in NEEDS_REASON}
        for action, (sources, _target) in TRANSITIONS.items()
        if report.status in sources and Permission(action) in permitted
    ]


def report_checks(report: Report, *, rules=None) -> CheckResult:
    """The validation rules and the year-over-year check over one report's own figures."""
    values = {
        code: value for code, value in Value.objects.filter(report=report).values_list("indicator__code", "value")
    }
    values = report_figures(values, Catalogue.active())
    last = Report.objects.filter(
        organisation=report.organisation,
        year=report.year - 1,
        period_type=report.period_type,
        period_number=report.period_number,
    ).first()
    last_values = dict(Value.objects.filter(report=last).values_list("indicator__code", "value")) if last else None
    reported = Indicator.objects.active().filter(reported_by=report.organisation.kind)
    return run_checks(
        values,
        applicable=reported.values_list("code", flat=True),
        rules=active_rules() if rules is None else rules,
        last_year=last_values,
        yoy_codes=reported.entered().values_list("code", flat=True),
    )


def _check_submission(report: Report) -> None:
    result = report_checks(report)
    problems = [_("Error: %(message)s") % {"message": finding.message} for finding in result.errors]
    notes = {
        code
        for code, note in Value.objects.filter(report=report).values_list("indicator__code", "note")
        if note.strip()
    }
    for finding in result.warnings:
        if not notes & set(finding.codes):
            problems.append(
                _("Warning without a note: %(message)s Add a note to one of the figures involved.")
                % {"message": finding.message}
            )
    if problems:
        raise ValidationError(problems, code="checks_failed")


def report_transition(*, report: Report, user, action: str, reason: str = "") -> ReportTransition:
    sources, target = TRANSITIONS[Action(action)]
    require(user, action, report.organisation)
    reason = (reason or "").strip()
    if Permission(action) in NEEDS_REASON and not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status not in sources:
            raise ValidationError(
                _("This report is %(status)s; it cannot be changed that way now.")
                % {"status": locked.get_status_display()},
                code="wrong_status",
            )
        if action == Action.SUBMIT:
            _check_submission(locked)
        transition = ReportTransition.objects.create(
            report=locked, action=action, from_status=locked.status, to_status=target, user=user, reason=reason
        )
        Report.objects.filter(pk=locked.pk).update(status=target)
        report.status = target
    return transition
