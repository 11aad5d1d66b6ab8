"""Uploaded Office files (.xlsx, .docx) checked before they are parsed, and a workbook's first sheet read within limits.

Used by the web import (tracker.entry.csvio) and the document templates (tracker.documents.wordfile), so it
sits below the apps and imports none of them. An .xlsx or .docx is a zip of XML parts: a few hundred KB can
unpack to gigabytes, claim a sheet of a million rows, or hold millions of tiny elements that openpyxl and
python-docx turn into objects one by one. `check_package` looks at the zip before any parser does: its size,
how many parts, what they unpack to (read with a cap, not trusted from the zip's directory) and how much markup
they hold; `sheet_rows` then reads the first sheet lazily, refusing it as soon as it passes the row or column
limit. The limits are settings (UPLOAD_MAX_*, README "Production settings"); every refusal is an UploadRefused
whose message names the limit.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

T = TypeVar("T")

XLSX, DOCX = "xlsx", "docx"

# UploadRefused.code: the callers word "not a workbook / not a Word file" their own way.
NOT_A_PACKAGE, DAMAGED, OVER_LIMIT = "not_a_package", "damaged", "over_limit"

# What a parser of a damaged package raises: lxml's XMLSyntaxError and ElementTree's ParseError are
# SyntaxErrors; a missing part is a KeyError; a bad number or attribute a ValueError or TypeError; a broken
# zip BadZipFile, zlib.error or EOFError; an encrypted or oddly compressed member RuntimeError or
# NotImplementedError.
READ_ERRORS: tuple[type[BaseException], ...] = (
    SyntaxError,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zipfile.BadZipFile,
    zlib.error,
)

# openpyxl builds an object of every element of a workbook's styles, names, content types and relationships,
# some 50 µs each (a cell costs 5): 100,000 <font/> in a 6 KB file take six seconds. Real workbooks hold a few
# thousand such elements and python-docx's own template 24,000 in its styles (parsed, not turned into objects),
# so these parts get a budget of their own, far below UPLOAD_MAX_XML_TAGS.
COSTLY_PARTS_MAX_TAGS = 50_000
# A part must unpack to at least this much before its compression ratio counts: a small part that compresses
# well is harmless, its markup is counted anyway.
RATIO_FLOOR_BYTES = 1024 * 1024
CHUNK = 64 * 1024

# OOXML parts never have a DTD; one is there only for entity expansion ("billion laughs").
DTD_MARKS = tuple(
    mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
# What may come before an XML part's first "<": byte-order marks, whitespace, UTF-16's zero bytes.
XML_LEAD = b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"

# The parts of a workbook openpyxl streams (worksheets, shared strings) or, read-only, never reads (Excel's
# calculation chain, comments), by content type and the ending of the relationship type that leads to them.
CHEAP_XLSX_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml": "/worksheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml": "/sharedStrings",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml": "/calcChain",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml": "/comments",
}
# Parts openpyxl reads at these names whatever [Content_Types].xml says.
CONTENT_TYPES = "[Content_Types].xml"
XLSX_FIXED_PARTS = {CONTENT_TYPES, "xl/workbook.xml", "xl/styles.xml", "docProps/core.xml", "docProps/custom.xml"}


class UploadRefused(Exception):
    """Why an uploaded file is not read, in the user's language; `code` is NOT_A_PACKAGE, DAMAGED or OVER_LIMIT."""

    def __init__(self, message: str, *, code: str = OVER_LIMIT):
        super().__init__(message)
        self.message = message
        self.code = code


def damaged() -> UploadRefused:
    return UploadRefused(
        _("The file is damaged and cannot be read. Open it in Excel or Word, save it again and upload the new file."),
        code=DAMAGED,
    )


def _size(limit: int) -> str:
    """5 MB, 1.5 MB, 512 KB."""
    if limit < 1024 * 1024:
        return f"{max(round(limit / 1024), 1)} KB"
    return f"{limit / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _count(limit: int) -> str:
    return f"{limit:,}"


# -- the file as a whole ------------------------------------------------------------------------


def check_size(size: int) -> None:
    """Refuse a file larger than UPLOAD_MAX_BYTES (any upload: .csv, .xlsx, .docx)."""
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadRefused(
            _("The file is larger than %(limit)s; split it.") % {"limit": _size(settings.UPLOAD_MAX_BYTES)}
        )


