"""Reports (one organisation × one period) and the values entered in them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.catalogue.models import Indicator
from tracker.entry.periods import Period, PeriodType
from tracker.orgs.models import Organisation


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class ReportQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """Every `.update()` of reports (a revision bump, a status) moves `updated`, as save() would.

        Nothing else happens here: a service that changes which figures are approved rebuilds the
        approved totals itself (tracker.aggregation.totals; tests/test_totals.py holds who may).
        """
        kwargs.setdefault("updated", timezone.now())
        return super().update(**kwargs)


class Report(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveIntegerField(_("year"))
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    period_number = models.PositiveSmallIntegerField(_("period number"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Bumped on every save of the report's values; the entry page sends back the
    # revision it was opened at, so a save based on stale figures is refused.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # When and by whom its figures were last saved (with the revision; the audit trail holds every
    # save): the completeness page lists it for every report without reading the audit rows.
    figures_saved_at = models.DateTimeField(_("figures last saved"), null=True, blank=True, editable=False)
    figures_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("figures last saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Counted on the commission's pages: its group's figures for the period were accepted there
    # (GroupAcceptance; kept by tracker.workflow.acceptance, never edited by hand).
    accepted = models.BooleanField(_("accepted by the commission"), default=False, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["organisation__path", "year", "period_type", "period_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "period_type", "period_number"],
                name="report_unique_org_period",
            ),
            models.CheckConstraint(
                condition=(
                    Q(period_type=PeriodType.YEAR, period_number=0)
                    | Q(period_type=PeriodType.QUARTER, period_number__gte=1, period_number__lte=4)
                    | Q(period_type=PeriodType.MONTH, period_number__gte=1, period_number__lte=12)
                ),
                name="report_period_number_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.period}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.period_type, self.period_number)


class Value(models.Model):
    """One figure: a report × an indicator. Empty (NULL) means "not known yet", unlike 0."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.BigIntegerField(_("value"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(
        excluded_fields=["updated"], verbose_name=_("value change"), verbose_name_plural=_("value changes")
    )

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("values")
        ordering = ["report", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="value_unique_report_indicator"),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="value_non_negative"),
        ]
        # The few values with a note, found without reading the others (the pages show notes).
        indexes = [models.Index(fields=["report"], condition=~Q(note=""), name="value_noted")]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class DerivedFigure(models.Model):
    """A derived sum as one report makes it, stored beside the entered values it comes from.

    Derived sums are formed per report before anything is added up (a typed total stands for
    its period, else the parts' sum when every part is known: catalogue.figures.derive_period),
    so a group's or the city's sum cannot be added up from the entered values afterwards. They
    are kept here instead, rewritten in the same transaction as every write of the report's
    values (entry.services.derived_figures_refresh), so that every figure a page asks for is
    one GROUP BY over the entered values and these rows. Only sums that are known and were not
    typed have a row (a typed total is an entered value). Shares are never stored: they are
    taken from the added-up counts.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="derived_figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="derivedfigure_unique_report_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} = {self.value}"


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


class OrganisationPeriod(models.Model):
    """Something about one organisation's report of one period, whether or not the report exists yet."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    period_number = models.PositiveSmallIntegerField(_("period number"), default=0)

    class Meta:
        abstract = True

    @property
    def period(self) -> Period:
        return Period(self.year, self.period_type, self.period_number)


class DeadlineException(OrganisationPeriod):
    """Another due date for one organisation's report of one period (a holiday, a late start)."""

    due = models.DateField(_("due"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta(OrganisationPeriod.Meta):
        verbose_name = _("deadline exception")
        verbose_name_plural = _("deadline exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "period_type", "period_number"], name="deadlineexception_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.period_type}{self.period_number}: {self.due}"


class PeriodReopening(OrganisationPeriod):
    """A closed period opened again for one organisation's clerks, by a reviewer, with a reason, for a time."""

    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    until = models.DateTimeField(_("open until"))

    class Meta(OrganisationPeriod.Meta):
        verbose_name = _("period reopening")
        verbose_name_plural = _("period reopenings")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} {self.period_type}{self.period_number} → {self.until}"


class AcceptanceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Reported to the commission")
    ACCEPTED = "accepted", _("Accepted by the commission")
    RETURNED = "returned", _("Returned by the commission")


class GroupAcceptance(OrganisationPeriod):
    """A stationed group's figures for one period, reported to its commission and accepted or returned there.

    When every unit of a group (and the group itself) is approved for a period, the group's
    reviewer reports the period's figures to the commission; a reviewer of the commission accepts
    them or returns them with a reason (tracker.workflow.acceptance). The commission's pages count
    a group's reports only once accepted: the reports an acceptance covers are marked
    (Report.accepted), and aggregation.ApprovedTotal keeps both counts. Every step is recorded in
    workflow.AcceptanceStep.
    """

    status = models.CharField(_("status"), max_length=20, choices=AcceptanceStatus.choices)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(OrganisationPeriod.Meta):
        verbose_name = _("acceptance by the commission")
        verbose_name_plural = _("acceptances by the commission")
        ordering = ["organisation__path", "year", "period_type", "period_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "period_type", "period_number"], name="groupacceptance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.period}: {self.get_status_display()}"
