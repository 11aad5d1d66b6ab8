"""The report tables: one definition each for the page (HTML) and the download (Excel/CSV).

Rows are dicts built from OrgFigures objects of one Aggregator; nothing here adds, divides
or compares figures: cells print what tracker.aggregation computed, through format_figure.
In an export a figure is the bare number (None → an empty cell); the page prints it as
format_figure does ("—", "N余") with a mark for units that have not reported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache, total_ordering

import django_tables2 as tables
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.aggregation.results import OrgFigures
from tracker.catalogue.figures import Change, change
from tracker.catalogue.models import Indicator, section_label
from tracker.catalogue.templatetags.figures import NOT_KNOWN, format_figure
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation
from tracker.spreadsheets import MarkedNumber

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def year_header(year: int) -> str:
    # "2022年" in Chinese: the column headers of the pages and of every export.
    return gettext("%(year)d") % {"year": year}


def incomplete_mark(missing: int) -> str:
    """ "（2个单位未报全）": how many reporters have not entered every period of the range."""
    return _incomplete_mark(missing, get_language())


@lru_cache(maxsize=512)
def _incomplete_mark(missing: int, language: str | None) -> str:
    return ngettext("(%(n)d unit incomplete)", "(%(n)d units incomplete)", missing) % {"n": missing}


def shares_rounding_note() -> str:
    """What every page, download and document printing an exact breakdown's shares says of them: a
    calculator gives 92.9% for 52 of 56 where the shares, made to add up to 100, may print 92.8%."""
    return gettext("Note: shares are rounded by the largest remainder method, so that they add up to 100%.")


def incomplete_note() -> str:
    """What a download says of its marked figures, under its title."""
    return gettext(
        "A mark like “(2 units incomplete)” means the figure adds up only what was entered: those units "
        "have not entered every period of the range. “(from incomplete figures)”: a change formed from such a figure."
    )


def partial_mark() -> str:
    """ "（含未报全数据）": a change or share formed from an incomplete figure on either side."""
    return gettext("(from incomplete figures)")


@total_ordering
@dataclass(eq=False, slots=True)
class FigureCell:
    """One figure of one organisation and year, as a table cell.

    `applicable` is False where the organisation does not have the indicator at all (a unit's
    column on a group-level indicator): printed empty, unlike "—" for not known.
    Cells sort by value, not known first, so a table of dicts can be ordered by any column.
    Slots and not frozen: a frozen dataclass is three times as slow to make, and a trend or
    per-unit table makes hundreds of cells (nothing changes one once made).
    """

    value: int | Decimal | None
    indicator: Indicator
    # Units (or groups) below that entered nothing, for a figure summed over them.
    missing: int = 0
    reporters: int = 1
    applicable: bool = True

    @classmethod
    def of(cls, org_year: OrgFigures, indicator: Indicator) -> FigureCell:
        figure = org_year.figures.get(indicator.code)
        if figure is None:
            return cls(None, indicator, applicable=False)
        return cls(figure.value, indicator, missing=org_year.incomplete(indicator), reporters=figure.reporters)

    @property
    def sort_key(self) -> tuple[int, int | Decimal]:
        return (0, 0) if self.value is None else (1, self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FigureCell) and self.sort_key == other.sort_key

    def __lt__(self, other: FigureCell) -> bool:
        return self.sort_key < other.sort_key

    def __hash__(self) -> int:
        return hash(self.sort_key)


class FigureColumn(tables.Column):
    """A figure: "—"/"N余" and the unreported mark on the page, the number in an export."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        # None is a figure ("not known"), never the column's default.
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value: FigureCell) -> str:
        if not value.applicable:
            return ""
        text = format_figure(value.value, value.indicator)
        if not value.missing:
            return text
        # The few marked cells of a page: format_html of the figure and its mark.
        if value.value is None:
            # Nobody reported: a mark on every row of an empty year would only be noise; "—" says it.
            return format_html('<span title="{}">{}</span>', incomplete_mark(value.missing), text)
        return format_html('{}<span class="unreported">{}</span>', text, incomplete_mark(value.missing))

    def value(self, value: FigureCell) -> int | Decimal | MarkedNumber | None:
        # A download never carries a partial sum as a bare number: it carries the pages' mark.
        if value.missing and value.value is not None:
            return MarkedNumber(value.value, incomplete_mark(value.missing))
        return value.value


def change_of(this: FigureCell, last: FigureCell) -> Change:
    """This year against last year, by figures.change; partial when either cell is incomplete."""
    return change(this.value, last.value, is_share=this.indicator.is_share, partial=bool(this.missing or last.missing))


