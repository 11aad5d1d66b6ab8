from django.contrib import admin

from tracker.entry.admin import ReadOnlyAdmin
from tracker.workflow.models import Deadline, DeadlineException, ReportTransition


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_status", "to_status", "user", "at", "reason"]
    list_filter = ["action", "to_status"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["period_type", "months_after", "day"]


@admin.register(DeadlineException)
class DeadlineExceptionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "period_type", "period_number", "due", "reason"]
    list_filter = ["year", "period_type"]
    autocomplete_fields = ["organisation"]
