"""The whole group on one grid: its units × the units' indicators for one period.

For a group's clerk or reviewer entering every unit's figures at once. Each unit's column shows its
report's status; only a unit whose report may be changed is editable. Saving writes each changed
report in its own transaction with the revision the page was opened at, and says per unit what
was saved or refused: one unit saved meanwhile by someone else, or locked, refuses only itself.

Each unit's checks are those of its entry page (tracker.checks.report): the cells of the figures a
finding involves are marked, with the message on hover, and the findings are listed per unit below the
grid, each warning with the note that explains it (the figure's note, as the entry page saves it).
From the grid a clerk submits every unit at once and a reviewer approves or returns the ticked ones
(tracker.web.bulk): each unit refused is listed with why.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.catalogue.models import Indicator, section_label
from tracker.checks.report import reports_checks
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import PeriodType
from tracker.entry.services import (
    EDITABLE_STATUSES,
    Entry,
    StaleReport,
    parse_figure,
    values_save_for_period,
)
from tracker.inputs import parse_whole
from tracker.orgs.access import Permission, can, require
from tracker.orgs.models import OrgKind
from tracker.web.entry import org_and_period

NOTE_LENGTH = Value._meta.get_field("note").max_length


def _columns(request, group, period):
    """Per unit: its report, stored figures, whether this user may change them, and why not (3 queries)."""
    units = list(group.children.filter(kind=OrgKind.UNIT).order_by("order", "code"))
    reports = {
        r.organisation_id: r
        for r in Report.objects.filter(
            organisation__in=units, year=period.year, period_type=period.type, period_number=period.number
        )
    }
    stored: dict[int, dict[str, Value]] = {}
    for value in Value.objects.filter(report__in=list(reports.values())).select_related("indicator", "report"):
        stored.setdefault(value.report.organisation_id, {})[value.indicator.code] = value
    # A unit that reports another period type this year cannot start a report of this one.
    held = dict(
        Report.objects.filter(organisation__in=units, year=period.year)
        .exclude(period_type=period.type)
        .values_list("organisation_id", "period_type")
    )
    for unit in units:
        unit.parent = group  # read by the checks (who may see the siblings' median), without a query
        if unit.pk in reports:
            reports[unit.pk].organisation = unit
    columns = []
    for unit in units:
        report = reports.get(unit.pk)
        reason, editable = "", True
        if not can(request.user, Permission.ENTER, unit):
            reason, editable = _("read only"), False
        elif report is not None and report.status not in EDITABLE_STATUSES:
            editable = False  # the column's status says why
        elif report is None and unit.pk in held:
            reason = _("reports by %(type)s this year") % {"type": PeriodType(held[unit.pk]).label}
            editable = False
        status = report.status if report is not None else None
        columns.append(
            {
                "unit": unit,
                "report": report,
                "stored": stored.get(unit.pk, {}),
                "editable": editable,
                "reason": reason,
                "checks": None,  # filled in for the page (GET), not for a save
                # "<id>:<revision>" of a report the user may approve or return (ticked for tracker.web.bulk)…
                "review": f"{report.pk}:{report.revision}"
                if status == Status.SUBMITTED and can(request.user, Permission.APPROVE, unit)
                else "",
                # …or submit, with every other such unit, from the grid.
                "submit": f"{report.pk}:{report.revision}"
                if status in (Status.DRAFT, Status.RETURNED) and can(request.user, Permission.SUBMIT, unit)
                else "",
            }
        )
    return columns


def _findings(column, codes: set[str]) -> tuple[dict[str, list], list[dict]]:
    """A unit's findings: under each figure of the grid it involves (for the cells), and as a list, each
    warning with the figure whose note explains it (the first of its figures on the grid, once per figure)."""
    if column["checks"] is None:
        return {}, []
    by_code: dict[str, list] = {}
    listed, noted = [], set()
    for finding in column["checks"].violations:
        for code in finding.codes:
            if code in codes:
                by_code.setdefault(code, []).append(finding)
        note_code = None
        if not finding.is_error:
            note_code = next((code for code in finding.codes if code in codes), None)
        entry = {"finding": finding, "note": None}
        if note_code is not None and note_code not in noted:
            noted.add(note_code)
            saved = column["stored"].get(note_code)
            entry["note"] = {
                "name": f"n_{column['unit'].code}__{note_code}",
                "value": saved.note if saved else "",
                "figure": dict(finding.figures).get(note_code, note_code),
            }
        listed.append(entry)
    return by_code, listed


def grid(request, group: str, period: str):
    organisation, period_obj = org_and_period(request, group, period)
    if organisation.kind != OrgKind.GROUP:
        raise Http404(_("The grid is for a group's units."))
    indicators = list(Indicator.objects.reported_by(OrgKind.UNIT))
    columns = _columns(request, organisation, period_obj)
    if request.method == "POST":
        # The grid is a group's clerks' and reviewers' way in; each unit is checked again below.
        require(request.user, Permission.ENTER, organisation)
        _save(request, period_obj, indicators, columns)
        return redirect(reverse("entry:grid", args=[organisation.code, str(period_obj)]))
    checks = reports_checks([c["report"] for c in columns if c["report"] is not None], viewer=request.user)
    codes = {ind.code for ind in indicators}
    for column in columns:
        column["checks"] = checks.get(column["report"].pk) if column["report"] is not None else None
        column["findings_by_code"], column["findings"] = _findings(column, codes)
    rows = []
    for ind in indicators:
        cells = []
        for column in columns:
            saved = column["stored"].get(ind.code)
            found = column["findings_by_code"].get(ind.code, [])
            cells.append(
                {
                    "column": column,
                    "value": "" if saved is None or saved.value is None else saved.value,
                    "findings": found,
                    "error": any(f.is_error for f in found),
                    "title": "\n".join(f.message + (f"（{f.detail}）" if f.detail else "") for f in found),
                }
            )
        rows.append({"indicator": ind, "cells": cells})
    sections = [(section_label(s), list(items)) for s, items in groupby(rows, key=lambda r: r["indicator"].section)]
    return render(
        request,
        "entry/grid.html",
        {
            "organisation": organisation,
            "period": period_obj,
            "columns": columns,
            "sections": sections,
            "checked": [c for c in columns if c["findings"]],
            "reviewable": any(c["review"] for c in columns),
            "submittable": [c for c in columns if c["submit"]],
        },
    )


def _save(request, period, indicators, columns) -> None:
    """Each unit whose posted figures differ from the stored ones, in its own transaction."""
    for column in columns:
        unit = column["unit"]
        if not column["editable"]:
            continue
        entries, problems = {}, []
        for ind in indicators:
            name, note_name = f"v_{unit.code}__{ind.code}", f"n_{unit.code}__{ind.code}"
            saved = column["stored"].get(ind.code)
            value, note = (saved.value, saved.note) if saved else (None, "")
            if name in request.POST:
                try:
                    value = parse_figure(request.POST[name])
                except ValidationError as exc:
                    problems.append(f"{ind.name}：{exc.messages[0]}")
                    continue
            if note_name in request.POST:
                # The note that explains a warning, listed under the grid: the figure's note, as on the entry page.
                note = request.POST[note_name].strip()
                if len(note) > NOTE_LENGTH:
                    problems.append(
                        _("%(name)s: a note has at most %(max)d characters.") % {"name": ind.name, "max": NOTE_LENGTH}
                    )
                    continue
            if (value, note) != ((saved.value, saved.note) if saved else (None, "")):
                entries[ind] = Entry(value, note)
        if problems:
            messages.error(
                request,
                _("%(unit)s: nothing saved. %(problems)s") % {"unit": unit.name, "problems": "；".join(problems)},
            )
            continue
        if not entries:
            continue
        # The page writes each unit's revision; without a readable one a save could undo another's.
        revision = parse_whole(request.POST.get(f"r_{unit.code}", ""))
        if revision is None:
            messages.error(
                request,
                _("%(unit)s: nothing saved; the page is out of date. Reload it and enter the figures again.")
                % {"unit": unit.name},
            )
            continue
        try:
            _report, result = values_save_for_period(
                organisation=unit,
                period=period,
                entries=entries,
                user=request.user,
                expected_revision=revision,
            )
        except StaleReport:
            messages.error(
                request,
                _("%(unit)s: someone else saved its figures after you opened the grid; nothing of yours was saved.")
                % {"unit": unit.name},
            )
        except ValidationError as exc:
            messages.error(request, _("%(unit)s: %(reason)s") % {"unit": unit.name, "reason": exc.messages[0]})
        else:
            messages.success(
                request, _("%(unit)s: %(n)d figure(s) saved.") % {"unit": unit.name, "n": len(result.changed_codes)}
            )
