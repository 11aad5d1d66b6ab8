"""`manage.py export_values --org CODE --year YYYY`: an organisation's figures as CSV."""

from __future__ import annotations

import io

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tracker.entry.csvio import COLUMNS, export_csv
from tracker.entry.periods import MAX_YEAR, MIN_YEAR
from tracker.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        f"Export one year of figures of an organisation and every organisation under it as UTF-8 CSV "
        f"({','.join(COLUMNS)}), in the form import_values reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organisation code, e.g. forestry.")
        parser.add_argument("--year", required=True, type=int, help="e.g. 2022.")
        parser.add_argument("--output", help="File to write; standard output when omitted.")

    def handle(self, *args, org: str, year: int, output: str | None, **options) -> None:
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(_("There is no organisation with the code “%(code)s”.") % {"code": org})
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(_("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR})
        if output is None:
            buffer = io.StringIO(newline="")
            export_csv(organisation=organisation, year=year, stream=buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                count = export_csv(organisation=organisation, year=year, stream=fh)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}) from exc
        self.stdout.write(_("Wrote %(count)d value(s) to %(file)s.") % {"count": count, "file": output})
