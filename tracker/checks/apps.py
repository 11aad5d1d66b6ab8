from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "tracker.checks"
    verbose_name = _("Validation rules")

    def ready(self) -> None:
        post_migrate.connect(_seed_after_migrate, sender=self)


def _seed_after_migrate(sender, using="default", **kwargs) -> None:
    from tracker.checks.seed import load_rules

    load_rules(using=using)
