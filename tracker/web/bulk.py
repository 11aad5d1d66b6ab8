"""Several reports through one workflow step from a list: approve or return (with one reason) the reports
ticked on the start page, the completeness page or the grid, or submit every unit of the grid.

Each ticked report comes as "<id>:<revision>" (the revision the page showed); the service
(tracker.workflow.bulk) takes each through the one transition and says which were done and which refused,
with why: the page the user came from lists both.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.entry.models import Report
from tracker.inputs import parse_whole
from tracker.orgs.access import Permission, orgs_where
from tracker.orgs.models import Organisation
from tracker.web.redirects import safe_next
from tracker.web.transitions import report_label, warn_if_closed
from tracker.workflow.bulk import reports_transition
from tracker.workflow.models import Action

# What a bulk list may do: the reviewer's two steps and the grid's submission (unlocking stays one by one).
BULK_ACTIONS = (Action.APPROVE, Action.RETURN, Action.SUBMIT)


def _chosen(request) -> tuple[list[tuple[Report, int | None]], int]:
    """The ticked reports the user may see, each with the revision the page showed; and how many were not found."""
    wanted: dict[int, int | None] = {}
    unreadable = 0
    for value in request.POST.getlist("report"):
        pk_text, _sep, revision_text = value.partition(":")
        pk = parse_whole(pk_text)
        if pk is None or pk in wanted:
            unreadable += pk is None
            continue
        revision = parse_whole(revision_text) if revision_text else None
        if revision_text and revision is None:
            unreadable += 1
            continue
        wanted[pk] = revision
    found = list(
        Report.objects.filter(pk__in=list(wanted), organisation__in=Organisation.objects.for_user(request.user))
        .select_related("organisation")
        .order_by("pk")
    )
    return [(report, wanted[report.pk]) for report in found], unreadable + len(wanted) - len(found)


@require_POST
def bulk_transition(request):
    """Approve, return or submit the chosen reports, each on its own; back to the page with what was done."""
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        raise PermissionDenied(_("No such action."))
    if not orgs_where(request.user, action).exists():
        raise PermissionDenied(_("Your role may not do this: %(action)s.") % {"action": Permission(action).label})
    back = safe_next(request) or "home"
    chosen, missing = _chosen(request)
    if missing:
        messages.error(
            request,
            _("%(n)d of the chosen reports cannot be found among your organisations' reports: not done.")
            % {"n": missing},
        )
    if not chosen:
        if not missing:
            messages.error(request, _("Tick at least one report."))
        return redirect(back)
    try:
        outcome = reports_transition(
            reports=chosen, user=request.user, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, _("Nothing was done: %(reason)s") % {"reason": message})
        return redirect(back)
    if outcome.done:
        names = "、".join(report_label(report) for report in outcome.done)
        n = len(outcome.done)
        if action == Action.APPROVE:
            text = _("Approved %(n)d report(s): %(reports)s.") % {"n": n, "reports": names}
        elif action == Action.RETURN:
            text = _("Returned %(n)d report(s) to the clerks: %(reports)s.") % {"n": n, "reports": names}
        else:
            text = _("Submitted %(n)d report(s) for review: %(reports)s.") % {"n": n, "reports": names}
        messages.success(request, text)
        if action == Action.RETURN:
            warn_if_closed(request, outcome.done)
    for refusal in outcome.refused:
        messages.error(
            request,
            _("Not done (%(action)s) — %(report)s: %(reasons)s")
            % {
                "action": Action(action).label,
                "report": report_label(refusal.report),
                "reasons": " ".join(refusal.reasons),
            },
        )
    return redirect(back)
