"""The notification list, and reminders (催报) a reviewer sends for overdue or unsubmitted reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tracker.entry.deadlines import Deadlines
from tracker.entry.periods import Period, PeriodError
from tracker.orgs.access import Permission, can, orgs_where
from tracker.orgs.models import Organisation
from tracker.web.redirects import safe_next
from tracker.workflow.models import Notification
from tracker.workflow.notifications import remind


@require_safe
def notification_list(request):
    """The user's latest notifications; opening the list marks them read."""
    notes = list(request.user.notifications.all()[:100])
    Notification.objects.filter(user=request.user, read=False).update(read=True)
    return render(request, "workflow/notifications.html", {"notes": notes})


@require_POST
def send_reminders(request):
    """Remind the clerks of each chosen report (`report` = "<org code>:<period>"), once a day each."""
    if not orgs_where(request.user, Permission.APPROVE).exists():
        raise PermissionDenied(_("Only reviewers send reminders, to their own organisations."))
    today = timezone.localdate()
    sent = 0
    for value in request.POST.getlist("report"):
        code, _sep, period_text = value.partition(":")
        organisation = Organisation.objects.for_user(request.user).filter(code=code).first()
        try:
            period = Period.parse(period_text)
        except PeriodError:
            continue
        if organisation is None or not can(request.user, Permission.APPROVE, organisation):
            raise PermissionDenied(_("Only reviewers send reminders, to their own organisations."))
        due = Deadlines([organisation], period.year).due(organisation, period)
        sent += remind(organisation, period, due, today)
    messages.success(request, _("Reminders sent: %(n)d.") % {"n": sent})
    return redirect(safe_next(request) or "home")
