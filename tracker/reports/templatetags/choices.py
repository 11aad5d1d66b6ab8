from collections.abc import Iterable

from django import template

register = template.Library()


@register.inclusion_tag("reports/_options.html")
def options(choices: Iterable[tuple[object, object]], selected: object = None) -> dict:
    """The <option>s of a <select>, `selected` marked: (value, label) pairs, written by the template.

    The comparison with `selected` is made here, once per option, rather than by an {% if %} with a
    filter in the template: the report pages' selects (the switcher's years and ranges, the indicators
    to rank or chart by) hold up to a hundred options.
    """
    chosen = str(selected) if selected is not None else None
    return {"options": [(value, label, str(value) == chosen) for value, label in choices]}


@register.inclusion_tag("reports/_options.html")
def indicator_options(indicators: Iterable, selected: object = None) -> dict:
    """The <option>s of a choice of indicators: each by its code, with its name."""
    return options(((indicator.code, indicator.name) for indicator in indicators), selected)
