"""What a spreadsheet cell may hold: numbers as numbers, text that can never run as a formula.

Used by every download that people open in Excel (the report tables, the checks page), so it sits
below the apps that write them.
"""

from __future__ import annotations

from decimal import Decimal

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one): "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
