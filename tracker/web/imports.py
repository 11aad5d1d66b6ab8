"""Importing figures from a file on the web: upload, a preview that writes nothing, then confirm.

The preview lists every change (old → new) and every bad line; the file itself is kept in the
session, so that 确认导入 applies exactly the previewed file, and is refused if a report it touches
changed in between (checked under the reports' locks, as it is written). Rows are checked against
the permission table (IMPORT) and the user's subtree: an organisation outside it is "unknown", as
its URL would be a 404.

The preview also runs the entry page's checks (rules, typos, year-over-year, outliers) on every report
the file touches, as the report would be after the import: the file is written and rolled back. After
confirming, the page links to every report the file touched. The page offers the code list and a
sample file (tracker.entry.import_files).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from tracker.checks.engine import Finding, active_rules
from tracker.checks.report import report_checks
from tracker.entry.csvio import ImportFailed, ImportRow, RowError, check_records, preview, upload_records
from tracker.entry.import_files import code_list_workbook, sample_workbook
from tracker.entry.models import Report
from tracker.entry.periods import Period, PeriodError
from tracker.entry.services import Entry, Source, StaleReports, values_save_bulk
from tracker.orgs.access import Permission, orgs_where
from tracker.spreadsheets import CONTENT_TYPES, XLSX, attachment_header
from tracker.uploads import UploadRefused, check_size

SESSION_KEY = "tracker_import"
# The reports the last confirmed import touched, for the links on the page it returns to.
DONE_KEY = "tracker_import_done"
# The preview checks this many of the reports a file touches, in the tree's order: their rows are written
# and rolled back (about 50 ms a report, in a transaction that holds their locks), so that a file of
# 20,000 figures does not take twice as long to preview. A larger file says how many were left to the
# entry pages.
CHECKED_REPORTS_MAX = 50


@dataclass
class ReportChecks:
    """What the entry page's checks find in one report the file touches, as it would be after the import."""

    organisation_name: str
    period_label: str
    url: str
    errors: list[Finding]
    warnings: list[Finding]

    @property
    def findings(self) -> list[Finding]:
        return self.errors + self.warnings


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.csv or .xlsx)"))


def _read(name: str, data: bytes, organisations):
    errors: list[RowError] = []
    try:
        records = upload_records(name, data, errors, organisations=organisations)
        return check_records(records, errors, organisations=organisations)
    except ImportFailed as failed:
        return [], failed.errors


def _importable(user):
    """The organisations the user may import for; 403 for a user who may import for none."""
    organisations = orgs_where(user, Permission.IMPORT)
    if not organisations.exists():
        raise PermissionDenied(_("Only clerks and reviewers import figures."))
    return organisations


def import_page(request):
    organisations = _importable(request.user)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, organisations)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "GET":
        context["imported_reports"] = _links(request.session.pop(DONE_KEY, []))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)  # before reading it into memory
        except UploadRefused as refused:
            data, rows, errors = b"", [], [RowError(None, refused.message)]
        else:
            data = upload.read()
            rows, errors = _read(upload.name, data, organisations)
        changes, revisions = preview(rows) if rows else ([], {})
        if rows and not errors:
            checked, errors = _checks(rows, request.user)
            context.update(
                checks_ran=not errors,
                checks=[c for c in checked if c.errors or c.warnings],
                checked_count=len(checked),
                unchecked_count=len({(row.organisation.pk, row.period) for row in rows}) - len(checked),
            )
        context.update(
            name=upload.name,
            errors=errors,
            changes=[c for c in changes if c.changed],
            counts={
                "rows": len(rows) + len({e.line for e in errors if e.line}),
                "new": sum(1 for c in changes if not c.exists),
                "changed": sum(1 for c in changes if c.exists and c.changed),
                "unchanged": sum(1 for c in changes if not c.changed),
                "bad": len({e.line for e in errors}),
            },
        )
        if not errors and rows:
            request.session[SESSION_KEY] = {
                "name": upload.name,
                "data": base64.b64encode(data).decode("ascii"),
                "digest": hashlib.sha256(data).hexdigest(),
                "revisions": [[org_pk, str(period), revision] for (org_pk, period), revision in revisions.items()],
            }
            context["may_confirm"] = True
    return render(request, "entry/import.html", context)


