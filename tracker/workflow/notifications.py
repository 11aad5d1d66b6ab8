"""Notifications: reminders (催报) and workflow events, in the app and by e-mail.

Who is told is the permission table's (tracker.orgs.access.people_who_can): those who may take the
next step over the report's own organisation (a membership at it or above it), nobody else; and of
those, each hears of the step that is theirs: a unit's submission its group's reviewers, a group's
period reported to the commission the commission's reviewers (never every unit's submission). Each
notification says what to do next and links to the page where it is done. E-mail
goes through Django's backend (console by default, SMTP from the environment); a person without an
address gets the in-app notification only.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.entry.deadlines import Deadlines, is_closed
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period
from tracker.orgs.access import Permission, people_who_can
from tracker.orgs.models import Organisation, OrgKind
from tracker.workflow.models import Notification
from tracker.workflow.selectors import reporting_periods


def submitters(organisation: Organisation) -> list:
    """Who enters and submits the organisation's figures without reviewing them: told to submit, and of a
    return, an unlock or an approval. A reviewer, who may enter too, is told what reviewers are told. Those of
    the report's group (its home, below), not the commission's clerks, whose role covers every unit too; where
    the group has no clerk of its own, whoever may submit."""
    reviewers = {user.pk for user in people_who_can(organisation, Permission.APPROVE)}
    for within in (_home(organisation), None):
        clerks = [u for u in people_who_can(organisation, Permission.SUBMIT, within=within) if u.pk not in reviewers]
        if clerks:
            return clerks
    return []


def _home(organisation: Organisation) -> Organisation:
    """Whose people look after the organisation's reports: a unit's group; a group's or a commission's, its own."""
    return organisation.parent if organisation.kind == OrgKind.UNIT else organisation


def notify(users, text: str, url: str = "", key: str = "") -> int:
    """Notify each user once (per `key`, when given); returns how many were notified."""
    if key:
        done = set(Notification.objects.filter(user__in=users, key=key).values_list("user_id", flat=True))
        users = [u for u in users if u.pk not in done]
    # The list shows a line (the mail and the linked page say all): a longer one ends in "…", visibly cut.
    line = _shortened(text, Notification._meta.get_field("text").max_length)
    Notification.objects.bulk_create([Notification(user=u, text=line, url=url, key=key) for u in users])
    addresses = [u.email for u in users if u.email]
    if addresses:
        subject = _("Supervision statistics: %(text)s") % {"text": _shortened(text, 60)}
        body = text + (f"\n\n{settings.SITE_URL}{url}" if url else "")
        # Once what caused it is committed: a step rolled back sends nothing.
        transaction.on_commit(lambda: send_mail(subject, body, None, addresses, fail_silently=True))
    return len(users)


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_url(report_or_org, period: Period | None = None) -> str:
    if isinstance(report_or_org, Report):
        return reverse("entry:report", args=[report_or_org.organisation.code, str(report_or_org.period)])
    return reverse("entry:report", args=[report_or_org.code, str(period)])


def remind(organisation: Organisation, period: Period, due: datetime.date, today: datetime.date) -> int:
    """Remind the organisation's clerks to submit (once per report and day)."""
    text = _("Please submit %(org)s's report for %(period)s (due %(due)s).") % {
        "org": organisation.name,
        "period": period.label,
        "due": due.isoformat(),
    }
    key = f"remind:{organisation.pk}:{period}:{today.isoformat()}"
    return notify(submitters(organisation), text, report_url(organisation, period), key)


def reviewers(organisation: Organisation) -> list:
    """Who is asked to review the organisation's submitted report: those who may approve it whose nearest
    membership is at its group or below (a unit's report: its group's reviewers; a group's or a commission's:
    its own), not the reviewers of a commission above, whose role covers every unit of every group but who
    are told of a group's figures when the group reports them (acceptance_event). Where the group has no
    reviewer of its own, whoever may approve is told: someone must."""
    return people_who_can(organisation, Permission.APPROVE, within=_home(organisation)) or people_who_can(
        organisation, Permission.APPROVE
    )


