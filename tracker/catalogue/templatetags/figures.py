"""How a figure is printed, in one place: "—" for not known, "N余" for lower bounds."""

from decimal import Decimal

from django import template

from tracker.catalogue.models import Indicator

register = template.Library()

NOT_KNOWN = "—"


def format_figure(value, indicator: Indicator | None = None) -> str:
    if value is None:
        return NOT_KNOWN
    if isinstance(value, Decimal):
        text = f"{value:f}"
    else:
        text = f"{value}"
    if indicator is not None and indicator.is_approximate:
        return f"{text}余"
    return text


@register.simple_tag
def figure(value, indicator=None):
    return format_figure(value, indicator)
