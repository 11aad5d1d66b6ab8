from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from tracker.orgs.access import Permission, orgs_where
from tracker.orgs.models import Organisation, OrgKind, depth, memberships_of
from tracker.orgs.views import lockout_scope
from tracker.reports import workbench


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


# -- error pages ------------------------------------------------------------------------------
# In the site's layout and in the user's language, saying what happened and where to go; the
# JSON API answers its errors in JSON.

ERRORS = {
    400: (
        _("The request could not be understood"),
        _("It carried something this page cannot take, such as a malformed parameter. Go back and try again."),
    ),
    403: (
        _("You may not do this"),
        _("Your role does not allow this page or action. Ask your organisation's administrator if you need it."),
    ),
    404: (
        _("Page not found"),
        _("There is no such page, or it belongs to an organisation outside yours."),
    ),
    500: (
        _("Something went wrong on the server"),
        _(
            "The request could not be completed and the error was recorded. Try again later; if it keeps "
            "happening, tell your administrator."
        ),
    ),
}


def _error(request, status: int) -> HttpResponse:
    title, explanation = ERRORS[status]
    if request.path.startswith("/api/"):
        return JsonResponse({"error": str(title)}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "explanation": explanation}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    try:
        return _error(request, 500)
    except Exception:  # noqa: BLE001 - the error page itself failed: say it plainly
        return HttpResponse(str(ERRORS[500][0]), status=500, content_type="text/plain; charset=utf-8")
