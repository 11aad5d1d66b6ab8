"""Totals right by construction: derived per reporter and period first, ranges, 同期, incomplete marks, shares."""

from __future__ import annotations

import io
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from django.urls import reverse

from tests.conftest import accept, enter
from tracker.aggregation.yearly import Aggregator
from tracker.entry.periods import Period, Range

pytestmark = pytest.mark.django_db

TOTAL = "grp_reminder_letters_proposals"  # a derived total that may be typed when not split
LETTERS, PROPOSALS = "grp_reminder_letters", "grp_discipline_proposals"


def q(year: int, n: int) -> Range:
    return Range(year, Period(year, "quarter", n))


def row_cells(html: str, row_id: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [td.text_content().strip() for td in tree.xpath(f'//tr[@id="{row_id}"]/td')]


@pytest.fixture
def leader_client(client, world, django_user_model):
    from tests.conftest import make_user
    from tracker.orgs.models import Role

    client.force_login(make_user("leader", world["city"], Role.LEADER))
    return client


class TestTypedTotalsAndParts:
    def test_a_typed_total_and_parts_entered_elsewhere_add_up(self, world):
        # The forestry group types the total; the water group enters the parts.
        enter(world["forestry"], "2023", {TOTAL: 10})
        enter(world["water"], "2023", {LETTERS: 3, PROPOSALS: 4})
        # What the groups approved, whether or not the commission has accepted it yet.
        city = Aggregator(world["city"], [2023], include_unaccepted=True).org_year(world["city"], 2023)
        figure = city.figures[TOTAL]
        assert figure.value == 17
        assert figure.missing == 0
        # The parts themselves are known for the water group only, and say so.
        assert city.figures[LETTERS].value == 3 and city.figures[LETTERS].missing == 1

    def test_a_typed_quarter_and_a_split_quarter_add_up(self, world):
        enter(world["forestry"], "2023Q1", {TOTAL: 10})
        enter(world["forestry"], "2023Q2", {LETTERS: 3, PROPOSALS: 4})
        half = Aggregator(world["forestry"], [q(2023, 2)]).figures_for(world["forestry"], q(2023, 2))
        assert half.figures[TOTAL].value == 17
        assert half.figures[TOTAL].missing == 0
        # Over the whole year Q3 and Q4 are missing: the same 17, marked.
        year = Aggregator(world["forestry"], [2023]).org_year(world["forestry"], 2023)
        assert (year.figures[TOTAL].value, year.figures[TOTAL].missing) == (17, 1)

    def test_the_summary_page_and_json_show_17_without_a_mark(self, world, leader_client):
        enter(world["forestry"], "2023", {TOTAL: 10})
        enter(world["water"], "2023", {LETTERS: 3, PROPOSALS: 4})
        accept(world["forestry"], "2023")
        accept(world["water"], "2023")
        html = leader_client.get(reverse("reports:summary", args=["city", 2023]) + "?through=2023").content.decode()
        assert row_cells(html, f"row-{TOTAL}")[2] == "17"
        data = leader_client.get(reverse("api:summary") + "?org=city&year=2023&through=2023").json()
        assert data["derived"][TOTAL] == 17
        assert TOTAL not in data["units_missing"]


class TestIncomplete:
    @pytest.fixture
    def q1_only(self, world):
        # The organ has entered 2023 Q1 only; the park the whole year by quarter. 2022 complete for both.
        for unit in (world["organ"], world["park"]):
            for n in range(1, 5):
                enter(unit, f"2022Q{n}", {"grp_petitions_received": 10, "grp_cases_filed": 1})
        enter(world["organ"], "2023Q1", {"grp_petitions_received": 4, "grp_cases_filed": 1})
        for n in range(1, 5):
            enter(world["park"], f"2023Q{n}", {"grp_petitions_received": 5, "grp_cases_filed": 0})
        return world

    def test_a_unit_with_q1_only_is_incomplete_on_the_summary(self, q1_only, leader_client):
        html = leader_client.get(reverse("reports:summary", args=["forestry", 2023]) + "?through=2023").content.decode()
        cells = row_cells(html, "row-grp_petitions_received")
        assert cells[2] == "24（1个单位未报全）"  # 4 + 20, the organ has Q1 only
        assert cells[3] == "80"

    def test_the_units_own_page_marks_it_too(self, q1_only, leader_client):
        html = leader_client.get(
            reverse("reports:summary", args=["forestry-organ", 2023]) + "?through=2023"
        ).content.decode()
        assert row_cells(html, "row-grp_petitions_received")[2] == "4（1个单位未报全）"

    def test_the_json_counts_it(self, q1_only, leader_client):
        data = leader_client.get(reverse("api:summary") + "?org=forestry&year=2023&through=2023").json()
        assert data["values"]["grp_petitions_received"] == 24
        assert data["units_missing"]["grp_petitions_received"] == 1
        assert data["through"] == "2023" and data["range"] == "全年"

    def test_a_document_lists_it_as_incomplete(self, q1_only):
        from tracker.documents.generate import generate
        from tracker.documents.models import DocumentTemplate, TemplateVersion
        from tracker.entry.periods import Range

        # A speech printing cases filed (立案): 1 from the organ's Q1 and 0 from the park.
        template = DocumentTemplate.objects.create(organisation=q1_only["forestry"], name="讲话")
        version = TemplateVersion.objects.create(
            template=template,
            number=1,
            text="立案查处8件。",
            bindings=[{"start": 4, "end": 5, "found": "8", "binding": "grp_cases_filed"}],
        )
        review = generate(version, q1_only["forestry"], Range.full(2023))
        incomplete = {gap.code: gap for gap in review.incomplete}
        assert [p.organisation.code for p in incomplete["grp_cases_filed"].enter_at] == ["forestry-organ"]
        assert "grp_cases_filed" not in {gap.code for gap in review.missing}

    def test_through_q1_both_are_complete_and_compared_with_q1_last_year(self, q1_only, leader_client):
        html = leader_client.get(
            reverse("reports:summary", args=["forestry", 2023]) + "?through=2023Q1"
        ).content.decode()
        assert row_cells(html, "row-grp_petitions_received")[2:6] == ["9", "20", "-11", "-55.0%"]
        assert "2023年一季度" in html and "2022年一季度" in html


class TestRanges:
    """A hand-computed dataset: monthly reporting, compared with the same months last year."""

    @pytest.fixture
    def monthly(self, world):
        for month in range(1, 13):
            enter(world["organ"], f"2022-{month:02d}", {"grp_clues_accepted": month})  # 1..12
        for month in range(1, 10):
            enter(world["organ"], f"2023-{month:02d}", {"grp_clues_accepted": 2 * month})  # 2..18
        return world

    def test_through_a_month_sums_the_months_and_compares_like_with_like(self, monthly, leader_client):
        data = leader_client.get(reverse("api:summary") + "?org=forestry-organ&year=2023&through=2023-09").json()
        assert data["values"]["grp_clues_accepted"] == 90  # 2 + 4 + … + 18
        assert data["previous"]["grp_clues_accepted"] == 45  # 1 + … + 9, not the whole of 2022 (78)
        assert (data["through"], data["range"]) == ("2023-09", "1—9月")
        html = leader_client.get(
            reverse("reports:summary", args=["forestry-organ", 2023]) + "?through=2023-09"
        ).content.decode()
        assert row_cells(html, "row-grp_clues_accepted")[2:6] == ["90", "45", "+45", "+100.0%"]
        assert "2023年1—9月" in html

    def test_through_a_quarter_end_with_monthly_reports(self, monthly, leader_client):
        data = leader_client.get(reverse("api:summary") + "?org=forestry-organ&year=2023&through=2023Q2").json()
        assert data["values"]["grp_clues_accepted"] == 42  # 2 + 4 + … + 12
        assert data["previous"]["grp_clues_accepted"] == 21
        assert data["range"] == "上半年"

    def test_a_yearly_reporter_has_no_quarterly_range(self, world, leader_client):
        enter(world["organ"], "2022", {"grp_clues_accepted": 12})
        response = leader_client.get(reverse("reports:summary", args=["forestry-organ", 2022]) + "?through=2022Q3")
        html = response.content.decode()
        assert "按年度填报" in html
        assert row_cells(html, "row-grp_clues_accepted")[2] == "—"

    def test_the_current_year_defaults_to_its_last_ended_quarter(self, monthly, leader_client, monkeypatch):
        import datetime

        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2023, 11, 27))
        data = leader_client.get(reverse("api:summary") + "?org=forestry-organ&year=2023").json()
        assert (data["through"], data["range"]) == ("2023Q3", "前三季度")
        assert data["values"]["grp_clues_accepted"] == 90
        html = leader_client.get(reverse("reports:summary", args=["forestry-organ", 2023])).content.decode()
        assert "2023年前三季度" in html
        # Links between the pages keep the range.
        assert "through=2023Q3" in html

    @pytest.mark.parametrize("through", ["2022Q3", "2023Q5", "abc", "2023-13"])
    def test_a_bad_range_is_refused(self, world, leader_client, through):
        page = leader_client.get(reverse("reports:summary", args=["forestry", 2023]), {"through": through})
        assert page.status_code == 400
        api = leader_client.get(reverse("api:summary"), {"org": "forestry", "year": 2023, "through": through})
        assert api.status_code == 400 and api.json()["error"]

    def test_the_trend_compares_the_same_range_every_year(self, monthly, leader_client):
        html = leader_client.get(
            reverse("reports:trend", args=["forestry-organ"]) + "?through=2023-09&same_range=1"
        ).content.decode()
        assert "2022年1—9月" in html and "2023年1—9月" in html
        assert row_cells(html, "row-grp_clues_accepted")[2:4] == ["45", "90"]

    def test_the_trends_earlier_years_are_whole_beside_the_range_of_the_last(self, monthly, leader_client):
        html = leader_client.get(
            reverse("reports:trend", args=["forestry-organ"]) + "?through=2023-09"
        ).content.decode()
        assert ">2022年</a></th>" in html and ">2023年1—9月</a></th>" in html
        assert row_cells(html, "row-grp_clues_accepted")[2:4] == ["78", "90"]  # 1 + … + 12; 2 + … + 18

    def test_the_export_carries_the_range(self, monthly, leader_client):
        response = leader_client.get(
            reverse("reports:summary", args=["forestry-organ", 2023]), {"through": "2023-09", "_export": "xlsx"}
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[4]]  # below the title block
        assert "2023年1—9月" in header and "2022年1—9月" in header
        row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "受理问题线索")
        assert row[header.index("2023年1—9月")] == 90


