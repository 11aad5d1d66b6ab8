"""No figure lost to a concurrent write: an import's confirm against saves, imports and the admin.

A preview shows what a file changes against the figures as they stood; confirming writes it only
if none of the reports it touches changed meanwhile. The check is made once the reports' locks are
held, in the transaction that writes, so a save landing between a check and the write is caught.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from tests.conftest import enter, make_user
from tests.test_concurrency import _run_at_once, threads_db  # noqa: F401 - a fixture used below
from tracker.entry import services
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period
from tracker.entry.services import Entry, StaleReports, report_save_values, values_save_bulk
from tracker.orgs.models import Role

HEADER = "org,period,indicator,value,note\n"
REFUSED = "在预览后有改动"


def preview(client, content: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/entry/import/", {"file": SimpleUploadedFile("figures.csv", content.encode())})
    assert response.status_code == 200 and response.context["may_confirm"], response.context.get("errors")
    return response


def confirm(client):
    return client.post("/entry/import/", {"confirm": "1"}, follow=True)


def stored(organisation=None) -> dict:
    values = Value.objects.all()
    if organisation is not None:
        values = values.filter(report__organisation=organisation)
    return dict(values.values_list("indicator__code", "value"))


@pytest.fixture
def clerk(alice):
    client = Client()
    client.force_login(alice)
    return client


def _other_write_before_the_imports_locks(monkeypatch, write) -> None:
    """Make `write` commit, on its own connection, the moment before the import locks the organisations:
    after anything the confirm could check without holding the locks (PostgreSQL: a real second
    connection; SQLite serialises whole transactions, so there is no such moment to test)."""
    original = services.lock_organisations
    done = []

    def lock_after_the_other_write(organisations):
        if not done:
            done.append(True)
            (outcome,) = _run_at_once(lambda _=None: write(), [None])
            assert not isinstance(outcome, BaseException), outcome
        original(organisations)

    monkeypatch.setattr(services, "lock_organisations", lock_after_the_other_write)


@pytest.mark.django_db(transaction=True)
class TestASaveLandingJustBeforeTheImportsLocks:
    @pytest.fixture(autouse=True)
    def _postgresql(self, db):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs a second connection that commits while the first is in its transaction")

    def test_the_import_is_refused_and_the_other_figure_stands(self, clerk, world, indicators, monkeypatch):
        enter(world["organ"], "2023", {"grp_cases_filed": 5}, status=None)
        preview(clerk, HEADER + "forestry-organ,2023,grp_cases_filed,7,\nforestry-organ,2023,grp_clues_accepted,9,\n")

        def reviewer_saves():
            report = Report.objects.get(organisation=world["organ"], year=2023)
            report_save_values(report=report, entries={indicators["grp_cases_filed"]: Entry(6)}, user=None)

        _other_write_before_the_imports_locks(monkeypatch, reviewer_saves)
        html = confirm(clerk).content.decode()
        assert stored() == {"grp_cases_filed": 6}  # the other person's figure; nothing of the file
        assert "局机关" in html and REFUSED in html

    def test_a_report_created_meanwhile_refuses_the_import_too(self, clerk, world, indicators, monkeypatch):
        preview(clerk, HEADER + "forestry-organ,2023,grp_clues_accepted,9,\n")
        # At the preview there was no report; someone creates it and enters a figure before the confirm.
        _other_write_before_the_imports_locks(
            monkeypatch, lambda: enter(world["organ"], "2023", {"grp_clues_accepted": 3}, status=None)
        )
        html = confirm(clerk).content.decode()
        assert stored() == {"grp_clues_accepted": 3}
        assert REFUSED in html


def test_the_service_refuses_every_stale_report_by_name(world, indicators):
    """values_save_bulk with a preview's revisions: each changed or newly created report is named."""
    organ = enter(world["organ"], "2023", {"grp_cases_filed": 5}, status=None)
    rows = [
        (world["organ"], Period.parse("2023"), indicators["grp_cases_filed"], Entry(7)),
        (world["park"], Period.parse("2023"), indicators["grp_cases_filed"], Entry(8)),
    ]
    seen = {(world["organ"].pk, Period.parse("2023")): organ.revision, (world["park"].pk, Period.parse("2023")): None}
    enter(world["organ"], "2023", {"grp_cases_filed": 6}, status=None)
    enter(world["park"], "2023", {"grp_cases_filed": 1}, status=None)
    with pytest.raises(StaleReports) as refused:
        values_save_bulk(rows, expected_revisions=seen)
    assert {(org.code, str(period)) for org, period in refused.value.reports} == {
        ("forestry-organ", "2023"),
        ("forestry-park", "2023"),
    }
    assert stored(world["organ"]) == {"grp_cases_filed": 6} and stored(world["park"]) == {"grp_cases_filed": 1}
    # With the revisions as they are now, the same rows go in.
    now = {key: Report.objects.get(organisation_id=key[0], year=2023).revision for key in seen}
    values_save_bulk(rows, expected_revisions=now)
    assert stored(world["organ"]) == {"grp_cases_filed": 7} and stored(world["park"]) == {"grp_cases_filed": 8}


