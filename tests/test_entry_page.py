"""The unit page for a clerk with 41 figures: the return reason on top, plain status words (issue 11, point 4)."""

from __future__ import annotations

from tests.conftest import enter


def test_a_returned_report_says_why_at_the_top(client, world, alice, reviewer, indicators):
    enter(world["organ"], "2023", {"grp_cases_filed": 2, "grp_clues_accepted": 5}, status=None)
    client.force_login(alice)
    client.post("/entry/forestry-organ/2023/submit/")
    client.force_login(reviewer)
    client.post("/entry/forestry-organ/2023/return/", {"reason": "立案数与台账不符，请核对"})
    client.force_login(alice)
    html = client.get("/entry/forestry-organ/2023/").content.decode()
    banner = html.index('id="returned"')
    assert banner < html.index('class="entry"') and "立案数与台账不符，请核对" in html[banner : banner + 600]


def test_after_submitting_the_clerk_reads_a_status_not_a_permission(client, world, alice, indicators):
    enter(world["organ"], "2023", {"grp_cases_filed": 2, "grp_clues_accepted": 5}, status=None)
    client.force_login(alice)
    client.post("/entry/forestry-organ/2023/submit/")
    html = client.get("/entry/forestry-organ/2023/").content.decode()
    assert "已报送，等待审核" in html
    assert "只有查看权限" not in html


def test_a_leader_is_told_who_enters_the_figures(client, world, bob, indicators):
    enter(world["organ"], "2023", {"grp_cases_filed": 2}, status=None)
    client.force_login(bob)
    assert "数据由本单位的录入员和审核人填报" in client.get("/entry/forestry-organ/2023/").content.decode()


def test_history_is_an_icon_outside_the_figure_chain_and_the_save_bar_offers_the_previous_period(
    client, world, alice, indicators
):
    enter(world["organ"], "2023Q1", {"grp_cases_filed": 2}, status=None)
    client.force_login(alice)
    html = client.get("/entry/forestry-organ/2023Q1/").content.decode()
    assert 'class="history-icon no-print"' in html and 'tabindex="-1"' in html
    assert "data-copy-previous" in html and "save-bar" in html
    assert '<details class="definition">' in html
