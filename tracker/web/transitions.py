"""A report's workflow actions from the entry page: submit, return, approve, unlock."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.entry.deadlines import is_closed
from tracker.entry.models import Report
from tracker.entry.periods import Period, PeriodError
from tracker.entry.services import report_get
from tracker.orgs.access import get_org_for_user
from tracker.workflow.models import Action
from tracker.workflow.services import report_transition


def _report_for_user(request, org: str, period: str) -> Report:
    organisation = get_org_for_user(request.user, org)
    try:
        report = report_get(organisation=organisation, period=Period.parse(period))
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if report is None:
        raise Http404("No such report.")
    return report


@require_POST
def transition(request, org: str, period: str, action: str):
    """Submit, return, approve or unlock a report (the service checks role, status and rules)."""
    if action not in Action.values:
        raise Http404("No such action.")
    report = _report_for_user(request, org, period)
    try:
        report_transition(report=report, user=request.user, action=action, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
        if action in (Action.RETURN, Action.UNLOCK):
            warn_if_closed(request, [report])
    return redirect("entry:report", org=org, period=period)


def report_label(report: Report) -> str:
    return f"{report.organisation.name} · {report.period.label}"


def warn_if_closed(request, sent_back: list[Report]) -> None:
    """Reports just returned or unlocked whose period is closed for clerks' entry: their clerks cannot correct
    them until a reviewer reopens the period for each organisation (their notice says the same)."""
    closed = [report for report in sent_back if is_closed(report.organisation, report.period)]
    if len(closed) == 1 and len(sent_back) == 1:
        messages.warning(
            request,
            _(
                "This period is closed for clerks' entry: reopen it for this organisation (below), or the "
                "clerks cannot correct the report."
            ),
        )
    elif closed:
        messages.warning(
            request,
            _(
                "These periods are closed for clerks' entry: reopen each for its organisation on the report's page, "
                "or the clerks cannot correct them: %(reports)s."
            )
            % {"reports": "、".join(report_label(r) for r in closed)},
        )
