"""Two people editing the same report: the later save is refused, nothing is overwritten."""

import contextlib
import sqlite3
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.test_entry import form_data, url
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period
from tracker.entry.services import report_get_or_create
from tracker.orgs.models import Role


@pytest.fixture
def two_clerks(world, alice):
    dave = make_user("dave", world["forestry"], Role.CLERK)
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(dave)
    return first, second


def test_the_later_save_is_refused_naming_what_the_other_changed(two_clerks):
    first, second = two_clerks
    first.post(url(), form_data(first, grp_cases_filed="1", grp_clues_accepted="10"))
    # Both open the page at the same revision.
    opened_by_first = form_data(first)
    opened_by_second = form_data(second)
    # The first saves a change to the cases filed…
    opened_by_first["v_grp_cases_filed"] = "2"
    assert first.post(url(), opened_by_first).status_code == 302
    # …then the second, from the page as it was, changes the clues.
    opened_by_second["v_grp_clues_accepted"] = "11"
    opened_by_second["v_grp_petition_visits"] = "7"
    response = second.post(url(), opened_by_second)
    html = response.content.decode()
    assert response.status_code == 200
    assert "其他人已保存了该报表" in html
    assert "立案" in html  # the figure the other person changed is named
    # Nothing of the second save went in; the first person's figure stands.
    values = {v.indicator.code: v.value for v in Value.objects.select_related("indicator")}
    assert values == {"grp_cases_filed": 2, "grp_clues_accepted": 10}
    # The second person's input is still on the page to re-apply…
    assert 'value="11"' in html and 'value="7"' in html
    # …and saving it again now goes through, on top of the first person's change.
    retry = {k: v for k, v in response.context["form"].data.items()}
    assert second.post(url(), retry).status_code == 302
    values = {v.indicator.code: v.value for v in Value.objects.select_related("indicator")}
    assert values["grp_clues_accepted"] == 11
    assert values["grp_petition_visits"] == 7
    # The first person's change was not undone by the second person's stale page.
    assert values["grp_cases_filed"] == 2


def test_a_figure_both_changed_keeps_the_later_persons_input_to_decide(two_clerks):
    first, second = two_clerks
    first.post(url(), form_data(first, grp_cases_filed="1"))
    opened_by_first, opened_by_second = form_data(first), form_data(second)
    opened_by_first["v_grp_cases_filed"] = "2"
    first.post(url(), opened_by_first)
    opened_by_second["v_grp_cases_filed"] = "3"
    response = second.post(url(), opened_by_second)
    assert response.context["form"].data["v_grp_cases_filed"] == "3"
    assert Value.objects.get().value == 2


def test_a_save_without_anyone_else_in_between_goes_through(two_clerks):
    first, _ = two_clerks
    assert first.post(url(), form_data(first, grp_cases_filed="1")).status_code == 302
    assert first.post(url(), form_data(first, grp_cases_filed="2")).status_code == 302
    assert Value.objects.get().value == 2


def test_a_save_without_the_pages_revision_is_refused(two_clerks):
    first, _ = two_clerks
    first.post(url(), form_data(first, grp_cases_filed="1"))
    data = form_data(first, grp_cases_filed="5")
    del data["revision"]
    response = first.post(url(), data)
    assert "页面已过期" in response.content.decode()
    assert Value.objects.get().value == 1


def test_a_second_first_save_of_a_new_report_is_refused_not_merged_blindly(two_clerks):
    first, second = two_clerks
    a, b = form_data(first, grp_cases_filed="1"), form_data(second, grp_clues_accepted="2")
    assert first.post(url(), a).status_code == 302
    response = second.post(url(), b)
    # The report now exists at a later revision: the second save is refused, not a 500.
    assert response.status_code == 200
    assert "其他人已保存了该报表" in response.content.decode()


# ------------------------------------------------- first saves of different period types at once
#
# One period type per organisation and year: concurrent first saves of, say, 2031 and 2031Q1 for
# one unit queue on the organisation's lock (PostgreSQL: a row lock; SQLite: the write lock that
# every transaction takes at BEGIN IMMEDIATE), so only one period type gets in and the others
# meet the usual message.

PERIOD_CONFLICT = "同一年度请使用同一种报送周期"  # the end of the existing period_conflict message
STALE = "其他人已保存了该报表"


def _periods(year: int) -> list[str]:
    """What 8 people save at once: the year report (four of them) and its four quarters."""
    return [str(year)] * 4 + [f"{year}Q{q}" for q in range(1, 5)]


def _period_types(organisation, year: int) -> set[str]:
    return set(Report.objects.filter(organisation=organisation, year=year).values_list("period_type", flat=True))


