"""The account pages: lifting log-in lockouts, changing one's password."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tracker.inputs import parse_whole
from tracker.orgs.access import Permission, orgs_where
from tracker.orgs.apps import MUST_CHANGE_PASSWORD
from tracker.orgs.models import Membership, PasswordChangeRequired


def lockout_scope(user) -> list[str]:
    """User names whose lockouts this user may lift: members of the organisations where they may."""
    orgs = orgs_where(user, Permission.LIFT_LOCKOUT)
    if not orgs.exists():
        raise PermissionDenied(_("Only reviewers and administrators can lift lockouts."))
    return list(Membership.objects.filter(organisation__in=orgs).values_list("user__username", flat=True).distinct())


def lockouts(request):
    """Locked-out log-ins of people in the user's organisations, each with a button to lift it."""
    usernames = lockout_scope(request.user)
    attempts = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("-attempt_time")
    if request.method == "POST":
        # Only a whole number can name an attempt; anything else names none.
        chosen = parse_whole(request.POST.get("attempt", ""))
        attempt = attempts.filter(pk=chosen).first() if chosen is not None else None
        if attempt is None:
            messages.error(request, _("No such lockout: it may have been lifted or have expired already."))
        else:
            reset(username=attempt.username, ip=attempt.ip_address)
            messages.success(request, _("Lockout lifted for %(name)s.") % {"name": attempt.username})
        return redirect("lockouts")
    return render(request, "registration/lockouts.html", {"attempts": attempts})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a required change (PasswordChangeRequired) is done with it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        PasswordChangeRequired.objects.filter(user=self.request.user).delete()
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return response
