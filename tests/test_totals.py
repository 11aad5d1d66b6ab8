"""The stored approved totals are written by explicit calls, and only where what counts changes (issue 20, part 2).

Nothing rebuilds aggregation.ApprovedTotal behind a service's back any more (the queryset override that did
on every `.update(status=…)` is gone), so two things hold it:
- no module outside the services that rebuild the totals writes a report's `status` or `accepted` in bulk
  (read from the source with `ast`);
- each service that changes what is approved or accepted, taken through its real way in, leaves the totals
  exactly as a rebuild from scratch makes them; the writes below aggregation (the admin, the imports) leave
  approved figures alone.
"""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import tracker
from tests.conftest import PASSWORD, accept, enter, make_user, set_status
from tracker.aggregation.models import ApprovedTotal
from tracker.aggregation.totals import approved_totals_refresh
from tracker.catalogue.loader import CATALOGUE_CSV
from tracker.catalogue.models import Indicator
from tracker.entry.admin import ReportAdminForm
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period
from tracker.entry.services import Entry, values_save_bulk
from tracker.orgs.models import OrgKind, Role

ROOT = Path(tracker.__file__).parent

# Modules that write a report's status or acceptance mark in bulk, each rebuilding the totals of what it
# changed in the same transaction (path under tracker/ -> where).
BULK_WRITERS = {
    "workflow/services.py": "report_transition: approve and unlock rebuild the report's year (workflow.bulk: once for "
    "all its reports' years, in the same transaction)",
    "workflow/acceptance.py": "mark_accepted and organisation_moved, then the group's years are rebuilt",
    "demo/world.py": "the demo sets statuses directly; _build_statuses rebuilds every year it changed",
}
WATCHED = {"status", "accepted"}


def bulk_writes(source: str) -> list[tuple[int, str]]:
    """(line, field) of every `.update(status=…)`/`.update(accepted=…)` (or `**{"status": …}`) and every
    bulk_update naming those fields, in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name == "update":
            for keyword in node.keywords:
                if keyword.arg in WATCHED:
                    found.append((node.lineno, keyword.arg))
                elif keyword.arg is None and isinstance(keyword.value, ast.Dict):
                    found += [
                        (node.lineno, key.value)
                        for key in keyword.value.keys
                        if isinstance(key, ast.Constant) and key.value in WATCHED
                    ]
        elif name in ("bulk_update", "bulk_update_with_history"):
            # bulk_update(objs, fields); simple_history's bulk_update_with_history(objs, model, fields)
            position = 1 if name == "bulk_update" else 2
            fields = [kw.value for kw in node.keywords if kw.arg == "fields"] + node.args[position : position + 1]
            for value in fields:
                for item in getattr(value, "elts", []):
                    if isinstance(item, ast.Constant) and item.value in WATCHED:
                        found.append((node.lineno, item.value))
    return found


def writers_in_tracker() -> dict[str, list[tuple[int, str]]]:
    result = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        writes = bulk_writes(path.read_text(encoding="utf-8"))
        if writes:
            result[str(path.relative_to(ROOT))] = writes
    return result


class TestNoHiddenStatusWrites:
    def test_it_finds_every_shape_of_bulk_status_write(self):
        source = """
