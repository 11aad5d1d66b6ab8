"""The whole group on one grid (issue 11, point 3): each unit saved on its own, with its revision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, browser_log_in, enter, make_user
from tracker.entry.models import Report, Status, Value
from tracker.orgs.models import Role


def figures(org) -> dict:
    return dict(Value.objects.filter(report__organisation=org).values_list("indicator__code", "value"))


def test_each_unit_is_saved_on_its_own_and_a_stale_one_is_refused(client, world, alice, indicators):
    organ_report = enter(world["organ"], "2023", {"grp_cases_filed": 1}, status=None)
    client.force_login(alice)
    page = client.get("/entry/grid/forestry/2023/")
    assert page.status_code == 200
    # Someone saves the organ's report after the grid was opened.
    enter(world["organ"], "2023", {"grp_cases_filed": 2}, status=None)
    response = client.post(
        "/entry/grid/forestry/2023/",
        {
            "r_forestry-organ": str(organ_report.revision),
            "r_forestry-park": "0",
            "v_forestry-organ__grp_cases_filed": "5",
            "v_forestry-park__grp_cases_filed": "7",
            "v_forestry-park__grp_clues_accepted": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert figures(world["organ"]) == {"grp_cases_filed": 2}  # refused: stale
    assert figures(world["park"]) == {"grp_cases_filed": 7}  # saved; the blank cell created nothing
    assert "局机关" in html and "森林公园" in html


def test_a_locked_unit_and_a_bad_cell_refuse_only_their_unit(client, world, alice, indicators):
    enter(world["organ"], "2023", {"grp_cases_filed": 1}, status=Status.SUBMITTED)
    client.force_login(alice)
    response = client.post(
        "/entry/grid/forestry/2023/",
        {
            "r_forestry-organ": "1",
            "r_forestry-park": "0",
            "v_forestry-organ__grp_cases_filed": "9",
            "v_forestry-park__grp_cases_filed": "1²",
        },
        follow=True,
    )
    assert figures(world["organ"]) == {"grp_cases_filed": 1}
    assert not Report.objects.filter(organisation=world["park"]).exists()
    assert "立案" in response.content.decode()


def test_a_leader_reads_the_grid_but_every_column_is_read_only(client, world, bob, indicators):
    client.force_login(bob)
    html = client.get("/entry/grid/forestry/2023/").content.decode()
    assert "readonly" in html and "只读" in html
    response = client.post(
        "/entry/grid/forestry/2023/", {"r_forestry-park": "0", "v_forestry-park__grp_cases_filed": "3"}
    )
    assert response.status_code == 403
    assert not Value.objects.exists()


def test_another_groups_grid_and_a_unit_are_404(client, world, charlie, alice):
    client.force_login(charlie)
    assert client.get("/entry/grid/forestry/2023/").status_code == 404
    client.force_login(alice)
    assert client.get("/entry/grid/forestry-organ/2023/").status_code == 404


@pytest.mark.browser
def test_a_clerk_fills_the_grid_with_the_keyboard_and_a_pasted_block(page: Page, live_server, world, alice, indicators):
    reviewer = make_user("rose", world["forestry"], Role.REVIEWER)
    assert reviewer
    browser_log_in(page, live_server.url, "alice", PASSWORD, "/entry/grid/forestry/2023/")

    organ_first = page.locator("input[name='v_forestry-organ__grp_petitions_received']")
    organ_first.focus()
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # down to the next indicator of the same unit
    page.keyboard.type("3")
    page.keyboard.press("ArrowRight")  # at the end of the figure: on to the next unit
    assert page.evaluate("document.activeElement.name") == "v_forestry-park__grp_petitions_accusation"
    # A block copied from Excel: two rows of two cells, pasted from the park's first cell.
    page.locator("input[name='v_forestry-park__grp_petitions_received']").focus()
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData("text", "20\\t\\n5\\t\\n");
            document.activeElement.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }"""
    )
    expect(page.locator("input[name='v_forestry-park__grp_petitions_accusation']")).to_have_value("5")
    page.locator(".save-bar button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("森林公园")

    assert figures(world["organ"]) == {"grp_petitions_received": 12, "grp_petitions_accusation": 3}
    assert figures(world["park"]) == {"grp_petitions_received": 20, "grp_petitions_accusation": 5}
    # The reviewer sees them on the units' pages.
    context = page.context
    context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next=/entry/forestry-park/2023/")
    page.fill("#id_username", "rose")
    page.fill("#id_password", PASSWORD)
    page.locator("section.login button[type=submit]").click()
    expect(page.locator("input[name='v_grp_petitions_received']")).to_have_value("20")


def test_the_grid_reads_every_unit_in_a_bounded_number_of_queries(client, world, alice, indicators):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.orgs.models import Organisation, OrgKind

    enter(world["organ"], "2023", {"grp_cases_filed": 1}, status=None)
    client.force_login(alice)
    client.get("/entry/grid/forestry/2023/")
    with CaptureQueriesContext(connection) as few:
        client.get("/entry/grid/forestry/2023/")
    for n in range(6):
        unit = Organisation.objects.create(
            code=f"forestry-x{n}", name=f"单位{n}", kind=OrgKind.UNIT, parent=world["forestry"]
        )
        enter(unit, "2023", {"grp_cases_filed": n}, status=None)
    with CaptureQueriesContext(connection) as many:
        client.get("/entry/grid/forestry/2023/")
    assert len(many) == len(few)
