"""The record of every status change of a report: who, when, from what to what, and why."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.entry.models import Report, Status
from tracker.entry.periods import PeriodType


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    RETURN = "return", _("Return")
    APPROVE = "approve", _("Approve")
    UNLOCK = "unlock", _("Unlock")


class ReportTransition(models.Model):
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.from_status} → {self.to_status}"


class Deadline(models.Model):
    """When a report of a period type is due: `day` of the month `months_after` its period ends.

    A quarter on the 10th of the following month is (1, 10); a year on 20 January is (1, 20).
    Without a row for a period type, tracker.workflow.deadlines.DEFAULTS apply.
    """

    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices, unique=True)
    months_after = models.PositiveSmallIntegerField(
        _("months after the period ends"), default=1, validators=[MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day of that month"), default=10, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.get_period_type_display()}: +{self.months_after} / {self.day}"


class DeadlineException(models.Model):
    """Another due date for one organisation's report of one period (a holiday, a late start)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    period_number = models.PositiveSmallIntegerField(_("period number"), default=0)
    due = models.DateField(_("due"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline exception")
        verbose_name_plural = _("deadline exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "period_type", "period_number"], name="deadlineexception_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.period_type}{self.period_number}: {self.due}"
