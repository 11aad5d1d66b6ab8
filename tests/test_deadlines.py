"""Deadlines: when each report is due, exceptions, and on time / late / overdue on the completeness page."""

from __future__ import annotations

import datetime

import lxml.html
from django.utils import timezone

from tests.conftest import accept, add_groups, enter, make_user, queries_of
from tracker.entry.deadlines import Deadlines, Timeliness
from tracker.entry.models import Deadline, DeadlineException, Report
from tracker.entry.periods import Period
from tracker.orgs.models import Role
from tracker.workflow.models import Action, ReportTransition


def due(org, period: str) -> datetime.date:
    parsed = Period.parse(period)
    return Deadlines([org], parsed.year).due(org, parsed)


def test_the_defaults_and_a_rule_an_administrator_sets(world):
    organ = world["organ"]
    assert due(organ, "2023Q1") == datetime.date(2023, 4, 10)
    assert due(organ, "2023Q4") == datetime.date(2024, 1, 10)
    assert due(organ, "2023") == datetime.date(2024, 1, 20)
    assert due(organ, "2023-02") == datetime.date(2023, 3, 10)
    Deadline.objects.create(period_type="quarter", months_after=1, day=31)
    assert due(organ, "2023Q1") == datetime.date(2023, 4, 30)  # April has 30 days


def test_an_exception_for_one_organisation_and_period(world):
    DeadlineException.objects.create(
        organisation=world["organ"], year=2023, period_type="quarter", period_number=2, due=datetime.date(2023, 7, 31)
    )
    assert due(world["organ"], "2023Q2") == datetime.date(2023, 7, 31)
    assert due(world["park"], "2023Q2") == datetime.date(2023, 7, 10)
    assert due(world["organ"], "2023Q3") == datetime.date(2023, 10, 10)


def _submitted(report: Report, day: datetime.date, user) -> None:
    transition = ReportTransition.objects.create(
        report=report, action=Action.SUBMIT, from_status="draft", to_status="submitted", user=user
    )
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 0)))
    ReportTransition.objects.filter(pk=transition.pk).update(at=at)


def test_the_completeness_page_says_on_time_late_and_overdue(client, world, alice, bob, indicators):
    year = timezone.localdate().year - 1
    q1 = enter(world["organ"], f"{year}Q1", {"grp_cases_filed": 1}, status="submitted")
    q2 = enter(world["organ"], f"{year}Q2", {"grp_cases_filed": 1}, status="approved")
    enter(world["organ"], f"{year}Q3", {"grp_cases_filed": 1}, status=None)  # a draft, never submitted
    _submitted(q1, datetime.date(year, 4, 8), alice)
    _submitted(q2, datetime.date(year, 7, 20), alice)
    client.force_login(bob)
    response = client.get(f"/reports/forestry/{year}/completeness/")
    [organ] = [row for row in response.context["table"].rows if row.organisation == world["organ"]]
    states = [cell.state for cell in organ.cells]
    assert states == [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.OVERDUE, Timeliness.OVERDUE]
    assert organ.on_time_rate == 25
    assert organ.cells[0].last_saved_at is not None  # figures the system entered have no person
    html = response.content.decode()
    assert "按时" in html and "逾期报送" in html and "逾期未报" in html
    assert f"{year}-04-10" in html


def test_a_period_not_due_yet_is_open_and_a_status_without_its_record_says_so(client, world, bob, indicators):
    this_year = timezone.localdate().year
    enter(world["park"], f"{this_year + 1}", {"grp_cases_filed": 1}, status=None)
    enter(world["organ"], f"{this_year - 1}", {"grp_cases_filed": 1}, status="approved")
    client.force_login(bob)
    table = client.get(f"/reports/forestry/{this_year + 1}/completeness/").context["table"]
    [park] = [row for row in table.rows if row.organisation == world["park"]]
    assert park.cells[0].state == Timeliness.OPEN
    table = client.get(f"/reports/forestry/{this_year - 1}/completeness/").context["table"]
    [organ] = [row for row in table.rows if row.organisation == world["organ"]]
    assert organ.cells[0].state == Timeliness.UNRECORDED and organ.on_time_rate is None