def _run_at_once(work, arguments, *, connect=None) -> list:
    """Run work(argument) in one thread per argument, all released at the same moment.

    Returns what each returned, or the exception it raised, in argument order. `connect`, if
    given, sets up each thread's database connection first; each thread closes its connection
    at the end (an open one would keep the test database from being flushed or dropped).
    """
    barrier = threading.Barrier(len(arguments))
    outcomes: list = [None] * len(arguments)

    def run(i, argument):
        try:
            if connect is not None:
                connect()
            barrier.wait(timeout=30)
            outcomes[i] = work(argument)
        except BaseException as exc:
            outcomes[i] = exc
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_saves_through_the_page_leave_one_period_type(world):
    """8 logged-in clerks save 20xx and 20xxQ1..Q4 of one unit at the same moment, 5 rounds (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent connections to one database, and pytest-django's SQLite test database "
            "is in memory; the threaded service test below covers SQLite"
        )
    unit = world["organ"]
    clients = []
    for i in range(8):
        client = Client()
        client.force_login(make_user(f"clerk{i}", world["forestry"], Role.CLERK))
        clients.append(client)

    def save(argument):
        client, period, data = argument
        response = client.post(url(unit.code, period), data)
        return period, response.status_code, response.content.decode()

    for year in range(2031, 2036):
        # Each opens the page first (here, one after another: the test client's template capture
        # is not thread-safe); then all post at once.
        arguments = [
            (client, period, form_data(client, unit.code, period, grp_clues_accepted="3"))
            for client, period in zip(clients, _periods(year), strict=True)
        ]
        outcomes = _run_at_once(save, arguments)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert not errors, errors  # an exception in the view: a 500 for the user
        types = _period_types(unit, year)
        assert len(types) == 1, f"{year}: reports by {types}"
        (winner,) = types
        for period, status, html in outcomes:
            if Period.parse(period).type == winner:
                # Saved; or, for the four saving the year report at once, told that another saved first.
                assert status == 302 or (status == 200 and STALE in html), (period, status)
            else:
                assert status == 200 and PERIOD_CONFLICT in html, (period, status)


@pytest.fixture
def threads_db(transactional_db, world, tmp_path):
    """(connect, read): how worker threads reach the test database, and how to read what they wrote.

    PostgreSQL: as usual, each thread opens its own connection. SQLite: pytest-django's test
    database lives in memory with a shared cache, where a second writer fails at once ("table is
    locked") instead of waiting; so the threads use a file copy of it (the world included), which
    behaves as db.sqlite3 does, with the same settings (BEGIN IMMEDIATE, busy timeout).
    """
    if connection.vendor != "sqlite":
        yield None, lambda query: query()
        return
    path = tmp_path / "threads.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    wrapper, file_settings = type(connections["default"]), {**connection.settings_dict, "NAME": str(path)}

    def connect():
        connections["default"] = wrapper(file_settings, "default")  # for this thread only

    def read(query):
        (result,) = _run_at_once(query, [None], connect=connect)
        return result

    yield connect, read


def test_concurrent_first_saves_leave_one_period_type(world, threads_db):
    """report_get_or_create (which every creator calls), on SQLite and PostgreSQL: 8 first saves of a
    year and its quarters at once, 6 rounds."""
    connect, read = threads_db
    unit = world["organ"]

    def save(period):
        try:
            report = report_get_or_create(organisation=unit, period=Period.parse(period))
        except ValidationError as exc:
            return period, exc.code
        return period, report.period_type

    for year in range(2041, 2047):
        outcomes = _run_at_once(save, _periods(year), connect=connect)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        assert not errors, errors  # e.g. "database is locked", or an IntegrityError
        types = read(lambda _=None, year=year: _period_types(unit, year))
        assert len(types) == 1, f"{year}: reports by {types}"
        (winner,) = types
        for period, result in outcomes:
            assert result == (winner if Period.parse(period).type == winner else "period_conflict"), (period, result)


def test_creating_a_report_locks_the_organisation_before_checking_and_inserting(world):
    """The order that makes the above hold, query by query (deterministic, unlike threads)."""
    unit = world["organ"]
    with CaptureQueriesContext(connection) as captured:
        report_get_or_create(organisation=unit, period=Period.parse("2023Q1"))
    sql = [q["sql"] for q in captured.captured_queries]
    lock = next((i for i, s in enumerate(sql) if 'FROM "orgs_organisation"' in s), None)
    assert lock is not None, f"the organisation is not locked: {sql}"
    if connection.features.has_select_for_update:
        assert sql[lock].endswith("FOR NO KEY UPDATE"), sql[lock]
    # check_period_type: the year's reports of another period type.
    check = next(
        i for i, s in enumerate(sql) if 'FROM "entry_report"' in s and 'NOT ("entry_report"."period_type"' in s
    )
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "entry_report"'))
    assert lock < check < insert, sql
    # Another period type of that year then meets the existing message.
    with pytest.raises(ValidationError) as refused:
        report_get_or_create(organisation=unit, period=Period.parse("2023"))
    assert refused.value.code == "period_conflict"


def test_sqlite_transactions_take_the_write_lock_at_begin(settings):
    """Without it the organisation lock is nothing on SQLite, where select_for_update is a no-op."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        assert "transaction_mode" not in database.get("OPTIONS", {})  # PostgreSQL would refuse it
        return
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 5  # seconds a writer waits for another before failing
