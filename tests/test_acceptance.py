"""The commission accepts the groups' figures: report, return with a reason, resubmit, accept.

Through the real pages (the acceptance page, the entry page's unlock, the commission's summary
and JSON) with a dataset built here: the forestry group (its own report and two units') for 2022.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import add_groups, enter, make_user, queries_of, set_status
from tracker.entry.models import AcceptanceStatus, GroupAcceptance, Report, Status
from tracker.orgs.models import Role
from tracker.workflow.models import AcceptanceStep, Notification

ACCEPTANCE = "/entry/acceptance/forestry/2022/"


@pytest.fixture
def people(world):
    return {
        "rita": make_user("rita", world["forestry"], Role.REVIEWER),  # the group's reviewer
        "carl": make_user("carl", world["city"], Role.REVIEWER),  # the commission's
        "lena": make_user("lena", world["city"], Role.LEADER),
        "gus": make_user("gus", world["forestry"], Role.LEADER),
    }


@pytest.fixture
def figures(world):
    """forestry's 2022: the group's own figure and its units' cases, all approved but the park's."""
    enter(world["forestry"], "2022", {"grp_special_inspections": 6})
    enter(world["organ"], "2022", {"grp_cases_filed": 2})
    park = enter(world["park"], "2022", {"grp_cases_filed": 3}, status=Status.SUBMITTED)
    enter(world["city"], "2022", {"city_four_forms_total": 3038})
    return park


def as_(client, user):
    client.force_login(user)
    return client


def city_json(client, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in {"org": "city", "year": 2022, **params}.items())
    return client.get(f"{reverse('api:summary')}?{query}").json()


def step(client, action: str, reason: str = ""):
    return client.post(ACCEPTANCE, {"action": action, "reason": reason}, follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_flow_with_a_return_and_a_resubmission(client, world, people, figures):
    lena = as_(client, people["lena"])
    # Before anything is accepted the commission's pages count its own figures only, and say why.
    data = city_json(lena)
    assert data["values"]["grp_cases_filed"] is None and data["values"]["city_four_forms_total"] == 3038
    assert data["accepted_only"] is True
    page = lena.get("/reports/city/2022/").content.decode()
    assert "仅计入纪委监委已接收的派驻组数据" in page and "含未接收数据" in page
    # The switch counts what the group approved (the park is still submitted).
    assert city_json(lena, include_unaccepted=1)["values"]["grp_cases_filed"] == 2

    # The group's reviewer cannot report it while a unit's report is not approved: the page says which.
    rita = as_(client, people["rita"])
    response = step(rita, "report")
    assert "森林公园（已提交）" in messages_of(response)
    assert not GroupAcceptance.objects.exists()
    set_status(Report.objects.filter(pk=figures.pk), Status.APPROVED)
    response = step(rita, "report")
    assert response.status_code == 200
    acceptance = GroupAcceptance.objects.get()
    assert acceptance.status == AcceptanceStatus.SUBMITTED
    # The commission's reviewer is told; the group's reviewer cannot accept their own figures.
    assert Notification.objects.filter(user=people["carl"], text__contains="请接收").exists()
    assert step(rita, "accept").status_code == 403
    # While it is with the commission, none of its reports can be unlocked.
    assert "/entry/forestry-organ/2022/unlock/" not in rita.get("/entry/forestry-organ/2022/").content.decode()
    response = rita.post("/entry/forestry-organ/2022/unlock/", {"reason": "改一个数"}, follow=True)
    assert "须由纪委监委退回" in messages_of(response)
    assert Report.objects.get(organisation=world["organ"]).status == Status.APPROVED

    # The commission returns it, with a reason (without one: refused).
    carl = as_(client, people["carl"])
    assert "请填写理由" in messages_of(step(carl, "return"))
    assert GroupAcceptance.objects.get().status == AcceptanceStatus.SUBMITTED
    step(carl, "return", "局机关立案数与案管台账不符")
    assert GroupAcceptance.objects.get().status == AcceptanceStatus.RETURNED
    assert Notification.objects.filter(user=people["rita"], text__contains="局机关立案数与案管台账不符").exists()
    # The units stay approved; the commission still counts nothing of the group's.
    assert set(Report.objects.filter(organisation__parent=world["forestry"]).values_list("status", flat=True)) == {
        Status.APPROVED
    }
    assert city_json(as_(client, people["lena"]))["values"]["grp_cases_filed"] is None

    # The group fixes: unlock (allowed now), correct, approve, report again.
    rita = as_(client, people["rita"])
    rita.post("/entry/forestry-organ/2022/unlock/", {"reason": "按纪委监委意见更正"})
    organ = Report.objects.get(organisation=world["organ"])
    assert organ.status == Status.DRAFT
    rita.post("/entry/forestry-organ/2022/", {"revision": organ.revision, "v_grp_cases_filed": "4"})
    rita.post("/entry/forestry-organ/2022/submit/")
    rita.post("/entry/forestry-organ/2022/approve/")
    assert Report.objects.get(organisation=world["organ"]).status == Status.APPROVED
    step(rita, "report")
    assert GroupAcceptance.objects.get().status == AcceptanceStatus.SUBMITTED

    # Accepted: the commission's figures now count the group, on the next page load.
    step(as_(client, people["carl"]), "accept")
    assert GroupAcceptance.objects.get().status == AcceptanceStatus.ACCEPTED
    data = city_json(as_(client, people["lena"]))
    assert data["values"]["grp_cases_filed"] == 7 and data["values"]["grp_special_inspections"] == 6
    assert data["unaccepted_reports"] == 0
    assert Notification.objects.filter(user=people["rita"], text__contains="已接收").exists()
    # Every step is recorded and shown, with who and why.
    steps = list(AcceptanceStep.objects.values_list("action", "to_status"))
    assert steps == [
        ("report", "submitted"),
        ("return", "returned"),
        ("report", "submitted"),
        ("accept", "accepted"),
    ]
    page = client.get(ACCEPTANCE).content.decode()
    assert "局机关立案数与案管台账不符" in page and "纪委监委已接收" in page
    # A unit's entry page says where its group's figures stand, and links there.
    rita = as_(client, people["rita"])
    page = rita.get("/entry/forestry-organ/2022/").content.decode()
    assert "本组数据报送纪委监委情况" in page and f'href="{ACCEPTANCE}"' in page
    # Accepted, its reports stay locked until the commission returns them.
    rita.post("/entry/forestry-organ/2022/unlock/", {"reason": "再改"})
    assert Report.objects.get(organisation=world["organ"]).status == Status.APPROVED


def test_the_groups_own_pages_count_what_it_approved(client, world, people, figures):
    set_status(Report.objects.filter(pk=figures.pk), Status.APPROVED)
    gus = as_(client, people["gus"])
    data = gus.get(f"{reverse('api:summary')}?org=forestry&year=2022").json()
    assert data["values"]["grp_cases_filed"] == 5
    assert data["accepted_only"] is False
    # A group's page offers no acceptance switch, and ignores the parameter.
    page = gus.get("/reports/forestry/2022/?include_unaccepted=1").content.decode()
    assert "含未接收数据" not in page


def test_a_quarterly_unit_under_a_yearly_group(client, world, people):
    """A unit reporting by quarter: the group's year is ready when all four quarters are approved."""
    enter(world["forestry"], "2022", {"grp_special_inspections": 1})
    enter(world["park"], "2022", {"grp_cases_filed": 1})
    for quarter in (1, 2, 3):
        enter(world["organ"], f"2022Q{quarter}", {"grp_cases_filed": quarter})
    rita = as_(client, people["rita"])
    response = step(rita, "report")
    assert "局机关（已审核；期间未报全）" in messages_of(response)
    enter(world["organ"], "2022Q4", {"grp_cases_filed": 4})
    step(rita, "report")
    step(as_(client, people["carl"]), "accept")
    assert set(Report.objects.filter(organisation=world["organ"]).values_list("accepted", flat=True)) == {True}
    data = city_json(as_(client, people["lena"]))
    assert data["values"]["grp_cases_filed"] == 11


