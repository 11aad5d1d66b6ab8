"""The record of every status change of a report: who, when, from what to what, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.entry.models import AcceptanceStatus, GroupAcceptance, Report, Status


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    RETURN = "return", _("Return")
    APPROVE = "approve", _("Approve")
    UNLOCK = "unlock", _("Unlock")


class Step(models.Model):
    """Who took a step of a workflow, when, and why; the subclasses say of what, and from what to what."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class ReportTransition(Step):
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)

    class Meta(Step.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.report} {self.from_status} → {self.to_status}"


class Notification(models.Model):
    """A message for one person: a reminder (催报) or a workflow event, listed at /notifications/."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read = models.BooleanField(_("read"), default=False)
    # What makes it once only (a reminder: per report and day); empty for events.
    key = models.CharField(_("key"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="notification_once")
        ]
        indexes = [models.Index(fields=["user", "read"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text


class AcceptanceAction(models.TextChoices):
    REPORT = "report", _("Report to the commission")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", _("Return to the group")


class AcceptanceStep(Step):
    """One step of a group's period between the group and its commission: who, when, and why."""

    acceptance = models.ForeignKey(
        GroupAcceptance, verbose_name=_("acceptance"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("action"), max_length=10, choices=AcceptanceAction.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=AcceptanceStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=AcceptanceStatus.choices)

    class Meta(Step.Meta):
        verbose_name = _("acceptance step")
        verbose_name_plural = _("acceptance steps")

    def __str__(self) -> str:
        return f"{self.acceptance} {self.from_status} → {self.to_status}"
