from django import template

from tracker.reports import tables

register = template.Library()


@register.simple_tag
def shares_rounding_note() -> str:
    """The note under every exact breakdown's shares (tables.shares_rounding_note)."""
    return tables.shares_rounding_note()
