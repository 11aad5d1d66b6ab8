"""User text (notes, organisation names, review names, rule messages, people's names) is
escaped on every page and neutralised in every export."""

from __future__ import annotations

import csv
import io
import re

import docx
import openpyxl
import pytest
from django.utils.html import format_html

from tests.conftest import make_user, set_status
from tests.test_authorisation import CHECKED, build, forestry_template
from tracker.checks.models import Rule
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period
from tracker.entry.services import Entry, values_save_for_period
from tracker.orgs.models import OrganisationText, Role
from tracker.reports.tables import TrendTable, indicator_row
from tracker.workflow.models import ReportTransition

ORG_NAME = "=HYPERLINK(\"http://x\")<script>alert('org')</script>"
NOTE = "=1+1<script>alert('note')</script>"
RULE_MESSAGE = "<script>alert('rule')</script>立案数不能超过受理数"
TEXT = "<script>alert('text')</script>"
PERSON = "<script>alert('person')</script>"
FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture
def hostile(world, indicators, alice):
    organ = world["organ"]
    organ.name = ORG_NAME
    organ.save()
    alice.first_name = PERSON
    alice.save()
    OrganisationText.objects.create(organisation=world["forestry"], key="txt_sector", text=TEXT)
    Rule.objects.filter(key="cases-le-clues").update(message=RULE_MESSAGE)
    for year in (2021, 2022):
        report, _ = values_save_for_period(
            organisation=organ,
            period=Period.parse(str(year)),
            entries={
                indicators["grp_cases_filed"]: Entry(5, NOTE),
                indicators["grp_clues_accepted"]: Entry(2, NOTE),
            },
            user=alice,
        )
    ReportTransition.objects.create(
        report=report, action="submit", from_status="draft", to_status="submitted", user=alice, reason=NOTE
    )
    set_status(Report.objects, Status.APPROVED)
    forestry_template(world, text=f"{TEXT}立案4件，{NOTE}。")
    return report


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"{where}: inline script"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"{where}: inline event handler"


@pytest.mark.parametrize("route, name", CHECKED, ids=[name for _, name in CHECKED])
def test_every_page_escapes_user_text(client, hostile, world, route, name):
    reviewer = make_user("rose", world["forestry"], Role.REVIEWER)
    client.force_login(reviewer)
    response = client.get(build(route, name), {"include_unapproved": "1"} if "?" not in build(route, name) else None)
    if response.get("Content-Type", "").startswith("text/html"):
        assert_escaped(response.content.decode(), name)


def test_the_hostile_text_does_reach_the_pages(client, hostile, bob):
    """So that the test above is not passing on pages that never show the text."""
    client.force_login(bob)
    summary = client.get("/reports/forestry-organ/2022/").content.decode()
    assert "&lt;script&gt;alert(&#x27;note&#x27;)" in summary
    entry = client.get("/entry/forestry-organ/2022/").content.decode()
    assert "&lt;script&gt;alert(&#x27;rule&#x27;)" in entry
    assert "&lt;script&gt;alert(&#x27;person&#x27;)" in entry
    units = client.get("/reports/forestry/2022/units/").content.decode()
    assert "&lt;script&gt;alert(&#x27;org&#x27;)" in units
    review = client.get("/reports/forestry/2022/review/", follow=True).content.decode()
    assert "&lt;script&gt;alert(&#x27;text&#x27;)" in review


def xlsx_strings(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]


@pytest.mark.parametrize(
    "url",
    [
        "/reports/forestry-organ/2022/",
        "/reports/forestry/2022/units/",
        "/reports/forestry/trend/",
        "/reports/forestry/2022/checks/",
    ],
)
def test_spreadsheets_never_start_a_cell_with_a_formula(client, hostile, bob, url):
    client.force_login(bob)
    xlsx = client.get(url, {"_export": "xlsx"})
    assert xlsx.status_code == 200
    strings = xlsx_strings(xlsx.content)
    assert not [s for s in strings if s.startswith(FORMULA_START)]
    if url != "/reports/forestry/2022/checks/":
        rows = list(csv.reader(io.StringIO(client.get(url, {"_export": "csv"}).content.decode("utf-8-sig"))))
        assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]


def test_user_text_in_the_spreadsheets_is_kept_as_text(client, hostile, bob):
    client.force_login(bob)
    strings = xlsx_strings(client.get("/reports/forestry/2022/units/", {"_export": "xlsx"}).content)
    assert "'" + ORG_NAME in strings


def test_the_word_document_holds_the_text_as_text(client, hostile, bob):
    client.force_login(bob)
    document = docx.Document(io.BytesIO(client.get("/reports/forestry/2022/review.docx", follow=True).content))
    assert TEXT in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("trusted_first", [True, False])
def test_a_table_cell_is_escaped_whatever_cell_came_before_it(rf, indicators, trusted_first):
    """A report table escapes each distinct text once (tables.ReportTable.body_rows): a trusted fragment
    and user text that read the same still come out one as markup, the other escaped."""
    indicator = indicators["grp_cases_filed"]
    trusted = indicator_row(indicator) | {"name": format_html("<i>{}</i>", "x")}
    user_text = indicator_row(indicator) | {"name": "<i>x</i>"}
    rows = [trusted, user_text] if trusted_first else [user_text, trusted]
    html = TrendTable(rows, ranges=[]).as_html(rf.get("/"))
    assert html.count('<td class="indicator"><i>x</i></td>') == 1
    assert html.count('<td class="indicator">&lt;i&gt;x&lt;/i&gt;</td>') == 1