# ---------------------------------------------------------------- real concurrent connections


def _two_clerks(world, tag: str):
    clients = []
    for name in (f"clerk-{tag}-1", f"clerk-{tag}-2"):
        client = Client()
        client.force_login(make_user(name, world["forestry"], Role.CLERK))
        clients.append(client)
    return clients


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_confirmed_at_once_write_one_file(world, threads_db):  # noqa: F811
    """Both previewed against the same figures, both confirmed at the same moment, 4 rounds: one file is
    written whole and the other refused, never the later over the earlier (SQLite and PostgreSQL)."""
    connect, read = threads_db

    def round_(year: int):
        first, second = _two_clerks(world, str(year))
        a = HEADER + f"forestry-organ,{year},grp_cases_filed,1,\nforestry-park,{year},grp_cases_filed,1,\n"
        b = HEADER + f"forestry-organ,{year},grp_cases_filed,2,\nforestry-park,{year},grp_cases_filed,2,\n"
        preview(first, a)
        preview(second, b)
        return first, second

    for year in range(2031, 2035):
        # The previews run in a worker thread too: on SQLite the workers see a file copy of the database.
        (pair,) = _run_at_once(lambda _=None, year=year: round_(year), [None], connect=connect)
        assert not isinstance(pair, BaseException), pair
        outcomes = _run_at_once(lambda client: confirm(client).content.decode(), list(pair), connect=connect)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert not errors, errors
        refused = [REFUSED in html for html in outcomes]
        assert sorted(refused) == [False, True], f"{year}: both or neither refused"
        values = read(
            lambda _=None, year=year: sorted(
                Value.objects.filter(report__year=year).values_list("report__organisation__code", "value")
            )
        )
        winner = 1 if not refused[0] else 2
        assert values == [("forestry-organ", winner), ("forestry-park", winner)], (year, values)


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_saving_while_an_import_is_confirmed_never_loses_a_figure(world, threads_db):  # noqa: F811
    """A reviewer's save on the entry page and a clerk's confirm of a file touching the same report, at
    the same moment, 8 rounds: either the save came first and the import is refused, or the import came
    first and the reviewer's page is refused as stale; both told the truth, no figure silently lost."""
    from tests.test_entry import form_data, url

    connect, read = threads_db

    def setup(year: int):
        reviewer = Client()
        reviewer.force_login(make_user(f"reviewer-{year}", world["forestry"], Role.REVIEWER))
        clerk = Client()
        clerk.force_login(make_user(f"clerk-{year}", world["forestry"], Role.CLERK))
        # The report exists, both open it at the same revision.
        opened = form_data(reviewer, "forestry-organ", str(year), grp_cases_filed="1")
        assert reviewer.post(url("forestry-organ", str(year)), opened).status_code == 302
        page = form_data(reviewer, "forestry-organ", str(year))
        page["v_grp_clues_accepted"] = "5"
        preview(clerk, HEADER + f"forestry-organ,{year},grp_cases_filed,9,\n")
        return reviewer, clerk, page

    for year in range(2041, 2049):
        (prepared,) = _run_at_once(lambda _=None, year=year: setup(year), [None], connect=connect)
        assert not isinstance(prepared, BaseException), prepared
        reviewer, clerk, page = prepared

        def act(who, reviewer=reviewer, clerk=clerk, page=page, year=year):
            if who == "reviewer":
                response = reviewer.post(url("forestry-organ", str(year)), page)
                return who, response.status_code
            return who, REFUSED not in confirm(clerk).content.decode()

        outcomes = dict(_run_at_once(act, ["reviewer", "clerk"], connect=connect))
        saved, imported = outcomes["reviewer"] == 302, outcomes["clerk"]
        values = read(
            lambda _=None, year=year: dict(
                Value.objects.filter(report__year=year).values_list("indicator__code", "value")
            )
        )
        # Exactly one of the two went in, and the stored figures are exactly that one's.
        assert saved != imported, (year, outcomes)
        if saved:
            assert values == {"grp_cases_filed": 1, "grp_clues_accepted": 5}, values
        else:
            assert values == {"grp_cases_filed": 9}, values


