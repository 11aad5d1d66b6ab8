from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntryConfig(AppConfig):
    name = "tracker.entry"
    verbose_name = _("Reports and values")

    def ready(self) -> None:
        from tracker.catalogue.loader import catalogue_loaded

        catalogue_loaded.connect(_derive_after_catalogue, dispatch_uid="entry-derived-figures")


def _derive_after_catalogue(sender, using="default", result=None, **kwargs) -> None:
    # A catalogue load that added or changed indicators may change how sums are formed:
    # every report's derived sums are formed again, in the load's transaction.
    if result is not None and not (result.created or result.updated):
        return
    from tracker.entry.models import Report
    from tracker.entry.services import derived_figures_refresh

    derived_figures_refresh(Report.objects.using(using).values_list("pk", flat=True))
