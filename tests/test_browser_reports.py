"""The leader's pages in a real browser: summary, the year switcher, the review and its Word download.

Runs Debian's chromium (see conftest.py) against the demo world, whose 2022 forestry figures
are those of the published speech: four forms 47 / 3 / 0 / 0, that is 94% and 6%.
Full-page screenshots of each step land in the pytest output browser_output (test-results/), one
browser_output per test.
"""

from __future__ import annotations

import re

import docx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import browser_log_in
from tracker.demo.world import demo_password

pytestmark = pytest.mark.browser

DEMO_LEADER = "demo-leader"
# The 2022 review's four-forms sentence, as the speech prints it.
FORM1_2022 = "第一种形态47人次、占94%"


def log_in(page: Page, base: str, next_path: str) -> None:
    page.goto(f"{base}{next_path}")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    browser_log_in(page, base, DEMO_LEADER, demo_password(), next_path)


class TestReportsInTheBrowser:
    def test_the_leader_reads_the_summary_switches_year_and_downloads_the_review(
        self, page: Page, live_server, demo_world, shots, browser_output
    ):
        base = live_server.url

        # The summary needs a login; the login page sends the leader back to it.
        log_in(page, base, "/reports/forestry/2022/")
        expect(page.locator("h1")).to_contain_text("派驻市林业和草原局纪检监察组")
        expect(page.locator("h1 .year")).to_contain_text("2022")
        form1 = page.locator("#part-grp_form1_person_times td")
        expect(form1.nth(1)).to_have_text("47")
        expect(form1.nth(2)).to_have_text("94%")
        expect(page.locator("#part-grp_form2_person_times td").nth(2)).to_have_text("6%")
        expect(page.locator("#row-grp_four_forms_total")).to_contain_text("50")
        shots(page, "1-summary-2022")

        # The dashboards' JSON, with the same session: the same figures.
        data = page.request.get(f"{base}/api/v1/summary/?org=forestry&year=2022").json()
        assert data["values"]["grp_form1_person_times"] == 47
        assert data["shares"]["grp_form1_pct"] == {"whole": 94, "one_decimal": 94.0}
        assert data["shares"]["grp_form2_pct"] == {"whole": 6, "one_decimal": 6.0}

        # The year switcher: choose 2021 and show it.
        switcher = page.locator("form.switcher")
        switcher.locator("select[name=year]").select_option("2021")
        switcher.locator("button[type=submit]").click()
        expect(page).to_have_url(f"{base}/reports/forestry/2021/")
        expect(page.locator("h1 .year")).to_contain_text("2021")
        expect(switcher.locator("select[name=year]")).to_have_value("2021")
        shots(page, "2-summary-2021")

        # The review of the year shown (the group's own speech, generated), then the next year's.
        page.locator("nav.tabs a[href$='/review/']").click()
        expect(page).to_have_url(re.compile(r"/documents/\d+/forestry/2021/$"))
        expect(page.locator("#review-text")).to_contain_text("2021年工作回顾")
        page.locator(".review-tools a.next-year").click()
        expect(page).to_have_url(re.compile(r"/documents/\d+/forestry/2022/$"))
        review = page.locator("#review-text")
        expect(review).to_contain_text("2022年工作回顾")
        expect(review).to_contain_text(FORM1_2022)
        expect(review).to_contain_text("青岚市林业服务中心，发挥班子")
        shots(page, "3-review-2022")
        blocks = review.locator(":scope > h2, :scope > h3, :scope > p")
        page_paragraphs = [text.strip() for text in blocks.all_text_contents()]

        # The Word download carries the same text, under a Chinese file name.
        with page.expect_download() as download_info:
            page.locator(".review-tools a[href*='document.docx']").click()
        download = download_info.value
        assert download.suggested_filename.startswith("派驻市林业和草原局纪检监察组-2022年-")
        assert download.suggested_filename.endswith(".docx")
        saved = browser_output / "review-2022.docx"
        download.save_as(saved)
        document = docx.Document(str(saved))
        docx_paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
        assert any("2022年工作回顾" == text for text in docx_paragraphs)
        assert any(FORM1_2022 in text for text in docx_paragraphs)
        assert docx_paragraphs == page_paragraphs
