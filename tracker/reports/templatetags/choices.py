from collections.abc import Iterable
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def options(choices: Iterable[tuple[object, object]], selected: object = None) -> SafeString:
    """The <option>s of a <select>, `selected` marked: (value, label) pairs, written by the template
    reports/_options.html.

    The report pages' selects (the switcher's organisations, years and ranges, the indicators to rank or
    chart by) hold up to a hundred options, and as a template they cost the per-unit page more than its
    table (README, *The benchmark*, "Markup in templates"). They are the same on every request but for
    the one selected, so each list is rendered once per process: the labels are part of the key (in the
    language of the request, a lazy label made text), so a renamed indicator is a new list.
    """
    chosen = str(selected) if selected is not None else None
    return _rendered(tuple((str(value), str(label)) for value, label in choices), chosen)


@register.simple_tag
def indicator_options(indicators: Iterable, selected: object = None) -> SafeString:
    """The <option>s of a choice of indicators: each by its code, with its name."""
    return options(((indicator.code, indicator.name) for indicator in indicators), selected)


@lru_cache(maxsize=256)
def _rendered(items: tuple[tuple[str, str], ...], chosen: str | None) -> SafeString:
    return render_to_string(
        "reports/_options.html", {"options": [(value, label, value == chosen) for value, label in items]}
    )
