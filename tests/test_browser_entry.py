"""The entry page in a real browser: the demo clerk logs in, enters three figures and finds them saved.

Runs Debian's chromium (see conftest.py). Screenshots of each step land in the pytest output
folder (test-results/ by default), one folder per test.
"""

from __future__ import annotations

import re

import pytest
from django.db.models import Max
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import browser_log_in
from tracker.catalogue.models import Indicator
from tracker.demo.world import demo_password
from tracker.entry.models import Report, Value
from tracker.orgs.models import Organisation, OrgKind

pytestmark = pytest.mark.browser

DEMO_CLERK = "demo-clerk"


def free_year(unit: Organisation) -> int:
    """The year after the unit's last demo report: nothing entered yet, last year's figures to compare."""
    last = Report.objects.filter(organisation=unit).aggregate(last=Max("year"))["last"]
    return last + 1 if last else timezone.localdate().year


class TestEntryInTheBrowser:
    def test_it_saves_three_figures_typed_as_people_type_them(self, page: Page, live_server, demo_world, shots):
        unit = Organisation.objects.filter(parent__code="forestry", kind=OrgKind.UNIT).order_by("path").first()
        assert unit is not None, "the demo world has no unit under the forestry group"
        year = free_year(unit)
        first, second, third = Indicator.objects.reported_by(OrgKind.UNIT)[:3]
        # Full-width digits and a thousands separator, as people type them. The first two are
        # "petitions received" and "of which accusations", so the second stays below the first.
        typed = {first: "3,038", second: "１２", third: "7"}
        expected = {first: "3038", second: "12", third: "7"}

        # Every page needs a login: the entry page sends us to the login page first.
        page.goto(f"{live_server.url}/entry/")
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/entry/$"))
        page.fill("#id_username", DEMO_CLERK)
        page.fill("#id_password", demo_password())
        shots(page, "1-login")
        page.locator("section.login button[type=submit]").click()

        # The chooser: a unit of the forestry group, a year, the whole year.
        expect(page).to_have_url(f"{live_server.url}/entry/")
        page.select_option("#id_org", unit.code)
        page.fill("#id_year", str(year))
        page.select_option("#id_period", "year")
        shots(page, "2-chooser")
        page.locator("form.chooser button[type=submit]").click()

        expect(page).to_have_url(f"{live_server.url}/entry/{unit.code}/{year}/")
        expect(page.locator("h1")).to_contain_text(unit.name)
        for indicator, text in typed.items():
            page.fill(f"#id_v_{indicator.code}", text)
        shots(page, "3-typed")
        page.locator("form.entry button[type=submit]").click()

        expect(page.locator(".messages .success")).to_be_visible()
        shots(page, "4-saved")

        page.reload()
        for indicator, value in expected.items():
            expect(page.locator(f"#id_v_{indicator.code}")).to_have_value(value)
        shots(page, "5-reloaded")

        stored = {
            v.indicator.code: v.value
            for v in Value.objects.filter(report__organisation=unit, report__year=year).select_related("indicator")
        }
        assert stored == {first.code: 3038, second.code: 12, third.code: 7}


class TestKeyboardEntry:
    def test_tab_and_enter_go_figure_to_figure_and_the_previous_period_fills_empty_figures(
        self, page: Page, live_server, demo_world, shots
    ):
        unit = Organisation.objects.get(code="forestry-organ")
        # The organ reports quarterly in 2023; its third quarter is a draft with figures, the fourth empty.
        Report.objects.filter(organisation=unit, year=2023, period_number=4).delete()
        q3 = dict(
            Value.objects.filter(report__organisation=unit, report__year=2023, report__period_number=3).values_list(
                "indicator__code", "value"
            )
        )
        browser_log_in(page, live_server.url, DEMO_CLERK, demo_password(), f"/entry/{unit.code}/2023Q4/")

        figures = page.locator("input.figure")
        figures.nth(0).focus()
        page.keyboard.type("9")
        page.keyboard.press("Tab")  # past the note and the history link: the next figure
        page.keyboard.type("4")
        page.keyboard.press("Enter")  # Enter does not submit: it moves on too
        assert page.evaluate("document.activeElement.name") == figures.nth(2).get_attribute("name")
        expect(page).to_have_url(f"{live_server.url}/entry/{unit.code}/2023Q4/")

        page.locator("[data-copy-previous]").click()
        shots(page, "keyboard-and-copy")
        page.locator(".save-bar button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()

        saved = dict(
            Value.objects.filter(report__organisation=unit, report__year=2023, report__period_number=4).values_list(
                "indicator__code", "value"
            )
        )
        codes = [c for c in q3 if q3[c] is not None]
        first, second = list(Indicator.objects.reported_by(OrgKind.UNIT)[:2])
        assert saved[first.code] == 9 and saved[second.code] == 4
        # The rest came from the third quarter.
        assert all(saved.get(code) == q3[code] for code in codes if code not in (first.code, second.code))
