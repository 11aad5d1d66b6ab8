"""What a binding is, in words, and back: the binding page shows and takes words, the template keeps codes.

A binding says what fills one place of a template's text: an indicator's figure (`code`), the same
figure last year (`code@previous`), its change on last year (`code:change`, `code:change_pct`), a
part's share (`share:code`), the year (`year`, `year+1`, `year-1`), the range, the organisation's
name, or one of its names (`text:key`). People read and type the words ("立案：上年同期",
"第一种形态占比", "年度"); `choices` lists every binding with its words, `binding_from_words` finds
the binding of what someone typed, and the codes stay a secondary detail of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tracker.catalogue.models import Catalogue
from tracker.documents.assistant import NAMED, YEAR_BINDINGS


@dataclass(frozen=True)
class Choice:
    binding: str
    words: str


def _simple() -> dict[str, str]:
    return {
        "year": _("the year"),
        "year+1": _("the next year"),
        "year-1": _("the year before"),
        "range": _("the year and range"),
        "org_name": _("the organisation's name"),
    }


def binding_label(binding: str, catalogue: Catalogue, texts: dict[str, str] | None = None) -> str:
    """The words of a binding; an unknown code is shown as it is, so that it can be corrected."""
    if not binding:
        return _("fixed text")
    simple = _simple()
    if binding in simple:
        return simple[binding]
    if binding.startswith("text:"):
        key = binding.removeprefix("text:")
        if texts and key in texts:
            return _("the name “%(text)s”") % {"text": texts[key]}
        return _("the text “%(key)s”") % {"key": key}
    if binding.startswith("share:"):
        part = catalogue.by_code.get(binding.removeprefix("share:"))
        return _("share of %(name)s") % {"name": part.name_zh} if part else binding
    code, _colon, what = binding.partition(":")
    code, at, _previous = code.partition("@")
    indicator = catalogue.by_code.get(code)
    if indicator is None:
        return binding
    name = indicator.name_zh
    if what == "change":
        return _("%(name)s: change on last year") % {"name": name}
    if what == "change_pct":
        return _("%(name)s: change on last year (%%)") % {"name": name}
    if at:
        return _("%(name)s: same period last year") % {"name": name}
    return name


def choices(catalogue: Catalogue, texts: dict[str, str]) -> list[Choice]:
    """Every binding a place can take, in words: each indicator's figure, its value last year and its
    change (a share: its figure), each part's share, the years, the range, the names."""
    found: list[Choice] = []
    for indicator in catalogue.indicators:
        found.append(Choice(indicator.code, binding_label(indicator.code, catalogue)))
        if not indicator.is_share:
            for binding in (f"{indicator.code}@previous", f"{indicator.code}:change", f"{indicator.code}:change_pct"):
                found.append(Choice(binding, binding_label(binding, catalogue)))
    found += [Choice(f"share:{part}", binding_label(f"share:{part}", catalogue)) for part in catalogue.exact_of]
    found += [Choice(b, binding_label(b, catalogue)) for b in (*YEAR_BINDINGS, *NAMED)]
    found += [Choice(f"text:{key}", binding_label(f"text:{key}", catalogue, texts)) for key in texts]
    return found


def binding_from_words(typed: str, offered: list[Choice]) -> str:
    """The binding someone chose by its words (or, still, by its code); "" or the words of "fixed
    text" keep the place as fixed text. Words that name nothing are returned as typed, for the
    service to refuse with a message that quotes them."""
    typed = (typed or "").strip()
    if not typed or typed == _("fixed text"):
        return ""
    by_words: dict[str, set[str]] = {}
    for choice in offered:
        by_words.setdefault(choice.words, set()).add(choice.binding)
    if len(by_words.get(typed, ())) == 1:
        return next(iter(by_words[typed]))
    return typed
