from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def breakdown_table(b: dict, this_heading: str, last_heading: str) -> SafeString:
    """One breakdown's table (views.breakdown_blocks): its parts with their figures and shares, this
    range against the same range last year, and the whole.

    Rendered here rather than by the template: the summary prints twenty of these, and their
    headings, cells and conditions cost the template a node each, more than the figures' query.
    Every text is escaped by format_html.
    """
    block, last = b["block"], b["last"]
    whole_name = b["whole"].name
    head = format_html(
        "<thead>\n<tr>\n"
        '<th rowspan="2">{}</th>\n<th colspan="3" class="num">{}</th>\n<th colspan="2" class="num ref">{}</th>\n'
        "</tr>\n<tr>\n"
        '<th class="num">{}</th><th class="num">{}</th><th class="num">{}</th>\n'
        '<th class="num ref">{}</th><th class="num ref">{}</th>\n'
        "</tr>\n</thead>",
        gettext("Part"),
        this_heading,
        last_heading,
        gettext("Figure"),
        gettext("Share"),
        gettext("Share (one decimal)"),
        gettext("Figure"),
        gettext("Share"),
    )
    rows = format_html_join(
        "\n",
        '<tr id="part-{}">\n<td>{}</td>\n<td class="num">{}</td>\n<td class="num share">{}</td>\n'
        '<td class="num share">{}</td>\n<td class="num ref">{}</td>\n<td class="num ref">{}</td>\n</tr>',
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
        '<tfoot>\n<tr>\n<th scope="row">{}</th>\n<td class="num">{}{}</td>\n<td class="num">{}</td>\n'
        '<td class="num">{}</td>\n<td class="num ref">{}</td>\n<td class="num ref">{}</td>\n</tr>\n</tfoot>',
        whole_name,
        b["whole_figure"],
        mark,
        "100%" if block.known else "",
        "100.0%" if block.known else "",
        b["last_whole_figure"],
        "100%" if last is not None and last.known else "",
    )
    return format_html('<table class="grid compact">\n{}\n<tbody>\n{}\n</tbody>\n{}\n</table>', head, rows, foot)
