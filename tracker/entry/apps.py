from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntryConfig(AppConfig):
    name = "tracker.entry"
    verbose_name = _("Reports and values")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from tracker.catalogue.loader import catalogue_loaded
        from tracker.entry.models import Report

        catalogue_loaded.connect(_derive_after_catalogue, dispatch_uid="entry-derived-figures")
        post_delete.connect(_report_deleted, sender=Report, dispatch_uid="entry-report-deleted")


def _report_deleted(sender, instance, **kwargs) -> None:
    # A deleted approved report no longer counts (its values and derived sums went with it).
    from tracker.entry.totals import approved_totals_refresh

    approved_totals_refresh([(instance.organisation_id, instance.year)])


def _derive_after_catalogue(sender, using="default", result=None, **kwargs) -> None:
    # A catalogue load that added or changed indicators may change how sums are formed:
    # every report's derived sums are formed again, in the load's transaction.
    if result is not None and not (result.created or result.updated):
        return
    from tracker.entry.models import Report
    from tracker.entry.services import derived_figures_refresh
    from tracker.entry.totals import approved_totals_refresh_all

    derived_figures_refresh(Report.objects.using(using).values_list("pk", flat=True))
    approved_totals_refresh_all()
