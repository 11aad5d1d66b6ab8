from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def options(choices: Iterable[tuple[object, object]], selected: object = None) -> SafeString:
    """The <option>s of a <select>, `selected` marked: (value, label) pairs, both escaped.

    Rendered here rather than by a template loop: the report pages' selects (the switcher's years
    and ranges, the indicators to rank or chart by) hold up to a hundred options, and a loop with
    a comparison per option cost more than the rest of the page's frame.
    """
    chosen = str(selected) if selected is not None else None
    return format_html_join(
        "\n",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if chosen is not None and str(value) == chosen else "", label)
            for value, label in choices
        ),
    )


@register.simple_tag
def indicator_options(indicators: Iterable, selected: object = None) -> SafeString:
    """The <option>s of a choice of indicators: each by its code, with its name."""
    return options(((indicator.code, indicator.name) for indicator in indicators), selected)
