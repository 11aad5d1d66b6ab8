import html

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tracker.documents.review import has_speech as _has_speech

register = template.Library()


@register.simple_tag
def has_speech(organisation) -> bool:
    """Whether the organisation has a speech (its own or an ancestor's): the report pages' tabs
    (templates/reports/_page.html) offer the review's Word download only then, never a link to a 404."""
    return _has_speech(organisation)


@register.simple_tag
def entry_points(points, visible) -> SafeString:
    """Organisations that should enter a figure: links where the user may open them.

    Rendered here rather than by a template loop, as a commission's document lists every unit for every
    figure not yet known, hundreds of items (benchmark.py, SPEED B).
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


# A paragraph's element by its role (tracker.documents.generate): the title, a heading, else body text.
_ELEMENTS = {"title": ('<h2 class="review-title">', "</h2>"), "heading": ('<h3 class="review-heading">', "</h3>")}
_BODY = ('<p class="body">', "</p>")


@register.simple_tag
def document_paragraphs(paragraphs) -> SafeString:
    """A document's text: a paragraph per line (none for an empty one), its figures and gaps marked.

    Rendered here rather than by a template loop over every run of every paragraph, which cost a
    speech's page as much as the figures it prints. Every text and label is escaped (html.escape, as
    Django's escape does).
    """
    lines = []
    for paragraph in paragraphs:
        if paragraph.text:
            opening, closing = _ELEMENTS.get(paragraph.role, _BODY)
            runs = []
            for run in paragraph.runs:
                text = html.escape(str(run.text))
                if run.kind == "missing":
                    runs.append(f'<mark class="missing" title="{html.escape(str(run.label))}">{text}</mark>')
                elif run.kind == "partial":
                    runs.append(f'<mark class="partial" title="{html.escape(str(run.label))}">{text}</mark>')
                elif run.kind == "figure":
                    runs.append(f'<span class="figure" title="{html.escape(str(run.label))}">{text}</span>')
                else:
                    runs.append(text)
            lines.append(opening + "".join(runs) + closing)
        lines.append("\n")
    return mark_safe("".join(lines))  # noqa: S308 - every run escaped above
