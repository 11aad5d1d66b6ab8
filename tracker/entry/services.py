"""Writes to reports and values. Every write of figures goes through here.

Used by the entry page, the CSV import, the demo world and (later) the workflow, so
that the period-type rule, the lock on approved reports, atomicity and the audit
trail hold whichever way a figure comes in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tracker.catalogue.figures import derive_period
from tracker.catalogue.models import Catalogue, Indicator
from tracker.entry.models import DerivedFigure, Report, Status, Value
from tracker.entry.periods import Period, PeriodType
from tracker.orgs.access import Permission, can, require
from tracker.orgs.models import Organisation


class Source:
    """Through what a value was changed; stored as the history's change reason."""

    ENTRY = "entry"
    ADMIN = "admin"
    IMPORT = "import"
    DEMO = "demo"

    @staticmethod
    def label(source: str | None) -> str:
        labels = {
            Source.ENTRY: _("entry page"),
            Source.ADMIN: _("administration"),
            Source.IMPORT: _("file import"),
            Source.DEMO: _("demo data"),
        }
        if source and source.startswith(Source.IMPORT + ":"):
            # A web upload records its file's name: "import:2023一季度.xlsx".
            return _("file import: %(name)s") % {"name": source.split(":", 1)[1]}
        return labels.get(source or "", source or "—")

    @staticmethod
    def upload(name: str) -> str:
        """The change reason of a web upload (the history keeps at most 100 characters)."""
        return f"{Source.IMPORT}:{name}"[:100]


EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


# What a figure may be typed with: ASCII or full-width digits, commas (thousands), and, for a clear
# message, a decimal point or a minus sign. Every other character is refused as it is: NFKC would turn
# "1²", "⑫" or "𝟏𝟐" into "12", a number nobody typed.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")
# Longer than this is no figure (MAX_FIGURE has ten digits); checked before int(), which refuses
# strings of more than 4,300 digits with an error of its own.
_MAX_FIGURE_CHARS = 20


def parse_figure(text: str | None) -> int | None:
    """A figure as people type it, or None for "not known yet".

    Forgiving where people are (full-width digits, spaces around it, "3,038"), strict where it
    matters (negative, decimal, text, a space inside, superscripts and circled digits, absurdly
    large): those raise ValidationError.
    """
    if text is None:
        return None
    if isinstance(text, str) and len(text) <= 10 and text.isascii() and text.isdigit():
        # The common case, as files and forms mostly carry it: plain digits (at most 10 of them).
        number = int(text)
        if number <= settings.MAX_FIGURE:
            return number
    cleaned = str(text).strip().translate(_FULL_WIDTH).replace("−", "-")
    if cleaned == "":
        return None
    if len(cleaned) > _MAX_FIGURE_CHARS and re.fullmatch(r"[\d,]+", cleaned):
        raise ValidationError(
            _("This figure is too large (at most %(max)s).") % {"max": f"{settings.MAX_FIGURE:,}"},
            code="too_large",
        )
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if re.fullmatch(r"-\d+([.,]\d*)?", cleaned):
        raise ValidationError(_("A figure cannot be negative."), code="negative")
    if re.fullmatch(r"\d*[.]\d+|\d+[.]\d*", cleaned):
        if re.fullmatch(r"\d+\.0*", cleaned):
            cleaned = cleaned.split(".")[0]
        else:
            raise ValidationError(_("Enter a whole number, without decimals."), code="decimal")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > _MAX_FIGURE_CHARS:
        raise ValidationError(_("Enter a number, e.g. 12 or 3,038."), code="not_a_number")
    number = int(cleaned)
    if number > settings.MAX_FIGURE:
        raise ValidationError(
            _("This figure is too large (at most %(max)s).") % {"max": f"{settings.MAX_FIGURE:,}"},
            code="too_large",
        )
    return number


def check_period_type(*, organisation: Organisation, period: Period) -> None:
    """Refuse a report whose period type differs from the organisation's others that year.

    Mixing, say, an annual and a quarterly report in one year would count figures twice.
    """
    other = (
        Report.objects.filter(organisation=organisation, year=period.year)
        .exclude(period_type=period.type)
        .values_list("period_type", flat=True)
        .first()
    )
    if other is not None:
        raise period_conflict(organisation, period, other)


def period_conflict(organisation: Organisation, period: Period, existing_type: str) -> ValidationError:
    """The refusal of a report whose period type differs from the one the year already uses."""
    return ValidationError(
        _(
            "%(org)s already reports %(year)d by %(existing)s; a report by %(wanted)s would count "
            "figures twice. Use the same period type for the whole year."
        )
        % {
            "org": organisation.name,
            "year": period.year,
            "existing": PeriodType(existing_type).label,
            "wanted": PeriodType(period.type).label,
        },
        code="period_conflict",
    )


