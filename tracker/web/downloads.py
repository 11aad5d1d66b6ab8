"""A table as a download: the report pages' exports, the checks page and the completeness page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from tracker.spreadsheets import CONTENT_TYPES, SheetHeading, attachment_header, spreadsheet_content


def spreadsheet_download(
    *,
    file_format: str,
    heading: SheetHeading,
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    ascii_name: str,
    sheet_title: str = "",
    landscape: bool = False,
) -> HttpResponse:
    """The Excel or CSV file of one table (tracker.spreadsheets.spreadsheet_content), named in Chinese
    with `ascii_name` for old clients."""
    content = spreadsheet_content(
        file_format=file_format,
        heading=heading,
        headers=headers,
        rows=rows,
        sheet_title=sheet_title,
        landscape=landscape,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = attachment_header(heading.filename(file_format), ascii_name)
    return response
