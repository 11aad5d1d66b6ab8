from django.core.management.base import BaseCommand

from tracker.catalogue.loader import CATALOGUE_CSV, load_catalogue


class Command(BaseCommand):
    help = "Load or update the indicator catalogue from seeds/indicators.csv (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(CATALOGUE_CSV))

    def handle(self, *args, file, **options):
        from pathlib import Path

        result = load_catalogue(Path(file))
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"created {len(result.created)}, updated {len(result.updated)}, deactivated {len(result.deactivated)}"
        )
