"""The completeness page (报送情况) in the frame of the report pages: the same tabs and switcher.

For every organisation of the subtree and period of the year: the report's status, when it was
due and first submitted, on time or not, who last saved it; each organisation's on-time rate; for
a group, where each period stands with the commission. Exported to Excel.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from tracker.entry.models import GroupAcceptance, Status
from tracker.entry.periods import Range
from tracker.orgs.access import Permission, can
from tracker.orgs.models import Organisation, OrgKind
from tracker.orgs.templatetags.people import person
from tracker.spreadsheets import XLSX, SheetHeading
from tracker.web.downloads import spreadsheet_download
from tracker.web.reports import ReportPage
from tracker.workflow.selectors import Completeness, completeness


class CompletenessView(ReportPage, TemplateView):
    page = "completeness"
    page_name = gettext_lazy("Completeness")
    template_name = "reports/completeness.html"
    export_formats = (XLSX,)

    def get(self, request, *args, **kwargs):
        self.completeness = completeness(self.organisation, self.year)
        # A group's periods the commission has seen (reported, accepted, returned): one query.
        groups = [row for row in self.completeness.rows if row.organisation.kind == OrgKind.GROUP]
        seen = {
            (a.organisation_id, a.period): a
            for a in GroupAcceptance.objects.filter(
                organisation__in=[row.organisation for row in groups], year=self.year
            )
        }
        for row in groups:
            for cell in row.cells:
                cell.acceptance = seen.get((row.organisation.pk, cell.period))
        return super().get(request, *args, **kwargs)

    def get_table(self, **kwargs):
        return None  # the page draws its own table of reports, grouped per organisation

    def switcher(self) -> dict:
        # A year, whole: every report of it is listed, whatever the range of the other pages.
        return {**super().switcher(), "ranges": []}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.rows()
        context.update(
            table=self.completeness,
            rows=rows,
            year_label=Range.full(self.year).heading,
            # Submitted reports the user may approve are ticked for the bulk review (tracker.web.bulk).
            bulk=any(cell["bulk"] for row in rows for cell in row["cells"]),
        )
        return context

    def rows(self) -> list[dict]:
        """What the table prints, as text ready for the template (its loop prints, and decides nothing):
        a subtree's every report makes hundreds of cells, and each template tag in the loop costs."""
        none, dash, approved, on_time = _("none"), "—", _("approved"), _("on time")
        rows = []
        user = self.request.user
        # Each cell links its report and its group's acceptance: the address made once and filled in
        # per cell (a reverse() per cell was a tenth of the page).
        report_url = _url_pattern("entry:report")
        acceptance_url = _url_pattern("entry:acceptance")
        for row in self.completeness.rows:
            code = row.organisation.code
            reviews = can(user, Permission.APPROVE, row.organisation)
            hint = f"{row.period_type_label} · {approved} {row.approved}/{len(row.cells)}"
            if row.on_time_rate is not None:
                hint += f" · {on_time} {row.on_time_rate}%"
            cells = []
            for cell in row.cells:
                report, acceptance, period = cell.report, cell.acceptance, str(cell.period)
                cells.append(
                    {
                        "state": cell.state,
                        "period": cell.period.label,
                        "url": report_url.format(code, period),
                        "status": report.status if report else "",
                        "status_label": report.get_status_display() if report else none,
                        "acceptance": acceptance,
                        "acceptance_url": acceptance_url.format(code, period) if acceptance else "",
                        "bulk": f"{report.pk}:{report.revision}"
                        if reviews and report is not None and report.status == Status.SUBMITTED
                        else "",
                        "due": cell.due.isoformat(),
                        "submitted": _moment(cell.submitted) if cell.submitted else dash,
                        "saved": f"{person(cell.last_saved_by)} · {_moment(cell.last_saved_at)}"
                        if cell.last_saved_at
                        else dash,
                    }
                )
            rows.append({"organisation": row.organisation, "depth": row.depth, "hint": hint, "cells": cells})
        return rows

    def create_export(self, export_format: str) -> HttpResponse:
        return completeness_export(self.organisation, self.year, self.completeness)


completeness_page = CompletenessView.as_view()


_ORG, _PERIOD = "org-0000", "period-0000"


def _url_pattern(name: str) -> str:
    """The address of an (organisation code, period) view as a format string: "/entry/{}/{}/"."""
    url = reverse(name, args=[_ORG, _PERIOD]).replace("{", "{{").replace("}", "}}")
    return url.replace(_ORG, "{0}", 1).replace(_PERIOD, "{1}", 1)


def _moment(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


def completeness_export(organisation: Organisation, year: int, table: Completeness) -> HttpResponse:
    """One row per organisation and period with its report's status, laid out as every download is.

    The page lists reports whatever their status, so the title block says nothing about approval.
    """
    rows = [
        [
            row.organisation.name,
            row.period_type_label,
            cell.period.label,
            cell.report.get_status_display() if cell.report else _("none"),
            cell.due,
            timezone.localtime(cell.submitted).replace(tzinfo=None) if cell.submitted else None,
            str(cell.state.label),
            person(cell.last_saved_by) if cell.last_saved_at else "",
            timezone.localtime(cell.last_saved_at).replace(tzinfo=None) if cell.last_saved_at else None,
        ]
        for row in table.rows
        for cell in row.cells
    ]
    heading = SheetHeading(
        organisation=organisation.name,
        page=_("Completeness"),
        range_heading=Range.full(year).heading,
        include_unapproved=None,
    )
    return spreadsheet_download(
        file_format=XLSX,
        heading=heading,
        headers=[
            _("Organisation"),
            _("Period type"),
            _("Period"),
            _("Status"),
            _("Due"),
            _("Submitted at"),
            _("On time"),
            _("Last saved by"),
            _("Last saved"),
        ],
        rows=rows,
        ascii_name=f"{organisation.code}-{year}-completeness.xlsx",
        sheet_title=str(year),
    )