def event(report: Report, action: str, user, reason: str = "") -> None:
    """A workflow step, told to the people it concerns, with what to do next and a link to the report:
    submitted → its group's reviewers; returned, unlocked, approved → its clerks."""
    who = f"{user.last_name}{user.first_name}" or user.get_username()
    names = {"org": report.organisation.name, "period": report.period.label, "who": who}
    if action == "submit":
        text = _("%(who)s submitted %(org)s's report for %(period)s for review.") % names
        users = reviewers(report.organisation)
    elif action == "return":
        text = _(
            "%(who)s returned %(org)s's report for %(period)s. Correct it and submit it again. Reason: %(reason)s"
        ) % (names | {"reason": reason})
        users = submitters(report.organisation)
    elif action == "unlock":
        # The report is a draft again: its clerks correct it and submit it again (their start page lists it too).
        text = _(
            "%(who)s unlocked %(org)s's approved report for %(period)s. Correct it and submit it again. "
            "Reason: %(reason)s"
        ) % (names | {"reason": reason})
        users = submitters(report.organisation)
    elif action == "approve":
        text = _("%(who)s approved %(org)s's report for %(period)s.") % names
        users = submitters(report.organisation)
    else:
        return
    if action in ("return", "unlock") and is_closed(report.organisation, report.period):
        # The clerks are asked to correct a report of a period closed to them: say so, or the link leads
        # them to a page they cannot change (the reviewer who sent it back is told the same on the page).
        text += " " + _(
            "The period is closed for clerks' entry: a reviewer must reopen it for this organisation first."
        )
    notify([u for u in users if u.pk != user.pk], text, report_url(report))


def acceptance_url(group: Organisation, period: Period) -> str:
    return reverse("entry:acceptance", args=[group.code, str(period)])


def acceptance_event(group: Organisation, period: Period, action: str, user, reason: str = "") -> None:
    """A group's period reported → the commission's reviewers; accepted or returned → the group's reviewers."""
    who = f"{user.last_name}{user.first_name}" or user.get_username()
    names = {"org": group.name, "period": period.label, "who": who}
    if action == "report":
        text = _("%(who)s reported %(org)s's figures for %(period)s to the commission for acceptance.") % names
        # Those who may accept or return it: the reviewers of the group's own commission.
        users = people_who_can(group.parent, Permission.ACCEPT, own=True)
    else:
        if action == "accept":
            text = _("%(who)s accepted %(org)s's figures for %(period)s.") % names
        else:
            text = _(
                "%(who)s returned %(org)s's figures for %(period)s. Have them corrected, approve them again and "
                "report them to the commission again. Reason: %(reason)s"
            ) % (names | {"reason": reason})
        # Those who report it again: the group's own reviewers (the commission's know, they took the step).
        users = people_who_can(group, Permission.REPORT_UP, own=True)
    notify([u for u in users if u.pk != user.pk], text, acceptance_url(group, period))


def due_reminders(today: datetime.date, before: int, after: int) -> int:
    """Remind every report not yet submitted that is due in `before` days, or overdue by `after` days or more."""
    sent = 0
    years = {today.year - 1, today.year}
    orgs = list(Organisation.objects.filter(kind__in=["unit", "group", "commission"]))
    reports = {
        (r.organisation_id, r.period): r
        for r in Report.objects.filter(year__in=years).exclude(status=Status.DRAFT).exclude(status=Status.RETURNED)
    }
    for year in years:
        deadlines = Deadlines(orgs, year)
        for org, period in reporting_periods(orgs, year):
            if (org.pk, period) in reports:
                continue
            due = deadlines.due(org, period)
            days = (due - today).days
            if days == before or -days >= after:
                sent += remind(org, period, due, today)
    return sent