@pytest.mark.django_db(transaction=True)
def test_the_grid_and_an_import_at_once_never_lose_a_figure(world, threads_db):  # noqa: F811
    """A group clerk's grid save and another clerk's confirmed import touching the same unit, at the same
    moment, 6 rounds: exactly one goes in, and the stored figures are exactly that one's."""
    connect, read = threads_db

    def setup(year: int):
        griddy, importer = _two_clerks(world, f"g{year}")
        enter(world["organ"], str(year), {"grp_cases_filed": 1}, status=None)
        revision = Report.objects.get(organisation=world["organ"], year=year).revision
        preview(importer, HEADER + f"forestry-organ,{year},grp_cases_filed,9,\n")
        grid = {"r_forestry-organ": str(revision), "v_forestry-organ__grp_clues_accepted": "5"}
        return griddy, importer, grid

    for year in range(2051, 2057):
        (prepared,) = _run_at_once(lambda _=None, year=year: setup(year), [None], connect=connect)
        assert not isinstance(prepared, BaseException), prepared
        griddy, importer, grid = prepared

        def act(who, griddy=griddy, importer=importer, grid=grid, year=year):
            if who == "grid":
                time.sleep(0.3 if year % 2 else 0)  # both orders, as in the admin's test below
                griddy.post(f"/entry/grid/forestry/{year}/", grid)
                return who, None
            return who, REFUSED not in confirm(importer).content.decode()

        outcomes = dict(_run_at_once(act, ["grid", "import"], connect=connect))
        assert not any(isinstance(o, BaseException) for o in outcomes.values()), outcomes
        values = read(
            lambda _=None, year=year: dict(
                Value.objects.filter(report__year=year).values_list("indicator__code", "value")
            )
        )
        if outcomes["import"]:
            assert values == {"grp_cases_filed": 9}, values  # the grid's save was refused as stale
        else:
            assert values == {"grp_cases_filed": 1, "grp_clues_accepted": 5}, values


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_entry_page_at_once_never_lose_a_figure(world, threads_db, django_user_model):  # noqa: F811
    """An administrator's correction in the admin and a clerk's save on the entry page, opened at the same
    revision and posted at the same moment, 6 rounds: exactly one goes in."""
    from django.urls import reverse

    from tests.test_admin_values import existing_row, inline_data
    from tests.test_entry import form_data, url

    connect, read = threads_db

    def setup(year: int):
        root = django_user_model.objects.create_superuser(f"root{year}", password="x")
        admin, clerk = Client(), _two_clerks(world, f"a{year}")[0]
        admin.force_login(root)
        report = enter(world["organ"], str(year), {"grp_cases_filed": 1}, status=None)
        page = form_data(clerk, "forestry-organ", str(year))
        page["v_grp_clues_accepted"] = "5"
        correction = {
            **inline_data([existing_row(report, "grp_cases_filed", 3)], 1),
            "opened_revision": report.revision,
        }
        return admin, clerk, page, correction, report.pk

    for year in range(2061, 2067):
        (prepared,) = _run_at_once(lambda _=None, year=year: setup(year), [None], connect=connect)
        assert not isinstance(prepared, BaseException), prepared
        admin, clerk, page, correction, pk = prepared

        def act(who, admin=admin, clerk=clerk, page=page, correction=correction, pk=pk, year=year):
            if who == "admin":
                # Every other round the admin comes a moment later, so that both orders are tried (SQLite
                # serialises whole transactions and would otherwise always let the same one in first).
                time.sleep(0.3 if year % 2 else 0)
                return who, admin.post(reverse("admin:entry_report_change", args=[pk]), correction).status_code
            return who, clerk.post(url("forestry-organ", str(year)), page).status_code

        outcomes = dict(_run_at_once(act, ["admin", "clerk"], connect=connect))
        assert not any(isinstance(o, BaseException) for o in outcomes.values()), outcomes
        saved = {who for who, status in outcomes.items() if status == 302}
        values = read(
            lambda _=None, year=year: dict(
                Value.objects.filter(report__year=year).values_list("indicator__code", "value")
            )
        )
        assert len(saved) == 1, (year, outcomes)
        if saved == {"admin"}:
            assert values == {"grp_cases_filed": 3}, values
        else:
            assert values == {"grp_cases_filed": 1, "grp_clues_accepted": 5}, values
