"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, and they print.

The geometry is computed here; the SVG is drawn by a template (reports/chart.svg), which escapes
every text (organisation and indicator names are user text) as any page does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

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
# A column over part of a year beside whole years (the trend's current year): lighter, so that it does
# not read as a fall.
BAR_PART = "#e3a3a6"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | Decimal | None
    # What is printed next to the bar, e.g. "47人次 · 94%"; "—" when the value is not known.
    caption: str
    # Over part of a year, beside whole years (column_chart draws it lighter).
    part: bool = False


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: str
    size: int = 13
    anchor: str = "start"
    fill: str = INK
    bold: bool = False


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass(frozen=True)
class _Line:
    x1: float
    y1: float
    x2: float
    y2: float


def _text(
    x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", fill: str = INK, bold=False
) -> _Text:
    return _Text(round(x, 1), round(y, 1), text, size, anchor, fill, bold)


def _svg(width: int, height: int, title: str, shapes: list) -> SafeString:
    """The SVG from its template, which escapes every text as any page does."""
    return render_to_string(
        "reports/chart.svg",
        {
            "width": width,
            "height": height,
            "title": title,
            "font": FONT_FAMILY,
            "grid": GRID,
            "lines": [s for s in shapes if isinstance(s, _Line)],
            "rects": [s for s in shapes if isinstance(s, _Rect)],
            "texts": [s for s in shapes if isinstance(s, _Text)],
        },
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
            body.append(_Rect(label_width, round(y + 6, 1), round(max(length, 2), 1), row - 12, colour))
        body.append(_text(label_width + length + 8, y + row / 2 + 5, bar.caption, fill=MUTED))
    body.append(_Line(label_width, 0, label_width, height))
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
        body.append(_Line(left, round(y, 1), width - right, round(y, 1)))
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
            colour = BAR_PART if bar.part else BAR
            body.append(_Rect(round(centre - column / 2, 1), round(base - h, 1), round(column, 1), round(h, 1), colour))
            body.append(_text(centre, base - h - 6, bar.caption, size=12, anchor="middle", bold=True))
        else:
            body.append(_text(centre, base - 6, bar.caption, size=12, anchor="middle", fill=MUTED))
        body.append(_text(centre, base + 20, bar.label, size=12, anchor="middle"))
    return _svg(width, height, title, body)
