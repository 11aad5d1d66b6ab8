from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AggregationConfig(AppConfig):
    name = "tracker.aggregation"

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="aggregation-after-migrate")


def _after_migrate(sender, using="default", **kwargs) -> None:
    # `migrate` keeps the catalogue in step with seeds/indicators.csv, so no set-up step can be
    # forgotten (the load is idempotent, and re-forms the derived sums and totals when it changed
    # something); then any organisation-year with approved figures but no totals gets them.
    import logging

    from tracker.aggregation.services import catalogue_load
    from tracker.aggregation.totals import approved_totals_fill_missing

    for warning in catalogue_load(using=using).warnings:
        logging.getLogger("tracker.catalogue.apps").warning(warning)
    approved_totals_fill_missing(using=using)
