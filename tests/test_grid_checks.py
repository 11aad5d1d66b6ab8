"""The grid's checks and submission (issue 21, points 1 and 2): after saving, each unit's findings show in its
column (the cells marked, the message in their title) and in a list below the grid; a warning is explained
from the grid by the figure's note, as on the entry page; a clerk submits every unit that passes, each
refused one listed with why; a reviewer ticks submitted units and approves them."""

from __future__ import annotations

import lxml.html
import pytest

from tests.conftest import enter
from tracker.checks.report import report_checks
from tracker.entry.models import Report, Status, Value
from tracker.workflow.models import ReportTransition

GRID = "/entry/grid/forestry/2023/"
# The organ's petitions by channel do not add up (an error): 6 ≠ 3 + 1 + 1 + 0.
ORGAN = {
    "grp_petitions_received": "6",
    "grp_petitions_letter": "3",
    "grp_petitions_visit": "1",
    "grp_petitions_phone": "1",
    "grp_petitions_online": "0",
}
# The park filed more cases than it accepted clues (a warning a note explains).
PARK = {"grp_cases_filed": "5", "grp_clues_accepted": "2"}


def grid_post(unit: str, figures: dict) -> dict:
    return {f"v_{unit}__{code}": value for code, value in figures.items()}


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def cell(tree, unit: str, code: str):
    (td,) = tree.xpath(f"//input[@name='v_{unit}__{code}']/parent::td")
    return td


def unit_findings(tree, unit: str) -> list[str]:
    return [li.text_content() for li in tree.xpath(f"//div[@id='checks-{unit}']//li")]


def report_of(unit) -> Report:
    return Report.objects.get(organisation=unit, year=2023, period_type="year")


@pytest.fixture
def saved(client, world, alice, indicators):
    """alice saves both units' figures on the grid; the page she comes back to."""
    client.force_login(alice)
    response = client.post(
        GRID,
        {
            "r_forestry-organ": "0",
            "r_forestry-park": "0",
            **grid_post("forestry-organ", ORGAN),
            **grid_post("forestry-park", PARK),
        },
        follow=True,
    )
    assert response.status_code == 200
    return page(response)


class TestFindingsAfterSaving:
    def test_the_cells_involved_are_marked_with_the_message_on_hover(self, saved, world):
        (error,) = report_checks(report_of(world["organ"])).errors
        for code in ORGAN:
            td = cell(saved, "forestry-organ", code)
            assert {"flagged", "finding-error"} <= set(td.get("class").split())
            assert error.message in td.get("title")
        (warning,) = report_checks(report_of(world["park"])).warnings
        td = cell(saved, "forestry-park", "grp_cases_filed")
        assert {"flagged", "finding-warning"} <= set(td.get("class").split())
        assert warning.message in td.get("title")
        # A figure no check involves is not marked.
        assert "flagged" not in cell(saved, "forestry-park", "grp_petitions_received").get("class")

    def test_the_findings_are_listed_per_unit_as_on_the_entry_page(self, saved, world):
        for unit, org in (("forestry-organ", world["organ"]), ("forestry-park", world["park"])):
            listed = unit_findings(saved, unit)
            expected = report_checks(report_of(org)).violations
            assert len(listed) == len(expected) >= 1
            for text, finding in zip(listed, expected, strict=True):
                assert finding.message in text
        assert unit_findings(saved, "forestry-organ")[0].startswith("错误：")
        assert unit_findings(saved, "forestry-park")[0].startswith("提示：")
        # Each column's header counts them and links to its list.
        (link,) = saved.xpath("//thead//a[@href='#checks-forestry-park']")
        assert "1" in link.text_content()

    def test_a_unit_without_findings_has_no_list(self, client, world, alice, indicators):
        client.force_login(alice)
        tree = page(
            client.post(
                GRID, {"r_forestry-park": "0", **grid_post("forestry-park", {"grp_cases_filed": "1"})}, follow=True
            )
        )
        assert not tree.xpath("//div[@id='checks-forestry-park']")
        assert not tree.xpath("//td[contains(@class, 'flagged')]")


class TestExplainingFromTheGrid:
    def test_the_note_saves_the_figures_note_and_marks_the_warning_explained(self, client, saved, world):
        # Only the warning offers a note; the error is corrected, not explained.
        assert not saved.xpath("//div[@id='checks-forestry-organ']//input")
        (note,) = saved.xpath("//div[@id='checks-forestry-park']//input")
        assert note.get("name") == "n_forestry-park__grp_cases_filed" and note.get("value") == ""
        revisions = {i.get("name"): i.get("value") for i in saved.xpath("//input[starts-with(@name, 'r_')]")}
        # The page posts every cell as it is, and the note.
        cells = {i.get("name"): i.get("value") or "" for i in saved.xpath("//input[starts-with(@name, 'v_')]")}
        tree = page(client.post(GRID, {**revisions, **cells, note.get("name"): "含往年受理线索3件"}, follow=True))
        value = Value.objects.get(report__organisation=world["park"], indicator__code="grp_cases_filed")
        assert (value.value, value.note) == (5, "含往年受理线索3件")
        # Explained, as the entry page and the submission see it.
        (warning,) = report_checks(report_of(world["park"])).warnings
        assert warning.explained
        (item,) = tree.xpath("//div[@id='checks-forestry-park']//li")
        assert "explained" in item.get("class") and item.text_content().startswith("已说明：")
        assert tree.xpath("//input[@name='n_forestry-park__grp_cases_filed']")[0].get("value") == "含往年受理线索3件"
        # The organ, its figures posted unchanged, was not saved again.
        assert report_of(world["organ"]).revision == int(revisions["r_forestry-organ"])

    def test_a_note_too_long_saves_nothing_of_the_unit(self, client, saved, world):
        client.post(
            GRID,
            {
                "r_forestry-park": "1",
                "v_forestry-park__grp_cases_filed": "7",
                "n_forestry-park__grp_cases_filed": "说" * 501,
            },
        )
        value = Value.objects.get(report__organisation=world["park"], indicator__code="grp_cases_filed")
        assert (value.value, value.note) == (5, "")


