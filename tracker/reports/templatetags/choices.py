from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def options(choices: Iterable[tuple[object, object]], selected: object = None) -> SafeString:
    """The <option>s of a <select>, `selected` marked: (value, label) pairs, both escaped.

    Rendered here rather than by a template loop, as the report pages' selects (the switcher's years
    and ranges, the indicators to rank or chart by) hold up to a hundred options (benchmark.py,
    SPEED B and C).
    """
    chosen = str(selected) if selected is not None else None
    items = []
    for value, label in choices:
        value = str(value)
        mark = " selected" if value == chosen else ""
        items.append(f'<option value="{escape(value)}"{mark}>{escape(str(label))}</option>')
    return mark_safe("\n".join(items))  # noqa: S308 - every value and label escaped above


@register.simple_tag
def indicator_options(indicators: Iterable, selected: object = None) -> SafeString:
    """The <option>s of a choice of indicators: each by its code, with its name."""
    return options(((indicator.code, indicator.name) for indicator in indicators), selected)
