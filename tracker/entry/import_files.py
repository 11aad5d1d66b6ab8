"""The files the import page offers: the code list and a sample to start from.

The code list is every indicator in use (code, names, unit, section, who enters it, whether a file
may carry it, the 口径) and the organisations the user may import for (code, name, short name):
what a file's 指标 and 单位 columns may say. The sample is a small workbook with the Chinese header
and names, of the user's own organisations and figures as they stand, so that it imports cleanly
and, confirmed, changes nothing.

Both are .xlsx bytes: the web layer (tracker.web.imports) sends them. Every cell goes
through tracker.spreadsheets.spreadsheet_cell, so a name or a note never runs as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.catalogue.models import Indicator, section_label
from tracker.entry.csvio import CHINESE_COLUMNS, IndicatorNames, OrganisationNames
from tracker.entry.deadlines import is_closed
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period, PeriodType
from tracker.entry.services import EDITABLE_STATUSES
from tracker.orgs.access import Permission, can
from tracker.orgs.models import Organisation, OrgKind
from tracker.spreadsheets import (
    BORDER,
    HEADER_FILL,
    HEADER_FONT,
    PADDING,
    cell_width,
    column_widths,
    fit_row_height,
    safe_sheet_title,
    spreadsheet_cell,
)

# The sample shows a few organisations, a few figures each: enough to see the layout.
SAMPLE_ORGANISATIONS = 3
SAMPLE_FIGURES = 3
# How many editable reports are looked at for the sample's organisations, newest first.
SAMPLE_REPORTS_SCANNED = 200


def _write_sheet(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain table from the first row (the import reads a sheet's first row as its header), laid out
    as the app's other downloads: a filled header, borders, widths that fit Chinese text, long text wrapped."""
    header_cells = [spreadsheet_cell(h) for h in headers]
    body = [[spreadsheet_cell(cell) for cell in row] for row in rows]
    widths = column_widths(header_cells, body)
    for column, value in enumerate(header_cells, start=1):
        cell = sheet.cell(row=1, column=column, value=value)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, row in enumerate(body, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            cell.border = BORDER
            wrap = isinstance(value, str) and cell_width(value) + PADDING > widths[column - 1]
            cell.alignment = Alignment(vertical="top", wrap_text=wrap)
        fit_row_height(sheet, number, row, widths)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def _bytes(book: Workbook) -> bytes:
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def code_list_workbook(organisations: Sequence[Organisation]) -> bytes:
    """Two sheets: every indicator in use, and `organisations` (those the user may import for)."""
    book = Workbook()
    sheet = book.active
    sheet.title = safe_sheet_title(_("Indicators"))
    rows = [
        (
            ind.code,
            ind.name_zh,
            ind.name_en,
            ind.unit,
            section_label(ind.section),
            OrgKind(ind.reported_by).label,
            _("yes") if ind.is_entered else _("no: computed from other figures"),
            ind.definition,
        )
        for ind in Indicator.objects.active()
    ]
    headers = (
        _("Code"),
        _("Chinese name"),
        _("English name"),
        _("Measure word"),
        _("Section"),
        _("Entered by"),
        _("May be imported"),
        _("Definition (口径)"),
    )
    _write_sheet(sheet, headers, rows)
    sheet = book.create_sheet(safe_sheet_title(_("Organisations")))
    rows = [
        (org.code, org.name, org.short_name, org.get_kind_display(), org.parent.name if org.parent_id else "")
        for org in organisations
    ]
    _write_sheet(sheet, (_("Code"), _("Name"), _("Short name"), _("Kind"), _("Parent organisation")), rows)
    return _bytes(book)


def sample_workbook(user, organisations: Sequence[Organisation]) -> bytes:
    """The Chinese header (单位,期间,指标,数值,备注) and a few rows of the user's organisations."""
    book = Workbook()
    sheet = book.active
    sheet.title = safe_sheet_title(_("Figures"))
    _write_sheet(sheet, CHINESE_COLUMNS, sample_rows(user, organisations))
    return _bytes(book)


def sample_rows(user, organisations: Sequence[Organisation]) -> list[list[object]]:
    """A few figures of the user's organisations, by name, as they stand: importing them changes nothing.

    Each organisation's newest report the user may still write (not submitted, approved or closed
    to them); when there is none at all, this year's period of the first organisation, its figures
    blank. An organisation or indicator is written by its name where the import would find it by
    that name, else by its code.
    """
    org_names = OrganisationNames(organisations)
    indicator_names = IndicatorNames(Indicator.objects.all())
    rows: list[list[object]] = []
    for index, (organisation, period, report) in enumerate(_sample_reports(user, organisations)):
        stored = {v.indicator_id: v for v in Value.objects.filter(report=report)} if report else {}
        indicators = list(Indicator.objects.reported_by(organisation.kind))
        # Figures the report holds first; blank ones only for a report that holds none.
        chosen = [ind for ind in indicators if ind.pk in stored][:SAMPLE_FIGURES] or indicators[:SAMPLE_FIGURES]
        org_text = _written_org(organisation, org_names, short=index % 2 == 1)
        for indicator in chosen:
            value = stored.get(indicator.pk)
            found, _problem = indicator_names.find(indicator.name_zh)
            rows.append(
                [
                    org_text,
                    period.written,
                    indicator.name_zh if found == indicator else indicator.code,
                    value.value if value else None,
                    (value.note if value else "") or None,
                ]
            )
    return rows


def _written_org(organisation: Organisation, names: OrganisationNames, *, short: bool) -> str:
    """Its short name (when `short` and it has one) or name, where the import finds it by that; else its code."""
    for text in (organisation.short_name, organisation.name) if short else (organisation.name,):
        if text and names.find(text)[0] == organisation:
            return text
    return organisation.code


def _sample_reports(user, organisations: Sequence[Organisation]) -> list[tuple[Organisation, Period, Report | None]]:
    by_pk = {org.pk: org for org in organisations}
    chosen: dict[int, tuple[Organisation, Period, Report | None]] = {}
    reports = Report.objects.filter(organisation__in=list(by_pk), status__in=EDITABLE_STATUSES).order_by(
        "-year", "-period_number", "organisation_id"
    )[:SAMPLE_REPORTS_SCANNED]
    for report in reports:
        organisation = by_pk[report.organisation_id]
        if organisation.pk in chosen or not _may_write(user, organisation, report.period):
            continue
        chosen[organisation.pk] = (organisation, report.period, report)
        if len(chosen) == SAMPLE_ORGANISATIONS:
            break
    if chosen:
        return sorted(chosen.values(), key=lambda item: item[0].path)
    fallback = _this_years_period(organisations, user)
    return [fallback] if fallback else []


def _this_years_period(organisations: Sequence[Organisation], user) -> tuple[Organisation, Period, None] | None:
    """The first organisation (a unit rather than a group) with this year's period in the type its
    year already has (a year if none), when nothing is stored for it yet."""
    kinds = [OrgKind.UNIT, OrgKind.GROUP, OrgKind.COMMISSION]
    ordered = sorted(organisations, key=lambda org: (kinds.index(org.kind), org.path))
    if not ordered:
        return None
    organisation = ordered[0]
    today = timezone.localdate()
    held = (
        Report.objects.filter(organisation=organisation, year=today.year).values_list("period_type", flat=True).first()
    )
    if held == PeriodType.QUARTER:
        period = Period(today.year, held, (today.month - 1) // 3 + 1)
    elif held == PeriodType.MONTH:
        period = Period(today.year, held, today.month)
    else:
        period = Period(today.year, PeriodType.YEAR, 0)
    exists = Report.objects.filter(
        organisation=organisation, year=period.year, period_type=period.type, period_number=period.number
    ).exists()
    if exists or not _may_write(user, organisation, period):
        return None
    return organisation, period, None


def _may_write(user, organisation: Organisation, period: Period) -> bool:
    return can(user, Permission.ENTER_CLOSED, organisation) or not is_closed(organisation, period)