def report_get(*, organisation: Organisation, period: Period) -> Report | None:
    return Report.objects.filter(
        organisation=organisation, year=period.year, period_type=period.type, period_number=period.number
    ).first()


def lock_organisations(organisations: Iterable[Organisation]) -> None:
    """Lock the organisations' rows until the end of the current transaction (in pk order, so
    that two writers locking several never wait for each other crosswise).

    This is the lock report creators queue on (see report_get_or_create). NO KEY UPDATE on
    PostgreSQL: it excludes other creators but not inserts that merely reference the
    organisation (memberships, child organisations). A no-op on SQLite, which has no row locks.
    """
    pks = sorted({org.pk for org in organisations})
    list(Organisation.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk").values_list("pk"))


def report_get_or_create(*, organisation: Organisation, period: Period) -> Report:
    """The organisation's report for `period`, created if need be; the one way a report is created.

    Creating locks the organisation's row first, then checks the period type and inserts, all in
    one transaction: concurrent creators for one organisation queue on that lock, so two first
    saves of different period types (say 2023 and 2023Q1) cannot both pass the check, and the
    later one meets the existing clear message. On PostgreSQL that is a row lock (SELECT … FOR NO
    KEY UPDATE); SQLite has no row locks, but there every transaction takes the database's write
    lock at BEGIN (settings: transaction_mode IMMEDIATE), which serialises writers as a whole.
    Raises ValidationError (code "period_conflict") if another period type holds the year.
    """
    report = report_get(organisation=organisation, period=period)
    if report is not None:
        return report
    with transaction.atomic():
        lock_organisations([organisation])
        # Read again under the lock: whoever held it before may have created this very report.
        report = report_get(organisation=organisation, period=period)
        if report is not None:
            return report
        check_period_type(organisation=organisation, period=period)
        return Report.objects.create(
            organisation=organisation, year=period.year, period_type=period.type, period_number=period.number
        )


def _check_open(user, organisation: Organisation, period: Period) -> None:
    """A clerk may not write a closed period (tracker.entry.deadlines); reviewers may."""
    from tracker.entry.deadlines import closes, is_closed

    if user is None or can(user, Permission.ENTER_CLOSED, organisation):
        return
    if is_closed(organisation, period):
        raise ValidationError(
            _(
                "%(period)s closed for entry on %(day)s. To add or correct figures, ask a reviewer to "
                "reopen it for %(org)s."
            )
            % {"period": period.label, "day": closes(organisation, period).isoformat(), "org": organisation.name},
            code="closed",
        )


def _check_role(user, organisation: Organisation, permission: str = Permission.ENTER) -> None:
    """Refuse a write the permission table does not allow (tracker.orgs.access).

    Checked here, not only in the views, so every way in (the page, a web upload) obeys it.
    No user means the system itself (the demo world); callers that are trusted otherwise
    (an operator's import at the shell, where --user only names who did it) pass
    enforce_role=False.
    """
    if user is not None:
        require(user, permission, organisation)


class StaleReport(Exception):
    """The report changed since the user opened it; see `changed` for which figures."""

    def __init__(self, changed: list[Indicator]):
        super().__init__("stale report")
        self.changed = changed


class StaleReports(Exception):
    """Reports a file's preview was made against changed before its import took their locks.

    `reports` names each one (organisation, period): someone saved, created or imported figures
    in between, and writing the file now would overwrite what they wrote without either knowing.
    """

    def __init__(self, reports: list[tuple[Organisation, Period]]):
        super().__init__("stale reports")
        self.reports = reports


# A report's revision as a preview saw it, keyed by (organisation id, period); None: no report yet.
Revisions = Mapping[tuple[int, Period], int | None]


@dataclass
class Entry:
    value: int | None
    note: str = ""


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    changed_codes: list[str] = field(default_factory=list)


def report_save_values(
    *,
    report: Report,
    entries: Mapping[Indicator, Entry],
    user=None,
    source: str = Source.ENTRY,
    expected_revision: int | None = None,
    opened: Mapping[str, Entry] | None = None,
    enforce_role: bool = True,
) -> SaveResult:
    """Write a report's figures in one transaction, with one audit row per changed value.

    `expected_revision` is the report revision the user's page was opened at; if another
    save came in between, StaleReport names the figures that save changed (compared with
    `opened`, the figures and notes the page showed) and nothing is written.
    """
    result = SaveResult()
    if enforce_role:
        _check_role(user, report.organisation)
        _check_open(user, report.organisation, report.period)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise ValidationError(
                _("This report is %(status)s and cannot be changed.") % {"status": locked.get_status_display()},
                code="locked",
            )
        existing = {v.indicator_id: v for v in Value.objects.filter(report=locked)}
        if expected_revision is not None and locked.revision != expected_revision:
            opened = opened or {}
            changed = []
            for ind in entries:
                stored = existing.get(ind.pk)
                was = opened.get(ind.code, Entry(None))
                if (stored.value if stored else None, stored.note if stored else "") != (was.value, was.note):
                    changed.append(ind)
            raise StaleReport(changed)
        to_create, to_update = [], []
        now = timezone.now()
        for indicator, entry in entries.items():
            created, updated = _entry_write(existing.get(indicator.pk), locked.pk, indicator, entry, user, now)
            if created is None and updated is None:
                continue
            (to_create if created else to_update).append(created or updated)
            result.changed_codes.append(indicator.code)
        if to_create:
            bulk_create_with_history(to_create, Value, default_user=user, default_change_reason=source)
        if to_update:
            bulk_update_with_history(
                to_update,
                Value,
                ["value", "note", "updated_by", "updated"],
                default_user=user,
                default_change_reason=source,
            )
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            figures_saved([locked.pk], user, now)
            report.revision = locked.revision + 1
            derived_figures_refresh([locked.pk])
    return result


def _entry_write(current: Value | None, report_id: int, indicator: Indicator, entry: Entry, user, now):
    """What one entry does to the stored value: (a new value, None), (None, the value changed in
    place) or (None, None) when nothing changes. An empty figure with no note creates nothing."""
    note = (entry.note or "").strip()
    if current is None:
        if entry.value is None and not note:
            return None, None
        return Value(
            report_id=report_id,
            indicator_id=indicator.pk,
            value=entry.value,
            note=note,
            updated_by_id=user.pk if user else None,
        ), None
    if current.value != entry.value or current.note != note:
        current.value, current.note, current.updated_by, current.updated = entry.value, note, user, now
        return None, current
    return None, None


@dataclass
class BulkResult:
    reports_created: int = 0
    reports_changed: int = 0  # existing reports with at least one changed value
    values_created: int = 0
    values_updated: int = 0
    values_unchanged: int = 0


def values_save_bulk(
    rows: Iterable[tuple[Organisation, Period, Indicator, Entry]],
    *,
    user=None,
    source: str = Source.IMPORT,
    enforce_role: bool = True,
    batch_size: int = 2000,
    chunk_reports: int = 250,
    expected_revisions: Revisions | None = None,
) -> BulkResult:
    """Write many reports' figures at once, set-based, in one transaction (the file imports).

    The same rules as report_save_values, checked for the whole set: the role per organisation;
    the organisations' creation locks taken up front in one order (so two imports never wait
    for each other crosswise); the reports' rows locked; a report that is not editable, or a new
    one whose year another period type holds, refuses the whole set (ValidationError naming it).
    Then existing reports and values are read once, new reports and values inserted in batches,
    changed values updated in batches, each with its audit row (simple_history's bulk helpers),
    every changed report's revision bumped once and its derived sums formed again.

    `expected_revisions` (a preview's: see csvio.preview) is compared once every report's lock is
    held, in the transaction that writes: a report saved, created or imported by anyone since the
    preview refuses the whole set (StaleReports naming each), so a confirmed file never overwrites
    a figure its user did not see, and of two overlapping imports confirmed at once the later one
    is refused.
    """
    wanted: dict[tuple[int, Period], dict[Indicator, Entry]] = {}
    organisations: dict[int, Organisation] = {}
    for organisation, period, indicator, entry in rows:
        organisations[organisation.pk] = organisation
        wanted.setdefault((organisation.pk, period), {})[indicator] = entry
    result = BulkResult()
    if not wanted:
        return result
    if enforce_role:
        for organisation in organisations.values():
            _check_role(user, organisation, Permission.IMPORT)
        for org_pk, period in wanted:
            _check_open(user, organisations[org_pk], period)
    years = {period.year for _org, period in wanted}
    with transaction.atomic():
        lock_organisations(organisations.values())
        reports = {
            (r.organisation_id, r.period): r
            for r in Report.objects.select_for_update().filter(organisation__in=list(organisations), year__in=years)
        }
        if expected_revisions is not None:
            stale = [
                (organisations[org_id], period)
                for org_id, period in wanted
                if _revision(reports.get((org_id, period))) != expected_revisions.get((org_id, period))
            ]
            if stale:
                raise StaleReports(stale)
        types = {(r.organisation_id, r.year): r.period_type for r in reports.values()}
        new = []
        for org_id, period in wanted:
            report = reports.get((org_id, period))
            if report is None:
                held = types.setdefault((org_id, period.year), period.type)
                if held != period.type:
                    raise period_conflict(organisations[org_id], period, held)
                new.append(
                    Report(
                        organisation_id=org_id,
                        year=period.year,
                        period_type=period.type,
                        period_number=period.number,
                    )
                )
            elif report.status not in EDITABLE_STATUSES:
                raise ValidationError(
                    _("The report of %(org)s for %(period)s is %(status)s and cannot be changed.")
                    % {
                        "org": organisations[org_id].name,
                        "period": period.label,
                        "status": report.get_status_display(),
                    },
                    code="locked",
                )
        for report in Report.objects.bulk_create(new, batch_size=batch_size):
            reports[(report.organisation_id, report.period)] = report
        result.reports_created = len(new)
        created_ids = {report.pk for report in new}

        # Report by report in chunks, so that the model objects of one chunk at a time are alive
        # (a 100,000-line file stays within tens of megabytes); each report is in one chunk only.
        keys = list(wanted)
        changed: set[int] = set()
        for start in range(0, len(keys), chunk_reports):
            chunk = keys[start : start + chunk_reports]
            _write_chunk({reports[key]: wanted[key] for key in chunk}, user, source, batch_size, result, changed)
        changed_ids = sorted(changed)
        figures_saved(changed_ids, user, timezone.now())
        result.reports_changed = len(changed - created_ids)
    return result


def figures_saved(report_ids: list[int], user, when) -> None:
    """After a save of reports' values: a new revision each (a page opened before is now stale), and
    who saved them when (the completeness page's "last saved")."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    for start in range(0, len(report_ids), 500):
        Report.objects.filter(pk__in=report_ids[start : start + 500]).update(
            revision=F("revision") + 1, figures_saved_at=when, figures_saved_by_id=user_id
        )


def _revision(report: Report | None) -> int | None:
    return None if report is None else report.revision


def _write_chunk(
    wanted: dict[Report, dict[Indicator, Entry]], user, source: str, batch_size: int, result: BulkResult, changed: set
) -> None:
    """values_save_bulk for some reports: their values read once, then inserted and updated in batches."""
    existing: dict[tuple[int, int], Value] = {
        (value.report_id, value.indicator_id): value
        for value in Value.objects.filter(report__in=[report.pk for report in wanted]).order_by()
    }
    now = timezone.now()
    to_create, to_update, touched = [], [], set()
    for report, entries in wanted.items():
        for indicator, entry in entries.items():
            created, updated = _entry_write(
                existing.get((report.pk, indicator.pk)), report.pk, indicator, entry, user, now
            )
            if created is None and updated is None:
                result.values_unchanged += 1
                continue
            (to_create if created else to_update).append(created or updated)
            touched.add(report.pk)
    if to_create:
        _insert_values(to_create, now, batch_size)
        Value.history.bulk_history_create(
            to_create, batch_size=batch_size, default_user=user, default_change_reason=source, default_date=now
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            Value,
            ["value", "note", "updated_by", "updated"],
            batch_size=batch_size,
            default_user=user,
            default_change_reason=source,
        )
    # The chunk's values as they now stand, to form the derived sums without reading them back.
    entered: dict[int, dict[int, int]] = {pk: {} for pk in touched}
    for (report_id, indicator_id), value in existing.items():
        if report_id in entered and value.value is not None:
            entered[report_id][indicator_id] = value.value
    for value in to_create:
        if value.value is not None:
            entered[value.report_id][value.indicator_id] = value.value
    derived_figures_refresh(touched, entered=entered)
    result.values_created += len(to_create)
    result.values_updated += len(to_update)
    changed |= touched


_INSERTED_FIELDS = ("report", "indicator", "value", "note", "updated", "updated_by")


def _insert_values(values: list[Value], now, batch_size: int) -> None:
    """Insert new values (COPY on PostgreSQL, multi-row INSERT on SQLite) and give each object its id.

    The file imports' hot path: Django's bulk_create compiles every field of every row into its
    statement, which made inserting the values cost as much again as their audit rows. Here the
    statement is plain text and the rows are only parameters. The ids are then read back
    by (report, indicator), which is unique, so the audit rows (simple_history's
    bulk_history_create) record each value's id as every other write does.
    """
    connection = connections[Value.objects.db]
    fields = [Value._meta.get_field(name) for name in _INSERTED_FIELDS]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 - table and column names from the model
        quote(Value._meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # As many rows per statement as the database takes parameters (SQLite: 999).
    per_statement = min(batch_size, (connection.features.max_query_params or 65535) // len(fields))
    stamp = Value._meta.get_field("updated").get_db_prep_save(now, connection)
    if connection.vendor == "postgresql":
        # PostgreSQL's COPY: the rows stream in without any statement text at all.
        copy = "COPY {} ({}) FROM STDIN".format(
            quote(Value._meta.db_table), ", ".join(quote(field.column) for field in fields)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy) as stream:
            for v in values:
                stream.write_row((v.report_id, v.indicator_id, v.value, v.note, now, v.updated_by_id))
        _ids_read_back(values, now, connection)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            params = [
                item for v in chunk for item in (v.report_id, v.indicator_id, v.value, v.note, stamp, v.updated_by_id)
            ]
            cursor.execute(head + ", ".join([row_marks] * len(chunk)), params)
            # SQLite numbers the rows of one INSERT in order (AUTOINCREMENT), ending at lastrowid.
            first = cursor.lastrowid - len(chunk) + 1
            for offset, value in enumerate(chunk):
                value.pk = first + offset
                value.updated = now
                value._state.adding, value._state.db = False, connection.alias


def _ids_read_back(values: list[Value], now, connection) -> None:
    """Give freshly inserted values their ids, read back by (report, indicator), which is unique."""
    by_key = {(v.report_id, v.indicator_id): v for v in values}
    report_ids = sorted({v.report_id for v in values})
    for start in range(0, len(report_ids), 500):
        for pk, report_id, indicator_id in Value.objects.filter(
            report_id__in=report_ids[start : start + 500]
        ).values_list("pk", "report_id", "indicator_id"):
            value = by_key.get((report_id, indicator_id))
            if value is not None:
                value.pk = pk
                value.updated = now
                value._state.adding, value._state.db = False, connection.alias


def derived_figures_refresh(
    report_ids: Iterable[int], *, entered: Mapping[int, Mapping[int, int]] | None = None
) -> int:
    """Rewrite the derived sums of these reports from their entered values (see DerivedFigure).

    Called inside the transaction of every write of values, so a page never sees a report's
    values without its sums. Works in batches (a few queries per 500 reports); returns the
    number of derived figures stored. The whole catalogue is used, switched-off indicators
    included: the pages leave those out when they add up, and switching one back on needs no
    recomputation. `entered` (report id -> indicator id -> known value), when the caller holds
    the reports' values already, saves reading them again.
    """
    catalogue = Catalogue.complete()
    derived = [ind for ind in catalogue.indicators if ind.sum_parts]
    if not derived:
        return 0
    code_of = {ind.pk: ind.code for ind in catalogue.indicators}
    pk_of = {ind.code: ind.pk for ind in catalogue.indicators}
    ids = sorted(set(report_ids))
    stored = 0
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        by_code: dict[int, dict[str, int]] = {pk: {} for pk in batch}
        if entered is not None:
            for report_id in batch:
                by_code[report_id] = {code_of[pk]: value for pk, value in entered.get(report_id, {}).items()}
        else:
            for report_id, indicator_id, value in (
                Value.objects.filter(report_id__in=batch, value__isnull=False)
                .order_by()
                .values_list("report_id", "indicator_id", "value")
            ):
                by_code[report_id][code_of[indicator_id]] = value
        rows = []
        for report_id, values in by_code.items():
            if not values:
                continue
            figures = derive_period(values, catalogue)
            rows += [
                DerivedFigure(report_id=report_id, indicator_id=pk_of[ind.code], value=figures[ind.code])
                for ind in derived
                if figures.get(ind.code) is not None and ind.code not in values
            ]
        DerivedFigure.objects.filter(report_id__in=batch).delete()
        DerivedFigure.objects.bulk_create(rows, batch_size=1000)
        stored += len(rows)
    return stored


def values_save_for_period(
    *,
    organisation: Organisation,
    period: Period,
    entries: Mapping[Indicator, Entry],
    user=None,
    source: str = Source.ENTRY,
    expected_revision: int | None = None,
    opened: Mapping[str, Entry] | None = None,
    enforce_role: bool = True,
) -> tuple[Report, SaveResult]:
    """Create the report if needed and save its figures, all in one transaction."""
    if enforce_role:
        _check_role(user, organisation)
        _check_open(user, organisation, period)
    with transaction.atomic():
        report = report_get_or_create(organisation=organisation, period=period)
        result = report_save_values(
            report=report,
            entries=entries,
            user=user,
            source=source,
            expected_revision=expected_revision,
            opened=opened,
            enforce_role=False,  # checked above
        )
    return report, result
