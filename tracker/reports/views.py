"""The leaders' pages: yearly summary, per-unit breakdown, trend, and their downloads.

Each request builds one Aggregator and reads every figure from it, so a page costs the same
number of queries for 3 units and 1 year as for 30 units and 10 years. Organisations are
looked up through org_and_year / get_org_for_user: another group's organisation is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from tracker.aggregation.yearly import Aggregator, OrgYear, years_with_data
from tracker.catalogue.models import Indicator
from tracker.catalogue.templatetags.figures import format_figure
from tracker.orgs.access import get_org_for_user
from tracker.orgs.models import Organisation
from tracker.reports import charts
from tracker.reports.common import INCLUDE_UNAPPROVED, checked_year, org_and_year, wants_unapproved, year_and_last
from tracker.reports.exports import SpreadsheetExport
from tracker.reports.filters import SectionFilter
from tracker.reports.tables import (
    SummaryTable,
    TrendTable,
    UnitsTable,
    summary_rows,
    trend_rows,
    units_rows,
    year_header,
)

PAGES = ("summary", "units", "trend")

# Short names for the chart's labels, in the order of figures.FOUR_FORMS.
FORM_LABELS = (_lazy("First form"), _lazy("Second form"), _lazy("Third form"), _lazy("Fourth form"))


def current_year() -> int:
    return timezone.localdate().year


def latest_year(organisation: Organisation) -> int:
    return max(years_with_data(organisation), default=current_year())


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The reports entry point, and the target of the organisation/year switcher.

    Without parameters: the summary of the user's top organisation for its latest year.
    With ?org=&year=&page=: that page (another group's organisation is a 404).
    """
    query = {INCLUDE_UNAPPROVED: "1"} if wants_unapproved(request) else {}
    if "org" in request.GET:
        organisation = get_org_for_user(request.user, request.GET["org"])
        page = request.GET.get("page") if request.GET.get("page") in PAGES else "summary"
        if page == "trend":
            url = reverse("reports:trend", args=[organisation.code])
        else:
            try:
                year = checked_year(int(request.GET.get("year") or latest_year(organisation)))
            except ValueError as exc:
                raise Http404("No such year.") from exc
            url = reverse(f"reports:{page}", args=[organisation.code, year])
    else:
        organisation = Organisation.objects.for_user(request.user).order_by("path").first()
        if organisation is None:
            return render(request, "reports/index.html")
        url = reverse("reports:summary", args=[organisation.code, latest_year(organisation)])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


class ReportPage(ExportMixin, SingleTableMixin):
    """What the three pages share: the organisation in scope, the approval switch, the switcher, downloads."""

    page: str = ""
    export_class = SpreadsheetExport
    export_formats = (SpreadsheetExport.XLSX, SpreadsheetExport.CSV)
    table_pagination = False
    with_year = True

    def dispatch(self, request, *args, **kwargs):
        if self.with_year:
            self.organisation, self.year = org_and_year(request, kwargs["org"], kwargs["year"])
        else:
            self.organisation = get_org_for_user(request.user, kwargs["org"])
            self.year = None
        self.include_unapproved = wants_unapproved(request)
        return super().dispatch(request, *args, **kwargs)

    def get_export_filename(self, export_format: str) -> str:
        # ASCII only (organisation codes are [a-z0-9-]), so every browser keeps the name.
        parts = [self.organisation.code] + ([str(self.year)] if self.year else []) + [self.page]
        return "-".join(parts) + f".{export_format}"

    def get_dataset_kwargs(self) -> dict:
        return {"title": self.sheet_title()}

    def sheet_title(self) -> str:
        return self.page

    def switcher(self) -> dict:
        """The organisations and years the GET form offers (the trend page has no year)."""
        orgs = list(Organisation.objects.for_user(self.request.user).order_by("path"))
        top = min((org.path.count("/") for org in orgs), default=0)
        years = set(years_with_data(self.organisation)) | {current_year(), self.year} if self.year else set()
        return {
            "orgs": [(org.code, "\u3000" * (org.path.count("/") - top) + org.label) for org in orgs],
            "years": [(y, year_header(y)) for y in sorted(years, reverse=True)],
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=self.organisation,
            year=self.year,
            year_label=year_header(self.year) if self.year else "",
            page=self.page,
            include_unapproved=self.include_unapproved,
            switcher=self.switcher(),
            # The year the links between the pages go to (the trend page has none of its own).
            nav_year=self.nav_year(),
        )
        return context

    def nav_year(self) -> int:
        return self.year