class TestSubmittingFromTheGrid:
    def test_the_units_that_pass_are_submitted_and_the_failing_one_listed_with_why(self, client, saved, world, alice):
        # The park's warning explained; the organ's error left as it is.
        Value.objects.filter(report__organisation=world["park"], indicator__code="grp_cases_filed").update(
            note="含往年受理线索"
        )
        (form,) = saved.xpath("//form[@id='grid-submit']")
        data = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden'][@name!='report']")}
        data["report"] = [i.get("value") for i in form.xpath(".//input[@name='report']")]
        data["action"] = form.xpath(".//button[@name='action']")[0].get("value")
        assert sorted(data["report"]) == sorted(
            f"{r.pk}:{r.revision}" for r in (report_of(world["organ"]), report_of(world["park"]))
        )
        response = client.post(form.get("action"), data, follow=True)
        assert response.redirect_chain[-1][0] == GRID
        assert report_of(world["park"]).status == Status.SUBMITTED
        assert report_of(world["organ"]).status == Status.DRAFT
        assert list(ReportTransition.objects.values_list("report__organisation__code", "action", "user")) == [
            ("forestry-park", "submit", alice.pk)
        ]
        messages = [li.text_content() for li in page(response).xpath("//ul[contains(@class, 'messages')]/li")]
        assert messages[0] == "已提交审核 1 份报表：森林公园 · 2023年。"
        (refused,) = messages[1:]
        (error,) = report_checks(report_of(world["organ"])).errors
        assert refused.startswith("未完成（提交）— 局机关 · 2023年：错误：")
        assert error.message in refused
        # The submitted unit's column is read-only now; only the organ is offered again.
        tree = page(response)
        assert [i.get("value") for i in tree.xpath("//form[@id='grid-submit']//input[@name='report']")] == [
            f"{report_of(world['organ']).pk}:{report_of(world['organ']).revision}"
        ]

    def test_a_leader_is_offered_no_submission_and_cannot_post_one(self, client, saved, world, bob):
        client.force_login(bob)
        tree = page(client.get(GRID))
        assert not tree.xpath("//form[@id='grid-submit']") and not tree.xpath("//form[@id='grid-review']")
        response = client.post("/entry/bulk/", {"action": "submit", "report": f"{report_of(world['park']).pk}:1"})
        assert response.status_code == 403
        assert report_of(world["park"]).status == Status.DRAFT


class TestReviewingFromTheGrid:
    def test_a_reviewer_ticks_the_submitted_units_and_approves_them(self, client, world, reviewer, indicators):
        organ = enter(world["organ"], "2023", {"grp_cases_filed": 1, "grp_clues_accepted": 2}, status="submitted")
        enter(world["park"], "2023", {"grp_cases_filed": 1}, status=None)
        client.force_login(reviewer)
        tree = page(client.get(GRID))
        (tick,) = tree.xpath("//thead//input[@type='checkbox'][@name='report']")
        assert tick.get("form") == "grid-review" and tick.get("value") == f"{organ.pk}:{organ.revision}"
        (form,) = tree.xpath("//form[@id='grid-review']")
        next_url = form.xpath(".//input[@name='next']")[0].get("value")
        response = client.post(
            form.get("action"), {"action": "approve", "report": tick.get("value"), "next": next_url}, follow=True
        )
        assert response.redirect_chain[-1][0] == GRID
        assert report_of(world["organ"]).status == Status.APPROVED
        assert report_of(world["park"]).status == Status.DRAFT
        assert not page(response).xpath("//thead//input[@type='checkbox']")


@pytest.mark.browser
def test_a_reviewer_ticks_every_unit_on_the_grid_and_approves_them(page, live_server, world, reviewer, indicators):
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD, browser_log_in

    for unit in (world["organ"], world["park"]):
        enter(unit, "2023", {"grp_cases_filed": 1, "grp_clues_accepted": 2}, status="submitted")
    browser_log_in(page, live_server.url, "rose", PASSWORD, GRID)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator("#grid-review input[data-tick-all]").check()
    expect(page.locator("thead input[name=report]:checked")).to_have_count(2)
    page.locator("#grid-review input[data-tick-all]").uncheck()
    expect(page.locator("thead input[name=report]:checked")).to_have_count(0)
    # Ticked by hand: the ticks sit inside the grid's form but belong to the review, so leaving the grid for
    # the review asks nothing about unsaved figures.
    for tick in page.locator("thead input[name=report]").all():
        tick.click()
    page.locator("#grid-review button[value=approve]").click()
    expect(page.locator(".messages")).to_contain_text("已审核通过 2 份报表")
    assert {report_of(world["organ"]).status, report_of(world["park"]).status} == {Status.APPROVED}
    expect(page.locator("thead input[name=report]")).to_have_count(0)
    assert dialogs == []
