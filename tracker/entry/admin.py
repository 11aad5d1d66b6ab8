from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.catalogue.models import Indicator
from tracker.entry.forms import FigureField
from tracker.entry.models import Deadline, DeadlineException, PeriodReopening, Report, Status, Value
from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period
from tracker.entry.services import (
    EDITABLE_STATUSES,
    Source,
    check_period_type,
    derived_figures_refresh,
    figures_saved,
    report_get_or_create,
)
from tracker.orgs.admin import AutocompleteKeysChecked
from tracker.orgs.models import OrgKind


def indicator_refusal(indicator: Indicator, report: Report | None) -> str | None:
    """Why the admin may not write a figure of this indicator in this report, or None.

    The entry page's rules: an organisation enters only the active, entered (not derived,
    unless the total may be typed) indicators of its own kind.
    """
    names = {"name": indicator.name, "code": indicator.code}
    if not indicator.active:
        return _("The indicator “%(name)s” (%(code)s) is switched off and cannot be entered.") % names
    if not indicator.is_entered:
        return _("The indicator “%(name)s” (%(code)s) is computed from other figures and cannot be entered.") % names
    # On the add page the report's organisation is known only once the report form is valid.
    organisation = report.organisation if report is not None and report.organisation_id else None
    if organisation is not None and indicator.reported_by != organisation.kind:
        return _(
            "%(org)s does not enter the indicator “%(name)s” (%(code)s): that figure is entered by a %(kind)s."
        ) % {**names, "org": organisation.name, "kind": OrgKind(indicator.reported_by).label}
    return None


