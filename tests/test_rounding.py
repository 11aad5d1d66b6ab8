"""Percentages round as offices and calculators do (四舍五入, half away from zero), everywhere.

16 → 15 cases is a fall of 6.25 %: printed 下降6.3%, never Decimal's half-to-even 6.2 %; 80 → 81 is a
rise of 1.25 %: 上升1.3%. One function computes it (catalogue.figures.percent); the pages, the
downloads and the bulletin's Word file all print what it gives.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import docx
import openpyxl
import pytest

from tests.conftest import enter
from tracker.catalogue.figures import change, percent


class TestPercent:
    @pytest.mark.parametrize(
        "part, whole, decimals, expected",
        [
            (-1, 16, 1, "-6.3"),  # −6.25
            (1, 80, 1, "1.3"),  # 1.25
            (1, 400, 1, "0.3"),  # 0.25
            (-1, 400, 1, "-0.3"),
            (1, 8, 0, "13"),  # 12.5
            (3, 8, 0, "38"),  # 37.5
            (52, 56, 1, "92.9"),  # 92.857…
            (-1, 10000, 1, "0.0"),  # rounds to nothing: no "−0.0"
            (1, 3, 1, "33.3"),
        ],
    )
    def test_it_rounds_half_away_from_zero(self, part, whole, decimals, expected):
        assert str(percent(part, whole, decimals)) == expected

    def test_a_change_at_the_tie(self):
        assert change(15, 16).percent == Decimal("-6.3")
        assert change(81, 80).percent == Decimal("1.3")

    def test_a_huge_figure_is_exact(self):
        # 10^12 + 1 parts in 2·10^12: 50.00000000005 %, still 50.0; a float would not say so for larger ones.
        assert percent(10**12 + 1, 2 * 10**12) == Decimal("50.0")
        assert percent(125 * 10**20, 10**24, 1) == Decimal("1.3")


@pytest.fixture
def ties(world, indicators):
    """The forestry group's cases: 16 in 2022, 15 in 2023 (−6.25 %); petitions 80 → 81 (+1.25 %)."""
    for unit, cases, petitions in ((world["organ"], (10, 9), (50, 51)), (world["park"], (6, 6), (30, 30))):
        enter(unit, "2022", {"grp_cases_filed": cases[0], "grp_petitions_received": petitions[0]})
        enter(unit, "2023", {"grp_cases_filed": cases[1], "grp_petitions_received": petitions[1]})


@pytest.fixture
def leader(leader, ties):
    return leader


def test_the_summary_prints_the_offices_rounding(leader):
    html = leader.get("/reports/forestry/2023/").content.decode()
    assert "-6.3%" in html and "-6.2%" not in html
    assert "1.3%" in html and ">1.2%" not in html


def test_the_bulletin_page_and_its_word_file(leader):
    html = leader.get("/reports/forestry/2023/bulletin/").content.decode()
    assert "同比下降6.3%" in html and "6.2%" not in html
    assert "同比上升1.3%" in html
    document = docx.Document(io.BytesIO(leader.get("/reports/forestry/2023/bulletin.docx").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "同比下降6.3%" in text and "同比上升1.3%" in text and "6.2%" not in text


def test_the_exports(leader):
    rows = list(csv.reader(io.StringIO(leader.get("/reports/forestry/2023/?_export=csv").content.decode("utf-8-sig"))))
    cases = next(row for row in rows if "立案" in row)
    petitions = next(row for row in rows if "接收信访举报" in row)
    assert "-6.3" in cases and "1.3" in petitions
    book = openpyxl.load_workbook(io.BytesIO(leader.get("/reports/forestry/2023/?_export=xlsx").content))
    cells = [row for row in book.active.iter_rows(values_only=True) if "立案" in row]
    assert cells and any(value in (Decimal("-6.3"), -6.3) for value in cells[0]), cells


class TestSharesSayHowTheyAreRounded:
    """An exact breakdown's shares add up to 100 by the largest remainder: 52 of 56 may print 92.8% where a
    calculator gives 92.9%. Every page, download and document printing them says so."""

    NOTE = "注：占比按最大余额法修约，合计为100%。"

    @pytest.fixture
    def forms(self, world, indicators):
        figures = {
            "grp_form1_person_times": 52,
            "grp_form2_person_times": 2,
            "grp_form3_person_times": 1,
            "grp_form4_person_times": 1,
        }
        enter(world["organ"], "2023", figures)
        enter(world["park"], "2023", dict.fromkeys(figures, 0))

    def test_the_summary(self, client, bob, forms):
        client.force_login(bob)
        html = client.get("/reports/forestry/2023/").content.decode()
        assert self.NOTE in html

    def test_the_bulletin_page_and_word_file(self, client, bob, forms):
        client.force_login(bob)
        assert self.NOTE in client.get("/reports/forestry/2023/bulletin/").content.decode()
        document = docx.Document(io.BytesIO(client.get("/reports/forestry/2023/bulletin.docx").content))
        assert document.paragraphs[-1].text == self.NOTE

    def test_the_json(self, client, bob, forms):
        client.force_login(bob)
        body = client.get("/api/v1/summary/?org=forestry&year=2023").json()
        rounding = {key: block["rounding"] for key, block in body["breakdowns"].items()}
        assert rounding["grp_four_forms_total"] == "largest_remainder"

    def test_a_generated_document_printing_a_share(self, client, bob, world, forms):
        from tracker.documents.services import template_create

        template = template_create(organisation=world["forestry"], name="通报", user=bob, text="第一种形态占93%。")
        client.force_login(bob)
        response = client.get(f"/documents/{template.pk}/forestry/2023/")
        assert response.context["result"].shares_printed, response.context["result"].text
        assert self.NOTE in response.content.decode()
