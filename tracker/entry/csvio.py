"""Figures in and out as CSV files: `org,period,indicator,value,note`, UTF-8.

The import also takes the Chinese headers people write (单位,期间,指标,数值,备注 and their synonyms,
HEADER_NAMES), organisations and indicators by name as well as by code (OrganisationNames,
IndicatorNames) and periods as Chinese files write them (Period.parse_written).

Used by the `import_values` / `export_values` commands and meant for a web upload too,
so nothing here prints or knows about the command line.

Import is all-or-nothing: the whole file is checked first and every bad line is
reported; only a clean file is written, in one transaction, through
`values_save_for_period` so that the period-type rule, the lock on submitted and
approved reports and the audit history hold as they do on the entry page.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import BinaryIO, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker.catalogue.models import Indicator
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period, PeriodError, PeriodType
from tracker.entry.services import (
    EDITABLE_STATUSES,
    Entry,
    Source,
    parse_figure,
    period_conflict,
    values_save_bulk,
)
from tracker.entry.workbook import CODE_ROW, HEADER_ROW, is_entry_template, template_records
from tracker.orgs.models import Organisation, OrgKind
from tracker.spreadsheets import safe_cell_text, unneutralise
from tracker.uploads import NOT_A_PACKAGE, UploadRefused, capped_rows, check_size, sheet_rows

COLUMNS = ("org", "period", "indicator", "value", "note")
NOTE_MAX_LENGTH = Value._meta.get_field("note").max_length

# What a header may call each column (compared without spaces, case or full-width forms): the codes'
# names, and the Chinese headers people write. "名称" alone is none of them: it could be either name.
HEADER_NAMES = {
    "org": ("org", "单位", "单位名称", "单位代码", "组织", "组织名称", "组织代码"),
    "period": ("period", "期间", "时期", "报告期", "统计期", "统计期间"),
    "indicator": ("indicator", "指标", "指标名称", "指标代码"),
    "value": ("value", "数值", "数据", "数量", "数字"),
    "note": ("note", "备注", "说明"),
}
CHINESE_COLUMNS = tuple(names[1] for names in HEADER_NAMES.values())  # 单位,期间,指标,数值,备注

# How many candidates an ambiguous name lists, and how many close names an unknown one suggests.
CANDIDATES_SHOWN = 5
SUGGESTIONS = 3
# A text that looks like a code (forestry-organ, grp_cases_filed) and is none is answered as an
# unknown code, without suggestions: codes are copied from the code list, names are typed.
CODE_LIKE = re.compile(r"[A-Za-z0-9_-]+")


# ---------------------------------------------------------------- export


def export_rows(*, organisation: Organisation, year: int) -> Iterator[list[str]]:
    """The CSV rows (header first) of every stored value of `organisation`'s subtree in `year`."""
    yield list(COLUMNS)
    values = (
        Value.objects.filter(
            report__organisation__in=Organisation.objects.subtree_of([organisation]),
            report__year=year,
        )
        .select_related("report__organisation", "indicator")
        .order_by(
            "report__organisation__path",
            "report__period_type",
            "report__period_number",
            "indicator__order",
            "indicator__code",
        )
    )
    for value in values:
        report = value.report
        figure = "" if value.value is None else str(value.value)
        cells = (report.organisation.code, str(report.period), value.indicator.code, figure, value.note)
        # A note people typed can never run as a formula when the file is opened in Excel;
        # the import takes the quote off again (check_records).
        yield [safe_cell_text(cell) for cell in cells]


def export_csv(*, organisation: Organisation, year: int, stream: TextIO) -> int:
    """Write the export to `stream` (open it with newline=""); return the number of value rows."""
    writer = csv.writer(stream)
    count = -1  # the header is not a value
    for row in export_rows(organisation=organisation, year=year):
        writer.writerow(row)
        count += 1
    return count


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class RowError:
    """One reason a line was refused; `line` is None for a problem with the file as a whole."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class ImportFailed(Exception):
    """The file was refused and nothing was written; `errors` lists every reason, by line."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: e.line or 0)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(slots=True)