def signed(number: int | Decimal | None, suffix: str = "") -> str:
    if number is None:
        return NOT_KNOWN
    text = f"{number:f}" if isinstance(number, Decimal) else f"{number}"
    return ("+" if number > 0 else "") + text + suffix


def change_text(number: int | Decimal | None, partial: bool, suffix: str = "") -> str:
    """A change as the pages print it ("+3", "-6.3%"), with the partial mark where it is one."""
    text = signed(number, suffix)
    return text + partial_mark() if partial and number is not None else text


def change_value(number: int | Decimal | None, partial: bool) -> int | Decimal | MarkedNumber | None:
    """A change as a download writes it: the number, with the partial mark where it is one."""
    if partial and number is not None:
        return MarkedNumber(number, partial_mark())
    return number


@cache
def _parameters(function: Callable) -> frozenset[str]:
    """A render method's parameter names, read once per method (inspecting is slow)."""
    return frozenset(inspect.signature(function).parameters) - {"self"}


class ReportTable(tables.Table):
    """What every report table shares: catalogue rows grouped by section (unless sorted)."""

    section = tables.Column(verbose_name=_("Section"), visible=False, orderable=False)
    name = tables.Column(verbose_name=_("Indicator"), order_by=("order",), attrs={"td": {"class": "indicator"}})
    unit = tables.Column(verbose_name=_("Unit"), orderable=False, attrs={"td": {"class": "unit"}})

    class Meta:
        template_name = "reports/_table.html"
        attrs = {"class": "grid report"}

    def body_rows(self) -> list[dict]:
        """The table's rows for its template (templates/reports/_table.html), which writes the section
        headings (in catalogue order; a sorted table is one list) and each row.

        A row's cells are each column's own `render` or the table's `render_<name>`, as django-tables2's
        `BoundRow.items` gives them, but with each render method's signature read once per table instead
        of once per cell (benchmark.py, SPEED B). Each row is one fragment, its <tr> and <td>s written by
        one format_html: a template loop over the cells (a node per tag, a lookup per value) cost the
        summary's table twice what this costs, on pages nearest the budget of 10× the login page (README,
        *The benchmark*, "Markup in templates").
        """
        columns = [bound for bound in self.columns if bound.visible]
        renderers = [self._renderer(bound) for bound in columns]
        # One format string for a row: its <tr> and each column's <td> with its attributes (escaped by
        # django-tables2's AttributeDict.as_html; braces doubled for str.format) around its content.
        row_format = (
            '<tr id="row-{}"{}>'
            + "".join(
                "<td {}>{{}}</td>".format(bound.attrs["td"].as_html().replace("{", "{{").replace("}", "}}"))
                for bound in columns
            )
            + "</tr>"
        )
        derived = format_html(' class="{}"', "derived")
        # Each distinct plain text escaped once (most cells repeat "—", "0" or a small number): format_html's
        # conditional_escape per cell is most of a table's cost (benchmark.py, SPEED C). Only plain str:
        # a SafeString "<b>" equals the str "<b>", which must never find it left as it is.
        escaped: dict[str, SafeString] = {}

        def cell(content: object) -> object:
            if type(content) is not str:
                return content
            safe = escaped.get(content)
            if safe is None:
                safe = escaped[content] = conditional_escape(content)
            return safe

        rows, section = [], None
        for row in self.paginated_rows:
            record = row.record
            heading = None
            if not self.order_by and record["section"] != section:
                section = heading = record["section"]
            indicator = record["indicator"]
            rows.append(
                {
                    "heading": heading,
                    "width": len(columns),
                    "html": format_html(
                        row_format,
                        indicator.code,
                        derived if indicator.is_derived else "",
                        *[cell(render(record)) for render in renderers],
                    ),
                }
            )
        return rows

    def _renderer(self, bound) -> Callable[[dict], object]:
        """How one column's cell is rendered: as django-tables2 would, its signature read once."""
        column, name = bound.column, bound.name
        method = getattr(self, f"render_{name}", None)
        if method is None and type(column).render is not tables.Column.render:
            method = column.render
        default, empty = bound.default, column.empty_values
        if method is None:

            def plain(record: dict) -> object:
                value = record.get(name)
                return default if value in empty else value

            return plain
        wanted = _parameters(getattr(method, "__func__", method))
        if wanted == {"value"}:

            def by_value(record: dict) -> object:
                value = record.get(name)
                return default if value in empty else method(value=value)

            return by_value
        if wanted == {"record"}:

            def by_record(record: dict) -> object:
                return default if record.get(name) in empty else method(record=record)

            return by_record

        def render(record: dict) -> object:
            value = record.get(name)
            if value in empty:
                return default
            offered = {"value": value, "record": record, "column": column, "bound_column": bound, "table": self}
            return method(**{key: offered[key] for key in wanted if key in offered})

        return render

    def value_unit(self, record: dict) -> str:
        # The export keeps the "余" that the page prints on the figure: a bare 120 with unit 余个 reads "120余个".
        return record["indicator"].unit


