from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tracker.reports import tables

register = template.Library()


def _cell(cls: str, text: object) -> str:
    return f'<td class="{cls}">{escape(str(text))}</td>\n'


@register.simple_tag(takes_context=True)
def breakdown_table(context, b: dict, this_heading: str, last_heading: str) -> SafeString:
    """One breakdown's table (views.breakdown_blocks): its parts with their figures and shares, this
    range against the same range last year, and the whole.

    Rendered here rather than by the template: the summary prints twenty of these, and their
    headings, cells and conditions cost the template a node each, more than the figures' query.
    Every text is escaped (html.escape, as Django's escape does); the header, the same for every
    breakdown of the page, is made once per page.
    """
    key = ("breakdown_head", this_heading, last_heading)
    head = context.render_context.get(key)
    if head is None:
        figure, share = escape(gettext("Figure")), escape(gettext("Share"))
        head = context.render_context[key] = (
            "<thead>\n<tr>\n"
            f'<th rowspan="2">{escape(gettext("Part"))}</th>\n'
            f'<th colspan="3" class="num">{escape(str(this_heading))}</th>\n'
            f'<th colspan="2" class="num ref">{escape(str(last_heading))}</th>\n'
            "</tr>\n<tr>\n"
            f'<th class="num">{figure}</th><th class="num">{share}</th>'
            f'<th class="num">{escape(gettext("Share (one decimal)"))}</th>\n'
            f'<th class="num ref">{figure}</th><th class="num ref">{share}</th>\n'
            "</tr>\n</thead>"
        )
    block, last = b["block"], b["last"]
    rows = "\n".join(
        f'<tr id="part-{escape(row["indicator"].code)}">\n<td>{escape(row["indicator"].name)}</td>\n'
        + _cell("num", row["figure"])
        + _cell("num share", row["share"])
        + _cell("num share", row["one_decimal"])
        + _cell("num ref", row["last_figure"])
        + _cell("num ref", row["last_share"])
        + "</tr>"
        for row in b["rows"]
    )
    mark = (
        f'<span class="unreported">{escape(str(b["mark"]))}</span>'
        if block.missing and block.whole_figure.known
        else ""
    )
    foot = (
        f'<tfoot>\n<tr>\n<th scope="row">{escape(b["whole"].name)}</th>\n'
        f'<td class="num">{escape(str(b["whole_figure"]))}{mark}</td>\n'
        + _cell("num", "100%" if block.known else "")
        + _cell("num", "100.0%" if block.known else "")
        + _cell("num ref", b["last_whole_figure"])
        + _cell("num ref", "100%" if last is not None and last.known else "")
        + "</tr>\n</tfoot>"
    )
    table = f'<table class="grid compact">\n{head}\n<tbody>\n{rows}\n</tbody>\n{foot}\n</table>'
    return mark_safe(table)  # noqa: S308 - every text escaped above


@register.simple_tag
def shares_rounding_note() -> str:
    """The note under every exact breakdown's shares (tables.shares_rounding_note)."""
    return tables.shares_rounding_note()
