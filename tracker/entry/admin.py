from django import forms
from django.contrib import admin
from django.db.models import F

from tracker.entry.models import Report, Value
from tracker.entry.periods import Period
from tracker.entry.services import EDITABLE_STATUSES, Source, check_period_type
from tracker.workflow.admin import ReadOnlyAdmin


class ValueInline(admin.TabularInline):
    model = Value
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
    class Meta:
        model = Report
        fields = ["organisation", "year", "period_type", "period_number"]

    def clean(self):
        cleaned = super().clean()
        # The same rule as everywhere: one period type per organisation and year.
        if self.instance.pk is None and not self.errors:
            period = Period(cleaned["year"], cleaned["period_type"], cleaned["period_number"])
            check_period_type(organisation=cleaned["organisation"], period=period)
        return cleaned


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports with their values inline. The status changes only through the workflow (with its
    record and checks), and a report's organisation and period are fixed once it exists."""

    form = ReportAdminForm
    list_display = ["organisation", "year", "period_type", "period_number", "status", "updated"]
    list_filter = ["year", "period_type", "status", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__code"]
    inlines = [ValueInline]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "revision"]
        return fixed + (["organisation", "year", "period_type", "period_number"] if obj else [])

    def save_formset(self, request, form, formset, change):
        # Audited like any other write ("through the admin"), deletions included, and the
        # report's revision moves on so that a clerk's page opened before is refused, not
        # saved over these changes. The admin runs this inside the request's transaction.
        instances = formset.save(commit=False)
        for value in formset.deleted_objects:
            value._change_reason = Source.ADMIN
            value.delete()
        for value in instances:
            value._change_reason = Source.ADMIN
            value.updated_by = request.user
            value.save()
        if instances or formset.deleted_objects:
            Report.objects.filter(pk=form.instance.pk).update(revision=F("revision") + 1)


@admin.register(Value.history.model)
class ValueHistoryAdmin(ReadOnlyAdmin):
    """The per-value audit trail: old and new figures, who, when and through what."""

    list_display = ["history_date", "report", "indicator", "value", "note", "history_user", "history_change_reason"]
    list_filter = ["history_change_reason", "history_type"]
    date_hierarchy = "history_date"
