"""What a spreadsheet cell may hold, and how every download people open in Excel is laid out.

Used by every download that people open in Excel and hand on (the report tables, the checks page,
the completeness page), so it sits below the apps that write them and imports none of them.
An Excel file gets a title block (organisation, range, approval, when it was made), column widths
that fit Chinese text, number formats and a print set-up for A4; a CSV stays a plain table that
imports again cleanly. Both get a Chinese file name with an ASCII fallback.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, may shift it into one): "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str) -> str:
    """Text without the control characters an .xlsx cannot hold (openpyxl refuses to write them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _invisible(character: str) -> bool:
    # Spaces, and characters that show as nothing (zero-width space, BOM, direction marks, C1
    # controls): a spreadsheet that trims them on import sees the character behind them first.
    return character.isspace() or unicodedata.category(character) in ("Cf", "Cc")


def _formula_like(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    for character in text:
        if not _invisible(character):
            return character in FORMULA_STARTS
    return False


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as it is: a formula character, first or behind blanks, gets a quote in front."""
    if _formula_like(text):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """What `neutralise` put in front comes off again, so that a file the app wrote imports as it was.

    Used by the import (tracker.entry.csvio), which reads the app's own exports and entry templates.
    """
    if text.startswith("'") and _formula_like(text[1:]):
        return text[1:]
    return text


def safe_cell_text(text: str) -> str:
    """Text for any spreadsheet cell: cleaned first, so that no removed character uncovers a formula."""
    return neutralise(clean_text(text))


class MarkedNumber(Decimal):
    """A figure that must never be read as complete: added up from incomplete reports, or a change
    formed from such a figure. Excel gets the number with the mark in its number format (the cell
    shows "12（3个单位未报全）" and still adds up where someone wants it to); a CSV, which has no
    formats, writes the mark beside the number as text.

    A Decimal, so that django-tables2's export (force_str, strings_only) hands it on as a number.
    """

    mark: str

    def __new__(cls, value: int | Decimal, mark: str) -> MarkedNumber:
        number = super().__new__(cls, value)
        number.mark = mark
        return number

    @property
    def value(self) -> Decimal:
        return Decimal(self)

    def __str__(self) -> str:
        return f"{self.value}{self.mark}"

    def __repr__(self) -> str:
        return f"MarkedNumber({self.value!r}, {self.mark!r})"


def spreadsheet_cell(value: object) -> int | Decimal | float | str | MarkedNumber | None:
    """What one cell holds: numbers as numbers, nothing as an empty cell, everything else as safe text.

    Every writer of an .xlsx or .csv puts text through here (or `safe_cell_text`); only the app's
    own formulas (the entry template's totals) are written without it.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, MarkedNumber):
        return MarkedNumber(value.value, clean_text(value.mark).replace('"', ""))
    if isinstance(value, int | Decimal | float):
        return value
    return safe_cell_text(str(value))


INVALID_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def safe_sheet_title(text: str) -> str:
    """A worksheet's name as Excel takes it: no []:*?/\\ or control characters, no quote at either end, 31 long."""
    title = INVALID_IN_SHEET_TITLE.sub("-", clean_text(text))[:31].strip("'")
    return title or "Sheet1"


XLSX = "xlsx"
CSV = "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}

# Excel opens a UTF-8 CSV as the local code page unless it starts with a byte-order mark.
UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class SheetHeading:
    """What a downloaded table is about: the title block above it, and the file's name."""

    organisation: str  # the full name: 派驻市林业和草原局纪检监察组
    page: str  # the page's name: 年度汇总, 分单位, 报送情况 …
    range_heading: str  # "2022年", "2023年前三季度"
    # Whether unapproved reports are counted; None for a table of reports rather than figures
    # (the completeness page lists every report with its status).
    include_unapproved: bool | None
    generated: datetime = field(default_factory=timezone.now)
    # A commission's figures: only what it accepted from the groups (True), or not yet accepted too
    # (False); None where acceptance does not apply.
    accepted_only: bool | None = None
    # What the table's figures need said of them, printed under the table as a published table's
    # 注 (an Excel file only: a CSV stays a plain table): how shares round, what a mark means.
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The title block: what, which range and which reports, and when it was made."""
        approval = {None: "", False: _("Approved only"), True: _("Unapproved included")}[self.include_unapproved]
        if self.accepted_only:
            approval = _("Accepted by the commission only")
        elif self.accepted_only is False and not self.include_unapproved:
            approval = _("Approved, including not yet accepted by the commission")
        made = timezone.localtime(self.generated).strftime("%Y-%m-%d %H:%M")
        return [
            f"{self.organisation} · {self.page}",
            " · ".join(part for part in (self.range_heading, approval) if part),
            _("Generated: %(time)s") % {"time": made},
        ]

    def filename(self, extension: str) -> str:
        """ "派驻市林业和草原局纪检监察组-2022年-年度汇总.xlsx" """
        parts = (safe_filename_part(p) for p in (self.organisation, self.range_heading, self.page))
        return "-".join(p for p in parts if p) + f".{extension}"


# Characters Windows refuses in a file name, and control characters.
UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_filename_part(text: str) -> str:
    return UNSAFE_IN_FILENAME.sub("_", text).strip(" .")


def attachment_header(filename: str, ascii_fallback: str) -> str:
    """Content-Disposition with the Chinese name (RFC 5987) and, for old clients, an ASCII one (RFC 6266)."""
    utf8 = content_disposition_header(True, filename)
    if "filename*=" not in utf8:
        return utf8  # an ASCII name needs no fallback
    return content_disposition_header(True, ascii_fallback) + "; " + utf8.removeprefix("attachment; ")


def spreadsheet_content(
    *,
    file_format: str,
    heading: SheetHeading,
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    sheet_title: str = "",
    landscape: bool = False,
) -> bytes | str:
    """An Excel workbook (title block, layout, print set-up) or CSV text (plain table) of one table.

    Every cell goes through `spreadsheet_cell` here, whatever the caller did. `landscape` forces
    landscape printing (the per-unit table); otherwise a wide table gets it. The web layer sends it
    as a download (tracker.web.downloads).
    """
    header_cells = [spreadsheet_cell(cell) for cell in headers]
    body = [[spreadsheet_cell(cell) for cell in row] for row in rows]
    if file_format == XLSX:
        sheet_title = sheet_title or heading.page
        return workbook_bytes(heading, header_cells, body, sheet_title=sheet_title, landscape=landscape)
    if file_format == CSV:
        return csv_text(header_cells, body)
    raise ValueError(f"No such spreadsheet format: {file_format}")


def csv_text(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    """The table alone, header first: no title block, so that it imports again as it is."""
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(headers)
    # A marked figure is written as its text ("12（3个单位未报全）"): a CSV has no formats to carry it;
    # as text, a negative one ("-1（含未报全数据）") is quoted as any text starting with "-" is.
    writer.writerows(
        [safe_cell_text(str(cell)) if isinstance(cell, MarkedNumber) else cell for cell in row] for row in rows
    )
    return UTF8_BOM + stream.getvalue()


# -- the Excel layout ---------------------------------------------------------------------------

# Column widths are in widths of "0"; a Chinese character takes two.
MIN_WIDTH = 8
MAX_WIDTH = 40  # about 20 Chinese characters: longer text (names, notes, rules) wraps
HEADER_MAX = 20  # a long header (a unit's full name) wraps rather than widening a column of figures
PADDING = 2
# Points per line of 11-point text. Wrapped rows get their height written out: LibreOffice does not
# fit a row to wrapped text when it opens an .xlsx, and Excel keeps what it is given.
LINE_HEIGHT = 15
# Wider than this (or with more columns) the table prints landscape.
PORTRAIT_COLUMNS = 6
PORTRAIT_WIDTH = 95

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
META_FONT = Font(size=10, color="595959")


def display_width(text: str) -> int:
    """How many "0"s wide text is: wide (CJK) characters count double; the longest line counts."""
    return max(
        (sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.splitlines()),
        default=0,
    )


def number_format(value: int | Decimal | float) -> str:
    """Thousands separators; a Decimal keeps its places (a share 12.5 → one decimal)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = min(-exponent, 4) if isinstance(exponent, int) and exponent < 0 else 0
        return "#,##0" + ("." + "0" * places if places else "")
    if isinstance(value, float):
        return "#,##0.0##"
    return "#,##0"


def cell_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, MarkedNumber):
        return len(f"{value.value:,}") + 1 + display_width(value.mark)
    if isinstance(value, int | Decimal | float):
        return len(f"{value:,}") + 1
    return display_width(str(value))


def lines_needed(value: object, width: int) -> int:
    """How many lines a cell takes once wrapped within its column."""
    if not isinstance(value, str):
        return 1
    usable = max(width - PADDING, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in value.splitlines() or [""])


def fit_row_height(sheet: Worksheet, row_number: int, values: Sequence[object], widths: Sequence[int]) -> None:
    lines = max((lines_needed(value, width) for value, width in zip(values, widths, strict=False)), default=1)
    if lines > 1:
        sheet.row_dimensions[row_number].height = LINE_HEIGHT * lines + 2


def column_widths(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> list[int]:
    widths = []
    for index, header in enumerate(headers):
        body = max((cell_width(row[index]) for row in rows if index < len(row)), default=0)
        wanted = max(body, min(cell_width(header), HEADER_MAX)) + PADDING
        widths.append(min(max(wanted, MIN_WIDTH), MAX_WIDTH))
    return widths


def workbook_bytes(
    heading: SheetHeading,
    headers: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    sheet_title: str,
    landscape: bool = False,
) -> bytes:
    """One sheet: the title block, the header row, the rows, laid out and set up to print on A4."""
    book = Workbook()
    sheet = book.active
    sheet.title = safe_sheet_title(sheet_title)
    columns = max(len(headers), 1)
    widths = column_widths(headers, rows)

    lines = heading.lines()
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=safe_cell_text(line))
        cell.font = TITLE_FONT if number == 1 else META_FONT
        cell.alignment = Alignment(horizontal="center" if number == 1 else "left", vertical="center")
        if columns > 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=columns)
    sheet.row_dimensions[1].height = 24
    header_row = len(lines) + 1

    for column, value in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=_cell_value(value))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    fit_row_height(sheet, header_row, headers, widths)

    for row_number, row in enumerate(rows, start=header_row + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=_cell_value(value))
            cell.border = BORDER
            if isinstance(value, MarkedNumber):
                # The number stays a number; its format prints the mark after it.
                cell.number_format = f'{number_format(value.value)}"{value.mark}"'
                cell.alignment = Alignment(horizontal="right", vertical="center")
            elif isinstance(value, int | Decimal | float):
                cell.number_format = number_format(value)
                cell.alignment = Alignment(horizontal="right", vertical="center")
            else:
                wrap = value is not None and cell_width(value) + PADDING > widths[column - 1]
                cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=wrap)
        fit_row_height(sheet, row_number, row, widths)

    # The notes under the table, each across its width, wrapped.
    note_row = header_row + len(rows) + 2
    full_width = sum(widths)
    for number, note in enumerate(heading.notes, start=note_row):
        cell = sheet.cell(row=number, column=1, value=safe_cell_text(note))
        cell.font = META_FONT
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if columns > 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=columns)
        sheet.row_dimensions[number].height = LINE_HEIGHT * lines_needed(note, full_width) + 2

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    wide = landscape or columns > PORTRAIT_COLUMNS or sum(widths) > PORTRAIT_WIDTH
    _print_setup(sheet, header_row=header_row, landscape=wide)

    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _cell_value(value: object) -> object:
    # The caller's cells went through spreadsheet_cell already; this holds for any other caller.
    if isinstance(value, MarkedNumber):
        return value.value
    return safe_cell_text(value) if isinstance(value, str) else value


def _print_setup(sheet: Worksheet, *, header_row: int, landscape: bool) -> None:
    """A4, every column on the page's width (as many pages down as it takes), title and header on each page."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header_row}"
    sheet.print_options.horizontalCentered = True
    # Inches: 1.5 cm at the sides, room at the foot for the page number.
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.7, bottom=0.8, header=0.3, footer=0.4)
    sheet.oddFooter.center.text = _("Page &P of &N")
    sheet.oddFooter.center.size = 9
