from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.aggregation.services import catalogue_load
from tracker.catalogue.loader import CATALOGUE_CSV, CatalogueError


# Here rather than in catalogue: a load that changes how sums are formed re-forms the approved totals.
class Command(BaseCommand):
    help = "Load or update the indicator catalogue from seeds/indicators.csv (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(CATALOGUE_CSV))

    def handle(self, *args, file, **options):
        try:
            result = catalogue_load(path=Path(file))
        except CatalogueError as exc:
            raise CommandError("the catalogue was not loaded:\n" + "\n".join(exc.errors)) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"created {len(result.created)}, updated {len(result.updated)}, deactivated {len(result.deactivated)}"
        )
