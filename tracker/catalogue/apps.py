from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "tracker.catalogue"
    verbose_name = _("Indicator catalogue")
    # `migrate` loads the catalogue through tracker.aggregation.services.catalogue_load (aggregation's
    # post_migrate), which re-forms the sums and totals that depend on it.
