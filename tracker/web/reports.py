"""The leaders' pages: yearly summary, per-unit breakdown, trend, and their downloads.

Each request builds one Aggregator and reads every figure from it, so a page costs the same
number of queries for 3 units and 1 year as for 30 units and 10 years. Organisations are
looked up through org_and_year / get_org_for_user: another group's organisation is a 404.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from tracker.aggregation.results import OrgFigures
from tracker.aggregation.yearly import Aggregator, years_with_data, years_with_figures
from tracker.catalogue.models import Indicator
from tracker.catalogue.templatetags.figures import NOT_KNOWN, format_figure
from tracker.entry.periods import Range
from tracker.orgs.access import get_org_for_user, within_reach
from tracker.orgs.models import Organisation, OrgKind, tree_neighbours
from tracker.reports import charts
from tracker.reports.tables import (
    SummaryTable,
    TrendTable,
    UnitsTable,
    incomplete_mark,
    summary_rows,
    trend_rows,
    units_rows,
    year_header,
)
from tracker.spreadsheets import SheetHeading
from tracker.web.exports import SpreadsheetExport
from tracker.web.filters import SectionFilter
from tracker.web.scope import (
    ReportScope,
    org_code_from_query,
    parse_include_unaccepted,
    parse_include_unapproved,
    range_choice,
    range_choice_from_query,
    range_choices,
    through_for,
    year_from_query,
)

# The pages the switcher goes to, by the name of their URL.
PAGES = {
    "summary": "reports:summary",
    "units": "reports:units",
    "trend": "reports:trend",
    "completeness": "completeness",
}


def current_year() -> int:
    return timezone.localdate().year


def counted_years(years: dict[int, bool], include_unapproved: bool) -> list[int]:
    """The years of `years_with_figures` whose figures a page counts: approved ones, or any when asked."""
    return sorted(year for year, approved in years.items() if approved or include_unapproved)


# The trend's own switch: every year over the range of its last column (同期), not whole years.
SAME_RANGE = "same_range"


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The reports entry point (the menu's 报表), and the target of the organisation/year/range switcher.

    Without parameters: the summary of the user's top organisation for the latest year with figures
    (approved ones, unless `include_unapproved=1`), never an empty current year; an organisation
    without any is told so. With ?org=&year=&range=&page=: that page (another group's organisation is
    a 404); for the trend the year and range are those of its last column.
    """
    include_unapproved = parse_include_unapproved(request)
    # Read, and refused when malformed, whether or not an organisation is given (without one they are
    # not used: the menu's link carries none).
    explicit_year = year_from_query(request, required=False)
    choice = range_choice_from_query(request)
    if "org" not in request.GET:
        organisation = Organisation.objects.for_user(request.user).order_by("path").first()
        if organisation is None:
            return render(request, "reports/index.html")
        years = years_with_figures(organisation)
        counted = counted_years(years, include_unapproved)
        if not counted:
            return no_figures(request, organisation, years, include_unapproved)
        scope = ReportScope(organisation, None, include_unapproved)
        return redirect(reverse("reports:summary", args=[organisation.code, counted[-1]]) + scope.query)

    code = org_code_from_query(request)
    organisation = get_org_for_user(request.user, code)
    # The acceptance switch is a commission's; it is dropped when the switcher moves to a group.
    unaccepted = parse_include_unaccepted(request) and organisation.kind == OrgKind.COMMISSION
    page = request.GET.get("page") if request.GET.get("page") in PAGES else "summary"
    today = timezone.localdate()
    latest = None
    if page == "trend" or explicit_year is None:
        years = years_with_figures(organisation)
        counted = counted_years(years, include_unapproved)
        if not counted and explicit_year is None:
            return no_figures(request, organisation, years, include_unapproved)
        latest = counted[-1] if counted else current_year()
    year = explicit_year or latest
    rng = Range.through(year, through_for(year, choice)) if choice else Range.default(year, today)
    # A range the page would show anyway needs no parameter: the whole of an ended year, and on the
    # trend the range of its default last column.
    default = Range.default(latest if page == "trend" else year, today)
    scope = ReportScope(
        organisation, None if rng == default else rng, include_unapproved, True, include_unaccepted=unaccepted
    )
    if page == "trend":
        url = reverse("reports:trend", args=[organisation.code])
        params = scope.params()
        if request.GET.get(SAME_RANGE) == "1":
            params[SAME_RANGE] = "1"
        return redirect(url + ("?" + urlencode(params) if params else ""))
    return redirect(reverse(PAGES[page], args=[organisation.code, year]) + scope.query)


