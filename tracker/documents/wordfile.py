"""Reading an uploaded .docx into lines of text, and writing generated figures back into it.

The text of a document is its paragraphs (body, tables, headers are not included), one a line,
each the concatenation of its runs' `w:t` texts. Generating replaces the characters of each bound
slot inside those `w:t` elements: the runs, their fonts and styles, the paragraphs, headings,
tables and page set-up stay the document's own. A paragraph a person rewrote in a draft takes the
new text in its first run (its paragraph style kept) and empties the others.
"""

from __future__ import annotations

import io

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from tracker.uploads import DOCX, NOT_A_PACKAGE, READ_ERRORS, UploadRefused, check_package, damaged

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class NotAWordFile(ValueError):
    """Not a .docx, or one that cannot be read; `reason` says why in the user's language (None: not a Word file)."""

    def __init__(self, reason: str | None = None):
        super().__init__(reason or "not a Word (.docx) file")
        self.reason = reason


def _open(data: bytes):
    """The document, checked against the upload limits before python-docx parses it (tracker.uploads)."""
    try:
        check_package(data, kind=DOCX)
    except UploadRefused as refused:
        raise NotAWordFile(None if refused.code == NOT_A_PACKAGE else refused.message) from refused
    try:
        return Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError) as exc:
        # A zip of another kind (an .xlsx renamed): python-docx says so with a ValueError.
        raise NotAWordFile() from exc
    except READ_ERRORS as exc:
        # Malformed XML (lxml's XMLSyntaxError), a missing part, a broken zip.
        raise NotAWordFile(damaged().message) from exc


def _paragraphs(document):
    """Every w:p of the body in document order, tables' cells included."""
    return list(document.element.body.iter(qn("w:p")))


def _texts(paragraph) -> list:
    return list(paragraph.iter(qn("w:t")))


def docx_text(data: bytes) -> str:
    """The document's paragraphs, one a line (raises NotAWordFile for anything but a .docx)."""
    document = _open(data)
    return "\n".join("".join(t.text or "" for t in _texts(p)) for p in _paragraphs(document))


def _replace(texts: list, start: int, end: int, new: str) -> None:
    """Replace characters [start, end) of the concatenated texts, keeping each w:t's run.

    The new text goes where the slot begins; the rest of the slot is cut from the w:t elements
    it spans (Word splits text into runs wherever it likes, "1" "23" for 123).
    """
    offset, placed = 0, False
    for element in texts:
        value = element.text or ""
        a, b = offset, offset + len(value)
        offset = b
        if b <= start:
            continue
        if a >= end:
            break
        low, high = max(start, a) - a, min(end, b) - a
        value = value[:low] + ("" if placed else new) + value[high:]
        placed = True
        element.text = value
        element.set(XML_SPACE, "preserve")


def fill_docx(data: bytes, text: str, replacements, edited_lines: dict[int, str] | None = None) -> bytes:
    """The uploaded document with each (start, end, printed) slot of `text` replaced in place."""
    document = _open(data)
    paragraphs = _paragraphs(document)
    starts, position = [], 0
    for line in text.split("\n"):
        starts.append(position)
        position += len(line) + 1
    by_paragraph: dict[int, list[tuple[int, int, str]]] = {}
    for start, end, printed in replacements:
        line = max(i for i, s in enumerate(starts) if s <= start)
        by_paragraph.setdefault(line, []).append((start - starts[line], end - starts[line], printed))
    for line, items in by_paragraph.items():
        if line >= len(paragraphs) or (edited_lines and line in edited_lines):
            continue
        texts = _texts(paragraphs[line])
        for start, end, printed in sorted(items, reverse=True):
            _replace(texts, start, end, printed)
    for line, new_text in (edited_lines or {}).items():
        if line < len(paragraphs):
            texts = _texts(paragraphs[line])
            if texts:
                texts[0].text = new_text
                texts[0].set(XML_SPACE, "preserve")
                for element in texts[1:]:
                    element.text = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
