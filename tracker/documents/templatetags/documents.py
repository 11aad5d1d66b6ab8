from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def entry_points(points, visible) -> SafeString:
    """Organisations that should enter a figure: links where the user may open them.

    Rendered here rather than by a template loop: a commission's document lists every unit for every
    figure not yet known, hundreds of items, and a template loop cost more than the figures.
    """
    items = format_html_join(
        "\n",
        "<li>{}</li>",
        (
            (
                format_html('<a href="{}">{}</a>', p.url, p.organisation.name)
                if p.organisation.pk in visible
                else p.organisation.name,
            )
            for p in points
        ),
    )
    listing = format_html("<ul>{}</ul>", items)
    if len(points) > 3:
        summary = gettext("Organisations: %(n)s") % {"n": len(points)}
        return format_html("<details><summary>{}</summary>{}</details>", summary, listing)
    return listing
