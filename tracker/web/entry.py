"""The entry page: a report's figures, its checks and its workflow actions, and the audit trail.

It shows the work of three apps (entry, checks, workflow) and belongs to none of them; the
figures are written through entry.services like every other write.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tracker.catalogue.figures import report_figures
from tracker.catalogue.models import Catalogue, Indicator, section_label
from tracker.checks.report import report_checks
from tracker.entry.deadlines import closes, reopening
from tracker.entry.models import PeriodReopening, Status, Value
from tracker.entry.periods import Period, PeriodError
from tracker.entry.selectors import values_by_period
from tracker.entry.services import (
    EDITABLE_STATUSES,
    Entry,
    Source,
    StaleReport,
    check_period_type,
    report_get,
    values_save_for_period,
)
from tracker.entry.workbook import entry_workbook
from tracker.orgs.access import Permission, can, get_org_for_user, orgs_where, require
from tracker.orgs.models import Organisation
from tracker.spreadsheets import attachment_header, safe_filename_part
from tracker.web.forms import PeriodChoiceForm, ReportValuesForm
from tracker.web.scope import org_code_from_query, year_from_query
from tracker.workflow.acceptance import acceptances_of
from tracker.workflow.models import Action
from tracker.workflow.services import allowed_actions


@require_safe
def choose(request):
    """Pick organisation, year and period, then go to that page of figures."""
    orgs = list(Organisation.objects.for_user(request.user))
    # The organisation and year are read as every page reads them (tracker.web.scope), a link's
    # `?org=` too; the form then offers only the user's organisations, so what it refuses was not
    # sent by the page.
    code = org_code_from_query(request) if "org" in request.GET else None
    year = year_from_query(request, required=False)
    if code is not None:
        get_org_for_user(request.user, code)
    if code is not None and year is not None and "period" in request.GET:
        form = PeriodChoiceForm(request.GET, orgs=orgs)
        if not form.is_valid():
            raise BadRequest(" ".join(message for errors in form.errors.values() for message in errors))
        return redirect("entry:report", org=form.cleaned_data["org"], period=str(form.period_value()))
    initial = {
        "org": code or (orgs[0].code if orgs else None),
        "year": year or timezone.localdate().year,
        "period": "year",
    }
    form = PeriodChoiceForm(orgs=orgs, initial=initial)
    may_import = orgs_where(request.user, Permission.IMPORT).exists()
    return render(request, "entry/choose.html", {"form": form, "may_import": may_import})


def _rebase(form: ReportValuesForm, report, stored: dict[str, Value]):
    """After a refused save: the user's input on top of what is stored now.

    Figures the user changed keep their input; figures they left alone take the value the
    other person saved, so saving again merges both sets of changes instead of undoing the
    other person's.
    """
    data = form.data.copy()
    # No report: it was deleted (a draft, in the admin) after the page was opened.
    data["revision"] = report.revision if report is not None else 0
    opened = form.opened_entries()
    for ind in form.indicators:
        saved = stored.get(ind.code)
        now = Entry(saved.value, saved.note) if saved else None
        posted = form.cleaned_data
        if posted.get(f"v_{ind.code}") == opened[ind.code].value:
            data[f"v_{ind.code}"] = "" if now is None or now.value is None else now.value
        if (posted.get(f"n_{ind.code}") or "") == opened[ind.code].note:
            data[f"n_{ind.code}"] = now.note if now else ""
        data.update(ReportValuesForm.opened_initial(ind.code, now))
    return data


def report_values(request, org: str, period: str):
    """One organisation's figures for one period: view, and for clerks and reviewers, edit."""
    organisation = get_org_for_user(request.user, org)
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    indicators = list(Indicator.objects.reported_by(organisation.kind))
    report = report_get(organisation=organisation, period=period_obj)
    previous, last_year = period_obj.previous(), period_obj.same_last_year()
    values = values_by_period(organisation, [period_obj, previous, last_year])
    current = values[period_obj]
    may_enter = can(request.user, Permission.ENTER, organisation)
    editable = may_enter and (report is None or report.status in EDITABLE_STATUSES)
    closed_on = closes(organisation, period_obj)
    closed = timezone.localdate() >= closed_on
    reopened = reopening(organisation, period_obj) if closed else None
    if closed and not reopened and not can(request.user, Permission.ENTER_CLOSED, organisation):
        editable = False  # the services refuse it too: show the figures read-only, with why

    period_problem = None
    if report is None:
        try:
            check_period_type(organisation=organisation, period=period_obj)
        except ValidationError as exc:
            period_problem = exc.messages[0]
            editable = False

    initial = {"revision": report.revision if report else 0}
    for ind in indicators:
        saved = current.get(ind.code)
        initial[f"v_{ind.code}"] = "" if saved is None or saved.value is None else saved.value
        initial[f"n_{ind.code}"] = saved.note if saved else ""
        initial.update(ReportValuesForm.opened_initial(ind.code, Entry(saved.value, saved.note) if saved else None))

    if request.method == "POST":
        require(request.user, Permission.ENTER, organisation)
        form = ReportValuesForm(request.POST, indicators=indicators)
        if form.is_valid():
            entries = _posted_entries(form, request.POST, indicators, current)
            if report is None and not any(e.value is not None or e.note for e in entries.values()):
                # An untouched page for a new period: saving it would create an empty report that
                # fixes the year's period type for nothing.
                messages.info(request, _("Nothing to save: no figure or note was entered."))
                return redirect(reverse("entry:report", args=[organisation.code, str(period_obj)]))
            try:
                _report, result = values_save_for_period(
                    organisation=organisation,
                    period=period_obj,
                    entries=entries,
                    user=request.user,
                    expected_revision=form.cleaned_data["revision"],
                    opened=form.opened_entries(),
                )
            except StaleReport as stale:
                names = "、".join(ind.name for ind in stale.changed) or _("(none of the figures on this page)")
                form.add_error(
                    None,
                    _(
                        "Someone else saved this report after you opened it. They changed: %(names)s. "
                        "Nothing of yours was saved; your input is kept below: check it and save again."
                    )
                    % {"names": names},
                )
                report = report_get(organisation=organisation, period=period_obj)
                form.data = _rebase(form, report, values_by_period(organisation, [period_obj])[period_obj])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(n)d figure(s) changed.") % {"n": len(result.changed_codes)})
                return redirect(reverse("entry:report", args=[organisation.code, str(period_obj)]))
        if not form.is_valid() and not form.non_field_errors():
            form.add_error(None, _("Nothing was saved: correct the figures marked below and save again."))
    else:
        form = ReportValuesForm(initial=initial, indicators=indicators)

    # Derived figures of what is stored, computed by the one function in aggregation.
    catalogue = Catalogue.active()
    stored = {code: v.value for code, v in current.items()}
    derived_values = report_figures(stored, catalogue)
    derived = [
        (ind, derived_values.get(ind.code))
        for ind in catalogue.indicators
        if ind.reported_by == organisation.kind and ind.is_derived
    ]

    checks = report_checks(report, viewer=request.user) if report else None
    # Where the group's figures of this period stand with the commission (shown with the status).
    acceptances = acceptances_of(organisation, period_obj)
    findings = checks.by_code() if checks else {}
    rows = []
    for ind, field, note, original in form.rows():
        prev = values[previous].get(ind.code)
        last = values[last_year].get(ind.code)
        rows.append(
            {
                "indicator": ind,
                "field": field,
                "note": note,
                "original": original,
                "previous": prev.value if prev else None,
                "last_year": last.value if last else None,
                "findings": findings.get(ind.code, []),
                "has_history": ind.code in current,
                "sub_item": catalogue.is_sub_item(ind),
            }
        )
    sections = [
        (section_label(section), list(items)) for section, items in groupby(rows, key=lambda r: r["indicator"].section)
    ]
    return render(
        request,
        "entry/report.html",
        {
            "organisation": organisation,
            "acceptances": acceptances,
            "period": period_obj,
            "previous": previous,
            "last_year": last_year,
            "report": report,
            "form": form,
            "sections": sections,
            "derived": derived,
            "editable": editable,
            "period_problem": period_problem,
            "checks": checks,
            "actions": allowed_actions(report=report, user=request.user) if report else [],
            "returned": _return_reason(report),
            "closed_on": closed_on,
            "closed": closed,
            "reopened": reopened,
            "may_reopen": can(request.user, Permission.ENTER_CLOSED, organisation),
            "may_enter": may_enter,
            "transitions": report.transitions.select_related("user") if report else [],
        },
    )