def test_the_acceptance_list_shows_each_side_its_work(client, world, people, figures):
    set_status(Report.objects.filter(pk=figures.pk), Status.APPROVED)
    rita = as_(client, people["rita"])
    page = rita.get("/entry/acceptance/?year=2022").content.decode()
    assert "可报送纪委监委" in page and "派驻市林业和草原局纪检监察组" in page
    step(rita, "report")
    page = as_(client, people["carl"]).get("/entry/acceptance/?year=2022").content.decode()
    assert "待纪委监委接收" in page
    assert 'href="/entry/acceptance/forestry/2022/"' in page


def test_another_group_cannot_see_or_touch_it(client, world, people, figures):
    water_reviewer = make_user("walt", world["water"], Role.REVIEWER)
    client.force_login(water_reviewer)
    assert client.get(ACCEPTANCE).status_code == 404
    assert client.post(ACCEPTANCE, {"action": "report"}).status_code == 404
    page = client.get("/entry/acceptance/?year=2022").content.decode()
    assert "林业" not in page
    assert not GroupAcceptance.objects.exists()


def test_the_acceptance_list_reads_a_bounded_number_of_queries(client, world, people, figures):
    client.force_login(people["carl"])
    few = queries_of(client, "/entry/acceptance/?year=2022")
    add_groups(world["city"])
    assert queries_of(client, "/entry/acceptance/?year=2022") == few


