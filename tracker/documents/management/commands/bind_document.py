"""Print the binding assistant's first choices for a document, as UTF-8 CSV.

    python manage.py bind_document seeds/speech-2023.txt
    python manage.py bind_document last-year.docx --org forestry

One row per figure found: `position` (the character offset in the text), `found` (as written),
`context` (the words around it), `binding` (the first choice, `-` where there is none).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.documents.assistant import Assistant
from tracker.documents.wordfile import NotAWordFile, docx_text
from tracker.orgs.models import Organisation
from tracker.spreadsheets import safe_cell_text

CONTEXT = 12


class Command(BaseCommand):
    help = "Print the binding assistant's first choice for every figure of a document (.txt or .docx) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", help="The organisation the document is for (checked to exist).")

    def handle(self, *args, file: Path, org: str | None, **options):
        owner = Organisation.objects.filter(code=org).first() if org else None
        if org and owner is None:
            raise CommandError(f"No organisation with the code {org!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        if file.suffix.lower() == ".docx":
            try:
                text = docx_text(data)
            except NotAWordFile as exc:
                raise CommandError(f"{file} is not a Word (.docx) file.") from exc
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CommandError(f"{file} is not UTF-8 text.") from exc
        text = text.replace("\r\n", "\n")
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["position", "found", "context", "binding"])
        assistant = Assistant(owner_kind=owner.kind) if owner else Assistant()
        for candidate in assistant.propose(text):
            slot = candidate.slot
            position = slot.start + len(slot.prefix)
            context = text[max(0, slot.start - CONTEXT) : slot.end + CONTEXT].replace("\n", " ")
            # The document's own words may be opened in Excel; the binding is a code or the app's "-".
            writer.writerow([position, safe_cell_text(slot.found), safe_cell_text(context), candidate.best or "-"])
        sys.stdout.flush()
