"""Importing figures from a file on the web: upload, a preview that writes nothing, then confirm.

The preview lists every change (old → new) and every bad line; the file itself is kept in the
session, so that 确认导入 applies exactly the previewed file, and is refused if a report it touches
changed in between (checked under the reports' locks, as it is written). Rows are checked against
the permission table (IMPORT) and the user's subtree: an organisation outside it is "unknown", as
its URL would be a 404.
"""

from __future__ import annotations

import base64
import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.entry.csvio import ImportFailed, RowError, check_records, preview, upload_records
from tracker.entry.periods import Period, PeriodError
from tracker.entry.services import Entry, Source, StaleReports, values_save_bulk
from tracker.orgs.access import Permission, orgs_where
from tracker.uploads import UploadRefused, check_size

SESSION_KEY = "tracker_import"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.csv or .xlsx)"))


def _read(name: str, data: bytes, organisations):
    errors: list[RowError] = []
    try:
        records = upload_records(name, data, errors, organisations=organisations)
        return check_records(records, errors, organisations=organisations)
    except ImportFailed as failed:
        return [], failed.errors


def import_page(request):
    organisations = orgs_where(request.user, Permission.IMPORT)
    if not organisations.exists():
        raise PermissionDenied(_("Only clerks and reviewers import figures."))
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, organisations)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
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
    return redirect("entry:import")