class TestShares:
    def test_every_exact_breakdowns_shares_add_up_to_100(self, world, leader_client):
        enter(
            world["organ"],
            "2022",
            {
                "grp_clues_handled": 7,
                "grp_clues_talk_inquiry": 3,
                "grp_clues_initial_verification": 2,
                "grp_clues_shelved": 1,
                "grp_clues_closed": 1,
                "grp_petitions_received": 71,
                "grp_petitions_letter": 16,
                "grp_petitions_visit": 22,
                "grp_petitions_phone": 13,
                "grp_petitions_online": 20,
                "grp_form1_person_times": 1,
                "grp_form2_person_times": 1,
                "grp_form3_person_times": 1,
                "grp_form4_person_times": 0,
            },
        )
        data = leader_client.get(reverse("api:summary") + "?org=forestry&year=2022").json()
        exact = {whole: b for whole, b in data["breakdowns"].items() if b["relation"] == "exact"}
        assert {"grp_petitions_received", "grp_four_forms_total"} <= set(exact)
        for whole in ("grp_petitions_received", "grp_four_forms_total"):
            parts = exact[whole]["parts"].values()
            assert sum(p["whole"] for p in parts) == 100, whole
            assert round(sum(Decimal(str(p["one_decimal"])) for p in parts), 1) == Decimal("100.0"), whole
        letter = exact["grp_petitions_received"]["parts"]["grp_petitions_letter"]
        assert letter == {"value": 16, "whole": 23, "one_decimal": 22.5}  # "来信16件，占22.5%"
        # A 其中 part is its own percentage of the whole, not forced to add up.
        assert data["breakdowns"]["grp_petitions_received:within"]["relation"] == "within"
        # The clues' methods (谈话函询 in 件次 of clues in 件) add up only about: figures, and no shares.
        clues = data["breakdowns"]["grp_clues_handled:approx"]
        assert (clues["relation"], clues["whole"], clues["rounding"]) == ("approx", 7, None)
        assert clues["parts"]["grp_clues_talk_inquiry"] == {"value": 3, "whole": None, "one_decimal": None}


