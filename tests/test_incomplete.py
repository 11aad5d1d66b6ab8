"""Incomplete is never silent: a figure added up from incomplete reports, and every change and share
formed from one, carries a mark wherever it is printed.

The forestry group over 2023 前三季度: 局机关 has entered its three quarters (12 petitions), 森林公园
none, so the group's 12 is one unit's figure. Last year both entered every quarter (10 in all).
"""

from __future__ import annotations

import io

import docx
import pytest

from tests.conftest import enter
from tracker.documents.models import Draft
from tracker.documents.services import bindings_save, template_create

TEXT = "2023年前三季度，共接收信访举报12件次，同比上升20.0%。"
RANGE = "?through=2023Q3"


@pytest.fixture
def partial_year(world, indicators):
    for quarter, (organ, park) in enumerate(((3, 0), (3, 0), (4, 0)), start=1):
        enter(world["organ"], f"2022Q{quarter}", {"grp_petitions_received": organ})
        enter(world["park"], f"2022Q{quarter}", {"grp_petitions_received": park})
        enter(world["organ"], f"2023Q{quarter}", {"grp_petitions_received": 4})


@pytest.fixture
def bulletin(world, bob, partial_year):
    """A leader's own bulletin template with the figure and its change bound."""
    template = template_create(organisation=world["forestry"], name="季度通报", user=bob, text=TEXT, kind="bulletin")
    version = template.current
    chosen = {}
    for slot in version.bindings:
        if slot["found"] == "12":
            chosen[slot["start"]] = "grp_petitions_received"
        elif slot["found"].startswith("上升"):
            chosen[slot["start"]] = "grp_petitions_received:change_pct"
        elif slot["found"].startswith("2023"):
            chosen[slot["start"]] = "year"
        else:
            chosen[slot["start"]] = ""
    bindings_save(version, user=bob, chosen=chosen)
    return template


def _docx_text(response) -> str:
    assert response.status_code == 200
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


class TestGeneratedDocument:
    def url(self, template):
        return f"/documents/{template.pk}/forestry/2023/{RANGE}"

    def test_the_page_highlights_and_lists_the_partial_figures(self, leader, bulletin):
        response = leader.get(self.url(bulletin))
        html = response.content.decode()
        assert response.context["result"].text == (
            "2023年前三季度，共接收信访举报12件次（1个单位未报全），同比上升20.0%（含未报全数据）。"
        )
        assert '<mark class="partial"' in html
        # Listed with the unit that has not reported, linked to its entry page.
        section = html[html.index('id="incomplete"') :]
        assert "接收信访举报" in section and "森林公园" in section
        assert "/entry/forestry-park/2023" in section

    def test_the_word_file_carries_the_bulletins_words(self, leader, bulletin):
        text = _docx_text(leader.get(f"/documents/{bulletin.pk}/forestry/2023/document.docx{RANGE}"))
        assert "共接收信访举报12件次（1个单位未报全），同比上升20.0%（含未报全数据）" in text

    def test_the_leader_may_choose_to_print_them_as_they_stand(self, leader, bulletin):
        page = leader.get(self.url(bulletin))
        leader.post(self.url(bulletin), {"text": page.context["editor_text"], "as_they_stand": "1"})
        draft = Draft.objects.get()
        assert draft.as_they_stand
        assert draft.text == "2023年前三季度，共接收信访举报12件次，同比上升20.0%。"
        # The page says who chose so, and still lists the figures; the Word file prints them as they stand.
        html = leader.get(self.url(bulletin)).content.decode()
        assert 'id="as-they-stand"' in html and "森林公园" in html
        text = _docx_text(leader.get(f"/documents/{bulletin.pk}/forestry/2023/document.docx{RANGE}"))
        assert "共接收信访举报12件次，同比上升20.0%。" in text and "未报全" not in text

    def test_complete_figures_carry_no_mark(self, leader, bulletin, world):
        for quarter in (1, 2, 3):
            enter(world["park"], f"2023Q{quarter}", {"grp_petitions_received": 0})
        response = leader.get(self.url(bulletin))
        assert response.context["result"].text == TEXT
        assert 'id="incomplete"' not in response.content.decode()


class TestPages:
    def test_the_summarys_change_says_it_compares_an_incomplete_figure(self, leader, partial_year):
        html = leader.get(f"/reports/forestry/2023/{RANGE}").content.decode()
        row = html[html.index('id="row-grp_petitions_received"') :]
        row = row[: row.index("</tr>")]
        assert '12<span class="unreported">（1个单位未报全）</span>' in row
        assert "+2（含未报全数据）" in row and "+20.0%（含未报全数据）" in row

    def test_the_start_pages_headline_and_its_change_are_marked(self, leader, partial_year):
        html = leader.get(f"/{RANGE}").content.decode()
        assert "（1个单位未报全）" in html
        assert "（含未报全数据）" in html

    def test_the_json_says_which_side_is_incomplete(self, leader, partial_year):
        body = leader.get("/api/v1/summary/?org=forestry&year=2023&through=2023Q3").json()
        assert body["units_missing"]["grp_petitions_received"] == 1
        assert "grp_petitions_received" not in body["previous_units_missing"]
        assert body["changes"]["grp_petitions_received"] == {"absolute": 2, "percent": 20.0, "partial": True}


class TestDownloads:
    def test_the_excel_file_keeps_the_number_and_prints_the_mark(self, leader, partial_year):
        import openpyxl

        response = leader.get(f"/reports/forestry/2023/{RANGE}&_export=xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        row = next(r for r in sheet.iter_rows() if r[1].value == "接收信访举报")
        this, last, absolute = row[3], row[4], row[5]
        assert (this.value, this.data_type) == (12, "n")
        assert this.number_format.endswith('"（1个单位未报全）"')
        assert last.value == 10 and last.number_format == "#,##0"
        assert absolute.value == 2 and absolute.number_format.endswith('"（含未报全数据）"')
        notes = [r[0].value for r in sheet.iter_rows(min_row=row[0].row) if r[0].value and "未报全" in str(r[0].value)]
        assert notes and "（2个单位未报全）" in notes[-1]

    def test_the_csv_writes_the_mark_beside_the_number(self, leader, partial_year):
        import csv

        text = leader.get(f"/reports/forestry/2023/{RANGE}&_export=csv").content.decode("utf-8-sig")
        row = next(r for r in csv.reader(io.StringIO(text)) if r[1] == "接收信访举报")
        assert row[3:7] == ["12（1个单位未报全）", "10", "2（含未报全数据）", "20.0（含未报全数据）"]
