from django.contrib import admin

from tracker.workflow.models import ReportTransition


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records can be read in the admin, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_status", "to_status", "user", "at", "reason"]
    list_filter = ["action", "to_status"]
