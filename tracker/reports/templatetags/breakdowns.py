from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from tracker.reports import tables

register = template.Library()

# One breakdown's table, written by format_html rather than by a template: the summary prints ten to
# twenty of these, and as a template (tried in commit b9902bc, templates/reports/_breakdown_table.html)
# their headings, cells and conditions cost the demo's summary about three times what this costs, a
# page already nearest the benchmark's budget (README, *The benchmark*, "Markup in templates").
_HEAD = (
    '<thead>\n<tr>\n<th rowspan="2">{part}</th>\n<th colspan="3" class="num">{this}</th>\n'
    '<th colspan="2" class="num ref">{last}</th>\n</tr>\n<tr>\n<th class="num">{figure}</th>'
    '<th class="num">{share}</th><th class="num">{one_decimal}</th>\n<th class="num ref">{figure}</th>'
    '<th class="num ref">{share}</th>\n</tr>\n</thead>'
)
_ROW = (
    '<tr id="part-{}">\n<td>{}</td>\n<td class="num">{}</td>\n<td class="num share">{}</td>\n'
    '<td class="num share">{}</td>\n<td class="num ref">{}</td>\n<td class="num ref">{}</td>\n</tr>'
)
_FOOT = (
    '<tfoot>\n<tr>\n<th scope="row">{}</th>\n<td class="num">{}{}</td>\n<td class="num">{}</td>\n'
    '<td class="num">{}</td>\n<td class="num ref">{}</td>\n<td class="num ref">{}</td>\n</tr>\n</tfoot>'
)


@register.simple_tag(takes_context=True)
def breakdown_table(context, b: dict, this_heading: str, last_heading: str) -> SafeString:
    """One breakdown's table (web.reports.breakdown_blocks): its parts with their figures and shares,
    this range against the same range last year, and the whole. The header, the same for every
    breakdown of the page, is made once per page."""
    key = ("breakdown_head", this_heading, last_heading)
    head = context.render_context.get(key)
    if head is None:
        head = context.render_context[key] = format_html(
            _HEAD,
            part=gettext("Part"),
            this=this_heading,
            last=last_heading,
            figure=gettext("Figure"),
            share=gettext("Share"),
            one_decimal=gettext("Share (one decimal)"),
        )
    block, last = b["block"], b["last"]
    rows = format_html_join(
        "\n",
        _ROW,
        (
            (
                row["indicator"].code,
                row["indicator"].name,
                row["figure"],
                row["share"],
                row["one_decimal"],
                row["last_figure"],
                row["last_share"],
            )
            for row in b["rows"]
        ),
    )
    mark = (
        format_html('<span class="unreported">{}</span>', b["mark"])
        if block.missing and block.whole_figure.known
        else ""
    )
    foot = format_html(
        _FOOT,
        b["whole"].name,
        b["whole_figure"],
        mark,
        "100%" if block.known else "",
        "100.0%" if block.known else "",
        b["last_whole_figure"],
        "100%" if last is not None and last.known else "",
    )
    return format_html('<table class="grid compact">\n{}\n<tbody>\n{}\n</tbody>\n{}\n</table>', head, rows, foot)


@register.simple_tag
def shares_rounding_note() -> str:
    """The note under every exact breakdown's shares (tables.shares_rounding_note)."""
    return tables.shares_rounding_note()
