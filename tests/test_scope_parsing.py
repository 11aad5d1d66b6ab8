"""Every page that takes an organisation, year, range or approval switch reads them the same way.

The pages parse them through tracker.web.scope: a malformed value is the same 400 error page on
every page (the JSON answers it in JSON), and an organisation that does not exist or lies outside
the user's is the same 404. Nothing is quietly replaced by a default.
"""

from __future__ import annotations

import pytest

from tests.conftest import enter
from tracker.documents.services import template_create

# The pages that read the scope from the query, with a query each answers with a redirect or a
# page, and the names of the parameters it takes. "{pk}" is the forestry speech's template.
QUERY_PAGES = {
    "reports index": ("/reports/", {"org": "forestry", "year": "2022", "range": "Q3"}),
    "document chooser": ("/documents/{pk}/go/", {"org": "forestry", "year": "2022", "range": "Q3"}),
    "entry chooser": ("/entry/", {"org": "forestry", "year": "2022", "period": "Q3"}),
    "acceptance overview": ("/entry/acceptance/", {"year": "2022"}),
    "json": ("/api/v1/summary/", {"org": "forestry", "year": "2022", "through": "2022Q3"}),
}

# The pages with the organisation and year in the path: they read the range and the switches.
PATH_PAGES = [
    "/reports/forestry/2022/",
    "/reports/forestry/2022/units/",
    "/reports/forestry/trend/",
    "/reports/forestry/2022/bulletin/",
    "/reports/forestry/2022/bulletin.docx",
    "/reports/forestry/2022/checks/",
    "/reports/forestry/2022/completeness/",
    "/reports/forestry/2022/review/",
    "/reports/forestry/2022/review.docx",
    "/documents/{pk}/forestry/2022/",
    "/documents/{pk}/forestry/2022/document.docx",
]

# Bad values of each parameter; a page is sent those of the parameters it takes.
BAD = {
    "org": ["", "no such code", "forestry/../water"],
    "year": ["abc", "99999", "1999", "２０２２", "2022.5"],
    "range": ["Q9", "Q4", "2022Q3"],
    "through": ["2023Q9", "2022-13", "abc"],
    "include_unapproved": ["yes", "2"],
    "include_unaccepted": ["yes"],
}

QUERY_CASES = [
    pytest.param(page, name, value, id=f"{page}-{name}={value}")
    for page, (_, good) in QUERY_PAGES.items()
    for name in BAD
    if name in good
    for value in BAD[name]
]
# The switches on the pages that count figures by approval.
QUERY_CASES += [
    pytest.param(page, name, value, id=f"{page}-{name}={value}")
    for page in ("reports index", "document chooser", "json")
    for name in ("include_unapproved",)
    for value in BAD[name]
]

PATH_CASES = [
    pytest.param(url, name, value, id=f"{url}-{name}={value}")
    for url in PATH_PAGES
    for name in ("through", "include_unapproved", "include_unaccepted")
    for value in BAD[name]
    # The acceptance switch is read on every page, and refused when malformed, as the approval switch.
]


@pytest.fixture
def scope_world(world, bob):
    enter(world["organ"], "2022Q1", {"grp_cases_filed": 1})
    speech = template_create(organisation=world["forestry"], name="讲话", user=bob, text="2022年，立案查处8件。")
    return speech.pk


def assert_the_400(response, url):
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        assert set(response.json()) == {"error"}, url
    else:
        assert [t.name for t in response.templates][0] == "error.html", url
        assert response.context["status"] == 400, url


@pytest.mark.parametrize(("page", "name", "value"), QUERY_CASES)
def test_a_bad_value_in_the_query_is_the_same_400_on_every_page(client, bob, scope_world, page, name, value):
    client.force_login(bob)
    url, good = QUERY_PAGES[page]
    url = url.format(pk=scope_world)
    # The good query is answered (so that the 400 is the bad value's, not the page's).
    assert client.get(url, good).status_code in (200, 302), url
    assert_the_400(client.get(url, {**good, name: value}), url)


@pytest.mark.parametrize(("url", "name", "value"), PATH_CASES)
def test_a_bad_range_or_switch_is_the_same_400_on_every_page(client, bob, scope_world, url, name, value):
    client.force_login(bob)
    url = url.format(pk=scope_world)
    assert client.get(url, {"through": "2022Q3"}).status_code in (200, 302), url
    assert_the_400(client.get(url, {"through": "2022Q3", name: value}), url)


@pytest.mark.parametrize("page", [page for page, (_, good) in QUERY_PAGES.items() if "org" in good])
@pytest.mark.parametrize("code", ["nowhere", "water"])
def test_an_unknown_or_unreachable_organisation_is_the_same_404(client, bob, scope_world, page, code):
    """Another group's organisation and one that does not exist are not told apart."""
    client.force_login(bob)
    url, good = QUERY_PAGES[page]
    response = client.get(url.format(pk=scope_world), {**good, "org": code})
    assert response.status_code == 404


def test_the_document_chooser_no_longer_turns_a_bad_range_into_the_year(client, bob, scope_world):
    client.force_login(bob)
    url = f"/documents/{scope_world}/go/"
    assert client.get(url, {"org": "forestry", "year": "2022", "range": "Q3"}).url == (
        f"/documents/{scope_world}/forestry/2022/?through=2022Q3"
    )
    assert client.get(url, {"org": "forestry", "year": "2022", "range": "Q9"}).status_code == 400


@pytest.mark.parametrize(
    ("url", "query"),
    [
        # The menu's 报表 without an organisation, and the entry chooser opened from a link with one.
        ("/reports/", {"year": "abc"}),
        ("/reports/", {"range": "Q9"}),
        ("/entry/", {"org": "no such code"}),
        ("/entry/", {"org": "forestry", "year": "99999"}),
    ],
)
def test_a_partial_query_is_read_the_same_way(client, bob, scope_world, url, query):
    client.force_login(bob)
    assert_the_400(client.get(url, query), url)


def test_the_entry_chooser_opened_from_a_link_preselects_the_organisation(client, bob, scope_world):
    client.force_login(bob)
    response = client.get("/entry/", {"org": "forestry-park"})
    assert response.status_code == 200
    assert response.context["form"]["org"].value() == "forestry-park"
    assert client.get("/entry/", {"org": "water"}).status_code == 404
