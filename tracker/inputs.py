"""Reading numbers that a request carries as text: ids, revisions, the figures a page was opened with.

`str.isdigit()` is true for "²" and "③", which `int()` refuses, and `int()` refuses more than 4,300
digits: both were 500s. Used by the entry page, the grid and the lockout page; it imports nothing
from the apps so that any of them may use it.
"""

from __future__ import annotations

# The largest id or revision any column holds (a 64-bit signed integer, PostgreSQL's bigint).
MAX_WHOLE = 2**63 - 1


def parse_whole(text: object, *, maximum: int = MAX_WHOLE) -> int | None:
    """A non-negative whole number written in ASCII digits, at most `maximum`; None for anything else."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= maximum else None
