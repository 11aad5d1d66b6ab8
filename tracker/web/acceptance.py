"""The commission's acceptance of the groups' figures: an overview per year, and one group's period."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError
from tracker.orgs.access import get_org_for_user
from tracker.orgs.models import OrgKind
from tracker.web.scope import year_from_query
from tracker.workflow.acceptance import (
    acceptance_actions,
    acceptance_overview,
    acceptance_step,
    acceptance_work,
    group_period,
    groups_of,
    may,
    waiting_for,
)
from tracker.workflow.models import AcceptanceAction


@require_safe
def acceptance_list(request):
    """Every group of the user's organisations, its periods of the year and where each stands with the commission.

    Without `?year=` it opens on the year of the oldest period waiting for the user (to accept, to report, or
    to report again), whichever year that is; with nothing waiting, on the current year.
    """
    year = year_from_query(request, required=False)
    if year is None:
        year = waiting_for(request.user).oldest_year or timezone.localdate().year
    rows = acceptance_overview(groups_of(request.user), year)
    work = acceptance_work(request.user, rows)
    return render(
        request,
        "workflow/acceptance_list.html",
        {
            "year": year,
            "previous_year": year - 1 if year > MIN_YEAR else None,
            "next_year": year + 1 if year < MAX_YEAR else None,
            "rows": rows,
            "to_accept": work.to_accept,
            "to_report": work.to_report,
            "returned": work.returned,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def acceptance_detail(request, group: str, period: str):
    """One group's period: its reports, where it stands, the steps so far, and the actions the user may take."""
    organisation = get_org_for_user(request.user, group)
    if organisation.kind != OrgKind.GROUP:
        raise Http404(_("Only a stationed group reports its figures to the commission."))
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if request.method == "POST":
        if not any(may(request.user, action, organisation) for action in AcceptanceAction.values):
            raise PermissionDenied(_("Your role may not report or accept a group's figures."))
        action = request.POST.get("action", "")
        if action not in AcceptanceAction.values:
            messages.error(request, _("No such action."))
        else:
            try:
                acceptance_step(
                    group=organisation,
                    period=period_obj,
                    user=request.user,
                    action=action,
                    reason=request.POST.get("reason", ""),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": AcceptanceAction(action).label})
        return redirect("entry:acceptance", group=organisation.code, period=str(period_obj))
    state = group_period(organisation, period_obj)
    if not state.of_the_groups_type:
        raise Http404(
            _("%(group)s does not report %(year)s by this period.")
            % {"group": organisation.name, "year": period_obj.year}
        )
    return render(
        request,
        "workflow/acceptance.html",
        {
            "organisation": organisation,
            "period": period_obj,
            "state": state,
            "actions": acceptance_actions(request.user, state),
        },
    )
