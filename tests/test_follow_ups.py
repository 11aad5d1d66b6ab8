"""Follow-ups reach the right people (issue 21, point 3).

An unlock tells the unit's clerks why, with a link to the report; each start page lists what waits for its
user, of every year (reports returned or unlocked, periods the commission returned, periods ready to report
and waiting for acceptance) in a number of queries that does not grow with the years; the acceptance page
opens on the oldest period waiting; the commission's reviewers hear of a group's period when the group
reports it, not of every unit's submission. Through the real pages and services, on a world built here.
"""

from __future__ import annotations

import lxml.html
import pytest
from django.utils import timezone

from tests.conftest import enter, make_user, queries_of, set_status
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period
from tracker.orgs.models import Organisation, OrgKind, Role
from tracker.workflow.acceptance import acceptance_step
from tracker.workflow.models import Notification
from tracker.workflow.services import report_transition

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def people(world, alice, bob, charlie):
    hills = Organisation.objects.create(
        code="hills", name="派驻市园林局纪检监察组", kind=OrgKind.GROUP, parent=world["city"]
    )
    Organisation.objects.create(code="hills-park", name="园林局机关", kind=OrgKind.UNIT, parent=hills)
    return {
        "alice": alice,  # the forestry group's clerk (its units too)
        "bob": bob,  # the forestry group's leader
        "charlie": charlie,  # the water group's clerk
        "olga": make_user("olga", world["organ"], Role.CLERK),  # the forestry organ's own clerk
        "pat": make_user("pat", world["park"], Role.CLERK),  # the forest park's own clerk
        "rita": make_user("rita", world["forestry"], Role.REVIEWER),
        "walt": make_user("walt", world["water"], Role.REVIEWER),
        "hal": make_user("hal", hills, Role.REVIEWER),
        "carl": make_user("carl", world["city"], Role.REVIEWER),  # the commission's
        "cleo": make_user("cleo", world["city"], Role.CLERK),  # the commission's own figures
        "lena": make_user("lena", world["city"], Role.LEADER),
    }


def a_year_of_work(world, people, year: int) -> None:
    """What a year can leave waiting. forestry: its period returned by the commission, then its park unlocked
    and its organ returned by the group's reviewer, each with a reason; water: its period reported, waiting
    for the commission; hills: every report approved, ready to report."""
    period = Period.parse(str(year))
    forestry, rita = world["forestry"], people["rita"]
    enter(forestry, str(year), {"grp_special_inspections": 1})
    organ = enter(world["organ"], str(year), {"grp_cases_filed": 2})
    park = enter(world["park"], str(year), {"grp_cases_filed": 3})
    acceptance_step(group=forestry, period=period, user=rita, action="report")
    acceptance_step(
        group=forestry, period=period, user=people["carl"], action="return", reason=f"{year}专项检查数请核实"
    )
    report_transition(report=park, user=rita, action="unlock", reason=f"{year}森林公园立案数有误")
    report_transition(report=organ, user=rita, action="unlock", reason="先解锁")
    set_status(Report.objects.filter(pk=organ.pk), Status.SUBMITTED)  # submitted again (the rules: test_workflow)
    report_transition(report=organ, user=rita, action="return", reason=f"{year}局机关请补充备注")

    enter(world["water"], str(year), {"grp_special_inspections": 1})
    enter(world["water_unit"], str(year), {"grp_cases_filed": 1})
    acceptance_step(group=world["water"], period=period, user=people["walt"], action="report")

    hills = Organisation.objects.get(code="hills")
    enter(hills, str(year), {"grp_special_inspections": 1})
    enter(Organisation.objects.get(code="hills-park"), str(year), {"grp_cases_filed": 1})


def page(client, user, url: str = "/"):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(el.text_content().split()) for el in tree.xpath(xpath)]


def links(tree, xpath: str) -> list[str]:
    return [a.get("href") for a in tree.xpath(f"{xpath}//a")]


