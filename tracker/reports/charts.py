"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, and they print.

Every piece of text is escaped here before it goes into the SVG (organisation and indicator
names are user text); only the SVG built in this module is marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The system's CJK fonts, as in tracker.css; an SVG text element does not inherit the page's font
# when the SVG is saved or printed on its own.
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif"
)
INK = "#1f2328"
MUTED = "#5b636e"
GRID = "#d0d7de"
# One colour per form: from the mildest (first) to the gravest (fourth).
FORM_COLOURS = ("#d08770", "#c0392b", "#8e1b22", "#4a0d12")
BAR = "#b4232a"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | Decimal | None
    # What is printed next to the bar, e.g. "47人次 · 94%"; "—" when the value is not known.
    caption: str


def _text(x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", fill: str = INK, bold=False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT_FAMILY}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}"{weight}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    # All text in `body` and `title` is escaped by _text / here.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def horizontal_bars(
    bars: Sequence[Bar], *, title: str, colours: Sequence[str] = FORM_COLOURS, scale_to: int | Decimal | None = None
) -> SafeString:
    """One bar per item, labels on the left, captions after the bars (the four forms)."""
    label_width, caption_width, row, width = 170, 150, 34, 720
    plot = width - label_width - caption_width
    height = row * len(bars) + 10
    top = max([b.value for b in bars if b.value is not None] + [scale_to or 0]) or 1
    body = []
    for i, bar in enumerate(bars):
        y = 5 + i * row
        body.append(_text(label_width - 10, y + row / 2 + 5, bar.label, anchor="end"))
        length = 0.0 if bar.value is None else float(bar.value) / float(top) * plot
        if bar.value:
            colour = colours[i % len(colours)]
            body.append(
                f'<rect x="{label_width}" y="{y + 6:.1f}" width="{max(length, 2):.1f}" height="{row - 12}" '
                f'fill="{colour}" rx="2"/>'
            )
        body.append(_text(label_width + length + 8, y + row / 2 + 5, bar.caption, fill=MUTED))
    body.append(f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" stroke="{GRID}" stroke-width="1"/>')
    return _svg(width, height, title, body)


def _nice_top(value: float) -> float:
    """A round number at or above `value` for the top of the axis: 1, 2, 2.5 or 5 × 10ⁿ."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def column_chart(bars: Sequence[Bar], *, title: str, unit: str = "") -> SafeString:
    """Vertical columns over the years (a trend); a year without a figure shows "—" and no column."""
    width, height = 720, 300
    left, right, top_margin, bottom = 60, 20, 30, 40
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    known = [float(b.value) for b in bars if b.value is not None]
    top = _nice_top(max(known, default=0))
    body = []
    # Gridlines and axis labels at 0, ½ and the top.
    for fraction in (0, 0.5, 1):
        y = top_margin + plot_h * (1 - fraction)
        tick = top * fraction
        label = f"{tick:g}"
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, label, size=11, anchor="end", fill=MUTED))
    if unit:
        body.append(_text(left - 6, top_margin - 12, unit, size=11, anchor="end", fill=MUTED))
    slot = plot_w / max(len(bars), 1)
    column = min(slot * 0.6, 60)
    for i, bar in enumerate(bars):
        centre = left + slot * (i + 0.5)
        base = top_margin + plot_h
        if bar.value is not None:
            h = float(bar.value) / top * plot_h
            body.append(
                f'<rect x="{centre - column / 2:.1f}" y="{base - h:.1f}" width="{column:.1f}" height="{h:.1f}" '
                f'fill="{BAR}" rx="2"/>'
            )
            body.append(_text(centre, base - h - 6, bar.caption, size=12, anchor="middle", bold=True))
        else:
            body.append(_text(centre, base - 6, bar.caption, size=12, anchor="middle", fill=MUTED))
        body.append(_text(centre, base + 20, bar.label, size=12, anchor="middle"))
    return _svg(width, height, title, body)
