"""Each role's start page (issue 12, point 1), with a dataset built here."""

from __future__ import annotations

from django.utils import timezone

from tests.conftest import enter, make_user
from tracker.entry.models import Status
from tracker.orgs.models import Role


def test_the_clerk_sees_a_returned_report_first_with_its_reason(client, world, alice, reviewer, indicators):
    year = timezone.localdate().year - 1
    enter(world["organ"], str(year), {"grp_cases_filed": 2, "grp_clues_accepted": 5}, status=None)
    client.force_login(alice)
    client.post(f"/entry/forestry-organ/{year}/submit/")
    client.force_login(reviewer)
    client.post(f"/entry/forestry-organ/{year}/return/", {"reason": "请补充备注"})
    client.force_login(alice)
    response = client.get("/")
    tasks = response.context["tasks"]
    assert tasks[0].organisation == world["organ"] and tasks[0].reason == "请补充备注"
    assert tasks[0].report.status == Status.RETURNED
    # The others are the reports not yet submitted, overdue since 20 January.
    assert any(t.organisation == world["park"] and t.overdue for t in tasks[1:])
    html = response.content.decode()
    assert "请补充备注" in html and "逾期" in html
    assert "forestry-organ</code>" not in html  # names, never codes


def test_the_reviewer_sees_what_waits_and_who_is_late(client, world, reviewer, indicators):
    year = timezone.localdate().year - 1
    enter(world["organ"], str(year), {"grp_cases_filed": 2}, status=Status.SUBMITTED)
    client.force_login(reviewer)
    review = client.get("/").context["review"]
    assert [r.organisation for r in review.awaiting] == [world["organ"]]
    assert world["park"] in [t.organisation for t in review.overdue]


def test_the_leader_reads_headline_figures_against_the_same_period_last_year(client, world, bob, indicators):
    today = timezone.localdate()
    current = today.year
    quarters = max((today.month - 1) // 3, 1)
    for q in range(1, quarters + 1):
        enter(world["organ"], f"{current}Q{q}", {"grp_petitions_received": 10})
        enter(world["organ"], f"{current - 1}Q{q}", {"grp_petitions_received": 8})
    client.force_login(bob)
    leader = client.get("/").context["leader"]
    [headline] = [h for h in leader.headlines if h.indicator.code == "grp_petitions_received"]
    if (today.month - 1) // 3:
        assert headline.now == 10 * quarters and headline.before == 8 * quarters
        assert headline.change.percent == 25
    assert [r.organisation for r in leader.ranking][0] == world["organ"]


def test_the_commission_sees_its_groups_timeliness(client, world, indicators):
    enter(world["organ"], str(timezone.localdate().year - 1), {"grp_cases_filed": 1})
    client.force_login(make_user("lena", world["city"], Role.LEADER))
    response = client.get("/")
    assert response.context["overview"] is not None
    html = response.content.decode()
    assert 'id="groups"' in html and "派驻市林业和草原局纪检监察组" in html


def test_the_per_unit_page_ranks_units_by_a_chosen_indicator(client, world, bob, indicators):
    enter(world["organ"], "2022", {"grp_cases_filed": 2})
    enter(world["park"], "2022", {"grp_cases_filed": 9})
    client.force_login(bob)
    tree = client.get("/reports/forestry/2022/units/")
    ranked = client.get("/reports/forestry/2022/units/?rank=grp_cases_filed")
    assert [c.code for c in tree.context["children"]] == ["forestry-organ", "forestry-park"]
    assert [c.code for c in ranked.context["children"]] == ["forestry-park", "forestry-organ"]
    html = ranked.content.decode()
    table = html[html.index('class="grid report') :]
    assert table.index("森林公园") < table.index("局机关")
    # The approval switch keeps the ranking.
    assert "rank=grp_cases_filed" in ranked.context["scope"].switch_query


def test_the_group_reports_to_the_commission_and_the_commission_accepts_from_the_start_page(
    client, world, reviewer, indicators
):
    year = timezone.localdate().year - 1
    for org in ("forestry", "organ", "park"):
        code = "grp_special_inspections" if org == "forestry" else "grp_cases_filed"
        enter(world[org], str(year), {code: 1})
    commission_reviewer = make_user("cora", world["city"], Role.REVIEWER)
    # Everything approved: the group's reviewer is offered to report it.
    client.force_login(reviewer)
    work = client.get("/").context["acceptance"]
    assert [(c.group, c.period.year) for c in work.to_report] == [(world["forestry"], year)]
    client.post(f"/entry/acceptance/forestry/{year}/", {"action": "report"})
    # The commission's reviewer finds it waiting, and returns it with a reason…
    client.force_login(commission_reviewer)
    response = client.get("/")
    assert [c.group for c in response.context["acceptance"].to_accept] == [world["forestry"]]
    overview = {g.group.code: g for g in response.context["overview"]}
    client.post(f"/entry/acceptance/forestry/{year}/", {"action": "return", "reason": "专项检查数请核实"})
    # …which the group's reviewer reads at the top of the start page.
    client.force_login(reviewer)
    response = client.get("/")
    assert response.context["acceptance"].returned[0].reason == "专项检查数请核实"
    assert "专项检查数请核实" in response.content.decode()
    assert overview["forestry"].periods == 1 and overview["forestry"].accepted == 0
    # This year's figures reported and accepted: the commission's overview counts the period.
    this_year = year + 1
    for org in ("forestry", "organ", "park"):
        code = "grp_special_inspections" if org == "forestry" else "grp_cases_filed"
        enter(world[org], str(this_year), {code: 2})
    client.post(f"/entry/acceptance/forestry/{this_year}/", {"action": "report"})
    client.force_login(commission_reviewer)
    client.post(f"/entry/acceptance/forestry/{this_year}/", {"action": "accept"})
    overview = {g.group.code: g for g in client.get("/").context["overview"]}
    assert (overview["forestry"].accepted, overview["forestry"].periods) == (1, 1)
    assert overview["water"].accepted == 0
