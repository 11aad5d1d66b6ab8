"""The start page (the workbench) and the user's own account page."""

from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker.orgs.access import Permission, orgs_where
from tracker.orgs.models import Organisation, OrgKind, depth, memberships_of
from tracker.reports import workbench
from tracker.web.accounts import lockout_scope


@require_safe
def home(request):
    """The workbench: what is left to do for each of the user's roles, and their organisations.

    Clerks see the reports to fill (returned first, with the reason), reviewers what waits for
    review and who is late, leaders their organisation's headline figures, the commission its
    groups' timeliness (tracker.reports.workbench).
    """
    user = request.user
    orgs = list(Organisation.objects.for_user(user).order_by("path"))
    top = min((depth(org.path) for org in orgs), default=1)
    # Each with its depth below the user's topmost organisation, for the indentation of the tree.
    rows = [(org, depth(org.path) - top) for org in orgs]
    context = {"rows": rows, "orgs": orgs}
    if orgs_where(user, Permission.ENTER).exists():
        context["tasks"] = workbench.tasks_to_fill(user)
    if orgs_where(user, Permission.APPROVE).exists():
        context["review"] = workbench.review_work(user)
    if orgs_where(user, Permission.REPORT_UP).exists() or orgs_where(user, Permission.ACCEPT).exists():
        context["acceptance"] = workbench.acceptance_work(user)
    if orgs_where(user, Permission.LIFT_LOCKOUT).exists():
        context["lockouts"] = AccessAttempt.objects.filter(
            username__in=lockout_scope(user), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).count()
    home_org = min((m.organisation for m in memberships_of(user)), key=lambda o: len(o.path), default=None)
    if home_org is not None and workbench.is_leader(user, home_org):
        context["leader"] = workbench.leader_view(home_org, request.GET.get("indicator"))
    if home_org is not None and home_org.kind == OrgKind.COMMISSION:
        context["overview_year"] = timezone.localdate().year
        context["overview"] = workbench.commission_overview(home_org, context["overview_year"])
    return render(request, "home.html", context)


@require_safe
def account(request):
    """The user's own page: who they are, their organisations and roles, and the password change."""
    return render(request, "registration/account.html", {"memberships": memberships_of(request.user)})