Report.objects.filter(pk=1).update(status="approved")
reports.update(accepted=False, updated=F("updated"))
qs.update(**{"status": target})
Report.objects.bulk_update(objs, ["status", "revision"])
bulk_update_with_history(objs, Report, fields=("accepted",))
Report.objects.filter(pk=1).update(revision=F("revision") + 1)
Value.objects.bulk_update(objs, ["value", "note"])
"""
        assert [line for line, _field in bulk_writes(source)] == [2, 3, 4, 5, 6]

    def test_only_the_services_that_rebuild_the_totals_write_status_in_bulk(self):
        outside = {path: writes for path, writes in writers_in_tracker().items() if path not in BULK_WRITERS}
        assert not outside, (
            "a bulk write of a report's status or acceptance outside the services that rebuild the approved "
            f"totals (call tracker.aggregation.totals.approved_totals_refresh there, then list it): {outside}"
        )

    def test_every_listed_writer_still_writes(self):
        found = writers_in_tracker()
        gone = [path for path in BULK_WRITERS if path not in found]
        assert not gone, f"no longer writes status in bulk, remove from BULK_WRITERS: {gone}"


def stored() -> set[tuple]:
    return set(
        ApprovedTotal.objects.values_list(
            "organisation_id", "year", "indicator_id", "end_month", "periods", "total", "known", "latest", "accepted"
        )
    )


def assert_fresh() -> set[tuple]:
    """The stored totals are what a rebuild from nothing makes of every organisation-year; returns them."""
    now = stored()
    keys = set(Report.objects.values_list("organisation_id", "year")) | {(row[0], row[1]) for row in now}
    ApprovedTotal.objects.all().delete()
    approved_totals_refresh(keys)
    assert stored() == now
    return now


def totals_of(org, code: str, *, accepted: bool = False) -> set[int]:
    return set(
        ApprovedTotal.objects.filter(organisation=org, indicator__code=code, accepted=accepted).values_list(
            "total", flat=True
        )
    )


@pytest.fixture
def people(world):
    return {
        "alice": make_user("alice", world["forestry"], Role.CLERK),
        "rita": make_user("rita", world["forestry"], Role.REVIEWER),
        "carl": make_user("carl", world["city"], Role.REVIEWER),
    }


def as_(client, user):
    client.force_login(user)
    return client


class TestEachServiceLeavesTheTotalsFresh:
    def test_submit_approve_return_and_unlock(self, client, world, people):
        report = enter(world["organ"], "2022", {"grp_cases_filed": 4, "grp_clues_accepted": 6}, status=None)
        url = "/entry/forestry-organ/2022/"
        as_(client, people["alice"]).post(url + "submit/")
        assert Report.objects.get(pk=report.pk).status == Status.SUBMITTED
        assert assert_fresh() == set()
        as_(client, people["rita"]).post(url + "approve/")
        assert totals_of(world["organ"], "grp_cases_filed") == {4}
        assert_fresh()
        client.post(url + "unlock/", {"reason": "数字有误"})
        assert Report.objects.get(pk=report.pk).status == Status.DRAFT
        assert totals_of(world["organ"], "grp_cases_filed") == set()
        assert_fresh()
        as_(client, people["alice"]).post(url + "submit/")
        as_(client, people["rita"]).post(url + "return/", {"reason": "请核对"})
        assert Report.objects.get(pk=report.pk).status == Status.RETURNED
        assert_fresh()

    def test_the_commissions_acceptance_and_return(self, client, world, people):
        group_code = Indicator.objects.active().entered().filter(reported_by=OrgKind.GROUP).first().code
        enter(world["forestry"], "2022", {group_code: 1})
        enter(world["organ"], "2022", {"grp_cases_filed": 5})
        enter(world["park"], "2022", {"grp_cases_filed": 2})
        assert totals_of(world["organ"], "grp_cases_filed", accepted=True) == set()
        url = "/entry/acceptance/forestry/2022/"
        as_(client, people["rita"]).post(url, {"action": "report"})
        assert_fresh()
        as_(client, people["carl"]).post(url, {"action": "accept"})
        assert totals_of(world["organ"], "grp_cases_filed", accepted=True) == {5}
        assert_fresh()
        client.post(url, {"action": "return", "reason": "与台账不符"})
        assert totals_of(world["organ"], "grp_cases_filed", accepted=True) == set()
        assert_fresh()

    def test_a_unit_moved_to_another_group(self, world):
        enter(world["organ"], "2022", {"grp_cases_filed": 5})
        accept(world["forestry"], "2022")
        assert totals_of(world["organ"], "grp_cases_filed", accepted=True) == {5}
        organ = world["organ"]
        organ.parent = world["water"]
        organ.save()
        assert totals_of(organ, "grp_cases_filed", accepted=True) == set()
        assert totals_of(organ, "grp_cases_filed") == {5}
        assert_fresh()

    def test_a_catalogue_load_that_changes_how_sums_are_formed(self, world, tmp_path):
        enter(world["organ"], "2022", {"grp_cases_filed": 4, "grp_clues_accepted": 6})
        with CATALOGUE_CSV.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        new = dict.fromkeys(rows[0], "")
        new.update(
            code="grp_test_clues_and_cases",
            name_zh="线索和立案合计",
            name_en="Clues and cases",
            unit_zh="件",
            section="测试板块",
            kind="derived_sum",
            reported_by="unit",
            aggregation="sum",
            parts="grp_clues_accepted+grp_cases_filed",
            relation="exact",
            may_be_entered="no",
            definition="测试",
            source="测试",
        )
        path = tmp_path / "indicators.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows([*rows, new])
        call_command("load_catalogue", file=str(path), stdout=open(tmp_path / "out", "w"))  # noqa: SIM115
        assert totals_of(world["organ"], "grp_test_clues_and_cases") == {10}
        assert_fresh()


@pytest.fixture
def admin_client(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password=PASSWORD))
    return client


class TestWritesBelowAggregationLeaveApprovedFiguresAlone:
    def test_the_admin_writes_a_drafts_figures_and_cannot_touch_an_approved_reports(self, admin_client, world):
        draft = enter(world["organ"], "2022", {"grp_cases_filed": 6}, status=None)
        approved = enter(world["park"], "2022", {"grp_cases_filed": 3})
        before = assert_fresh()
        for report, value in ((draft, 7), (approved, 30)):
            stored_value = report.values.get(indicator__code="grp_cases_filed")
            data = {
                "values-TOTAL_FORMS": 1,
                "values-INITIAL_FORMS": 1,
                "values-MIN_NUM_FORMS": 0,
                "values-MAX_NUM_FORMS": 1000,
                "values-0-id": stored_value.pk,
                "values-0-report": report.pk,
                "values-0-indicator": stored_value.indicator_id,
                "values-0-value": value,
                "values-0-note": "",
                "opened_revision": Report.objects.get(pk=report.pk).revision,
            }
            admin_client.post(reverse("admin:entry_report_change", args=[report.pk]), data)
        assert draft.values.get().value == 7
        assert approved.values.get().value == 3
        assert assert_fresh() == before

    def test_a_report_approved_after_the_admin_read_it_is_refused_under_its_lock(self, world):
        report = enter(world["park"], "2022", {"grp_cases_filed": 3}, status=None)
        read = Report.objects.get(pk=report.pk)  # what the admin's request read: a draft
        set_status(Report.objects.filter(pk=report.pk), Status.APPROVED)
        form = ReportAdminForm(data={"opened_revision": read.revision}, instance=read)
        assert not form.is_valid()
        assert form.non_field_errors().as_data()[0].code == "locked"
        model_admin = admin.site._registry[Report]
        with pytest.raises(PermissionDenied):
            model_admin.delete_model(None, read)
        assert Report.objects.filter(pk=report.pk).exists()
        assert_fresh()

    def test_the_admin_deletes_a_draft_never_an_approved_report(self, admin_client, world):
        draft = enter(world["organ"], "2022", {"grp_cases_filed": 6}, status=None)
        approved = enter(world["park"], "2022", {"grp_cases_filed": 3})
        before = assert_fresh()
        for report in (draft, approved):
            admin_client.post(reverse("admin:entry_report_delete", args=[report.pk]), {"post": "yes"})
        assert not Report.objects.filter(pk=draft.pk).exists()
        assert Report.objects.filter(pk=approved.pk).exists()
        assert assert_fresh() == before

    def test_an_import_writes_drafts_and_refuses_an_approved_report(self, world):
        indicator = Indicator.objects.get(code="grp_cases_filed")
        enter(world["park"], "2022", {"grp_cases_filed": 3})
        before = assert_fresh()
        values_save_bulk([(world["organ"], Period.parse("2022"), indicator, Entry(8))])
        with pytest.raises(ValidationError):
            values_save_bulk([(world["park"], Period.parse("2022"), indicator, Entry(9))])
        assert assert_fresh() == before


class TestTheRefreshOfManyOrganisationYears:
    def queries(self, keys) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            written = approved_totals_refresh(keys)
        return len(captured), written

    def test_each_pair_once_and_as_many_queries_for_many_reports_as_for_one(self, world):
        enter(world["water_unit"], "2021", {"grp_cases_filed": 1})
        few, written = self.queries([(world["water_unit"].pk, 2021)])
        # One indicator, one year: one running total counting every approved figure.
        assert written == 1
        for org in (world["organ"], world["park"], world["water_unit"]):
            for quarter in (1, 2, 3, 4):
                enter(org, f"2022Q{quarter}", {"grp_cases_filed": quarter, "grp_clues_accepted": 2 * quarter})
            for quarter in (1, 2, 3, 4):
                enter(org, f"2023Q{quarter}", {"grp_cases_filed": quarter})
        keys = [(org.pk, year) for org in (world["organ"], world["park"], world["water_unit"]) for year in (2022, 2023)]
        # 24 reports of six organisation-years, each pair given three times: each rebuilt once, in the same
        # queries as one report: the catalogue's reporters, the organisations' locks and kinds, the reports,
        # their values and derived sums, the old rows deleted, the new ones inserted (and the savepoint).
        many, written = self.queries(keys * 3)
        assert many == few
        # Per organisation: 2022, two indicators × four quarter ends; 2023, one × four.
        assert written == 3 * (2 * 4 + 4)
        assert_fresh()
