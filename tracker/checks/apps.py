from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "tracker.checks"
    verbose_name = _("Validation rules")

    def ready(self) -> None:
        from tracker.catalogue.loader import catalogue_loaded

        catalogue_loaded.connect(_seed_after_catalogue, dispatch_uid="checks-seed-rules")


def _seed_after_catalogue(sender, using="default", result=None, **kwargs) -> None:
    # The rules follow the catalogue's breakdowns: every load of the catalogue (migrate,
    # load_catalogue) brings them in line.
    from tracker.checks.seed import load_rules

    warnings = load_rules(using=using)
    if result is not None:
        result.warnings.extend(warnings)
