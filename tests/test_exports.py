"""Excel and CSV downloads of the summary, the per-unit breakdown and the trend.

Same dataset as tests/test_reports_pages.py (see its docstring for the numbers).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.conftest import PASSWORD
from tracker.spreadsheets import neutralise, spreadsheet_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Above the table: the title block (tests/test_exports_office.py checks it); the header row comes next.
HEADER_ROW = 4


def workbook_rows(response) -> list[tuple]:
    """The table: its header row, then its rows (up to the blank row above the notes under it)."""
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW, values_only=True):
        if all(cell is None for cell in row):
            break
        rows.append(row)
    return rows


def ascii_filename(response) -> str:
    """The plain file name offered beside the Chinese one."""
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    return disposition.split('"')[1]


def sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    # A byte-order mark, so that Excel opens the Chinese text as UTF-8.
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def by_name(rows: list, name: str) -> tuple:
    return next(row for row in rows if row[1] == name)


class TestSummaryExport:
    url = "/reports/forestry/2022/"

    def test_it_downloads_xlsx_with_chinese_headers_and_numbers(self, leader_client):
        response = leader_client.get(self.url + "?_export=xlsx")
        assert response.status_code == 200
        assert ascii_filename(response) == "forestry-2022-summary.xlsx"
        rows = workbook_rows(response)
        assert rows[0] == (
            *("板块", "指标", "单位", "2022年", "2021年"),
            *("比上年同期增减", "增减幅度（%）", "未报全单位数", "备注"),
        )
        assert by_name(rows, "立案") == ("审查调查", "立案", "件", 3, 4, -1, -25, 2, None)
        # The lower bound stays a number; the unit keeps the 余 so the row still reads "120余个".
        assert by_name(rows, "督导基层党组织纪检书记和纪检委员开展日常监督")[2:7] == ("余个", 120, 100, 20, 20)
        # Not known is an empty cell, not "—" and not 0.
        assert by_name(rows, "赴一线调研")[3:7] == (5, None, None, None)
        assert by_name(rows, "第一种形态占比")[3] == 94

    def test_it_stores_figures_as_number_cells(self, leader_client):
        ws = sheet(leader_client.get(self.url + "?_export=xlsx"))
        cases = next(row for row in ws.iter_rows() if row[1].value == "立案")
        assert [cell.data_type for cell in cases[3:8]] == ["n"] * 5
        assert isinstance(cases[3].value, int)

    def test_it_neutralises_a_note_that_looks_like_a_formula(self, leader_client):
        ws = sheet(leader_client.get(self.url + "?_export=xlsx"))
        row = next(row for row in ws.iter_rows() if row[1].value == "开展专项监督检查")
        note = row[8]
        assert note.value == "'=1+2"
        assert note.data_type == "s"
        assert not any(cell.data_type == "f" for r in ws.iter_rows() for cell in r)

    def test_it_downloads_csv(self, leader_client):
        response = leader_client.get(self.url + "?_export=csv")
        assert ascii_filename(response) == "forestry-2022-summary.csv"
        rows = csv_rows(response)
        assert rows[0][:5] == ["板块", "指标", "单位", "2022年", "2021年"]
        # Incomplete figures and the changes formed from them carry the pages' marks, as text in a CSV.
        assert by_name(rows, "立案")[3:7] == [
            "3（2个单位未报全）",
            "4（1个单位未报全）",
            "'-1（含未报全数据）",
            "'-25.0（含未报全数据）",
        ]
        assert by_name(rows, "开展专项监督检查")[8] == "'=1+2"

    def test_it_includes_unapproved_reports_when_asked(self, leader_client):
        rows = workbook_rows(leader_client.get(self.url + "?_export=xlsx&include_unapproved=1"))
        assert by_name(rows, "立案")[3] == 8

    def test_it_exports_in_english(self, leader_client):
        leader_client.cookies["django_language"] = "en"
        rows = workbook_rows(leader_client.get(self.url + "?_export=xlsx"))
        assert rows[0][:5] == ("Section", "Indicator", "Unit", "2022", "2021")

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url + "?_export=xlsx").status_code == 404

    def test_it_redirects_anonymous_to_login(self, client, data):
        assert client.get(self.url + "?_export=csv").url.startswith("/accounts/login/")


class TestUnitsExport:
    url = "/reports/forestry/2022/units/"

    def test_it_downloads_a_column_per_unit(self, leader_client):
        response = leader_client.get(self.url + "?_export=xlsx")
        assert ascii_filename(response) == "forestry-2022-units.xlsx"
        rows = workbook_rows(response)
        assert rows[0] == ("板块", "指标", "单位", "局机关", "森林公园", "苗圃", "合计")
        assert by_name(rows, "立案")[3:] == (3, None, None, 3)
        assert by_name(rows, "接收信访举报")[3:] == (10, 5, None, 15)

    def test_it_downloads_what_the_page_shows(self, leader_client):
        rows = workbook_rows(leader_client.get(self.url + "?_export=xlsx&section=四种形态&sort=-total"))
        assert [row[1] for row in rows[1:3]] == ["第一种形态占比", "运用“四种形态”批评教育帮助和处理"]
        assert len(rows) == 1 + 9

    def test_it_neutralises_organisation_names(self, leader_client, data):
        data["park"].short_name = '=HYPERLINK("http://example.com")'
        data["park"].save()
        ws = sheet(leader_client.get(self.url + "?_export=xlsx"))
        header = list(ws[HEADER_ROW])
        assert header[4].value == '\'=HYPERLINK("http://example.com")'
        assert header[4].data_type == "s"

    def test_it_downloads_csv(self, leader_client):
        response = leader_client.get(self.url + "?_export=csv")
        assert ascii_filename(response) == "forestry-2022-units.csv"
        assert by_name(csv_rows(response), "立案")[3:] == ["3", "", "", "3（2个单位未报全）"]

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url + "?_export=xlsx").status_code == 404


class TestTrendExport:
    url = "/reports/forestry/trend/"

    def test_it_downloads_a_column_per_year(self, leader_client):
        response = leader_client.get(self.url + "?_export=xlsx")
        assert ascii_filename(response) == "forestry-trend.xlsx"
        rows = workbook_rows(response)
        assert rows[0] == ("板块", "指标", "单位", "2021年", "2022年")
        assert by_name(rows, "立案")[3:] == (4, 3)
        assert by_name(rows, "督导基层党组织纪检书记和纪检委员开展日常监督")[2:] == ("余个", 100, 120)

    def test_it_neutralises_indicator_names(self, leader_client, indicators):
        indicators["grp_cases_filed"].name_zh = "@SUM(A1:A2)"
        indicators["grp_cases_filed"].save()
        rows = csv_rows(leader_client.get(self.url + "?_export=csv"))
        assert by_name(rows, "'@SUM(A1:A2)")[3:] == ["4（1个单位未报全）", "3（2个单位未报全）"]

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url + "?_export=csv").status_code == 404


class TestNeutralise:
    @pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
    def test_it_prefixes_formula_starts_with_a_quote(self, text):
        assert neutralise(text) == "'" + text

    @pytest.mark.parametrize("text", ["立案", "1+2", "—", "'quoted", ""])
    def test_it_leaves_other_text_alone(self, text):
        assert neutralise(text) == text

    def test_it_keeps_numbers_as_numbers(self):
        assert spreadsheet_cell(-3) == -3
        assert spreadsheet_cell(Decimal("-25.0")) == Decimal("-25.0")
        assert spreadsheet_cell(None) is None
        assert spreadsheet_cell("-3") == "'-3"
