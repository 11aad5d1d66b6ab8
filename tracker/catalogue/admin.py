from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tracker.catalogue.models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "unit", "section", "kind", "aggregation", "reported_by", "order", "active"]
    list_filter = ["section", "kind", "reported_by", "active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["active"]
    # The structure belongs to seeds/indicators.csv (every reload sets it again); the names,
    # the definition and the switch belong to the administrator and survive every reload.
    readonly_fields = list(Indicator.CATALOGUE_FIELDS)
    fieldsets = [
        (
            _("Kept by the administrator"),
            {
                "fields": [*Indicator.ADMIN_FIELDS, "active"],
                "description": _(
                    "Your edits to these fields are kept when the catalogue is reloaded; a reload that brings "
                    "a different text reports it as a warning instead of overwriting yours."
                ),
            },
        ),
        (
            _("Set by the catalogue file"),
            {
                "fields": list(Indicator.CATALOGUE_FIELDS),
                "description": _(
                    "These come from seeds/indicators.csv and are set again by every reload "
                    "(manage.py load_catalogue): change them in the file."
                ),
            },
        ),
    ]

    def has_add_permission(self, request):
        # An indicator without its row in the catalogue file would be deactivated by the next reload.
        return False

    def has_delete_permission(self, request, obj=None):
        # Figures point at indicators; switch one off instead.
        return False
