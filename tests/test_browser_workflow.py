"""The approval workflow in a real browser, as two people do it.

The demo clerk enters and submits a unit's figures; the reviewer returns them with a
reason; the clerk corrects and resubmits; the reviewer approves; the yearly summary then
counts the figure (it counts approved reports only).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tracker.demo.world import demo_password
from tracker.entry.models import Report, Status
from tracker.workflow.models import ReportTransition

pytestmark = pytest.mark.browser

UNIT = "forestry-botanical"
YEAR = 2020  # before the demo's years (2021 to today): nothing entered yet


def log_in(browser: Browser, base: str, username: str, context_args: dict) -> Page:
    page = browser.new_context(**context_args).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo_password())
    page.locator("section.login button[type=submit]").click()
    expect(page.locator(".topbar .user")).to_be_visible()
    return page


def test_submit_return_fix_resubmit_approve_then_counted(
    browser: Browser, live_server, demo_world, shots, browser_context_args
):
    entry = f"{live_server.url}/entry/{UNIT}/{YEAR}/"
    clerk = log_in(browser, live_server.url, "demo-clerk", browser_context_args)
    reviewer = log_in(browser, live_server.url, "demo-reviewer", browser_context_args)

    # The clerk enters two figures and submits.
    clerk.goto(entry)
    clerk.fill("#id_v_grp_clues_accepted", "9")
    clerk.fill("#id_v_grp_cases_filed", "4")
    clerk.get_by_role("button", name="保存").click()
    expect(clerk.locator(".messages")).to_contain_text("已保存")
    clerk.get_by_role("button", name="提交审核").click()
    expect(clerk.locator(".status")).to_have_text("已提交")
    shots(clerk, "1-clerk-submitted")

    # The reviewer returns it with a reason.
    reviewer.goto(entry)
    reviewer.fill("input[name=reason]", "立案数与台账不符，请核对")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator(".status")).to_have_text("已退回")
    shots(reviewer, "2-reviewer-returned")

    # The clerk sees why, corrects the figure and submits again.
    clerk.goto(entry)
    expect(clerk.locator("table.transitions")).to_contain_text("立案数与台账不符，请核对")
    clerk.fill("#id_v_grp_cases_filed", "3")
    clerk.get_by_role("button", name="保存").click()
    expect(clerk.locator(".messages")).to_contain_text("已保存")
    clerk.get_by_role("button", name="提交审核").click()
    expect(clerk.locator(".status")).to_have_text("已提交")

    # Not approved yet: the summary leaves it out.
    reviewer.goto(f"{live_server.url}/reports/{UNIT}/{YEAR}/")
    expect(reviewer.locator("tr", has_text="立案").first).not_to_contain_text("3")

    # The reviewer approves; the figures are locked and the summary counts them.
    reviewer.goto(entry)
    reviewer.get_by_role("button", name="审核通过").click()
    expect(reviewer.locator(".status")).to_have_text("已审核")
    expect(reviewer.locator("#id_v_grp_cases_filed")).to_have_count(0)
    shots(reviewer, "3-reviewer-approved")

    reviewer.goto(f"{live_server.url}/reports/{UNIT}/{YEAR}/")
    row = reviewer.locator("tr", has=reviewer.locator("td", has_text="立案")).first
    expect(row).to_contain_text("3")
    shots(reviewer, "4-summary-counts-it")

    report = Report.objects.get(organisation__code=UNIT, year=YEAR)
    assert report.status == Status.APPROVED
    assert list(ReportTransition.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
