from django.contrib import admin
from simple_history.utils import update_change_reason

from tracker.entry.models import Report, Value
from tracker.entry.services import EDITABLE_STATUSES, Source
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


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "period_type", "period_number", "status", "updated"]
    list_filter = ["year", "period_type", "status", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__code"]
    inlines = [ValueInline]

    def save_formset(self, request, form, formset, change):
        # Values saved here are audited like any other write, marked as coming from the admin.
        instances = formset.save()
        for instance in instances:
            update_change_reason(instance, Source.ADMIN)


@admin.register(Value.history.model)
class ValueHistoryAdmin(ReadOnlyAdmin):
    """The per-value audit trail: old and new figures, who, when and through what."""

    list_display = ["history_date", "report", "indicator", "value", "note", "history_user", "history_change_reason"]
    list_filter = ["history_change_reason", "history_type"]
    date_hierarchy = "history_date"
