"""Excel and CSV downloads of the report tables (summary, per-unit breakdown, trend).

Every cell goes through `spreadsheet_cell`, so text typed by people (notes, organisation
and indicator names) can never run as a formula when a leader opens the file, and figures
stay numbers rather than text.
"""

from __future__ import annotations

from django_tables2.export import TableExport
from tablib import Dataset

from tracker.spreadsheets import neutralise, spreadsheet_cell  # noqa: F401 - the exports' cells

# Excel opens a UTF-8 CSV as the local code page unless it starts with a byte-order mark.
UTF8_BOM = "\ufeff"


class SpreadsheetExport(TableExport):
    """django-tables2's export with every cell made safe, and a CSV that Excel reads as UTF-8.

    Used by the ExportMixin of every report view (`?_export=xlsx` / `?_export=csv`).
    """

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None) -> Dataset:
        dataset = Dataset(**(dataset_kwargs or {}))
        for i, row in enumerate(table.as_values(exclude_columns=exclude_columns)):
            cells = [spreadsheet_cell(value) for value in row]
            if i == 0:
                dataset.headers = cells
            else:
                dataset.append(cells)
        return dataset

    def export(self) -> str | bytes:
        content = self.dataset.export(self.format)
        if self.format == self.CSV:
            return UTF8_BOM + content
        return content
