from django.contrib import admin

from tracker.checks.models import Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["key", "left", "operator", "right", "severity", "message", "active"]
    list_filter = ["severity", "active"]
    search_fields = ["key", "left", "right", "message"]