def org_and_period(request, org: str, period: str):
    """The organisation (404 outside the user's subtree) and the period (404 when it is not one)."""
    organisation = get_org_for_user(request.user, org)
    try:
        return organisation, Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc


@require_safe
def entry_template(request, org: str, period: str):
    """The Excel entry template of the organisation (a group: with its units) for the period."""
    organisation, period_obj = org_and_period(request, org, period)
    content = entry_workbook(organisation, period_obj)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{organisation.name}-{period_obj.label}-{_('entry template')}.xlsx"
    fallback = f"{organisation.code}-{period_obj}-template.xlsx"
    response["Content-Disposition"] = attachment_header(safe_filename_part(name), fallback)
    return response


@require_POST
def reopen(request, org: str, period: str):
    """A reviewer reopens a closed period for one organisation, with a reason, for a while."""
    organisation, period_obj = org_and_period(request, org, period)
    require(request.user, Permission.ENTER_CLOSED, organisation)
    reason = request.POST.get("reason", "").strip()
    longest = PeriodReopening._meta.get_field("reason").max_length
    if not reason:
        messages.error(request, _("Give a reason."))
    elif len(reason) > longest:
        # Refused whole, never cut: a reason stored shorter than written says something else.
        messages.error(
            request,
            _("The reason is %(length)d characters long; at most %(max)d fit. Shorten it: nothing was reopened.")
            % {"length": len(reason), "max": longest},
        )
    else:
        until = timezone.now() + datetime.timedelta(days=settings.REOPENING_DAYS)
        PeriodReopening.objects.create(
            organisation=organisation,
            year=period_obj.year,
            period_type=period_obj.type,
            period_number=period_obj.number,
            reason=reason,
            by=request.user,
            until=until,
        )
        messages.success(
            request,
            _("Reopened for %(org)s until %(until)s.")
            % {"org": organisation.name, "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")},
        )
    return redirect("entry:report", org=org, period=period)