class SummaryView(ReportPage, TemplateView):
    """Every indicator of an organisation for a year, against last year, and the four forms."""

    page = "summary"
    template_name = "reports/summary.html"
    table_class = SummaryTable

    def get(self, request, *args, **kwargs):
        _aggregator, self.this_year, self.last_year = year_and_last(
            self.organisation, self.year, include_unapproved=self.include_unapproved
        )
        return super().get(request, *args, **kwargs)

    def get_table_data(self) -> list[dict]:
        return summary_rows(self.this_year, self.last_year)

    def get_table_kwargs(self) -> dict:
        return {"year": self.year}

    def sheet_title(self) -> str:
        return _("Summary %(year)d") % {"year": self.year}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            this_year=self.this_year,
            four_forms=four_forms_block(self.this_year, self.last_year),
        )
        return context


def four_forms_block(this_year: OrgYear, last_year: OrgYear) -> dict | None:
    """The four forms' counts and whole-percent shares (as OrgYear computed them), with a chart."""
    by_code = {ind.code: ind for ind in this_year.indicators}
    if not all(form.code in by_code for form in this_year.four_forms):
        return None
    rows = []
    bars = []
    for form, last, label in zip(this_year.four_forms, last_year.four_forms, FORM_LABELS, strict=True):
        indicator = by_code[form.code]
        rows.append({"indicator": indicator, "this": form, "last": last})
        caption = format_figure(form.count, indicator) + indicator.unit_word
        if form.whole is not None:
            caption += f" · {form.whole}%"
        bars.append(charts.Bar(label=str(label), value=form.count, caption=caption))
    total = by_code.get("grp_four_forms_total")
    known = any(form.count is not None for form in this_year.four_forms)
    return {
        "rows": rows,
        "total": total,
        "total_this": this_year.value("grp_four_forms_total"),
        "total_last": last_year.value("grp_four_forms_total"),
        "chart": charts.horizontal_bars(bars, title=_("The four forms, %(year)d") % {"year": this_year.year})
        if known
        else None,
    }


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
        chosen = set(self.object_list.values_list("code", flat=True))
        return [ind for ind in self.indicators if ind.code in chosen]

    def get_table_data(self) -> list[dict]:
        return self.rows


class UnitsView(SectionFilteredPage):
    """Indicators × the organisation's children (a group's units, the commission's groups), with the total."""

    page = "units"
    template_name = "reports/units.html"
    table_class = UnitsTable

    def get(self, request, *args, **kwargs):
        aggregator = Aggregator(self.organisation, [self.year], include_unapproved=self.include_unapproved)
        self.org_year = aggregator.org_year(self.organisation, self.year)
        self.children = aggregator.children(self.organisation)
        self.child_years = [aggregator.org_year(child, self.year) for child in self.children]
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
        return _("By unit %(year)d") % {"year": self.year}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(this_year=self.org_year, children=self.children)
        return context


class TrendView(SectionFilteredPage):
    """Indicators × every year with data, and a chart of one indicator."""

    page = "trend"
    template_name = "reports/trend.html"
    table_class = TrendTable
    with_year = False

    def get(self, request, *args, **kwargs):
        self.years = sorted(set(years_with_data(self.organisation))) or [current_year()]
        aggregator = Aggregator(self.organisation, self.years, include_unapproved=self.include_unapproved)
        self.org_years = [aggregator.org_year(self.organisation, year) for year in self.years]
        self.indicators = self.org_years[-1].indicators
        return super().get(request, *args, **kwargs)

    @cached_property
    def rows(self) -> list[dict]:
        return trend_rows(self.chosen_indicators(), self.org_years)

    def get_table_kwargs(self) -> dict:
        return {"years": self.years}

    def sheet_title(self) -> str:
        return _("Trend")

    def nav_year(self) -> int:
        return self.years[-1]

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
            bars = [
                charts.Bar(
                    label=year_header(oy.year),
                    value=oy.value(indicator.code),
                    caption=format_figure(oy.value(indicator.code), indicator),
                )
                for oy in self.org_years
            ]
            chart = charts.column_chart(bars, title=indicator.name, unit=indicator.unit_word)
        context.update(
            years=self.years,
            indicators=self.indicators,
            chosen=indicator,
            chart=chart,
        )
        return context


summary = SummaryView.as_view()
units = UnitsView.as_view()
trend = TrendView.as_view()
