"""Every link between report pages keeps the scope: the range and the approval switch.

Walks the links of each report page opened with a range and include_unapproved=1. The completeness
page has no range or switch of its own (it lists reports, whatever their figures): links to it and
from it carry none.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import enter
from tracker.documents.services import template_create

SCOPED_PAGES = [
    "/reports/forestry/2022/",
    "/reports/forestry/2022/units/",
    "/reports/forestry/trend/",
    "/reports/forestry/2022/review/",
    "/reports/forestry/2022/bulletin/",
    "/reports/forestry/2022/checks/",
]


@pytest.fixture(autouse=True)
def speech(world, bob):
    """Forestry's speech: its review is that document, generated (the review URL leads there)."""
    return template_create(organisation=world["forestry"], name="讲话", user=bob, text="2022年，立案查处8件。")


@pytest.mark.parametrize("page", SCOPED_PAGES)
def test_every_link_to_a_report_page_keeps_the_range_and_the_switch(client, world, bob, page):
    enter(world["organ"], "2022Q1", {"grp_cases_filed": 1})
    client.force_login(bob)
    response = client.get(page + "?through=2022Q3&include_unapproved=1", follow=True)
    assert response.status_code == 200
    checked = 0
    for href in re.findall(r'href="([^"]+)"', response.content.decode()):
        url = urlparse(href.replace("&amp;", "&"))
        parts = url.path.strip("/").split("/")
        # Links into one organisation's report pages (not the index, not the completeness page).
        if len(parts) < 3 or parts[0] != "reports" or url.path.endswith("/completeness/"):
            continue
        query = parse_qs(url.query)
        assert query.get("include_unapproved") == ["1"], f"{page}: {href} drops the switch"
        through = query.get("through", [""])[0]
        assert through.endswith("Q3"), f"{page}: {href} drops the range"
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize("page", SCOPED_PAGES)
def test_the_approval_switch_flips_only_itself(client, world, bob, page):
    """The switch keeps the range and the page's own parameters, and drops an export request."""
    client.force_login(bob)
    html = client.get(page + "?through=2022Q3&sort=name", follow=True).content.decode()
    if "/review/" in page:
        # The review (a generated document) offers the range as a choice beside the switch.
        assert '<option value="2022Q3" selected>' in html
        assert 'name="include_unapproved" value="1"' in html
        return
    if "/bulletin/" in page:
        # The review and the bulletin offer the switch as a checkbox in a form that keeps the range.
        assert '<input type="hidden" name="through" value="2022Q3">' in html
        assert 'name="include_unapproved" value="1"' in html
        return
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'href="(\?[^"]*)"', html)]
    switches = [h for h in hrefs if "include_unapproved=1" in h]
    assert switches, f"{page} has no approval switch"
    for href in switches:
        query = parse_qs(urlparse(href).query)
        assert query["through"] == ["2022Q3"] and "_export" not in query
        assert query.get("sort") == ["name"]


@pytest.mark.parametrize("query", ["include_unapproved=yes", "through=2022Q5", "through=2019Q3"])
@pytest.mark.parametrize("page", [*SCOPED_PAGES, "/api/v1/summary/?org=forestry&year=2022"])
def test_a_bad_scope_value_is_a_400_not_a_default(client, world, bob, page, query):
    client.force_login(bob)
    if page.endswith("/trend/") and query == "through=2019Q3":
        return  # the trend's range names its own last year: 2019 is a good value there
    response = client.get(page + ("&" if "?" in page else "?") + query)
    assert response.status_code == 400, f"{page}?{query}"


# In a template: a link or field that names them. In Python: a string that starts a query with them, or reads one.
SPELLED = {
    ".html": re.compile(r'(include_unapproved|through)=|name="(include_unapproved|through)"'),
    ".py": re.compile(r"""["'][?&]?(include_unapproved|through)=|GET(\.get\(|\[)["'](through|include_unapproved)"""),
}


def test_nothing_but_the_scope_spells_its_parameters():
    """Pages and views render and read the scope through ReportScope (tracker/aggregation/scope.py) only."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*root.glob("templates/**/*.html"), *root.glob("tracker/**/*.py")]:
        if path.name == "scope.py" or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SPELLED[path.suffix].search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
