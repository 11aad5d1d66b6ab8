"""Every link between report pages keeps the scope: the range and the approval switch.

Walks the links of each report page opened with a range and include_unapproved=1. The completeness
page has no range or switch of its own (it lists reports, whatever their figures): links to it and
from it carry none.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import enter

SCOPED_PAGES = [
    "/reports/forestry/2022/",
    "/reports/forestry/2022/units/",
    "/reports/forestry/trend/",
    "/reports/forestry/2022/review/",
    "/reports/forestry/2022/checks/",
]


@pytest.mark.parametrize("page", SCOPED_PAGES)
def test_every_link_to_a_report_page_keeps_the_range_and_the_switch(client, world, bob, page):
    enter(world["organ"], "2022Q1", {"grp_cases_filed": 1})
    client.force_login(bob)
    response = client.get(page + "?through=2022Q3&include_unapproved=1")
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