class ImportRow:
    line: int
    organisation: Organisation
    period: Period
    indicator: Indicator
    value: int | None
    note: str


@dataclass
class ImportResult:
    rows: int = 0
    reports_created: int = 0
    reports_changed: int = 0  # existing reports with at least one changed value
    values_created: int = 0
    values_updated: int = 0
    values_unchanged: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        return _(
            "%(rows)d row(s) read: %(reports_created)d report(s) created and %(reports_changed)d changed; "
            "%(values_created)d value(s) created, %(values_updated)d changed and %(values_unchanged)d unchanged."
        ) % {
            "rows": self.rows,
            "reports_created": self.reports_created,
            "reports_changed": self.reports_changed,
            "values_created": self.values_created,
            "values_updated": self.values_updated,
            "values_unchanged": self.values_unchanged,
        }


def decode(data: bytes | str | BinaryIO, encoding: str = "utf-8-sig") -> TextIO:
    """The file as a text stream, without a UTF-8 BOM (Excel's "CSV UTF-8" writes one).

    A file object is read as it is parsed, never whole, so a large import holds one line at a
    time, not the file.
    """
    if isinstance(data, str):
        return io.StringIO(data.removeprefix("\ufeff"), newline="")
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    return io.TextIOWrapper(data, encoding=encoding, newline="")


