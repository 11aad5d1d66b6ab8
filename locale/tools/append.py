"""Append translations to a locale/parts/*.po file from `msgid|msgstr` lines.

Usage: python locale/tools/append.py locale/parts/NAME.po < pairs.txt
Plural entries are written "singular || plural || translation".
Existing msgids in that file are left as they are.
"""

import re
import sys
from pathlib import Path


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> None:
    target = Path(sys.argv[1])
    existing = target.read_text(encoding="utf-8") if target.exists() else ""
    known = set(re.findall(r'^msgid "(.*)"$', existing, flags=re.M))
    out = []
    for line in sys.stdin.read().splitlines():
        if not line.strip() or "|" not in line:
            continue
        if " || " in line:
            # A plural entry: "singular || plural || translation" (Chinese has one form).
            msgid, plural, msgstr = line.split(" || ")
            if quote(msgid)[1:-1] in known:
                continue
            out.append(f"\nmsgid {quote(msgid)}\nmsgid_plural {quote(plural)}\nmsgstr[0] {quote(msgstr)}\n")
            continue
        msgid, msgstr = line.split("|", 1)
        if quote(msgid)[1:-1] in known:
            continue
        out.append(f"\nmsgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n")
    target.write_text(existing + "".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
