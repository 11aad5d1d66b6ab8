"""Excel entry templates: a workbook to fill offline, and reading it back for the web import.

One layout for one organisation and for a group with its units: indicators as rows by section,
organisations as columns, the current figures filled in. Only the figure cells (and, for one
organisation, its notes) are unlocked, with data validation to whole numbers; a derived total is a
formula over its parts; the 口径 is a comment on the indicator's name. Hidden cells carry what the
import needs (the organisations' and indicators' codes, the period), so the filled workbook goes
in through the same preview as a CSV (tracker.entry.csvio.upload_records).

Every text and figure goes in through `tracker.spreadsheets.spreadsheet_cell`, so a name or a note
people typed never runs as a formula; the totals' `=SUM(...)` are the only formulas, written here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tracker.catalogue.models import Indicator, Kind, section_label
from tracker.entry.models import Value
from tracker.entry.periods import Period, PeriodError
from tracker.orgs.models import Organisation, OrgKind
from tracker.spreadsheets import clean_text, safe_sheet_title, spreadsheet_cell

MARKER = "tracker-entry-template-1"
CODE_ROW, HEADER_ROW, FIRST_ROW = 3, 4, 5
CODE_COLUMN, NAME_COLUMN, UNIT_COLUMN, FIRST_ORG_COLUMN = 1, 2, 3, 4
LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
SECTION_FILL = PatternFill("solid", fgColor="DDE4EC")


def template_organisations(organisation: Organisation) -> list[Organisation]:
    """The organisation, and for a group its units too (each a column)."""
    if organisation.kind == OrgKind.GROUP:
        return [organisation, *organisation.children.filter(kind=OrgKind.UNIT).order_by("order", "code")]
    return [organisation]


def _stored(orgs: list[Organisation], period: Period) -> dict[tuple[int, str], Value]:
    values = Value.objects.filter(
        report__organisation__in=orgs,
        report__year=period.year,
        report__period_type=period.type,
        report__period_number=period.number,
    ).select_related("indicator")
    return {(v.report.organisation_id, v.indicator.code): v for v in values.select_related("report")}


def _put(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write one cell of the template as every spreadsheet cell is written: safe text, numbers as numbers."""
    cell = sheet.cell(row, column)
    cell.value = spreadsheet_cell(value)
    return cell