class ValueInlineForm(forms.ModelForm):
    # parse_figure's rules and messages, as on the entry page: no negatives, no decimals,
    # at most settings.MAX_FIGURE (the column itself would take far more).
    value = FigureField(
        label=Value._meta.get_field("value").verbose_name,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "vIntegerField", "autocomplete": "off"}),
    )

    class Meta:
        model = Value
        fields = ["indicator", "value", "note"]

    def __init__(self, *args, report: Report | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        # Only writes are checked: an untouched row of, say, a since switched-off indicator
        # does not stop the report's other figures from being saved (or it from being deleted).
        if indicator is not None and self.has_changed():
            refusal = indicator_refusal(indicator, self.report)
            if refusal:
                self.add_error("indicator", refusal)
        return cleaned


class ValueFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        # The report (on the add page, the one being created) for the organisation check.
        return {**super().get_form_kwargs(index), "report": self.instance}


class ValueInline(AutocompleteKeysChecked, admin.TabularInline):
    model = Value
    form = ValueInlineForm
    formset = ValueFormSet
    extra = 0
    fields = ["indicator", "value", "note"]
    autocomplete_fields = ["indicator"]

    # Approved figures are locked here as on the entry page: unlock the report first.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _locked(obj)


def _locked(report) -> bool:
    return report is not None and report.status not in EDITABLE_STATUSES


class ReportAdminForm(forms.ModelForm):
    # The revision the change page was opened at. Compared under the report's row lock, which the
    # admin's transaction then holds while the inlines are written: a clerk's or an import's save
    # landing after the page was opened refuses this one, instead of being overwritten unseen.
    opened_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Report
        fields = ["organisation", "year", "period_type", "period_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_revision"].initial = self.instance.revision

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                _("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR},
                code="year_range",
            )
        return year

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            locked = Report.objects.select_for_update().filter(pk=self.instance.pk).values_list("revision", "status")
            revision, status = locked.first() or (None, None)
            if self.instance.status in EDITABLE_STATUSES and status is not None and status not in EDITABLE_STATUSES:
                # Submitted or approved since this request read it (the inline judged it editable): its
                # figures are the workflow's now, and nothing here may change what counts.
                raise ValidationError(
                    _("This report is %(status)s and cannot be changed.") % {"status": Status(status).label},
                    code="locked",
                )
            if "opened_revision" not in self.errors and cleaned.get("opened_revision") != revision:
                raise ValidationError(
                    _(
                        "Someone changed this report's figures after you opened this page; nothing was saved. "
                        "Open the report again to see their figures, then make your change."
                    ),
                    code="stale",
                )
        # The same rule as everywhere: one period type per organisation and year.
        if self.instance.pk is None and not self.errors:
            period = Period(cleaned["year"], cleaned["period_type"], cleaned["period_number"])
            check_period_type(organisation=cleaned["organisation"], period=period)
        return cleaned


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records can be read in the admin, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports with their values inline. The status changes only through the workflow (with its
    record and checks), and a report's organisation and period are fixed once it exists."""

    form = ReportAdminForm
    list_display = ["organisation", "period_label", "status", "updated"]
    list_filter = ["year", "period_type", "status", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__code"]
    inlines = [ValueInline]

    @admin.display(description=gettext_lazy("period"), ordering="year")
    def period_label(self, obj: Report) -> str:
        # "2023年全年", "2023年第一季度": a yearly report is not "period 0".
        return obj.period.label

    def has_delete_permission(self, request, obj=None):
        # A submitted or approved report is part of the record: it is returned or unlocked through
        # the workflow first (which records why), and only then may a draft be deleted here (its
        # values' deletions are audited). The bulk "delete selected" action is off for the same reason.
        return super().has_delete_permission(request, obj) and not _locked(obj)

    def delete_model(self, request, obj):
        # Checked again under the report's row lock: a report submitted or approved since this request
        # read it counts now, and is not deleted here (which would leave the approved totals stale).
        if Report.objects.select_for_update().filter(pk=obj.pk).exclude(status__in=EDITABLE_STATUSES).exists():
            raise PermissionDenied
        super().delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "revision"]
        return fixed + (["organisation", "year", "period_type", "period_number"] if obj else [])

    def save_model(self, request, obj, form, change):
        if change:
            # Nothing of an existing report is edited here (see get_readonly_fields): touch it
            # without writing back a status or revision the workflow may have moved meanwhile.
            obj.save(update_fields=["updated"])
            return
        # Created as everywhere else, with the period-type rule checked again at creation.
        report = report_get_or_create(organisation=obj.organisation, period=obj.period)
        # The admin goes on with its own object (the inlines hold it): make it that report.
        for field in Report._meta.concrete_fields:
            setattr(obj, field.attname, getattr(report, field.attname))
        obj._state.adding, obj._state.db = False, report._state.db

    def save_formset(self, request, form, formset, change):
        # Audited like any other write ("through the admin"), deletions included, and the
        # report's revision moves on so that a clerk's page opened before is refused, not
        # saved over these changes. The admin runs this inside the request's transaction,
        # after every form and inline was valid: a refused row leaves everything unchanged.
        instances = formset.save(commit=False)
        for value in formset.deleted_objects:
            value._change_reason = Source.ADMIN
            value.delete()
        for value in instances:
            value._change_reason = Source.ADMIN
            value.updated_by = request.user
            value.save()
        if instances or formset.deleted_objects:
            figures_saved([form.instance.pk], request.user, timezone.now())
            # Only a draft or returned report's figures get here (ValueInline, ReportAdminForm.clean): no
            # approved figure changes, so the approved totals stay as they are.
            derived_figures_refresh([form.instance.pk])


@admin.register(Value.history.model)
class ValueHistoryAdmin(ReadOnlyAdmin):
    """The per-value audit trail: old and new figures, who, when and through what."""

    list_display = ["history_date", "report", "indicator", "value", "note", "history_user", "history_change_reason"]
    list_filter = ["history_change_reason", "history_type"]
    date_hierarchy = "history_date"


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["period_type", "months_after", "day"]


@admin.register(DeadlineException)
class DeadlineExceptionAdmin(AutocompleteKeysChecked, admin.ModelAdmin):
    list_display = ["organisation", "year", "period_type", "period_number", "due", "reason"]
    list_filter = ["year", "period_type"]
    autocomplete_fields = ["organisation"]


@admin.register(PeriodReopening)
class PeriodReopeningAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "year", "period_type", "period_number", "reason", "by", "at", "until"]
