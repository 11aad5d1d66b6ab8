"""The approved running totals (ApprovedTotal): written here and only here, read by yearly.py.

Nothing rebuilds them behind a caller's back (no save() or queryset override): every service that
changes which figures are approved or accepted calls approved_totals_refresh in its own transaction,
with the (organisation, year) pairs it touched:
- the workflow's transitions (tracker.workflow.services.report_transition: approve, unlock; and
  tracker.workflow.bulk.reports_transition, once for all the organisation-years of several reports);
- the commission's acceptance and return (tracker.workflow.acceptance.acceptance_step, accept_on_record),
  and a unit moved to another group losing what was accepted under the former one
  (tracker.workflow.acceptance.organisation_moved; the one call made on a save, an Organisation's, as
  the tree is edited in the orgs admin below every app that knows of acceptance);
- a catalogue load, which may change how derived sums are formed (tracker.aggregation.services.catalogue_load);
- the demo world and the scale world, which set statuses directly (tracker.demo).
The writes below this app never change an approved figure: figures are written only into draft or
returned reports (entry.services, the imports, the admin's inline, checked under the report's row
lock), and only those can be deleted in the admin. tests/test_totals.py holds both: no module
outside the services above writes `status` in bulk, and each service leaves the totals as a fresh
rebuild would.

An organisation's year is small (at most 12 reports of its own indicators), so it is always
rebuilt whole: read its reports, their entered values and derived sums, and write one row
per indicator and period end with at least one known approved figure — twice: counting every
approved figure, and counting only the reports the commission has accepted from the
reporter's group (Report.accepted; a commission's own figures need none). Works in batches of
organisation-years, a handful of queries each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from tracker.aggregation.models import ApprovedTotal
from tracker.catalogue.models import Indicator
from tracker.entry.models import DerivedFigure, Report, Status, Value
from tracker.entry.periods import Period, period_end_month
from tracker.orgs.models import Organisation, OrgKind, TreeLink

BATCH = 200


def approved_totals_refresh(keys: Iterable[tuple[int, int]]) -> int:
    """Rebuild the approved totals of these (organisation id, year) pairs; return the rows written.

    Each pair is rebuilt once however often it is given, and up to BATCH pairs share one set of
    queries (a bulk approval of many reports calls this once with all their pairs). Call it
    inside the transaction that changed the figures: the rebuild then commits or rolls back with it.
    """
    keys = sorted(set(keys))
    if not keys:
        return 0
    reported_by = dict(Indicator.objects.values_list("pk", "reported_by"))
    written = 0
    for start in range(0, len(keys), BATCH):
        written += _refresh(keys[start : start + BATCH], reported_by)
    return written


def approved_totals_refresh_all() -> int:
    return approved_totals_refresh(Report.objects.order_by().values_list("organisation_id", "year").distinct())


def approved_totals_fill_missing(using: str = "default") -> int:
    """The running totals of every organisation-year that has approved figures but none (a database from
    before they were kept, or before they were kept twice), formed by the code of now, whatever the
    migrations before it knew. Run after `migrate` (tracker.aggregation.apps)."""

    def pairs(queryset, org: str = "organisation_id", year: str = "year") -> set[tuple[int, int]]:
        return set(queryset.using(using).order_by().values_list(org, year).distinct())

    approved = pairs(
        Value.objects.filter(report__status=Status.APPROVED, value__isnull=False),
        "report__organisation_id",
        "report__year",
    )
    if not approved:
        return 0
    kept = pairs(ApprovedTotal.objects.filter(accepted=False))
    commissions = pairs(Report.objects.filter(organisation__kind=OrgKind.COMMISSION, status=Status.APPROVED))
    kept_accepted = pairs(ApprovedTotal.objects.filter(accepted=True))
    missing = (approved - kept) | ((approved & commissions) - kept_accepted)
    return approved_totals_refresh(missing) if missing else 0


def group_year_keys(group: Organisation, year: int) -> list[tuple[int, int]]:
    """The (organisation id, year) pairs an acceptance of the group's period changes: the group's and its units'."""
    ids = TreeLink.objects.filter(ancestor=group).values_list("descendant_id", flat=True)
    return [(org_id, year) for org_id in ids]


def _refresh(keys: list[tuple[int, int]], reported_by: dict[int, str]) -> int:
    with transaction.atomic():
        # The organisations' rows, in one order, so that two rebuilds of the same organisation-years (an
        # approval and the commission's acceptance at once) take turns instead of writing what each read
        # before the other's change. On SQLite a write transaction holds the whole database anyway.
        list(
            Organisation.objects.select_for_update(no_key=True)
            .filter(pk__in={org_id for org_id, _ in keys})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return _rebuild(keys, reported_by)


def _rebuild(keys: list[tuple[int, int]], reported_by: dict[int, str]) -> int:
    where = Q(pk__in=[])
    for org_id, year in keys:
        where |= Q(organisation_id=org_id, year=year)
    org_ids = {org_id for org_id, _ in keys}
    kinds = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "kind"))
    period_types: dict[tuple[int, int], str] = {}
    approved: dict[int, tuple[int, int, int]] = {}  # report id -> (org id, year, end month)
    accepted: set[int] = set()  # the approved reports the commission counts
    for pk, org_id, year, ptype, number, status, is_accepted in Report.objects.filter(where).values_list(
        "pk", "organisation_id", "year", "period_type", "period_number", "status", "accepted"
    ):
        period_types[(org_id, year)] = ptype
        if status == Status.APPROVED:
            approved[pk] = (org_id, year, period_end_month(ptype, number))
            if is_accepted or kinds.get(org_id) == OrgKind.COMMISSION:
                accepted.add(pk)
    # (org id, year) -> indicator id -> {end month: value}, of every approved figure and of the accepted ones
    known: dict[tuple[int, int], dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    known_accepted: dict[tuple[int, int], dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    ids = sorted(approved)
    for chunk in range(0, len(ids), 500):
        batch = ids[chunk : chunk + 500]
        for model in (Value, DerivedFigure):
            for report_id, indicator_id, value in (
                model.objects.filter(report_id__in=batch, value__isnull=False)
                .order_by()
                .values_list("report_id", "indicator_id", "value")
            ):
                org_id, year, month = approved[report_id]
                if reported_by.get(indicator_id) == kinds.get(org_id):
                    known[(org_id, year)][indicator_id][month] = value
                    if report_id in accepted:
                        known_accepted[(org_id, year)][indicator_id][month] = value
    rows = []
    for is_accepted, source in ((False, known), (True, known_accepted)):
        for (org_id, year), by_indicator in source.items():
            ends = [period_end_month(p.type, p.number) for p in Period.all_in_year(year, period_types[(org_id, year)])]
            for indicator_id, by_month in by_indicator.items():
                total = count = 0
                latest = None
                for position, month in enumerate(ends, start=1):
                    value = by_month.get(month)
                    if value is not None:
                        total, count, latest = total + value, count + 1, value
                    if count:
                        rows.append(
                            ApprovedTotal(
                                organisation_id=org_id,
                                year=year,
                                indicator_id=indicator_id,
                                end_month=month,
                                periods=position,
                                total=total,
                                known=count,
                                latest=latest,
                                latest_current=value is not None,
                                accepted=is_accepted,
                            )
                        )
    # The same condition selects the organisation-years' totals (they have organisation and year too).
    ApprovedTotal.objects.filter(where).delete()
    ApprovedTotal.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