def check_package(data: bytes, *, kind: str) -> None:
    """Refuse an .xlsx or .docx that is not a zip, or that passes a limit, before any parser reads it.

    Every part is decompressed here, with a cap on the bytes, so a zip whose directory understates a part's
    size is caught too (or fails its checksum, which is the same refusal).
    """
    check_size(len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except READ_ERRORS as exc:
        raise UploadRefused(
            _("The file is not an Excel workbook or a Word document (.xlsx, .docx)."), code=NOT_A_PACKAGE
        ) from exc
    with archive:
        if len(archive.infolist()) > settings.UPLOAD_MAX_PARTS:
            raise UploadRefused(
                _("The file holds more than %(limit)s parts; it is not an ordinary workbook or document.")
                % {"limit": _count(settings.UPLOAD_MAX_PARTS)}
            )
        members = [info for info in archive.infolist() if not info.is_dir()]
        _check_sizes(members)
        try:
            tags = _tags_by_part(archive, members)
            cheap = _xlsx_cheap_parts(archive, tags) if kind == XLSX else set()
        except UploadRefused:
            raise
        except READ_ERRORS as exc:
            raise damaged() from exc
        total = sum(tags.values())
        if total > settings.UPLOAD_MAX_XML_TAGS:
            raise UploadRefused(
                _("The file holds more than %(limit)s XML tags, more than can be read; split it.")
                % {"limit": _count(settings.UPLOAD_MAX_XML_TAGS)}
            )
        if kind == XLSX:
            costly = sum(count for name, count in tags.items() if name not in cheap)
        else:
            # python-docx only parses a document's parts, but makes objects of its content types and relationships.
            costly = sum(count for name, count in tags.items() if name == CONTENT_TYPES or _is_rels(name))
        if costly > COSTLY_PARTS_MAX_TAGS:
            raise UploadRefused(
                _(
                    "The file's styles, names and other settings hold more than %(limit)s XML tags, more than can "
                    "be read. Copy its content into a new file and upload that."
                )
                % {"limit": _count(COSTLY_PARTS_MAX_TAGS)}
            )


def _too_large_unpacked() -> UploadRefused:
    return UploadRefused(
        _("The file unpacks to more than %(limit)s.") % {"limit": _size(settings.UPLOAD_MAX_UNCOMPRESSED_BYTES)}
    )


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    """The sizes the zip's directory declares; _tags_by_part checks what the parts really unpack to."""
    if sum(info.file_size for info in members) > settings.UPLOAD_MAX_UNCOMPRESSED_BYTES:
        raise _too_large_unpacked()
    ratio = settings.UPLOAD_MAX_RATIO
    for info in members:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise UploadRefused(
                _("The file unpacks to more than %(limit)s times its size; it is not an ordinary workbook or document.")
                % {"limit": _count(ratio)}
            )


def _tags_by_part(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> dict[str, int]:
    """How many tags ("<") each XML part holds, reading every part in chunks within UPLOAD_MAX_UNCOMPRESSED_BYTES."""
    left = settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
    longest = max(len(mark) for mark in DTD_MARKS)
    tags: dict[str, int] = {}
    for info in members:
        is_xml: bool | None = None  # undecided until the first byte that is not whitespace
        count, tail = 0, b""
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                left -= len(chunk)
                if left < 0:
                    raise _too_large_unpacked()
                if is_xml is None:
                    lead = chunk.lstrip(XML_LEAD)
                    is_xml = lead.startswith(b"<") if lead else None
                if not is_xml:
                    continue
                window = tail + chunk
                if any(mark in window for mark in DTD_MARKS):
                    raise damaged()
                tail = window[-longest:]
                count += chunk.count(b"<")
        if is_xml:
            tags[info.filename] = tags.get(info.filename, 0) + count
    return tags


def _is_rels(name: str) -> bool:
    return name.endswith(".rels")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xlsx_cheap_parts(archive: zipfile.ZipFile, tags: dict[str, int]) -> set[str]:
    """The parts of CHEAP_XLSX_PARTS: openpyxl spends 5 µs on an element of them, or nothing.

    A part counts as one only when [Content_Types].xml gives it such a type and no relationship gives it another
    role (a workbook, an external link, a chart sheet would be turned into objects whatever its name). The
    content types and relationships are parsed only when they are within COSTLY_PARTS_MAX_TAGS.
    """
    from openpyxl.xml.functions import fromstring

    relationships = [name for name in tags if _is_rels(name)]
    if CONTENT_TYPES not in tags or sum(tags[name] for name in [CONTENT_TYPES, *relationships]) > COSTLY_PARTS_MAX_TAGS:
        return set()
    types: dict[str, set[str]] = {}
    for element in fromstring(archive.read(CONTENT_TYPES)):
        if isinstance(element.tag, str) and _local(element.tag) == "Override":
            types.setdefault(element.get("PartName", "").lstrip("/"), set()).add(element.get("ContentType", ""))
    cheap = {name for name, declared in types.items() if declared and declared <= CHEAP_XLSX_PARTS.keys()}
    for rels in relationships:
        # Targets are relative to the folder of the part the .rels belongs to (the folder above _rels/).
        base = posixpath.dirname(posixpath.dirname(rels))
        for relationship in fromstring(archive.read(rels)):
            if not isinstance(relationship.tag, str) or relationship.get("TargetMode") == "External":
                continue
            target = relationship.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            if not relationship.get("Type", "").endswith(tuple(CHEAP_XLSX_PARTS.values())):
                cheap.discard(target)
    return cheap - XLSX_FIXED_PARTS - set(relationships)


# -- rows ---------------------------------------------------------------------------------------


def too_many_rows(*, in_sheet: bool) -> UploadRefused:
    limit = _count(settings.UPLOAD_MAX_ROWS)
    if in_sheet:
        return UploadRefused(_("The sheet has more than %(limit)s rows; split it.") % {"limit": limit})
    return UploadRefused(_("The file has more than %(limit)s rows; split it.") % {"limit": limit})


def too_many_columns() -> UploadRefused:
    return UploadRefused(
        _("The sheet has more than %(limit)s columns.") % {"limit": _count(settings.UPLOAD_MAX_COLUMNS)}
    )


def capped_rows(rows: Iterable[T], *, in_sheet: bool = False) -> Iterator[T]:
    """`rows` as they come, refused as soon as there are more than UPLOAD_MAX_ROWS (a CSV's records)."""
    for number, row in enumerate(rows, start=1):
        if number > settings.UPLOAD_MAX_ROWS:
            raise too_many_rows(in_sheet=in_sheet)
        yield row


def sheet_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    """The first worksheet of an .xlsx, as (row number, cell values), read lazily within the limits.

    Values are openpyxl's (data_only: a formula's last result; dates as datetimes). A row is as wide as its
    last cell; a missing row comes as (). The sheet's declared range is checked against the limits, then
    ignored: openpyxl would pad every row to it (16,384 cells a row for A1:XFD1048576). Raises UploadRefused.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_package(data, kind=XLSX)
    try:
        # keep_links=False: an external link's cached copy of another workbook is never read.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, KeyError, OSError) as exc:
        # No workbook part: a zip, but not a workbook (a .docx renamed, say).
        raise UploadRefused(_("The file is not an Excel workbook (.xlsx)."), code=NOT_A_PACKAGE) from exc
    except READ_ERRORS as exc:
        raise damaged() from exc
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        _check_declared_range(sheet)
        yield from _stream(sheet)
    except UploadRefused:
        raise
    except READ_ERRORS as exc:
        raise damaged() from exc
    finally:
        book.close()


def _check_declared_range(sheet) -> None:
    """The <dimension ref> a sheet declares, refused past the limits with what to do about it."""
    rows, columns = sheet.max_row, sheet.max_column
    if rows is None or columns is None:
        return  # none declared: the rows read are counted instead
    used = sheet.calculate_dimension()
    if rows > settings.UPLOAD_MAX_ROWS:
        raise UploadRefused(
            _(
                "The sheet's used range (%(range)s) has more than %(limit)s rows. Delete the empty rows below the "
                "table, or copy the table into a new workbook."
            )
            % {"range": used, "limit": _count(settings.UPLOAD_MAX_ROWS)}
        )
    if columns > settings.UPLOAD_MAX_COLUMNS:
        raise UploadRefused(
            _(
                "The sheet's used range (%(range)s) has more than %(limit)s columns. Delete the empty columns to "
                "the right of the table, or copy the table into a new workbook."
            )
            % {"range": used, "limit": _count(settings.UPLOAD_MAX_COLUMNS)}
        )


def _stream(sheet) -> Iterator[tuple[int, tuple]]:
    """The sheet's <sheetData>, a row at a time, through openpyxl's own row and cell parser.

    The loop is ours, not openpyxl's iter_rows, so that a row with too many cells is refused while it is being
    read (openpyxl collects a whole row first) and nothing after </sheetData> is read (merged cells, validations
    and conditional formats would be turned into objects). Uses read-only internals of openpyxl 3.1
    (requirements.txt pins it): the sheet's source, its shared strings and the workbook's date formats.
    """
    from openpyxl.worksheet._reader import DATA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    book = sheet.parent
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    max_rows, max_columns = settings.UPLOAD_MAX_ROWS, settings.UPLOAD_MAX_COLUMNS
    expected = 1  # the next row number; rows out of order are dropped, as openpyxl does
    sheet_data, row_depth, children = None, 0, 0
    with sheet._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if row_depth:
                    if row_depth == 1:  # a cell: parse_row takes every child of <row> for one
                        children += 1
                        if children > max_columns:
                            raise too_many_columns()
                    row_depth += 1
                elif element.tag == ROW_TAG and sheet_data is not None:
                    row_depth, children = 1, 0
                elif element.tag == DATA_TAG:
                    sheet_data = element
                continue
            if row_depth > 1:
                row_depth -= 1
                continue
            if element.tag == DATA_TAG:
                return
            if element.tag != ROW_TAG or not row_depth:
                continue
            row_depth = 0
            number, cells = parser.parse_row(element)
            # The row is read: nothing of it stays in memory (openpyxl keeps a styled row's height; not needed).
            del sheet_data[:]
            parser.row_dimensions.clear()
            if number > max_rows:
                raise too_many_rows(in_sheet=True)
            if number < expected:
                continue
            width = max((cell["column"] for cell in cells), default=0)
            if width > max_columns:
                raise too_many_columns()
            values = [None] * width
            for cell in cells:
                if 1 <= cell["column"] <= width:
                    values[cell["column"] - 1] = cell["value"]
            for missing in range(expected, number):
                yield missing, ()
            expected = number + 1
            yield number, tuple(values)