def indicator_row(indicator: Indicator) -> dict:
    return {
        "indicator": indicator,
        "order": (indicator.order, indicator.code),
        "section": section_label(indicator.section),
        "name": indicator.name,
        "unit": indicator.unit_word,
    }


# -- the yearly summary ----------------------------------------------------------------------


class SummaryTable(ReportTable):
    this = FigureColumn()
    last = FigureColumn()
    change = tables.Column(verbose_name=_("Change on the same period last year"), attrs=NUM, empty_values=())
    change_percent = tables.Column(verbose_name=_("Change (%)"), attrs=NUM, empty_values=())
    unreported = tables.Column(verbose_name=_("Units incomplete"), visible=False, empty_values=())
    notes = tables.Column(verbose_name=_("Notes"), attrs={"td": {"class": "notes"}}, default="")

    class Meta(ReportTable.Meta):
        orderable = False

    def __init__(self, data, *, report_range: Range, **kwargs):
        super().__init__(data, **kwargs)
        self.columns["this"].column.verbose_name = report_range.heading
        self.columns["last"].column.verbose_name = report_range.same_last_year().heading

    def render_change(self, value: Change) -> str:
        return change_text(value.absolute, value.partial)

    def value_change(self, value: Change) -> int | Decimal | MarkedNumber | None:
        return change_value(value.absolute, value.partial)

    def render_change_percent(self, record: dict) -> str:
        change = record["change"]
        return change_text(change.percent, change.partial, "%")

    def value_change_percent(self, record: dict) -> Decimal | MarkedNumber | None:
        change = record["change"]
        return change_value(change.percent, change.partial)

    def value_unreported(self, record: dict) -> int | None:
        return record["this"].missing or None


def summary_rows(this_year: OrgFigures, last_year: OrgFigures) -> list[dict]:
    rows = []
    for indicator in this_year.indicators:
        this = FigureCell.of(this_year, indicator)
        last = FigureCell.of(last_year, indicator)
        rows.append(
            indicator_row(indicator)
            | {
                "this": this,
                "last": last,
                "change": change_of(this, last),
                "change_percent": None,
                "unreported": None,
                "notes": "；".join(this_year.notes(indicator)),
            }
        )
    return rows


# -- tables with a column per organisation or per year ---------------------------------------


class UnitsTable(ReportTable):
    """Indicators × the organisation's children, with the organisation's own figure as the total."""

    def __init__(self, data, *, children: Sequence[Organisation], total_label: str, **kwargs):
        columns = [(column_name(child), FigureColumn(verbose_name=child.label)) for child in children]
        columns.append(
            (
                "total",
                FigureColumn(
                    verbose_name=total_label, attrs={"th": {"class": "num total"}, "td": {"class": "num total"}}
                ),
            )
        )
        super().__init__(data, extra_columns=columns, **kwargs)

    class Meta(ReportTable.Meta):
        pass


def column_name(org: Organisation) -> str:
    return f"org_{org.code}"


def units_rows(indicators: Sequence[Indicator], total: OrgFigures, children: Sequence[OrgFigures]) -> list[dict]:
    rows = []
    for indicator in indicators:
        row = indicator_row(indicator) | {"total": FigureCell.of(total, indicator)}
        for child in children:
            row[column_name(child.organisation)] = FigureCell.of(child, indicator)
        rows.append(row)
    return rows


class TrendTable(ReportTable):
    """Indicators × years, each over the same range."""

    def __init__(self, data, *, ranges: Sequence[Range], **kwargs):
        columns = [(f"y{rng.year}", FigureColumn(verbose_name=rng.heading)) for rng in ranges]
        super().__init__(data, extra_columns=columns, **kwargs)

    class Meta(ReportTable.Meta):
        pass


def trend_rows(indicators: Sequence[Indicator], org_years: Sequence[OrgFigures]) -> list[dict]:
    return [
        indicator_row(indicator) | {f"y{oy.year}": FigureCell.of(oy, indicator) for oy in org_years}
        for indicator in indicators
    ]
