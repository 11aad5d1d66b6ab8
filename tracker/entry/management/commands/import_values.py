"""`manage.py import_values FILE.csv`: load figures from a CSV file, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tracker.entry.csvio import CHINESE_COLUMNS, COLUMNS, ImportFailed, import_csv


class Command(BaseCommand):
    help = (
        f"Import figures from a UTF-8 CSV file with the header {','.join(COLUMNS)} or {','.join(CHINESE_COLUMNS)}; "
        "organisations and indicators by code or name, periods as 2023, 2023Q1, 2023-03 or 2023年, 2023年第一季度, "
        "2023年3月. The whole file is checked first: if any line is bad, nothing is written and every bad line is "
        "listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="The CSV file: UTF-8 (with or without a BOM) or GBK, as Excel saves it on a Chinese Windows."
        )
        parser.add_argument("--user", help="Username recorded in the audit history as having made the change.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report what would change; write nothing."
        )

    def handle(self, *args, file: str, user: str | None, dry_run: bool, **options) -> None:
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(_("There is no user named “%(name)s”.") % {"name": user})
        try:
            result = self._import(file, importer, dry_run, "utf-8-sig")
        except ImportFailed as exc:
            if not isinstance(exc.__cause__, UnicodeDecodeError):
                self._refuse(exc, file)
            # Not UTF-8: the GBK (GB18030) Excel writes on a Chinese Windows; nothing was written by the first try.
            try:
                result = self._import(file, importer, dry_run, "gb18030")
            except ImportFailed as again:
                if isinstance(again.__cause__, UnicodeDecodeError):
                    raise CommandError(
                        _("%(file)s is neither UTF-8 nor GBK text; save it as “CSV UTF-8 (comma delimited)”.")
                        % {"file": file}
                    ) from again
                self._refuse(again, file)
        if dry_run:
            self.stdout.write(_("Dry run, nothing was written."))
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _import(self, file: str, importer, dry_run: bool, encoding: str):
        try:
            # Read as it is parsed, never whole: a large file costs one line's memory at a time.
            data = Path(file).open("rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}) from exc
        with data:
            if data.read(2) in (b"\xff\xfe", b"\xfe\xff"):
                raise CommandError(
                    _("%(file)s is UTF-16 text; save it as “CSV UTF-8 (comma delimited)”.") % {"file": file}
                )
            data.seek(0)
            # An operator at the shell is trusted: --user only records who the figures came from.
            return import_csv(data, user=importer, dry_run=dry_run, enforce_role=False, encoding=encoding)

    def _refuse(self, exc: ImportFailed, file: str):
        lines = [
            _("Nothing was imported: %(count)d problem(s) in %(file)s.") % {"count": len(exc.errors), "file": file},
            *(str(error) for error in exc.errors),
        ]
        raise CommandError("\n".join(lines)) from exc