def test_a_closed_period_refuses_a_clerk_and_reopens_for_one_organisation(client, world, alice, settings, indicators):
    from tests.conftest import make_user
    from tracker.entry.models import PeriodReopening, Value
    from tracker.orgs.models import Role

    settings.PERIOD_CLOSES_AFTER_DAYS = 30
    year = timezone.localdate().year - 2
    client.force_login(alice)
    page = client.get(f"/entry/forestry-organ/{year}/")
    assert 'id="closed"' in page.content.decode() and not page.context["editable"]
    response = client.post(f"/entry/forestry-organ/{year}/", {"revision": "0", "v_grp_cases_filed": "3"})
    assert response.status_code == 200 and not Value.objects.exists()
    assert "重新开放" in response.content.decode()
    # A clerk may not reopen; a reviewer may, for one organisation, with a reason.
    assert client.post(f"/entry/forestry-organ/{year}/reopen/", {"reason": "补录"}).status_code == 403
    rose = make_user("rose", world["forestry"], Role.REVIEWER)
    client.force_login(rose)
    client.post(f"/entry/forestry-organ/{year}/reopen/", {"reason": "补录遗漏的线索"})
    assert PeriodReopening.objects.get().reason == "补录遗漏的线索"
    client.force_login(alice)
    page = client.get(f"/entry/forestry-organ/{year}/")
    assert page.context["editable"] and "补录遗漏的线索" in page.content.decode()
    client.post(f"/entry/forestry-organ/{year}/", {"revision": "0", "v_grp_cases_filed": "3"})
    assert Value.objects.get().value == 3
    # Only for that organisation: the park stays closed.
    assert not client.get(f"/entry/forestry-park/{year}/").context["editable"]
    # And it closes again by itself.
    PeriodReopening.objects.update(until=timezone.now() - datetime.timedelta(minutes=1))
    assert not client.get(f"/entry/forestry-organ/{year}/").context["editable"]


def test_the_completeness_page_has_the_report_pages_tabs_and_switcher(client, world, bob, indicators):
    enter(world["forestry"], "2022", {"grp_special_inspections": 1})
    enter(world["organ"], "2022", {"grp_cases_filed": 1})
    accept(world["forestry"], "2022")
    client.force_login(make_user("lena", world["city"], Role.LEADER))
    response = client.get("/reports/city/2022/completeness/")
    tree = lxml.html.fromstring(response.content)
    # The tabs of every report page, this one current; the switcher's organisation and year, no range.
    assert tree.xpath('//nav[contains(@class, "tabs")]/a[@aria-current="page"]/text()') == ["报送情况"]
    assert tree.xpath('//form[contains(@class, "switcher")]//input[@name="page"]/@value') == ["completeness"]
    assert tree.xpath('//form[contains(@class, "switcher")]//select/@name') == ["org", "year"]
    # The group's period, accepted by the commission, says so and links to it.
    assert tree.xpath('//a[@href="/entry/acceptance/forestry/2022/"]/text()') == ["纪委监委已接收"]
    # The switcher goes to another organisation's completeness page.
    response = client.get("/reports/?org=forestry&year=2022&page=completeness")
    assert response.status_code == 302 and response["Location"] == "/reports/forestry/2022/completeness/"


def test_the_completeness_page_reads_a_bounded_number_of_queries(client, world, bob, indicators):
    enter(world["organ"], "2022", {"grp_cases_filed": 1})
    client.force_login(make_user("lena", world["city"], Role.LEADER))
    few = queries_of(client, "/reports/city/2022/completeness/")
    add_groups(world["city"])
    assert queries_of(client, "/reports/city/2022/completeness/") == few


def test_the_completeness_page_names_who_last_saved_the_figures_and_when(client, world, alice, bob, indicators):
    from tracker.catalogue.models import Indicator
    from tracker.entry.periods import Period
    from tracker.entry.services import Entry, values_save_for_period

    year = timezone.localdate().year - 1
    alice.last_name, alice.first_name = "李", "晓娟"
    alice.save()
    filed = Indicator.objects.get(code="grp_cases_filed")
    before = timezone.now()
    report, _saved = values_save_for_period(
        organisation=world["organ"], period=Period.parse(f"{year}Q1"), entries={filed: Entry(3)}, user=alice
    )
    report.refresh_from_db()
    assert report.figures_saved_by == alice and report.figures_saved_at >= before
    client.force_login(bob)
    html = client.get(f"/reports/forestry/{year}/completeness/").content.decode()
    moment = timezone.localtime(report.figures_saved_at).strftime("%Y-%m-%d %H:%M")
    assert f"李晓娟 · {moment}" in html