class TestUnlockNotification:
    def test_it_tells_the_units_clerks_why_and_links_to_the_report(self, client, world, people):
        year = THIS_YEAR - 1
        enter(world["organ"], str(year), {"grp_cases_filed": 2})
        client.force_login(people["rita"])
        response = client.post(f"/entry/forestry-organ/{year}/unlock/", {"reason": "立案数与台账不符，请更正"})
        assert response.status_code == 302
        assert Report.objects.get(organisation=world["organ"]).status == Status.DRAFT
        # The organ's clerks (its own and the group's), each once: who, why, what to do, and where.
        told = Notification.objects.order_by("user__username")
        assert [n.user.username for n in told] == ["alice", "olga"]
        for note in told:
            assert "立案数与台账不符，请更正" in note.text
            assert "请修改后重新报送" in note.text and "局机关" in note.text and "解锁" in note.text
            assert note.url == f"/entry/forestry-organ/{year}/"
        # The clerk reads it on the notifications page and follows its link to the report, open for entry.
        tree = page(client, people["olga"], "/notifications/")
        [link] = tree.xpath("//ul[@class='notifications']//a")
        assert link.get("href") == f"/entry/forestry-organ/{year}/" and "请更正" in link.text_content()
        report = page(client, people["olga"], link.get("href"))
        assert report.xpath("//button[@value='submit']")

    def test_nobody_else_is_told(self, client, world, people):
        year = THIS_YEAR - 1
        enter(world["organ"], str(year), {"grp_cases_filed": 2})
        report_transition(
            report=Report.objects.get(organisation=world["organ"]), user=people["rita"], action="unlock", reason="改"
        )
        told = set(Notification.objects.values_list("user__username", flat=True))
        # Not the reviewer who unlocked it, the leaders, the commission's reviewer or its clerk (whose role
        # covers every unit, but who enters the commission's own figures), another unit's or group's clerk.
        assert told == {"alice", "olga"}

    def test_in_a_closed_period_the_clerks_and_the_reviewer_are_told_it_must_be_reopened(
        self, client, world, people, settings
    ):
        """The period closed for clerks: the notice says a reviewer must reopen it first (else its link leads to
        a page the clerk cannot change), and the reviewer who sent it back reads the same on the page."""
        year = THIS_YEAR - 2
        enter(world["organ"], str(year), {"grp_cases_filed": 2})
        settings.PERIOD_CLOSES_AFTER_DAYS = 30
        client.force_login(people["rita"])
        response = client.post(f"/entry/forestry-organ/{year}/unlock/", {"reason": "立案数与台账不符"}, follow=True)
        warnings = lxml.html.fromstring(response.content.decode()).xpath("//ul[@class='messages']/li[@class='warning']")
        assert [w.text_content() for w in warnings] == [
            "本期已截止录入：请在下方为本单位重新开放，否则录入员无法修改该报表。"
        ]
        for note in Notification.objects.all():
            assert note.text.endswith("本期已截止录入，须由审核人为本单位重新开放后才能修改。")
        # In a period still open to clerks, a return says nothing of it.
        Notification.objects.all().delete()
        settings.PERIOD_CLOSES_AFTER_DAYS = 36500
        client.post(f"/entry/forestry-organ/{year}/submit/")
        client.force_login(people["rita"])
        response = client.post(f"/entry/forestry-organ/{year}/return/", {"reason": "再核"}, follow=True)
        assert "本期已截止录入" not in response.content.decode()
        assert not [n for n in Notification.objects.all() if "重新开放" in n.text]