def test_only_the_groups_own_periods_are_reported(client, world, people, figures):
    """forestry reports 2022 by year: its first quarter is no period of its own to report."""
    set_status(Report.objects.filter(pk=figures.pk), Status.APPROVED)
    rita = as_(client, people["rita"])
    assert rita.get("/entry/acceptance/forestry/2022Q1/").status_code == 404
    response = rita.post("/entry/acceptance/forestry/2022Q1/", {"action": "report"}, follow=True)
    assert "不按此期间报送" in messages_of(response)
    assert not GroupAcceptance.objects.exists()


def test_each_side_acts_for_itself(client, world, people, figures):
    """The commission's reviewer cannot report a group's figures (their role covers the group too), a
    reviewer of a commission above it cannot accept them, and nobody accepts what they reported."""
    from tracker.orgs.models import Membership, Organisation, OrgKind

    set_status(Report.objects.filter(pk=figures.pk), Status.APPROVED)
    carl = as_(client, people["carl"])
    assert step(carl, "report").status_code == 403
    assert not GroupAcceptance.objects.exists()
    assert "可报送纪委监委" not in carl.get("/entry/acceptance/?year=2022").content.decode()
    # One person who is both the group's and the commission's reviewer reports, and may not accept it.
    both = make_user("bea", world["forestry"], Role.REVIEWER)
    Membership.objects.create(user=both, organisation=world["city"], role=Role.REVIEWER)
    client.force_login(both)
    step(client, "report")
    assert "别人" in messages_of(step(client, "accept"))
    assert GroupAcceptance.objects.get().status == AcceptanceStatus.SUBMITTED
    # A province above the city: its reviewer neither accepts nor returns the city's groups' figures.
    province = Organisation.objects.create(code="province", name="省纪委监委", kind=OrgKind.COMMISSION)
    city = world["city"]
    city.parent = province
    city.save()
    client.force_login(make_user("pia", province, Role.REVIEWER))
    assert step(client, "accept").status_code == 403
    assert step(client, "return", "省里退回").status_code == 403
    step(as_(client, people["carl"]), "accept")
    assert GroupAcceptance.objects.get().status == AcceptanceStatus.ACCEPTED


def test_accept_periods_records_the_past_once(world, people, figures):
    """After upgrading, the periods the commission accepted before the app kept acceptance."""
    from io import StringIO

    from django.core.management import call_command

    enter(world["forestry"], "2021", {"grp_special_inspections": 2})
    enter(world["organ"], "2021", {"grp_cases_filed": 1})
    enter(world["park"], "2021", {"grp_cases_filed": 1})
    out = StringIO()
    call_command("accept_periods", "--through", "2022", "--user", "carl", stdout=out)
    # 2021 is all approved; 2022 waits for the park's report.
    assert "森林公园" in out.getvalue() and "1 period(s) accepted." in out.getvalue()
    acceptance = GroupAcceptance.objects.get()
    assert (acceptance.year, acceptance.status) == (2021, AcceptanceStatus.ACCEPTED)
    assert acceptance.steps.get().user == people["carl"]
    assert set(
        Report.objects.filter(year=2021).exclude(organisation=world["city"]).values_list("accepted", flat=True)
    ) == {True}
    call_command("accept_periods", "--through", "2022", "--user", "carl", stdout=StringIO())
    assert AcceptanceStep.objects.count() == 1


def test_a_unit_moved_to_another_group_is_not_counted_until_that_group_reports_it(world, people, figures):
    from tests.conftest import accept
    from tracker.aggregation.yearly import Aggregator

    set_status(Report.objects.filter(pk=figures.pk), Status.APPROVED)
    accept(world["forestry"], "2022")

    def city(stored=True):
        aggregator = Aggregator(world["city"], [2022], stored=stored)
        return aggregator.org_year(world["city"], 2022).value("grp_cases_filed")

    assert city() == 5
    organ = world["organ"]
    organ.parent = world["water"]
    organ.save()
    # Accepted under forestry, not under water: the commission counts the park's 3 alone, stored and live.
    assert city() == city(stored=False) == 3
    assert not Report.objects.get(organisation=organ).accepted