def no_figures(request: HttpRequest, organisation: Organisation, years: dict[int, bool], include_unapproved: bool):
    """An organisation with nothing to show: said so, rather than an empty page of "—"."""
    switch = ReportScope(organisation, None, not include_unapproved)
    with_unapproved = reverse("reports:index") + "?" + urlencode({"org": organisation.code, **switch.params()})
    return render(
        request,
        "reports/index.html",
        {
            "organisation": organisation,
            # Reports entered but none approved: the same page including unapproved ones has figures.
            "unapproved_only": bool(years) and not include_unapproved,
            "with_unapproved": with_unapproved,
            "current_year": current_year(),
            "scope": ReportScope(organisation, None, include_unapproved),
        },
    )


class ReportPage(ExportMixin, SingleTableMixin):
    """What the pages share: the scope (organisation, year, range, approval), the switcher, downloads."""

    page: str = ""
    # The page's name in the title block and the file name of its downloads (the tab's label).
    page_name = ""
    # The per-unit table prints landscape however few units there are; the others when wide.
    export_landscape = False
    export_class = SpreadsheetExport
    export_formats = (SpreadsheetExport.XLSX, SpreadsheetExport.CSV)
    table_pagination = False
    with_year = True

    def dispatch(self, request, *args, **kwargs):
        self.scope = ReportScope.from_request(request, kwargs["org"], kwargs["year"] if self.with_year else None)
        self.organisation = self.scope.organisation
        # The trend's ?through= names its last year and range, not a year of the page's own.
        self.range = self.scope.range if self.with_year else None
        self.year = self.scope.year if self.with_year else None
        self.include_unapproved = self.scope.include_unapproved
        return super().dispatch(request, *args, **kwargs)

    def get_export_filename(self, export_format: str) -> str:
        # The ASCII fallback beside the Chinese name (organisation codes are [a-z0-9-]).
        parts = [self.organisation.code, self.range.through_text if self.range else "", self.page]
        return "-".join(p for p in parts if p) + f".{export_format}"

    def get_dataset_kwargs(self) -> dict:
        return {"title": self.sheet_title()[:31]}

    def sheet_title(self) -> str:
        return self.page

    def export_range_heading(self) -> str:
        return self.range.heading if self.range else ""

    def export_heading(self) -> SheetHeading:
        return SheetHeading(
            organisation=self.organisation.name,
            page=str(self.page_name),
            range_heading=self.export_range_heading(),
            include_unapproved=self.include_unapproved,
            accepted_only=self.scope.accepted_only if self.scope.by_acceptance else None,
        )

    def create_export(self, export_format: str) -> HttpResponse:
        exporter = self.export_class(
            export_format=export_format,
            table=self.get_table(**self.get_table_kwargs()),
            exclude_columns=self.exclude_columns,
            dataset_kwargs=self.get_dataset_kwargs(),
            heading=self.export_heading(),
            landscape=self.export_landscape,
        )
        return exporter.response(filename=self.get_export_filename(export_format))

    def switcher(self) -> dict:
        """The organisations, years and ranges the GET form offers (the trend page has no year).

        The organisations are those one step away in the tree, within the user's reach: up (the
        ancestors), across (the siblings) and down (the children). A province's leader would
        otherwise scroll through thousands of units, and the page would draw every one of them.
        """
        here = self.organisation
        user = self.request.user
        orgs = [org for org in tree_neighbours(here) if within_reach(user, org)]
        top = min((org.path.count("/") for org in orgs), default=0)
        rng = self.switcher_range()
        years = set(self.switcher_years()) | {current_year(), rng.year} if rng else set()
        return {
            "orgs": [(org.code, "\u3000" * (org.path.count("/") - top) + org.label) for org in orgs],
            "years": [(y, year_header(y)) for y in sorted(years, reverse=True)],
            "year": rng.year if rng else None,
            "ranges": range_choices(rng.year) if rng else [],
            "range": range_choice(rng) if rng else "",
        }

    def switcher_range(self) -> Range | None:
        """The year and range the switcher shows chosen (the trend: those of its last column)."""
        return self.range

    def switcher_years(self) -> list[int]:
        return years_with_data(self.organisation)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            scope=self.scope,
            organisation=self.organisation,
            year=self.year,
            range=self.range,
            year_label=self.range.heading if self.range else "",
            page=self.page,
            include_unapproved=self.include_unapproved,
            include_unaccepted=self.scope.include_unaccepted,
            switcher=self.switcher(),
            # The year and range the links between the pages go to (the trend page has no year of its own).
            nav_year=self.nav_scope().year,
            nav_query=self.nav_scope().query,
        )
        return context

    def nav_scope(self) -> ReportScope:
        return self.scope