class TestReviewOverARange:
    def test_the_review_page_and_word_file_name_the_range(self, world, leader_client):
        import docx

        from tracker.documents.models import DocumentTemplate, TemplateVersion

        template = DocumentTemplate.objects.create(organisation=world["forestry"], name="讲话")
        text = "2022年工作回顾\n2022年，立案查处8件。"
        bindings = [
            {"start": 0, "end": 5, "found": "2022年", "binding": "range"},
            {"start": 10, "end": 15, "found": "2022年", "binding": "range"},
            {"start": 20, "end": 21, "found": "8", "binding": "grp_cases_filed"},
        ]
        TemplateVersion.objects.create(template=template, number=1, text=text, bindings=bindings)
        for month in range(1, 10):
            enter(world["organ"], f"2023-{month:02d}", {"grp_cases_filed": 1})
        url = reverse("review", args=["forestry", 2023])
        response = leader_client.get(url, {"through": "2023-09"}, follow=True)
        html = response.content.decode()
        tree = lxml.html.fromstring(html)
        assert tree.xpath("//h1")[0].text_content().strip().endswith("2023年1—9月 · 讲话")
        assert tree.xpath('//*[@id="review-text"]/h2')[0].text_content() == "2023年1—9月工作回顾"
        assert "2023年1—9月，立案查处9件（1个单位未报全）。" in tree.xpath('//*[@id="review-text"]')[0].text_content()
        # The Word link, and the ‹ › links to other years, keep the range.
        assert "document.docx?through=2023-09" in html
        assert "/2022/?through=2022-09" in html
        response = leader_client.get(
            reverse("review_docx", args=["forestry", 2023]), {"through": "2023-09"}, follow=True
        )
        assert "2023-09-document" in response["Content-Disposition"]
        assert docx.Document(io.BytesIO(response.content)).paragraphs[0].text == "2023年1—9月工作回顾"