def _return_reason(report):
    """Why the report was returned (the latest return), for the banner at the top of a returned report."""
    if report is None or report.status != Status.RETURNED:
        return None
    return report.transitions.filter(action=Action.RETURN).select_related("user").order_by("-pk").first()


def _posted_entries(form, posted, indicators, current) -> dict:
    """What the POST says of each figure: only the figures and notes it carries.

    A field left out of the request (a hand-made or truncated POST) leaves the stored figure or
    note as it is; a field sent empty clears it.
    """
    entries = {}
    for ind in indicators:
        has_value, has_note = f"v_{ind.code}" in posted, f"n_{ind.code}" in posted
        if not (has_value or has_note):
            continue
        saved = current.get(ind.code)
        value = form.cleaned_data[f"v_{ind.code}"] if has_value else (saved.value if saved else None)
        note = form.cleaned_data[f"n_{ind.code}"] if has_note else (saved.note if saved else "")
        entries[ind] = Entry(value, note)
    return entries


def _history_rows(queryset):
    """History rows with the value before each change (simple-history keeps only the new one)."""
    rows = list(queryset.select_related("history_user", "indicator").order_by("id", "history_date", "history_id"))
    previous: dict[int, int | None] = {}
    out = []
    for row in rows:
        out.append(
            {
                "row": row,
                "old": previous.get(row.id),
                "new": row.value if row.history_type != "-" else None,
                "through": Source.label(row.history_change_reason),
            }
        )
        previous[row.id] = row.value
    out.reverse()
    return out


@require_safe
def report_history(request, org: str, period: str, code: str | None = None):
    """The audit trail of a report's values, or of one value: old, new, who, when, through what."""
    organisation = get_org_for_user(request.user, org)
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    report = report_get(organisation=organisation, period=period_obj)
    if report is None:
        raise Http404("No such report.")
    history = Value.history.filter(report_id=report.pk)
    indicator = None
    if code is not None:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise Http404("No such indicator.")
        history = history.filter(indicator_id=indicator.pk)
    return render(
        request,
        "entry/history.html",
        {
            "organisation": organisation,
            "period": period_obj,
            "report": report,
            "indicator": indicator,
            "rows": sorted(_history_rows(history), key=lambda r: r["row"].history_date, reverse=True),
            "transitions": report.transitions.select_related("user"),
        },
    )
