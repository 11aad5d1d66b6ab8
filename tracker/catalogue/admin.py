from django.contrib import admin

from tracker.catalogue.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "unit", "section", "kind", "aggregation", "reported_by", "order", "active"]
    list_filter = ["section", "kind", "reported_by", "active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["active"]
    # The order (and names) come from seeds/indicators.csv; a reload would overwrite an edit here.
    readonly_fields = ["code", "order", "kind", "reported_by", "aggregation", "may_be_entered"]