def _records(stream: TextIO, errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; a quoted note may span several lines."""
    # strict: an unterminated quote is an error, not a note that silently swallows the lines after it.
    reader = csv.reader(stream, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            # Excel's plain "CSV" in a Chinese Windows is GBK; say how to save it instead of guessing.
            raise ImportFailed(
                [RowError(None, _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”."))]
            ) from exc
        except csv.Error as exc:
            # The reader cannot resync after a broken record; report it and stop reading.
            errors.append(
                RowError(start, _("This line cannot be read as CSV (%(error)s).") % {"error": exc}),
            )
            return
        yield start, cells


def _compact(text: str) -> str:
    """A name as it is compared: full-width forms folded (NFKC), without spaces, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


_HEADER_COLUMNS = {_compact(name): column for column, names in HEADER_NAMES.items() for name in names}


def expected_header() -> str:
    """ "org,period,indicator,value,note 或 单位,期间,指标,数值,备注" """
    return _("%(codes)s or %(names)s") % {"codes": ",".join(COLUMNS), "names": ",".join(CHINESE_COLUMNS)}


def _read_header(cells: list[str]) -> tuple[dict[str, int], list[RowError]]:
    columns = [_HEADER_COLUMNS.get(_compact(cell)) for cell in cells]
    errors = []
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        errors.append(
            RowError(
                1,
                _("The header lacks the column(s) %(missing)s; it must be %(expected)s.")
                % {
                    "missing": ", ".join(f"{c}（{HEADER_NAMES[c][1]}）" for c in missing),
                    "expected": expected_header(),
                },
            )
        )
    for column in COLUMNS:
        written = [cell.strip() for cell, named in zip(cells, columns, strict=True) if named == column]
        if len(written) < 2:
            continue
        if len(set(written)) == 1:
            message = _("The header names the column(s) %(columns)s twice.") % {"columns": written[0]}
        else:
            message = _("The header's columns %(columns)s are the same column; keep one of them.") % {
                "columns": "、".join(dict.fromkeys(written))
            }
        errors.append(RowError(1, message))
    # Columns other than the five are ignored (someone may add indicator names for reading).
    return {c: columns.index(c) for c in COLUMNS if c in columns}, errors


def _listed(names: list[str]) -> str:
    """Candidates or suggestions in a message: the first few, then how many more."""
    shown = "、".join(names[:CANDIDATES_SHOWN])
    if len(names) > CANDIDATES_SHOWN:
        return _("%(names)s and %(count)d more") % {"names": shown, "count": len(names) - CANDIDATES_SHOWN}
    return shown


def _close(text: str, names: dict[str, str]) -> list[str]:
    """The names (compared forms → as written) most like `text`, for "did you mean"."""
    return [names[key] for key in difflib.get_close_matches(_compact(text), list(names), n=SUGGESTIONS, cutoff=0.6)]


class OrganisationNames:
    """The organisations a file may write, found by code, full name, short name or "上级/名称".

    Only `organisations` are looked in (for a web upload, the user's subtree): one outside them is
    answered exactly as a name nobody has, and the close names suggested are theirs only.
    """

    def __init__(self, organisations: Iterable[Organisation]):
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        self.by_short_name: dict[str, list[Organisation]] = {}
        self.names: dict[str, str] = {}  # every name and short name, compared form → as written
        for org in organisations:
            self.by_code[org.code] = org
            self.by_name.setdefault(_compact(org.name), []).append(org)
            self.names.setdefault(_compact(org.name), org.name)
            if org.short_name:
                self.by_short_name.setdefault(_compact(org.short_name), []).append(org)
                self.names.setdefault(_compact(org.short_name), org.short_name)
        self._found: dict[str, tuple[Organisation | None, str]] = {}

    def find(self, text: str) -> tuple[Organisation | None, str]:
        """(the organisation, "") or (None, why not); each distinct text is looked up once."""
        if text not in self._found:
            self._found[text] = self._find(text)
        return self._found[text]

    def _matches(self, text: str) -> list[Organisation]:
        key = _compact(text)
        return self.by_name.get(key) or self.by_short_name.get(key) or []

    def _find(self, text: str) -> tuple[Organisation | None, str]:
        if not text:
            return None, _("The organisation (its code or name) is missing.")
        if text in self.by_code:
            return self.by_code[text], ""
        found = self._matches(text)
        if not found and "/" in unicodedata.normalize("NFKC", text):
            # "派驻…组/服务中心": the name under its parent, as an ambiguous name's candidates are listed.
            parent, own = unicodedata.normalize("NFKC", text).rsplit("/", 1)
            parent_key = _compact(parent)
            found = [
                org
                for org in self._matches(own)
                if org.parent_id is not None
                and parent_key in {_compact(org.parent.name), _compact(org.parent.short_name), org.parent.code} - {""}
            ]
        if len(found) == 1:
            return found[0], ""
        if found:
            candidates = [
                f"{org.parent.name}/{org.name}（{org.code}）" if org.parent_id else f"{org.name}（{org.code}）"
                for org in found
            ]
            return None, _(
                "“%(name)s” is more than one organisation: %(candidates)s. Write its code, or its parent's name and "
                "its own as listed (parent/name)."
            ) % {"name": text, "candidates": _listed(candidates)}
        if CODE_LIKE.fullmatch(text):
            return None, _("There is no organisation with the code “%(code)s”.") % {"code": text}
        close = _close(text, self.names)
        if close:
            return None, _("There is no organisation named “%(name)s”. Did you mean %(names)s?") % {
                "name": text,
                "names": "、".join(f"“{name}”" for name in close),
            }
        return None, _("There is no organisation named “%(name)s”.") % {"name": text}


class IndicatorNames:
    """Indicators found by code, Chinese or English name, or a "其中：" name without its "其中："."""

    def __init__(self, indicators: Iterable[Indicator]):
        self.by_code: dict[str, Indicator] = {}
        self.by_name: dict[str, list[Indicator]] = {}
        self.by_part_name: dict[str, list[Indicator]] = {}  # 检举控告类 for 其中：检举控告类
        self.names: dict[str, str] = {}  # the active entered ones' Chinese names, for suggestions
        for indicator in indicators:
            self.by_code[indicator.code] = indicator
            for name in {_compact(indicator.name_zh), _compact(indicator.name_en)} - {""}:
                self.by_name.setdefault(name, []).append(indicator)
            part = self._without_of_which(_compact(indicator.name_zh))
            if part != _compact(indicator.name_zh):
                self.by_part_name.setdefault(part, []).append(indicator)
            if indicator.active and indicator.is_entered:
                self.names.setdefault(_compact(indicator.name_zh), indicator.name_zh)
        self._found: dict[str, tuple[Indicator | None, str]] = {}

    @staticmethod
    def _without_of_which(key: str) -> str:
        return key.removeprefix("其中").removeprefix(":")

    def find(self, text: str) -> tuple[Indicator | None, str]:
        """(the indicator, "") or (None, why not); each distinct text is looked up once."""
        if text not in self._found:
            self._found[text] = self._find(text)
        return self._found[text]

    def _find(self, text: str) -> tuple[Indicator | None, str]:
        if not text:
            return None, _("The indicator (its code or name) is missing.")
        if text in self.by_code:
            return self.by_code[text], ""
        key = _compact(text)
        found = (
            self.by_name.get(key)
            or self.by_part_name.get(key)
            or self.by_name.get(self._without_of_which(key))
            or self.by_part_name.get(self._without_of_which(key))
            or []
        )
        # An indicator switched off and one in use of the same name: the one in use.
        found = [i for i in found if i.active] or found
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, _("“%(name)s” is more than one indicator: %(candidates)s. Write its code.") % {
                "name": text,
                "candidates": _listed([f"{i.name_zh}（{i.code}）" for i in found]),
            }
        if CODE_LIKE.fullmatch(text):
            return None, _("There is no indicator with the code “%(code)s”.") % {"code": text}
        close = _close(text, self.names)
        if close:
            return None, _("There is no indicator named “%(name)s”. Did you mean %(names)s?") % {
                "name": text,
                "names": "、".join(f"“{name}”" for name in close),
            }
        return None, _("There is no indicator named “%(name)s”.") % {"name": text}


def _period_text(text: str) -> str:
    """A workbook's date cell read as text ("2023-03-01 00:00:00": Excel makes 2023-03 or 2023年3月 a
    date) is the month it names; any other text is itself."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-01 00:00:00", text)
    return f"{match.group(1)}-{match.group(2)}" if match else text


def validate_csv(
    text: str | TextIO,
    *,
    organisations: Iterable[Organisation] | None = None,
) -> list[ImportRow]:
    """Check every line of the file; return its rows, or raise ImportFailed listing every bad line.

    `organisations` limits which organisations the file may write (for a web upload, the
    user's); others are reported as unknown, as a URL outside one's subtree answers 404.
    """
    errors: list[RowError] = []
    records = _records(decode(text) if isinstance(text, str) else text, errors)
    return validate_records(records, errors, organisations=organisations)


def validate_records(
    records: Iterator[tuple[int, list[str]]],
    errors: list[RowError],
    *,
    organisations: Iterable[Organisation] | None = None,
) -> list[ImportRow]:
    """validate_csv for records read any way (a CSV, a workbook's sheet): (line, cells), header first.

    `errors` may already hold what reading found (and receives what reading finds as it goes on).
    """
    parsed, errors = check_records(records, errors, organisations=organisations)
    if errors:
        raise ImportFailed(errors)
    return parsed


def check_records(
    records: Iterator[tuple[int, list[str]]],
    errors: list[RowError],
    *,
    organisations: Iterable[Organisation] | None = None,
) -> tuple[list[ImportRow], list[RowError]]:
    """The good rows and every bad line's reasons, without raising: what a preview shows."""
    first = next(records, None)
    if first is None:
        errors.append(
            RowError(
                1, _("The file is empty; its first line must be the header %(header)s.") % {"header": expected_header()}
            )
        )
        raise ImportFailed(errors)
    header_cells = first[1]
    positions, header_errors = _read_header(header_cells)
    if header_errors:
        raise ImportFailed(errors + header_errors)

    orgs = OrganisationNames(Organisation.objects.all() if organisations is None else organisations)
    indicators = IndicatorNames(Indicator.objects.all())

    parsed: list[ImportRow] = []
    seen: dict[tuple[int, Period, int], int] = {}  # (org, period, indicator) -> first line
    file_types: dict[tuple[int, int], tuple[str, int]] = {}  # (org, year) -> (period type, line)
    width = len(header_cells)

    periods: dict[str, Period | str] = {}  # each distinct period text parsed once (or its error)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # blank lines and Excel's trailing ",,,,"
        # A short line lost a column; a long one most likely has an unquoted comma in its note.
        if len(cells) < width or any(c.strip() for c in cells[width:]):
            errors.append(
                RowError(
                    line,
                    _("This line has %(found)d column(s); the header has %(expected)d.")
                    % {"found": len(cells), "expected": width},
                )
            )
            continue
        # The quote an export put before formula-like text comes off: a note reads as it was stored.
        cell = {name: unneutralise(cells[pos].strip()) for name, pos in positions.items()}
        line_errors: list[str] = []

        organisation, problem = orgs.find(cell["org"])
        if problem:
            line_errors.append(problem)

        period = None
        if not cell["period"]:
            line_errors.append(_("The period is missing."))
        else:
            if cell["period"] not in periods:
                try:
                    periods[cell["period"]] = Period.parse_written(_period_text(cell["period"]))
                except PeriodError as exc:
                    periods[cell["period"]] = _(
                        "%(error)s In Chinese it may also be written 2022年, 2022年第一季度 or 2022年3月."
                    ) % {"error": exc}
            parsed_period = periods[cell["period"]]
            if isinstance(parsed_period, str):
                line_errors.append(parsed_period)
            else:
                period = parsed_period

        ind_code = cell["indicator"]  # as written: a code or a name
        indicator, problem = indicators.find(ind_code)
        if problem:
            line_errors.append(problem)
        elif not indicator.active:
            line_errors.append(
                _("The indicator “%(code)s” is no longer in use; figures cannot be entered for it.")
                % {"code": ind_code}
            )
        elif not indicator.is_entered:
            line_errors.append(
                _("The indicator “%(code)s” is computed from other figures and is never entered.") % {"code": ind_code}
            )
        elif organisation is not None and indicator.reported_by != organisation.kind:
            line_errors.append(
                _("%(org)s does not report “%(code)s”: that figure is entered by a %(reported_by)s.")
                % {"org": organisation.name, "code": ind_code, "reported_by": OrgKind(indicator.reported_by).label}
            )

        value = None
        try:
            value = parse_figure(cell["value"])
        except ValidationError as exc:
            line_errors.extend(exc.messages)

        note = cell["note"]
        if "\x00" in note:
            line_errors.append(_("The note contains a character that is not allowed (NUL)."))
        if len(note) > NOTE_MAX_LENGTH:
            line_errors.append(
                _("The note is too long: %(length)d characters, at most %(max)d.")
                % {"length": len(note), "max": NOTE_MAX_LENGTH}
            )

        if organisation is not None and period is not None:
            if indicator is not None:
                key = (organisation.pk, period, indicator.pk)
                if key in seen:
                    line_errors.append(
                        _("This line repeats line %(line)d (same organisation, period and indicator).")
                        % {"line": seen[key]}
                    )
                else:
                    seen[key] = line
            # The first line for an organisation and year sets the period type the rest must use.
            first_type, first_line = file_types.setdefault((organisation.pk, period.year), (period.type, line))
            if first_type != period.type:
                line_errors.append(
                    _(
                        "Line %(line)d reports %(org)s's %(year)d figures by %(existing)s; this line reports by "
                        "%(wanted)s. Use the same period type for the whole year."
                    )
                    % {
                        "line": first_line,
                        "org": organisation.name,
                        "year": period.year,
                        "existing": PeriodType(first_type).label,
                        "wanted": PeriodType(period.type).label,
                    }
                )

        if line_errors:
            errors.extend(RowError(line, message) for message in line_errors)
        else:
            parsed.append(ImportRow(line, organisation, period, indicator, value, note))

    errors.extend(_check_against_database(parsed))
    bad = {error.line for error in errors}
    return [row for row in parsed if row.line not in bad], sorted(errors, key=lambda e: e.line or 0)


def _check_against_database(rows: list[ImportRow]) -> list[RowError]:
    """The rules that depend on what is stored: locked reports and the year's period type."""
    errors: list[RowError] = []
    by_report: dict[tuple[Organisation, Period], list[ImportRow]] = {}
    for row in rows:
        by_report.setdefault((row.organisation, row.period), []).append(row)
    if not by_report:
        return errors
    stored = list(
        Report.objects.filter(
            organisation__in={org for org, _period in by_report},
            year__in={period.year for _org, period in by_report},
        )
    )
    existing = {(r.organisation_id, r.period): r for r in stored}
    types = {(r.organisation_id, r.year): r.period_type for r in stored}
    for (organisation, period), group in by_report.items():
        report = existing.get((organisation.pk, period))
        if report is None:
            held = types.get((organisation.pk, period.year), period.type)
            if held != period.type:
                exc = period_conflict(organisation, period, held)
                errors.extend(RowError(row.line, message) for row in group for message in exc.messages)
        elif report.status not in EDITABLE_STATUSES:
            message = _("The report of %(org)s for %(period)s is %(status)s and cannot be changed.") % {
                "org": organisation.name,
                "period": period.label,
                "status": report.get_status_display(),
            }
            errors.extend(RowError(row.line, message) for row in group)
    return errors


def import_csv(
    data: bytes | str | BinaryIO,
    *,
    user=None,
    organisations: Iterable[Organisation] | None = None,
    dry_run: bool = False,
    enforce_role: bool = True,
    encoding: str = "utf-8-sig",
) -> ImportResult:
    """Check the whole file, then write it in one transaction; raise ImportFailed if any line is bad.

    A file object is decoded with `encoding` (UTF-8 by default; "gb18030" for what Excel saves as CSV on a
    Chinese Windows): the whole file is read before anything is written, so a decoding error writes nothing.

    Values the file does not name are left alone; an empty value with an empty note clears a
    stored figure to "not known". With `dry_run` everything is written and rolled back, so
    the result says what the import would change.
    """
    rows = validate_csv(decode(data, encoding), organisations=organisations)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        try:
            saved = values_save_bulk(
                ((row.organisation, row.period, row.indicator, Entry(row.value, row.note)) for row in rows),
                user=user,
                source=Source.IMPORT,
                enforce_role=enforce_role,
            )
        except ValidationError as exc:
            # Someone locked a report or changed a year's period type since the check.
            raise ImportFailed([RowError(None, m) for m in exc.messages]) from exc
        except PermissionDenied as exc:
            raise ImportFailed([RowError(None, str(exc))]) from exc
        result.reports_created = saved.reports_created
        result.reports_changed = saved.reports_changed
        result.values_created = saved.values_created
        result.values_updated = saved.values_updated
        result.values_unchanged = saved.values_unchanged
        if dry_run:
            transaction.set_rollback(True)
    return result


# ---------------------------------------------------------------- web upload and preview


def _decode_upload(data: bytes) -> str:
    """UTF-8 (with or without a BOM) or GB18030/GBK, what Excel writes on a Chinese Windows; else refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed([RowError(None, _("The file is UTF-16 text; save it as “CSV UTF-8 (comma delimited)”."))])
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [RowError(None, _("The file is neither UTF-8 nor GBK text; save it as “CSV UTF-8 (comma delimited)”."))]
        ) from exc


def _sheet_records(data: bytes, organisations=None) -> Iterator[tuple[int, list[str]]]:
    """The first sheet of a workbook as (row number, cells as text), read a row at a time within the limits."""
    try:
        rows = sheet_rows(data)
        head = list(islice(rows, CODE_ROW))
        if is_entry_template([cells for _number, cells in head]):
            # The app's own entry template (units as columns): its cells become the import's rows.
            rows_read = _template_rows([cells for _number, cells in chain(head, rows)])
            yield from template_records(rows_read, organisations)
            return
        yield from _table_records(chain(head, rows))
    except UploadRefused as refused:
        if refused.code == NOT_A_PACKAGE:
            raise ImportFailed([RowError(None, _("The file is not an Excel workbook (.xlsx)."))]) from refused
        raise ImportFailed([RowError(None, refused.message)]) from refused


def _template_rows(rows: list[tuple]) -> list[tuple]:
    """template_records reads the marker, code and header rows by position: they get the width of the widest of
    them (the sheet's declared range used to pad every row, and is no longer trusted) and are all there."""
    head = rows[:HEADER_ROW] + [()] * (HEADER_ROW - len(rows))
    width = max(len(row) for row in head)
    return [row + (None,) * (width - len(row)) for row in head] + rows[HEADER_ROW:]


def _table_records(rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, list[str]]]:
    """A sheet's rows as the header's width of text: a shorter row is padded, cells past the header are ignored
    (a note beside the table), as they were when the sheet's declared range padded every row."""
    width = None
    for number, row in rows:
        if width is None:
            width = len(row)
        elif not row:
            continue  # a missing row: blank, as check_records would find it
        cells = ["" if cell is None else _cell_text(cell) for cell in row[:width]]
        yield number, cells + [""] * (width - len(cells))


def _cell_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def upload_records(
    name: str, data: bytes, errors: list[RowError], *, organisations=None
) -> Iterator[tuple[int, list[str]]]:
    """The records of an uploaded .csv or .xlsx (ImportFailed for a file that cannot be read at all).

    `organisations`: the user's, the only ones whose stored figures an entry template's blank cells
    are looked up for (tracker.entry.workbook.template_records).
    """
    try:
        check_size(len(data))
    except UploadRefused as refused:
        raise ImportFailed([RowError(None, refused.message)]) from refused
    if name.lower().endswith(".xlsx"):
        return _sheet_records(data, organisations)
    if not name.lower().endswith(".csv"):
        raise ImportFailed([RowError(None, _("Upload a .csv or .xlsx file."))])
    return _capped_records(_records(io.StringIO(_decode_upload(data), newline=""), errors))


def _capped_records(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """A CSV's records, refused past UPLOAD_MAX_ROWS (a blank line counts: 5 MB of them is no table)."""
    try:
        yield from capped_rows(records)
    except UploadRefused as refused:
        raise ImportFailed([RowError(None, refused.message)]) from refused


@dataclass(frozen=True)
class Change:
    """One row of a preview: what a figure is now and what the file makes it."""

    row: ImportRow
    old_value: int | None
    old_note: str
    exists: bool

    @property
    def changed(self) -> bool:
        return not self.exists or (self.old_value, self.old_note) != (self.row.value, self.row.note)


def preview(rows: list[ImportRow]) -> tuple[list[Change], dict[tuple[int, Period], int | None]]:
    """Each row against what is stored, and the revision of every report it touches as the preview
    saw it ((organisation id, period) → revision, None for a report not there yet): the confirm
    hands them to values_save_bulk, which refuses the file if any changed meanwhile."""
    keys = {(row.organisation.pk, row.period) for row in rows}
    reports = {
        (r.organisation_id, r.period): r
        for r in Report.objects.filter(organisation__in={org for org, _p in keys}, year__in={p.year for _o, p in keys})
        if (r.organisation_id, r.period) in keys
    }
    stored = {
        (v.report_id, v.indicator_id): v for v in Value.objects.filter(report__in=[r.pk for r in reports.values()])
    }
    changes = []
    for row in rows:
        report = reports.get((row.organisation.pk, row.period))
        value = stored.get((report.pk, row.indicator.pk)) if report else None
        changes.append(
            Change(row, value.value if value else None, value.note if value else "", exists=value is not None)
        )
    return changes, {key: reports[key].revision if key in reports else None for key in keys}