def entry_workbook(organisation: Organisation, period: Period) -> bytes:
    """The template for the organisation (and a group's units) and the period, current figures filled in."""
    orgs = template_organisations(organisation)
    kinds = {org.kind for org in orgs}
    indicators = [
        ind
        for ind in Indicator.objects.active().filter(reported_by__in=kinds).order_by("order", "code")
        if not ind.is_share
    ]
    stored = _stored(orgs, period)
    single = len(orgs) == 1
    previous = _stored(orgs, period.previous()) if single else {}

    book = Workbook()
    sheet = book.active
    sheet.title = safe_sheet_title(period.label)
    last_org_column = FIRST_ORG_COLUMN + len(orgs) - 1
    previous_column, note_column = last_org_column + 1, last_org_column + 2
    title = f"{organisation.name} · {period.label} · {_('entry template')}"
    _put(sheet, 1, NAME_COLUMN, title).font = Font(bold=True, size=14)
    _put(sheet, 2, NAME_COLUMN, _("Fill the white cells with whole numbers; then upload the file on the import page."))
    _put(sheet, CODE_ROW, CODE_COLUMN, MARKER)
    _put(sheet, CODE_ROW, NAME_COLUMN, str(period))
    headers = {NAME_COLUMN: _("Indicator"), UNIT_COLUMN: _("Unit")}
    for index, org in enumerate(orgs):
        _put(sheet, CODE_ROW, FIRST_ORG_COLUMN + index, org.code)
        headers[FIRST_ORG_COLUMN + index] = org.name
    if single:
        headers[previous_column] = _("Previous period")
        headers[note_column] = _("Note")
    for column, text in headers.items():
        cell = _put(sheet, HEADER_ROW, column, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")

    validation = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(settings.MAX_FIGURE),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not a figure"),
        error=_("Enter a whole number from 0 to 1,000,000,000."),
    )
    sheet.add_data_validation(validation)

    row = FIRST_ROW
    rows_of: dict[str, int] = {}
    formulas: dict[tuple[int, int], tuple[str, ...]] = {}
    section = None
    for ind in indicators:
        if ind.section != section:
            section = ind.section
            cell = _put(sheet, row, NAME_COLUMN, section_label(section))
            cell.font = Font(bold=True)
            for column in range(NAME_COLUMN, (note_column if single else last_org_column) + 1):
                sheet.cell(row, column).fill = SECTION_FILL
            row += 1
        rows_of[ind.code] = row
        _put(sheet, row, CODE_COLUMN, ind.code)
        name = _put(sheet, row, NAME_COLUMN, ind.name)
        if ind.definition:
            # A comment is never a formula, but a control character in it breaks the file all the same.
            name.comment = Comment(clean_text(ind.definition), "口径")
        _put(sheet, row, UNIT_COLUMN, ind.unit_word)
        formula = ind.kind == Kind.DERIVED_SUM and not ind.may_be_entered
        for index, org in enumerate(orgs):
            column = FIRST_ORG_COLUMN + index
            cell = sheet.cell(row, column)
            if ind.reported_by != org.kind:
                cell.fill = LOCKED_FILL
                continue
            if formula:
                formulas[(row, column)] = ind.sum_parts  # written below, once every row is placed
                cell.fill = LOCKED_FILL
                continue
            saved = stored.get((org.pk, ind.code))
            cell.value = spreadsheet_cell(saved.value if saved else None)
            cell.protection = Protection(locked=False)
            cell.number_format = "#,##0"
            validation.add(cell)
        if single and not formula:
            before = previous.get((orgs[0].pk, ind.code))
            _put(sheet, row, previous_column, before.value if before else None).fill = LOCKED_FILL
            saved = stored.get((orgs[0].pk, ind.code))
            note = _put(sheet, row, note_column, saved.note if saved else "")
            note.protection = Protection(locked=False)
        row += 1

    # Derived totals: a formula over the rows of their parts, in each organisation's column. The app's
    # own formula, made of cell references only: the one cell not written through `_put`.
    for (at, column), parts in formulas.items():
        letter = get_column_letter(column)
        cells = [f"{letter}{rows_of[part]}" for part in parts if part in rows_of]
        sheet.cell(at, column).value = f"=SUM({','.join(cells)})" if cells else None

    sheet.row_dimensions[CODE_ROW].hidden = True
    sheet.column_dimensions[get_column_letter(CODE_COLUMN)].hidden = True
    sheet.column_dimensions[get_column_letter(NAME_COLUMN)].width = 40
    sheet.column_dimensions[get_column_letter(UNIT_COLUMN)].width = 8
    for column in range(FIRST_ORG_COLUMN, (note_column if single else last_org_column) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    if single:
        sheet.column_dimensions[get_column_letter(note_column)].width = 40
    sheet.freeze_panes = sheet.cell(FIRST_ROW, FIRST_ORG_COLUMN)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # people may widen columns
    if not single:
        _previous_sheet(book, sheet, orgs, period, rows_of, formulas)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _previous_sheet(book, sheet, orgs, period: Period, rows_of: dict[str, int], formulas) -> None:
    """A second, read-only sheet with the previous period's figures, for reference (a group's workbook).

    The import reads the first sheet only; this one carries no marker, so it can never be imported.
    """
    previous = period.previous()
    stored = _stored(orgs, previous)
    reference = book.copy_worksheet(sheet)
    reference.title = safe_sheet_title(f"{_('Previous period')} {previous.label}")
    title = f"{sheet.cell(1, NAME_COLUMN).value} · {_('previous period, for reference')}"
    reference.cell(1, NAME_COLUMN).value = spreadsheet_cell(title)
    reference.cell(CODE_ROW, CODE_COLUMN).value = None
    for code, at in rows_of.items():
        for index, org in enumerate(orgs):
            column = FIRST_ORG_COLUMN + index
            cell = reference.cell(at, column)
            cell.protection = Protection(locked=True)
            if (at, column) in formulas or cell.fill == LOCKED_FILL:
                continue
            saved = stored.get((org.pk, code))
            cell.value = spreadsheet_cell(saved.value if saved else None)
    reference.protection.sheet = True


def is_entry_template(rows: list[tuple]) -> bool:
    return len(rows) >= CODE_ROW and rows[CODE_ROW - 1] and rows[CODE_ROW - 1][0] == MARKER


def template_records(rows: list[tuple], organisations=None) -> Iterator[tuple[int, list[str]]]:
    """The filled template as import records (org, period, indicator, value, note), header first.

    A blank cell is left out unless a figure is stored there (emptying a filled cell clears it).
    Without a notes column (a group's workbook) each figure keeps its stored note. Stored figures
    are looked up only for `organisations` (the importing user's), so that a workbook naming an
    organisation outside them is answered exactly as one naming no organisation at all: its blank
    cells make no lines, which would tell which figures it holds.
    """
    codes_row = rows[CODE_ROW - 1]
    period_text = str(codes_row[NAME_COLUMN - 1] or "")
    header = rows[HEADER_ROW - 1]
    org_columns = [
        (index, str(code))
        for index, code in enumerate(codes_row)
        if index >= FIRST_ORG_COLUMN - 1 and code not in (None, "")
    ]
    note_index = org_columns[-1][0] + 2 if len(org_columns) == 1 and len(header) > org_columns[-1][0] + 2 else None
    known = Organisation.objects.filter(code__in=[code for _i, code in org_columns])
    if organisations is not None:
        known = known.filter(pk__in=organisations)
    orgs = {o.code: o for o in known}
    try:
        period = Period.parse(period_text)
    except PeriodError:
        period = None  # a damaged template: the import lists the period as bad
    stored = _stored(list(orgs.values()), period) if period else {}
    entered = set(Indicator.objects.entered().values_list("code", flat=True))
    yield HEADER_ROW, ["org", "period", "indicator", "value", "note"]
    for number, row in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        code = row[CODE_COLUMN - 1] if row else None
        if not code or str(code) not in entered:
            continue  # a section heading, or a derived total (its formula's value is not a figure)
        for index, org_code in org_columns:
            value = row[index] if index < len(row) else None
            if isinstance(value, str) and value.startswith("="):
                continue  # a derived total's formula
            org = orgs.get(org_code)
            saved = stored.get((org.pk, str(code))) if org else None
            if value in (None, "") and saved is None:
                continue
            if note_index is not None:
                note = row[note_index] if note_index < len(row) and row[note_index] is not None else ""
            else:
                note = saved.note if saved else ""
            if value is None:
                text = ""
            elif isinstance(value, float) and value.is_integer():
                text = str(int(value))
            else:
                text = str(value)
            yield number, [org_code, period_text, str(code), text, str(note)]