def range_notice(figures: OrgFigures) -> str:
    """Why some reporters are left out of a range they cannot make (yearly reporters in 前三季度)."""
    if not figures.unavailable:
        return ""
    rng = figures.range
    if figures.own_unavailable and figures.unavailable == 1:
        return _("%(org)s reports by year, so it has no figures for %(range)s: choose the full year.") % {
            "org": figures.organisation.name,
            "range": rng.label,
        }
    return ngettext(
        "%(n)d organisation reports by year and has no figures for %(range)s; it counts as incomplete.",
        "%(n)d organisations report by year and have no figures for %(range)s; they count as incomplete.",
        figures.unavailable,
    ) % {"n": figures.unavailable, "range": rng.heading}


class SummaryView(ReportPage, TemplateView):
    """Every indicator of an organisation for a range, against the same range last year, and the breakdowns."""

    page = "summary"
    page_name = gettext_lazy("Yearly summary")
    template_name = "reports/summary.html"
    table_class = SummaryTable

    def get(self, request, *args, **kwargs):
        previous = self.range.same_last_year()
        aggregator = Aggregator(self.organisation, [previous, self.range], **self.scope.counting)
        self.this_year = aggregator.figures_for(self.organisation, self.range)
        self.last_year = aggregator.figures_for(self.organisation, previous)
        return super().get(request, *args, **kwargs)

    def get_table_data(self) -> list[dict]:
        return summary_rows(self.this_year, self.last_year)

    def get_table_kwargs(self) -> dict:
        return {"report_range": self.range}

    def sheet_title(self) -> str:
        return _("Summary %(range)s") % {"range": self.range.heading}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        blocks = breakdown_blocks(self.this_year, self.last_year)
        context.update(
            this_year=self.this_year,
            this_heading=self.range.heading,
            last_heading=self.range.same_last_year().heading,
            featured_breakdowns=[b for b in blocks if b["featured"]],
            other_breakdowns=[b for b in blocks if not b["featured"]],
            range_notice=range_notice(self.this_year),
        )
        return context


def breakdown_blocks(this_year: OrgFigures, last_year: OrgFigures) -> list[dict]:
    """Each exact breakdown with its parts' shares, this range against the same range last year.

    The breakdowns the catalogue gives a share indicator for (the four forms) come first and get
    a chart: those are the shares the speech prints.
    """
    last_by_whole = {b.breakdown.whole: b for b in last_year.share_breakdowns}
    blocks = []
    for block in this_year.share_breakdowns:
        last = last_by_whole.get(block.breakdown.whole)
        last_parts = {ind.code: (figure, share) for ind, figure, share in last.parts} if last else {}
        rows = []
        bars = []
        for indicator, figure, share in block.parts:
            last_figure, last_share = last_parts.get(indicator.code, (None, None))
            # Printed as they are: the page prints several of these blocks, and formatting here is
            # much cheaper than a tag per cell in the template.
            rows.append(
                {
                    "indicator": indicator,
                    "figure": format_figure(figure.value, indicator),
                    "share": percent_text(share.whole),
                    "one_decimal": percent_text(share.one_decimal),
                    "last_figure": format_figure(last_figure.value, indicator) if last_figure else NOT_KNOWN,
                    "last_share": percent_text(last_share.whole if last_share else None),
                }
            )
            caption = format_figure(figure.value, indicator) + indicator.unit_word
            if share.whole is not None:
                caption += f" · {share.whole}%"
            bars.append(charts.Bar(label=indicator.name, value=figure.value, caption=caption))
        featured = block.featured
        blocks.append(
            {
                "block": block,
                "whole": block.whole,
                "rows": rows,
                "last": last,
                "featured": featured,
                "mark": incomplete_mark(block.missing) if block.missing else "",
                "whole_figure": format_figure(block.whole_figure.value, block.whole),
                "last_whole_figure": format_figure(last.whole_figure.value, block.whole) if last else NOT_KNOWN,
                "chart": charts.horizontal_bars(bars, title=f"{block.whole.name} · {this_year.range.heading}")
                if featured and block.known
                else None,
            }
        )
    blocks.sort(key=lambda b: not b["featured"])
    return blocks


