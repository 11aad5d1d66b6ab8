"""A world of any size for the benchmark: a city (or a province of cities) reporting for years.

Written at bulk speed (bulk_create, without the audit trail: this is measuring data, not
anyone's work), with the derived sums formed as every write forms them. The figures of
units are the demo's (consistent with the validation rules), so the checks page shows what
it would on real data rather than a wall of findings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tracker.aggregation.services import catalogue_load
from tracker.aggregation.totals import approved_totals_refresh
from tracker.catalogue.models import Indicator
from tracker.demo.world import unit_figures
from tracker.entry.models import AcceptanceStatus, GroupAcceptance, Report, Status, Value
from tracker.entry.periods import Period, PeriodType
from tracker.entry.services import derived_figures_refresh
from tracker.orgs.models import Membership, Organisation, OrgKind, Role, TreeLink

PERIOD_TYPES = {"yearly": PeriodType.YEAR, "quarterly": PeriodType.QUARTER, "monthly": PeriodType.MONTH}
LEADER = "bench-leader"


@dataclass(frozen=True)
class Size:
    groups: int
    units: int
    years: int
    periods: str = "quarterly"
    # 0: one city commission at the root; N: a province commission above N such cities.
    cities: int = 0

    def describe(self) -> str:
        city = f"{self.groups} groups × {self.units} units × {self.years} years, {self.periods}"
        return f"{self.cities} cities of {city}" if self.cities else f"1 city: {city}"


@dataclass
class World:
    root: Organisation
    years: list[int]
    organisations: int = 0
    reports: int = 0
    values: int = 0


def _org(code: str, name: str, kind: str, parent: Organisation | None, order: int) -> Organisation:
    return Organisation(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        order=order,
        path=(parent.path if parent else "") + code + "/",
    )


def build(size: Size, *, last_year: int, password: str, seed: int = 1) -> World:
    """Build the world in the current (empty) database; returns its root."""
    rng = random.Random(seed)
    years = list(range(last_year - size.years + 1, last_year + 1))
    with transaction.atomic():
        catalogue_load()
        orgs: list[Organisation] = []

        def add(org: Organisation) -> Organisation:
            org.save_base(raw=True)  # the path is set above; the tree links are written once below
            orgs.append(org)
            return org

        if size.cities:
            root = add(_org("province", "省纪委监委", OrgKind.COMMISSION, None, 0))
            cities = [
                add(_org(f"city{c}", f"第{c}市纪委监委", OrgKind.COMMISSION, root, c))
                for c in range(1, size.cities + 1)
            ]
        else:
            root = add(_org("city", "市纪委监委", OrgKind.COMMISSION, None, 0))
            cities = [root]
        for city in cities:
            prefix = "" if city is root else f"{city.code}-"
            for g in range(1, size.groups + 1):
                group = add(_org(f"{prefix}g{g}", f"{city.name[:-4]}第{g}派驻组", OrgKind.GROUP, city, g))
                for u in range(1, size.units + 1):
                    add(_org(f"{prefix}g{g}-u{u}", f"{group.name}单位{u}", OrgKind.UNIT, group, u))
        TreeLink.rebuild(orgs)

        user = get_user_model().objects.create_user(LEADER, password=password, first_name="领导")
        Membership.objects.create(user=user, organisation=root, role=Role.LEADER)

        entered = {
            kind: list(Indicator.objects.active().entered().filter(reported_by=kind))
            for kind in (OrgKind.COMMISSION, OrgKind.GROUP, OrgKind.UNIT)
        }
        ptype = PERIOD_TYPES[size.periods]
        per_year = len(Period.all_in_year(last_year, ptype))
        world = World(root=root, years=years, organisations=len(orgs))
        for year in years:
            reports = []
            for org in orgs:
                for period in Period.all_in_year(year, ptype):
                    # The last period of the last year is still being reviewed here and there.
                    last = year == last_year and period.number == per_year
                    late = last and rng.random() < 0.1
                    reports.append(
                        Report(
                            organisation=org,
                            year=year,
                            period_type=period.type,
                            period_number=period.number,
                            status=Status.SUBMITTED if late else Status.APPROVED,
                            # The commission has accepted every group's periods but the last one.
                            accepted=not last and org.kind != OrgKind.COMMISSION,
                        )
                    )
            Report.objects.bulk_create(reports, batch_size=2000)
            GroupAcceptance.objects.bulk_create(
                GroupAcceptance(
                    organisation=org,
                    year=year,
                    period_type=period.type,
                    period_number=period.number,
                    status=AcceptanceStatus.ACCEPTED,
                )
                for org in orgs
                if org.kind == OrgKind.GROUP
                for period in Period.all_in_year(year, ptype)
                if not (year == last_year and period.number == per_year)
            )
            created = list(Report.objects.filter(year=year).select_related("organisation"))
            values = []
            for report in created:
                kind = report.organisation.kind
                if kind == OrgKind.UNIT:
                    forms = tuple(rng.randint(0, 3) for _ in range(4))
                    figures = unit_figures(rng, 12 / per_year / 4, forms)
                else:
                    figures = {ind.code: rng.randint(0, 20) for ind in entered[kind]}
                for ind in entered[kind]:
                    value = figures.get(ind.code)
                    # Now and then a figure is not known yet.
                    if value is None or rng.random() < 0.01:
                        continue
                    values.append(Value(report=report, indicator=ind, value=value))
            Value.objects.bulk_create(values, batch_size=5000)
            derived_figures_refresh(report.pk for report in created)
            approved_totals_refresh((report.organisation_id, year) for report in created)
            world.reports += len(created)
            world.values += len(values)
    return world
