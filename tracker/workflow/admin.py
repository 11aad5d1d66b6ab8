from django.contrib import admin

from tracker.entry.admin import ReadOnlyAdmin
from tracker.workflow.models import ReportTransition


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_status", "to_status", "user", "at", "reason"]
    list_filter = ["action", "to_status"]
