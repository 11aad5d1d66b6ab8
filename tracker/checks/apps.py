from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "tracker.checks"
    verbose_name = _("Validation rules")

    def ready(self) -> None:
        post_migrate.connect(_seed_after_migrate, sender=self)


def _seed_after_migrate(sender, using="default", **kwargs) -> None:
    # The seeded rules name catalogue codes, so the catalogue is loaded first.
    from tracker.catalogue.loader import load_catalogue
    from tracker.checks.seed import load_rules

    load_catalogue(using=using)
    load_rules(using=using)
