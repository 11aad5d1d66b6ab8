from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "tracker.catalogue"
    verbose_name = _("Indicator catalogue")

    def ready(self) -> None:
        post_migrate.connect(_load_after_migrate, sender=self)


def _load_after_migrate(sender, using="default", **kwargs) -> None:
    # `migrate` keeps the catalogue in step with seeds/indicators.csv, so no set-up
    # step can be forgotten. The loader is idempotent.
    import logging

    from tracker.catalogue.loader import load_catalogue

    for warning in load_catalogue(using=using).warnings:
        logging.getLogger(__name__).warning(warning)
