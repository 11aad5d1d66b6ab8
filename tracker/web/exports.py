"""Excel and CSV downloads of the report tables (summary, per-unit breakdown, trend).

Every cell goes through `spreadsheet_cell`, so text typed by people (notes, organisation
and indicator names) can never run as a formula when a leader opens the file, and figures
stay numbers rather than text. The file itself (title block, layout, print set-up, name) is
made by `tracker.web.downloads.spreadsheet_download`, as the checks and completeness pages' are.
"""

from __future__ import annotations

from dataclasses import replace

from django_tables2.export import TableExport
from tablib import Dataset

from tracker.reports.tables import incomplete_note, shares_rounding_note
from tracker.spreadsheets import MarkedNumber, SheetHeading, spreadsheet_cell
from tracker.web.downloads import spreadsheet_download


class SpreadsheetExport(TableExport):
    """django-tables2's export with every cell made safe, laid out as every download of the app is.

    Used by the ExportMixin of every report view (`?_export=xlsx` / `?_export=csv`).
    """

    def __init__(self, export_format, table, exclude_columns=None, dataset_kwargs=None, *, heading, landscape=False):
        self.heading: SheetHeading = heading
        self.landscape: bool = landscape
        super().__init__(export_format, table, exclude_columns=exclude_columns, dataset_kwargs=dataset_kwargs)

    @classmethod
    def is_valid_format(cls, export_format) -> bool:
        # Only the two the pages offer: any other `_export=` shows the page.
        return export_format in (cls.XLSX, cls.CSV)

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None) -> Dataset:
        dataset = Dataset(**(dataset_kwargs or {}))
        marked = False
        for i, row in enumerate(table.as_values(exclude_columns=exclude_columns)):
            cells = [spreadsheet_cell(value) for value in row]
            marked = marked or any(isinstance(cell, MarkedNumber) for cell in cells)
            if i == 0:
                dataset.headers = cells
            else:
                dataset.append(cells)
        # What the figures need said of them, under the title: what a mark means, how shares round.
        notes = []
        if marked:
            notes.append(incomplete_note())
        if any(record["indicator"].is_share for record in table.data if "indicator" in record):
            notes.append(shares_rounding_note())
        self.heading = replace(self.heading, notes=(*self.heading.notes, *notes))
        return dataset

    def response(self, filename: str | None = None):
        """`filename` is the ASCII fallback; the Chinese name comes from the heading."""
        return spreadsheet_download(
            file_format=self.format,
            heading=self.heading,
            headers=self.dataset.headers or [],
            rows=list(self.dataset),
            ascii_name=filename or f"export.{self.format}",
            sheet_title=self.dataset.title or "",
            landscape=self.landscape,
        )
