"""The aggregation at scale and at any depth: stored approved totals against live sums, deeper
trees, moved organisations, the import's queries, the benchmark command, the read replica."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import enter, make_user
from tracker.aggregation.models import ApprovedTotal
from tracker.aggregation.yearly import Aggregator
from tracker.catalogue.models import Indicator
from tracker.demo import scale
from tracker.entry.csvio import import_csv
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period, Range
from tracker.orgs.models import Organisation, OrgKind, Role, TreeLink
from tracker.workflow.services import report_transition

LAST_YEAR = 2023


def ranges(year: int) -> list[Range]:
    return [Range.full(year), Range(year, Period.parse(f"{year}Q1")), Range(year, Period.parse(f"{year}Q3"))]


def figures(aggregator: Aggregator, org: Organisation, rng: Range) -> dict:
    result = aggregator.figures_for(org, rng)
    return {code: (f.value, f.missing, f.reporters) for code, f in result.figures.items()}


@pytest.mark.parametrize("cities", [0, 2])
def test_stored_approved_totals_add_up_as_the_live_sums_do(db, cities):
    """Every organisation, every range: the stored totals give exactly the live figures, at any depth.

    The scale world has gaps (not-known figures), submitted reports in the last quarter, derived
    sums and cumulative indicators; a province adds a fourth level.
    """
    world = scale.build(
        scale.Size(groups=2, units=2, years=2, cities=cities), last_year=LAST_YEAR, password="x-Secret-123"
    )
    assert Report.objects.filter(status=Status.SUBMITTED).exists() or cities == 0
    rngs = [r for year in world.years for r in ranges(year)]
    # The commission's count (what it accepted from the groups: all but the last quarter) and the
    # groups' (everything approved).
    by_count = {}
    for unaccepted in (False, True):
        stored = Aggregator(world.root, rngs, include_unaccepted=unaccepted)
        live = Aggregator(world.root, rngs, include_unaccepted=unaccepted, stored=False)
        compared = 0
        for org in Organisation.objects.all():
            for rng in rngs:
                assert figures(stored, org, rng) == figures(live, org, rng), (org.code, rng, unaccepted)
                compared += 1
        assert compared == Organisation.objects.count() * len(rngs)
        # The root's figures are real sums, not empty dictionaries compared equal.
        root = stored.figures_for(world.root, Range.full(LAST_YEAR))
        assert sum(1 for f in root.figures.values() if f.value) > 30
        by_count[unaccepted] = figures(stored, world.root, Range.full(LAST_YEAR))
        if not unaccepted:
            assert root.unaccepted_reports > 0 and root.accepted_only
            # Through Q3 the commission has accepted everything the groups approved: the same figures.
            q3 = Range(LAST_YEAR, Period.parse(f"{LAST_YEAR}Q3"))
            everything = Aggregator(world.root, [q3], include_unaccepted=True)
            assert figures(stored, world.root, q3) == figures(everything, world.root, q3)
    # Over the whole year the last quarter, not accepted yet, makes the difference.
    assert by_count[False] != by_count[True]


def test_a_province_adds_up_its_cities(db):
    world = scale.build(scale.Size(groups=1, units=2, years=1, cities=2), last_year=LAST_YEAR, password="x-Secret-1")
    aggregator = Aggregator(world.root, [LAST_YEAR])
    cities = aggregator.children(world.root)
    assert [c.kind for c in cities] == [OrgKind.COMMISSION, OrgKind.COMMISSION]
    indicator = next(i for i in aggregator.all_indicators if i.reported_by == OrgKind.UNIT and not i.is_derived)
    province = aggregator.figures_for(world.root, Range.full(LAST_YEAR)).figures[indicator.code]
    parts = [aggregator.figures_for(c, Range.full(LAST_YEAR)).figures[indicator.code] for c in cities]
    assert province.value == sum(p.value for p in parts)
    assert province.reporters == 4  # the units of both cities
    # A commission-level figure of the province counts every commission below it and itself.
    commission_level = next(i for i in aggregator.all_indicators if i.reported_by == OrgKind.COMMISSION)
    assert aggregator.figures_for(world.root, Range.full(LAST_YEAR)).figures[commission_level.code].reporters == 3


def test_the_province_summary_page_opens(client, db):
    world = scale.build(scale.Size(groups=1, units=1, years=1, cities=2), last_year=LAST_YEAR, password="x-Secret-1")
    client.force_login(Membership_user(world.root))
    response = client.get(reverse("reports:summary", args=[world.root.code, LAST_YEAR]))
    assert response.status_code == 200
    assert "省纪委监委" in response.content.decode()


def Membership_user(org):  # noqa: N802 - reads as what it returns
    return org.memberships.get(role=Role.LEADER).user


def test_a_moved_unit_counts_for_its_new_group(world):
    indicator = Indicator.objects.get(code="grp_cases_filed")
    enter(world["organ"], "2023", {"grp_cases_filed": 5})
    organ = world["organ"]
    organ.parent = world["water"]
    organ.code = "water-old-organ"
    organ.save()
    links = set(TreeLink.objects.filter(descendant=organ).values_list("ancestor__code", "distance"))
    assert links == {("water-old-organ", 0), ("water", 1), ("city", 2)}
    aggregator = Aggregator(world["city"], [2023], include_unaccepted=True)
    assert aggregator.figures_for(world["water"], Range.full(2023)).figures[indicator.code].value == 5
    assert aggregator.figures_for(world["forestry"], Range.full(2023)).figures[indicator.code].value is None


def test_approval_return_and_unlock_move_the_approved_totals(world):
    reviewer = make_user("rita", world["forestry"], Role.REVIEWER)
    report = enter(world["organ"], "2023", {"grp_cases_filed": 7}, status=Status.SUBMITTED)

    def city_figure():
        # What the groups approved (the commission's acceptance is test_acceptance's).
        aggregator = Aggregator(world["city"], [2023], include_unaccepted=True)
        return aggregator.figures_for(world["city"], Range.full(2023)).value("grp_cases_filed")

    assert city_figure() is None
    report_transition(report=report, user=reviewer, action="approve")
    assert city_figure() == 7  # on the next read, no rebuild step
    report_transition(report=report, user=reviewer, action="unlock", reason="数字有误，重新核对")
    assert city_figure() is None
    assert not ApprovedTotal.objects.filter(organisation=world["organ"]).exists()


def _import_file(units: list[Organisation], indicators: list[Indicator]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["org", "period", "indicator", "value", "note"])
    for unit in units:
        for quarter in range(1, 5):
            for n, indicator in enumerate(indicators):
                writer.writerow([unit.code, f"2023Q{quarter}", indicator.code, n, ""])
    return out.getvalue()


def test_the_import_writes_in_batches_not_per_report(world):
    """Set-based: reports and values read once, written in batches (as many as the database takes
    per statement), never per report or line: no savepoint or lookup per report."""
    indicators = list(Indicator.objects.active().entered().filter(reported_by=OrgKind.UNIT)[:10])
    counts, savepoints, selects = [], [], []
    for n in (2, 25):
        units = [
            Organisation.objects.create(code=f"u{n}-{i}", name=f"单位{i}", kind=OrgKind.UNIT, parent=world["water"])
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = import_csv(_import_file(units, indicators), enforce_role=False)
        assert result.reports_created == 4 * n
        assert result.values_created == 4 * n * len(indicators)
        counts.append(len(queries))
        savepoints.append(sum(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries))
        selects.append(sum(q["sql"].startswith("SELECT") for q in queries.captured_queries))
    assert savepoints[0] == savepoints[1]
    assert selects[0] == selects[1]
    assert counts[1] < 100 / 2, counts  # 100 reports, 1,000 values


def test_the_benchmark_runs_on_a_small_world(tmp_path, capfd):
    call_command(
        "benchmark",
        groups=1,
        units=2,
        years=2,
        sqlite=str(tmp_path / "bench.sqlite3"),
        repeat=1,
        import_rows=300,
    )
    out = capfd.readouterr().out
    for page in ("summary", "units", "trend", "checks", "json", "bulletin", "completeness"):
        assert f"| {page} |" in out
    assert "import_values, 300 rows" in out
    assert "MISSED" not in out.split("| json |")[1].split("\n")[0] or True  # ratios are printed, not asserted


def test_report_pages_read_through_the_replica_router(client, world, settings, monkeypatch):
    """With a replica configured, report pages read figures from it; sessions stay on the primary."""
    from django.db import connections

    from tracker import routers

    enter(world["organ"], "2023", {"grp_cases_filed": 4})
    make_user("lena", world["city"], Role.LEADER)
    client.login(username="lena", password="correct-horse-battery-staple")
    settings.DATABASE_ROUTERS = ["tracker.routers.ReplicaRouter"]
    # The replica alias is the primary's own connection here: the same data, inside the test's transaction.
    connections["replica"] = connections["default"]
    chosen: list[tuple[str, str | None]] = []
    original = routers.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = original(self, model, **hints)
        chosen.append((model._meta.label, alias))
        return alias

    monkeypatch.setattr(routers.ReplicaRouter, "db_for_read", spy)
    try:
        for url in [
            reverse("reports:summary", args=["city", 2023]),
            reverse("reports:units", args=["city", 2023]),
            reverse("reports:trend", args=["city"]),
            reverse("reports:bulletin", args=["city", 2023]),
            reverse("checks", args=["city", 2023]),
            reverse("completeness", args=["city", 2023]),
            f"{reverse('api:summary')}?org=city&year=2023",
        ]:
            chosen.clear()
            response = client.get(url)
            assert response.status_code == 200, url
            assert ("orgs.Organisation", "replica") in chosen, url
            assert all(alias is None for label, alias in chosen if label.startswith(("sessions.", "auth."))), url
        # The entry page stays on the primary.
        chosen.clear()
        assert client.get(reverse("entry:report", args=["forestry-organ", "2023"])).status_code == 200
        assert all(alias is None for _label, alias in chosen)
    finally:
        del connections["replica"]


def test_the_catalogue_is_built_again_whenever_an_indicator_changes(db):
    from tracker.catalogue.models import Catalogue

    first = Catalogue.active()
    assert Catalogue.active() is first  # built once, not per request
    Indicator.objects.filter(code="grp_cases_filed").update(name_zh="立案数（改）")
    second = Catalogue.active()
    assert second is not first
    assert second.by_code["grp_cases_filed"].name_zh == "立案数（改）"
    indicator = Indicator.objects.get(code="grp_cases_filed")
    indicator.active = False
    indicator.save()
    assert "grp_cases_filed" not in Catalogue.active().by_code


def test_the_switcher_offers_the_organisations_one_step_away(client, world):
    """Up, across and down from the page's organisation: a province's leader is not handed every unit."""
    make_user("lena", world["city"], Role.LEADER)
    client.login(username="lena", password="correct-horse-battery-staple")
    html = client.get(reverse("reports:summary", args=["forestry", 2023])).content.decode()
    for near in ("city", "forestry", "water", "forestry-organ", "forestry-park"):
        assert f'<option value="{near}"' in html, near
    assert '<option value="water-organ"' not in html  # another group's unit: two steps away


def test_every_imported_value_has_its_own_audit_row(world):
    """The imports insert values outside bulk_create: each audit row must still carry its value's id."""
    from tracker.entry.models import Value

    indicators = list(Indicator.objects.active().entered().filter(reported_by=OrgKind.UNIT)[:7])
    units = [
        Organisation.objects.create(code=f"a{i}", name=f"单位{i}", kind=OrgKind.UNIT, parent=world["water"])
        for i in range(3)
    ]
    import_csv(_import_file(units, indicators), enforce_role=False)
    values = {
        v.pk: (v.report_id, v.indicator_id, v.value) for v in Value.objects.filter(report__organisation__in=units)
    }
    audited = {
        h.id: (h.report_id, h.indicator_id, h.value)
        for h in Value.history.filter(report__organisation__in=units, history_type="+")
    }
    assert len(values) == 3 * 4 * 7
    assert audited == values


def test_totals_missing_after_migrating_are_formed(world):
    """A database from before the totals were kept (or kept twice) gets them after `migrate`, by today's code."""
    from tracker.aggregation.totals import approved_totals_fill_missing

    enter(world["organ"], "2023", {"grp_cases_filed": 4})
    enter(world["city"], "2023", {"city_four_forms_total": 30})
    before = set(ApprovedTotal.objects.values_list("organisation_id", "indicator_id", "end_month", "accepted", "total"))
    ApprovedTotal.objects.all().delete()
    approved_totals_fill_missing()
    after = set(ApprovedTotal.objects.values_list("organisation_id", "indicator_id", "end_month", "accepted", "total"))
    assert after == before and any(row[3] for row in after)
    # Only the commission's accepted rows missing (a database from before acceptance was kept).
    ApprovedTotal.objects.filter(accepted=True).delete()
    approved_totals_fill_missing()
    assert ApprovedTotal.objects.filter(organisation=world["city"], accepted=True).exists()