class TestStartPagesAcrossYears:
    def test_the_clerk_sees_reports_returned_and_unlocked_two_years_ago_with_why(self, client, world, people):
        year = THIS_YEAR - 2
        a_year_of_work(world, people, year)
        tree = page(client, people["alice"])
        rows = texts(tree, "//section[@id='to-fill']//tr[contains(@class, 'to-correct')]")
        assert len(rows) == 2
        organ, park = rows
        assert "局机关" in organ and "已退回" in organ and f"退回原因： {year}局机关请补充备注" in organ
        assert "森林公园" in park and "已解锁" in park and f"解锁理由： {year}森林公园立案数有误" in park
        assert "rita" in organ and "逾期" not in organ + park
        hrefs = links(tree, "//section[@id='to-fill']//tr[contains(@class, 'to-correct')]")
        assert f"/entry/forestry-organ/{year}/" in hrefs and f"/entry/forestry-park/{year}/" in hrefs
        # Listed first, before this year's and last year's reports not yet submitted.
        first_rows = tree.xpath("//section[@id='to-fill']//tbody/tr")[:2]
        assert all("to-correct" in row.get("class") for row in first_rows)
        # Each unit's own clerk sees their unit's only; another group's clerk neither.
        assert len(texts(page(client, people["pat"]), "//tr[contains(@class, 'to-correct')]")) == 1
        assert not texts(page(client, people["charlie"]), "//tr[contains(@class, 'to-correct')]")

    def test_a_report_corrected_and_submitted_again_leaves_the_list(self, client, world, people):
        year = THIS_YEAR - 2
        a_year_of_work(world, people, year)
        park = Report.objects.get(organisation=world["park"], year=year)
        set_status(Report.objects.filter(pk=park.pk), Status.SUBMITTED)
        rows = texts(page(client, people["alice"]), "//tr[contains(@class, 'to-correct')]")
        assert len(rows) == 1 and "局机关" in rows[0]

    def test_the_groups_reviewer_sees_the_period_the_commission_returned_years_ago(self, client, world, people):
        year = THIS_YEAR - 3
        a_year_of_work(world, people, year)
        tree = page(client, people["rita"])
        [returned] = texts(tree, "//ul[@id='returned-periods']/li")
        assert "派驻市林业和草原局纪检监察组" in returned and f"{year}专项检查数请核实" in returned
        # Two of its three reports are not approved (the park unlocked, the organ returned): it says so.
        assert "已审核 1/3" in returned
        assert links(tree, "//ul[@id='returned-periods']") == [f"/entry/acceptance/forestry/{year}/"]
        # Neither the commission's reviewer nor another group's reviewer has it to report again.
        for name in ("carl", "walt", "hal", "alice"):
            assert not page(client, people[name]).xpath("//ul[@id='returned-periods']"), name

    def test_ready_to_report_and_waiting_for_acceptance_go_to_the_right_people(self, client, world, people):
        year = THIS_YEAR - 3
        a_year_of_work(world, people, year)
        # hills' year is ready: its reviewer reports it, nobody else.
        assert links(page(client, people["hal"]), "//ul[@id='to-report']") == [f"/entry/acceptance/hills/{year}/"]
        for name in ("rita", "walt", "carl"):
            assert not page(client, people[name]).xpath("//ul[@id='to-report']"), name
        # water's year waits for the commission: its reviewer accepts it, nobody else.
        carl = page(client, people["carl"])
        assert links(carl, "//ul[@id='to-accept']") == [f"/entry/acceptance/water/{year}/"]
        assert "请核对各派驻组报送的数据" in carl.xpath("//section[@id='acceptance']")[0].text_content()
        for name in ("walt", "rita", "hal", "lena"):
            assert not page(client, people[name]).xpath("//ul[@id='to-accept']"), name

    def test_the_start_pages_read_as_many_queries_for_four_years_as_for_one(self, client, world, people):
        a_year_of_work(world, people, THIS_YEAR - 5)
        users = ("alice", "rita", "carl", "hal")
        few = {}
        for name in users:
            client.force_login(people[name])
            few[name] = queries_of(client, "/")
        for year in (THIS_YEAR - 4, THIS_YEAR - 3, THIS_YEAR - 2):
            a_year_of_work(world, people, year)
        for name in users:
            client.force_login(people[name])
            assert queries_of(client, "/") == few[name], name
        # …and every year is listed.
        assert len(texts(page(client, people["alice"]), "//tr[contains(@class, 'to-correct')]")) == 8
        assert len(page(client, people["rita"]).xpath("//ul[@id='returned-periods']/li")) == 4
        assert len(page(client, people["carl"]).xpath("//ul[@id='to-accept']/li")) == 4
        assert len(page(client, people["hal"]).xpath("//ul[@id='to-report']/li")) == 4


