"""A phone works: at 390×844 no page scrolls sideways, and no word wraps one character a line.

Each demo role opens its pages in Chromium at a phone's size. For every page the test measures the
document's scroll width (it must be the screen's), looks for any short text squeezed into a box
narrower than two characters (a name or a button broken one character a line), and on the pages with
a wide table checks that the table scrolls inside its own box with its first column fixed.
Screenshots of every page land in the test's output folder.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import browser_log_in
from tracker.demo.world import demo_password
from tracker.documents.models import DocumentTemplate
from tracker.entry.models import Report
from tracker.orgs.models import OrgKind

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Leaf elements of at least two characters in a box under 2.2 characters wide and at least three
# lines tall: text broken one or two characters a line ("剩/5/天", "派/驻/市…").
SQUEEZED = r"""() => {
  const found = [];
  for (const el of document.querySelectorAll('a, button, th, td, label, h1, h2, h3, summary, li, span, p, dt, dd')) {
    const text = (el.innerText || '').trim();
    if (text.length < 2 || el.offsetParent === null || el.children.length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const box = el.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(el).lineHeight) || 1.5 * size;
    const lines = box.height / line;
    if (box.width > 0 && ((lines >= 1.8 && box.width < 1.6 * size) || (lines >= 2.8 && box.width < 2.2 * size))) {
      found.push(text.slice(0, 20));
    }
  }
  return found;
}"""

WIDE_TABLE = r"""(selector) => {
  const table = document.querySelector(selector);
  const first = table.querySelector('tbody tr td:first-child, tbody tr th:first-child');
  return {
    scrolls: table.scrollWidth > table.clientWidth,
    overflow: getComputedStyle(table).overflowX,
    first: getComputedStyle(first).position,
  };
}"""


def latest(org_code: str) -> str:
    report = Report.objects.filter(organisation__code=org_code).order_by("-year", "-period_number").first()
    return str(report.period)


def pages_of(role: str) -> list[str]:
    unit_period = latest("forestry-farm")
    year = int(unit_period[:4]) - 1
    group_period = unit_period
    speech = DocumentTemplate.objects.filter(organisation__code="forestry").order_by("pk").first().pk
    return {
        "demo-clerk": ["/", f"/entry/forestry-farm/{unit_period}/", f"/entry/grid/forestry/{group_period}/", "/help/"],
        "demo-reviewer": [
            "/",
            f"/entry/forestry/{group_period}/",
            "/entry/acceptance/",
            f"/reports/forestry/{year}/completeness/",
        ],
        "demo-leader": [
            "/",
            f"/reports/forestry/{year}/",
            f"/reports/forestry/{year}/units/",
            "/reports/forestry/trend/",
            f"/reports/forestry/{year}/bulletin/",
            "/documents/",
            f"/documents/{speech}/forestry/{year}/",
            f"/documents/{speech}/bind/",
            "/help/indicators/",
        ],
        "demo-city-leader": ["/", f"/reports/city/{year}/", f"/reports/city/{year}/units/"],
    }[role]


@pytest.mark.parametrize("user", ["demo-clerk", "demo-reviewer", "demo-leader", "demo-city-leader"])
def test_every_page_fits_a_phone(page: Page, live_server, demo_world, shots, user):
    assert Report.objects.filter(organisation__kind=OrgKind.UNIT).exists()
    page.set_viewport_size(PHONE)
    paths = pages_of(user)
    browser_log_in(page, live_server.url, user, demo_password(), paths[0])
    problems = []
    for number, path in enumerate(paths):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        shots(page, f"{number}-{path.strip('/').replace('/', '-') or 'start'}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: the page is {width} px wide")
        squeezed = page.evaluate(SQUEEZED)
        if squeezed:
            problems.append(f"{path}: one character a line: {squeezed[:5]}")
    assert not problems, "\n".join(problems)


def test_a_wide_table_scrolls_in_its_own_box_with_its_first_column_fixed(page: Page, live_server, demo_world):
    page.set_viewport_size(PHONE)
    year = int(latest("forestry-farm")[:4]) - 1
    path = f"/reports/forestry/{year}/units/"
    browser_log_in(page, live_server.url, "demo-leader", demo_password(), path)
    table = page.evaluate(WIDE_TABLE, "table.report")
    assert table == {"scrolls": True, "overflow": "auto", "first": "sticky"}
    # Scrolled to its far right, the table still shows each row's name on the left.
    page.evaluate("document.querySelector('table.report').scrollLeft = 10000")
    name = page.locator("table.report tbody tr td:first-child").first
    assert 0 <= name.bounding_box()["x"] < 40
    # On a desktop the same table is an ordinary table: nothing changes there.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate("getComputedStyle(document.querySelector('table.report')).display") == "table"