def _confirm(request, organisations):
    kept = request.session.pop(SESSION_KEY, None)
    if kept is None:
        messages.error(request, _("There is no previewed file to import: upload it again."))
        return redirect("entry:import")
    data = base64.b64decode(kept["data"])
    if hashlib.sha256(data).hexdigest() != kept["digest"]:
        messages.error(request, _("The previewed file could not be read back: upload it again."))
        return redirect("entry:import")
    rows, errors = _read(kept["name"], data, organisations)
    if errors:
        for error in errors:
            messages.error(request, str(error))
        return redirect("entry:import")
    # Compared by values_save_bulk once it holds the reports' locks, in the transaction that writes:
    # a check here, before the locks, would let a save that lands in between be overwritten.
    try:
        expected = {(org_pk, Period.parse(period)): revision for org_pk, period, revision in kept["revisions"]}
    except (TypeError, ValueError, PeriodError):
        # A preview kept by an earlier release, in another form.
        messages.error(request, _("The previewed file could not be read back: upload it again."))
        return redirect("entry:import")
    try:
        with transaction.atomic():
            result = values_save_bulk(
                ((row.organisation, row.period, row.indicator, Entry(row.value, row.note)) for row in rows),
                user=request.user,
                source=Source.upload(kept["name"]),
                expected_revisions=expected,
            )
    except StaleReports as stale:
        for organisation, period in stale.reports:
            messages.error(
                request,
                _("%(org)s, %(period)s changed after the preview: nothing was imported. Upload the file again.")
                % {"org": organisation.name, "period": period.label},
            )
        return redirect("entry:import")
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect("entry:import")
    messages.success(
        request,
        _("Imported %(name)s: %(created)d figure(s) added, %(updated)d changed, %(unchanged)d unchanged.")
        % {
            "name": kept["name"],
            "created": result.values_created,
            "updated": result.values_updated,
            "unchanged": result.values_unchanged,
        },
    )
    request.session[DONE_KEY] = [
        [organisation.code, organisation.name, str(period)] for organisation, period in _touched(rows)
    ]
    return redirect("entry:import")


def _touched(rows: list[ImportRow]) -> list[tuple]:
    """The (organisation, period) of every report the rows write, in the tree's order."""
    reports = {(row.organisation.pk, row.period): (row.organisation, row.period) for row in rows}
    return sorted(reports.values(), key=lambda report: (report[0].path, report[1]))


def _links(kept: list) -> list[dict]:
    """The links to the reports a confirmed import touched (kept in the session as code, name, period)."""
    links = []
    for code, name, period_text in kept:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            continue
        links.append({"name": name, "label": period.label, "url": reverse("entry:report", args=[code, str(period)])})
    return links


def _checks(rows: list[ImportRow], user) -> tuple[list[ReportChecks], list[RowError]]:
    """The entry page's checks of each report the file touches, on its figures as the import would leave them.

    The rows of the first CHECKED_REPORTS_MAX reports are written as the confirm would write them, the
    checks run on the reports so written, and everything is rolled back: report_checks reads a saved
    report (its figures, last year's, the previous period's, the sibling units'), and the derived sums
    are formed as the import would form them. A write the confirm would refuse (a period closed to the
    user) is a listed error here.
    """
    touched = _touched(rows)[:CHECKED_REPORTS_MAX]
    keys = {(organisation.pk, period) for organisation, period in touched}
    rules = active_rules()
    found: list[ReportChecks] = []
    with transaction.atomic():
        try:
            values_save_bulk(
                (
                    (row.organisation, row.period, row.indicator, Entry(row.value, row.note))
                    for row in rows
                    if (row.organisation.pk, row.period) in keys
                ),
                user=user,
                source=Source.IMPORT,
            )
        except ValidationError as exc:
            transaction.set_rollback(True)
            return [], [RowError(None, message) for message in exc.messages]
        except PermissionDenied as exc:
            transaction.set_rollback(True)
            return [], [RowError(None, str(exc))]
        reports = {
            (report.organisation_id, report.period): report
            for report in Report.objects.filter(
                organisation__in={organisation.pk for organisation, _period in touched},
                year__in={period.year for _organisation, period in touched},
            )
        }
        for organisation, period in touched:
            report = reports[(organisation.pk, period)]
            report.organisation = organisation
            result = report_checks(report, rules=rules, viewer=user)
            found.append(
                ReportChecks(
                    organisation_name=organisation.name,
                    period_label=period.label,
                    url=reverse("entry:report", args=[organisation.code, str(period)]),
                    errors=result.errors,
                    warnings=result.warnings,
                )
            )
        transaction.set_rollback(True)
    return found, []


def _download(content: bytes, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[XLSX])
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


@require_safe
def code_list(request):
    """Every indicator's code, names, unit and 口径, and the organisations the user may import for."""
    organisations = _importable(request.user).select_related("parent").order_by("path")
    return _download(code_list_workbook(list(organisations)), _("import code list") + ".xlsx", "import-codes.xlsx")


@require_safe
def sample(request):
    """A small workbook with the Chinese header and the user's organisations' figures by name."""
    organisations = list(_importable(request.user).order_by("path"))
    return _download(sample_workbook(request.user, organisations), _("import sample") + ".xlsx", "import-sample.xlsx")