def percent_text(share) -> str:
    return NOT_KNOWN if share is None else f"{share}%"


def sections_of(indicators: list[Indicator]) -> list[str]:
    return list(dict.fromkeys(ind.section for ind in indicators))


class SectionFilteredPage(ReportPage, FilterView):
    """A report page whose rows are indicators, filtered by section; `get` sets `self.indicators`."""

    filterset_class = SectionFilter
    indicators: list[Indicator]

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["sections"] = sections_of(self.indicators)
        return kwargs

    def chosen_indicators(self) -> list[Indicator]:
        # The filter's section, from its form: the rows its queryset would give, without a query.
        filterset = self.filterset
        if filterset.is_bound and not filterset.is_valid():
            return []  # FilterView is strict: an invalid choice shows no rows
        section = filterset.form.cleaned_data.get("section") if filterset.is_bound else ""
        return [ind for ind in self.indicators if not section or ind.section == section]

    def get_table_data(self) -> list[dict]:
        return self.rows


class UnitsView(SectionFilteredPage):
    """Indicators × the organisation's children (a group's units, the commission's groups), with the total."""

    page = "units"
    page_name = gettext_lazy("By unit")
    template_name = "reports/units.html"
    table_class = UnitsTable
    export_landscape = True

    def get(self, request, *args, **kwargs):
        aggregator = Aggregator(self.organisation, [self.range], **self.scope.counting)
        self.children = aggregator.children(self.organisation)
        # The organisation and its children in one statement.
        aggregator.fetch([self.organisation, *self.children])
        self.org_year = aggregator.figures_for(self.organisation, self.range)
        self.child_years = [aggregator.figures_for(child, self.range) for child in self.children]
        # ?rank=<indicator>: the units in the order of that figure, largest first (not known last).
        by_code = {ind.code: ind for ind in self.org_year.indicators}
        self.rank = by_code.get(request.GET.get("rank", ""))
        if self.rank is not None:
            ranked = sorted(
                zip(self.children, self.child_years, strict=True),
                key=lambda pair: (pair[1].value(self.rank.code) is None, -(pair[1].value(self.rank.code) or 0)),
            )
            self.children = [child for child, _figures in ranked]
            self.child_years = [figures for _child, figures in ranked]
        # The rows are the indicators the children have; a group-level indicator has no unit column.
        self.indicators = [
            ind
            for ind in self.org_year.indicators
            if not self.child_years or any(ind.code in child.figures for child in self.child_years)
        ]
        return super().get(request, *args, **kwargs)

    @cached_property
    def rows(self) -> list[dict]:
        # Built once: the page and the export (ExportMixin builds the table again) share it.
        return units_rows(self.chosen_indicators(), self.org_year, self.child_years)

    def get_table_kwargs(self) -> dict:
        return {"children": self.children, "total_label": _("Total")}

    def sheet_title(self) -> str:
        return _("By unit %(range)s") % {"range": self.range.heading}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            this_year=self.org_year,
            children=self.children,
            range_notice=range_notice(self.org_year),
            rank=self.rank,
            rank_choices=[ind for ind in self.indicators if not ind.is_share],
        )
        return context