class TestAcceptancePageDefaultYear:
    def test_it_opens_on_the_year_of_the_oldest_period_waiting_for_the_user(self, client, world, people):
        a_year_of_work(world, people, THIS_YEAR - 3)
        a_year_of_work(world, people, THIS_YEAR - 1)
        for name in ("carl", "rita", "hal"):
            client.force_login(people[name])
            response = client.get("/entry/acceptance/")
            assert response.context["year"] == THIS_YEAR - 3, name
            tree = lxml.html.fromstring(response.content.decode())
            assert f"· {THIS_YEAR - 3}" in tree.xpath("//h1")[0].text_content()
        # carl's oldest is water's period to accept, listed on the page it opens.
        client.force_login(people["carl"])
        tree = lxml.html.fromstring(client.get("/entry/acceptance/").content.decode())
        assert links(tree, "//section[@id='to-accept']") == [f"/entry/acceptance/water/{THIS_YEAR - 3}/"]
        # Once that is accepted, the next oldest.
        acceptance_step(
            group=world["water"], period=Period.parse(str(THIS_YEAR - 3)), user=people["carl"], action="accept"
        )
        assert client.get("/entry/acceptance/").context["year"] == THIS_YEAR - 1
        # A year asked for is that year.
        assert client.get(f"/entry/acceptance/?year={THIS_YEAR}").context["year"] == THIS_YEAR

    def test_with_nothing_waiting_it_opens_on_this_year(self, client, world, people):
        a_year_of_work(world, people, THIS_YEAR - 2)
        client.force_login(people["lena"])  # a leader: reports nothing, accepts nothing
        assert client.get("/entry/acceptance/").context["year"] == THIS_YEAR

    @pytest.mark.parametrize("year", ["abc", "1999", "２０２２x", ""])
    def test_a_bad_year_is_the_same_400(self, client, world, people, year):
        client.force_login(people["carl"])
        response = client.get("/entry/acceptance/", {"year": year})
        if year == "":
            assert response.status_code == 200  # no year: the default
        else:
            assert response.status_code == 400


class TestTheCommissionsReviewers:
    def test_they_hear_once_per_group_period_reported_and_never_of_a_units_submission(self, client, world, people):
        year = THIS_YEAR - 1
        figures = {"grp_cases_filed": 2, "grp_clues_accepted": 5}
        for org in ("organ", "park"):
            enter(world[org], str(year), figures, status=None)
        enter(world["forestry"], str(year), {"grp_special_inspections": 1}, status=None)
        enter(world["water_unit"], str(year), figures, status=None)
        # Every unit's clerk submits; each group's reviewer is asked to review its own units' reports only.
        client.force_login(people["alice"])
        for code in ("forestry-organ", "forestry-park", "forestry"):
            assert client.post(f"/entry/{code}/{year}/submit/").status_code == 302
        client.force_login(people["charlie"])
        client.post(f"/entry/water-organ/{year}/submit/")
        assert Report.objects.filter(status=Status.SUBMITTED).count() == 4
        assert Notification.objects.filter(user=people["rita"]).count() == 3
        assert Notification.objects.filter(user=people["walt"]).count() == 1
        assert not Notification.objects.filter(user=people["carl"]).exists()
        # The group's reviewer approves them and reports the period: now the commission's reviewer is told, once.
        client.force_login(people["rita"])
        for code in ("forestry-organ", "forestry-park", "forestry"):
            client.post(f"/entry/{code}/{year}/approve/")
        client.post(f"/entry/acceptance/forestry/{year}/", {"action": "report"})
        [note] = Notification.objects.filter(user=people["carl"])
        assert "派驻市林业和草原局纪检监察组" in note.text and "请接收" in note.text
        assert note.url == f"/entry/acceptance/forestry/{year}/"
        # Returned: the group's reviewer is told why and what to do, with the link.
        client.force_login(people["carl"])
        client.post(f"/entry/acceptance/forestry/{year}/", {"action": "return", "reason": "局机关线索数请核实"})
        note = Notification.objects.filter(user=people["rita"]).first()
        assert "局机关线索数请核实" in note.text and "再次报送纪委监委" in note.text
        assert note.url == f"/entry/acceptance/forestry/{year}/"
        assert Notification.objects.filter(user=people["carl"]).count() == 1

    def test_a_group_without_a_reviewer_of_its_own_leaves_its_units_to_those_above(self, world, people):
        year = THIS_YEAR - 1
        report = enter(Organisation.objects.get(code="hills-park"), str(year), {"grp_cases_filed": 1}, status=None)
        people["hal"].memberships.all().delete()
        report_transition(report=report, user=make_user("hana", report.organisation, Role.CLERK), action="submit")
        # Someone must review it: the commission's reviewer, who may.
        assert Notification.objects.filter(user=people["carl"], url=f"/entry/hills-park/{year}/").count() == 1
