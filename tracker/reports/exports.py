"""Excel and CSV downloads of the report tables (summary, per-unit breakdown, trend).

Every cell goes through `spreadsheet_cell`, so text typed by people (notes, organisation
and indicator names) can never run as a formula when a leader opens the file, and figures
stay numbers rather than text.
"""

from __future__ import annotations

from decimal import Decimal

from django_tables2.export import TableExport
from tablib import Dataset

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one): "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel opens a UTF-8 CSV as the local code page unless it starts with a byte-order mark.
UTF8_BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as it is: a leading formula character gets a quote in front."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def spreadsheet_cell(value: object) -> int | Decimal | float | str | None:
    """What one cell holds: numbers as numbers, nothing as an empty cell, everything else as safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal | float):
        return value
    return neutralise(str(value))


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