class TrendView(SectionFilteredPage):
    """Indicators × every year with data, and a chart of one.

    The years that have ended are whole years; the last column is the latest year with figures over
    its range so far (2026年前三季度), or the year and range chosen (`?through=2023Q3`), labelled as
    such. `?same_range=1` shows every year over the last column's range instead (同期, like with like).
    """

    page = "trend"
    page_name = gettext_lazy("Trend over the years")
    template_name = "reports/trend.html"
    table_class = TrendTable
    with_year = False

    def get(self, request, *args, **kwargs):
        text = request.GET.get(SAME_RANGE, "")
        if text not in ("", "0", "1"):
            raise BadRequest(_("%(name)s is 1 or 0.") % {"name": SAME_RANGE})
        self.same_range = text == "1"
        years = years_with_figures(self.organisation)
        self.all_years = sorted(years)
        counted = counted_years(years, self.include_unapproved)
        # Nothing counted yet: the current year, which the page says has no figures.
        self.has_figures = bool(counted)
        last = self.scope.range or Range.default(counted[-1] if counted else current_year(), timezone.localdate())
        self.years = [y for y in self.all_years if y < last.year] + [last.year]
        if self.same_range:
            self.ranges = [last.in_other_year(year) for year in self.years]
        else:
            self.ranges = [Range.full(year) for year in self.years[:-1]] + [last]
        self.trend_range = last
        aggregator = Aggregator(self.organisation, self.ranges, **self.scope.counting)
        self.org_years = [aggregator.figures_for(self.organisation, rng) for rng in self.ranges]
        self.indicators = self.org_years[-1].indicators
        return super().get(request, *args, **kwargs)

    @property
    def mixed_ranges(self) -> bool:
        """Whole years beside part of the last one (not `same_range`)."""
        return len({rng.end_month for rng in self.ranges}) > 1

    def switcher_range(self) -> Range:
        return self.trend_range

    def switcher_years(self) -> list[int]:
        # Read with the trend's own years: no query more.
        return self.all_years

    @cached_property
    def rows(self) -> list[dict]:
        return trend_rows(self.chosen_indicators(), self.org_years)

    def get_table_kwargs(self) -> dict:
        return {"ranges": self.ranges}

    def sheet_title(self) -> str:
        return _("Trend")

    def export_range_heading(self) -> str:
        first, last = self.ranges[0].heading, self.ranges[-1].heading
        return last if first == last else _("%(first)s to %(last)s") % {"first": first, "last": last}

    def nav_scope(self) -> ReportScope:
        return self.scope if self.scope.range else self.scope.with_range(self.trend_range)

    def chosen_indicator(self) -> Indicator | None:
        """?indicator=<code>, else the first indicator with a figure in any year."""
        by_code = {ind.code: ind for ind in self.indicators}
        code = self.request.GET.get("indicator")
        if code in by_code:
            return by_code[code]
        for ind in self.indicators:
            if any(oy.value(ind.code) is not None for oy in self.org_years):
                return ind
        return self.indicators[0] if self.indicators else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = self.chosen_indicator()
        chart = None
        if indicator is not None:
            bars = []
            for oy in self.org_years:
                figure = oy.figures.get(indicator.code)
                caption = format_figure(oy.value(indicator.code), indicator)
                if figure is not None and figure.missing and figure.known:
                    caption += " " + incomplete_mark(figure.missing)
                part = self.mixed_ranges and not oy.range.is_full_year
                bars.append(
                    charts.Bar(label=oy.range.heading, value=oy.value(indicator.code), caption=caption, part=part)
                )
            chart = charts.column_chart(bars, title=indicator.name, unit=indicator.unit_word)
        context.update(
            years=self.years,
            trend_range=self.trend_range,
            same_range=self.same_range,
            same_range_param=SAME_RANGE,
            has_figures=self.has_figures,
            # Whole years beside a part of the last: the page says which column is which.
            mixed_ranges=self.mixed_ranges,
            # Each year's notice of organisations that report by year and so miss a shorter range.
            range_notices=[notice for notice in (range_notice(oy) for oy in self.org_years) if notice],
            indicators=self.indicators,
            chosen=indicator,
            chart=chart,
        )
        return context


summary = SummaryView.as_view()
units = UnitsView.as_view()
trend = TrendView.as_view()
