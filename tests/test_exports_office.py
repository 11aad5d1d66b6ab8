"""Excel files people hand on: title block, widths, number formats, print set-up, Chinese file names.

Every .xlsx the app makes (the report tables, the checks page, the completeness page) is read back
with openpyxl. Same dataset as tests/test_reports_pages.py (see its docstring), plus a large figure
and a long note where a test needs them.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, enter, make_user, set_status
from tracker.entry.models import Report, Status
from tracker.entry.services import Entry
from tracker.orgs.models import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 4  # three rows of title block, then the table's header
GROUP = "派驻市林业和草原局纪检监察组"
LONG_NOTE = "赴基层林场、苗圃和森林公园开展实地调研，召开座谈会听取意见建议，形成调研报告并提出整改建议十二条"


def enter_again(org, year: int, figures: dict) -> None:
    """More figures in an approved yearly report: opened again as a draft, then approved again."""
    set_status(Report.objects.filter(organisation=org, year=year, period_type="year"), Status.DRAFT)
    enter(org, str(year), figures)


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def title_block(sheet) -> list[str]:
    return [sheet.cell(row=n, column=1).value for n in range(1, HEADER_ROW)]


def header(sheet) -> tuple:
    return tuple(cell.value for cell in sheet[HEADER_ROW])


def row_of(sheet, column: int, text: str) -> tuple:
    """The cells of the first table row whose `column` (1-based) reads `text`."""
    return next(row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[column - 1].value == text)


def wide(text: str) -> int:
    """How wide Excel draws text, in widths of "0": a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def filenames(response) -> tuple[str, str]:
    """(the ASCII fallback, the UTF-8 name) of the Content-Disposition header."""
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    params = dict(part.split("=", 1) for part in disposition.removeprefix("attachment; ").split("; "))
    charset, _, quoted = params["filename*"].partition("''")
    assert charset.lower() == "utf-8"
    return params["filename"].strip('"'), unquote(quoted)


def generated_at(line: str) -> datetime:
    assert line.startswith("生成时间：")
    naive = datetime.strptime(line.removeprefix("生成时间："), "%Y-%m-%d %H:%M")
    return timezone.make_aware(naive)


class TestTitleBlock:
    url = "/reports/forestry/2022/"

    def test_it_heads_the_table_with_organisation_range_approval_and_time(self, leader_client):
        sheet = workbook(leader_client.get(self.url, {"_export": "xlsx"}))
        title, scope, made = title_block(sheet)
        assert title == f"{GROUP} · 年度汇总"
        assert scope == "2022年 · 仅含已审核"
        # The local (Asia/Shanghai) time the file was made, to the minute.
        assert abs(generated_at(made) - timezone.now()) < timedelta(minutes=2)
        assert header(sheet)[:5] == ("板块", "指标", "单位", "2022年", "2021年")
        assert sheet.cell(row=HEADER_ROW + 1, column=1).value == "信访举报"

    def test_it_says_when_unapproved_reports_are_counted(self, leader_client):
        sheet = workbook(leader_client.get(self.url, {"_export": "xlsx", "include_unapproved": "1"}))
        assert title_block(sheet)[1] == "2022年 · 含未审核"

    def test_it_heads_a_shorter_range_as_bulletins_do(self, leader_client):
        sheet = workbook(leader_client.get("/reports/forestry/2022/units/", {"_export": "xlsx", "through": "2022Q3"}))
        assert title_block(sheet)[:2] == [f"{GROUP} · 分单位", "2022年前三季度 · 仅含已审核"]

    def test_the_trend_names_its_years(self, leader_client):
        sheet = workbook(leader_client.get("/reports/forestry/trend/", {"_export": "xlsx"}))
        assert title_block(sheet)[:2] == [f"{GROUP} · 历年趋势", "2021年至2022年 · 仅含已审核"]

    def test_the_title_spans_the_table(self, leader_client):
        sheet = workbook(leader_client.get(self.url, {"_export": "xlsx"}))
        merged = {str(cells) for cells in sheet.merged_cells.ranges}
        assert {"A1:I1", "A2:I2", "A3:I3"} <= merged
        assert sheet["A1"].font.bold

    def test_it_speaks_english(self, leader_client):
        leader_client.cookies["django_language"] = "en"
        sheet = workbook(leader_client.get(self.url, {"_export": "xlsx"}))
        assert title_block(sheet)[1] == "2022 · Approved only"
        assert title_block(sheet)[2].startswith("Generated: ")


class TestLayout:
    @pytest.fixture
    def figures(self, data):
        enter_again(data["organ"], 2022, {"grp_petitions_received": 12345})
        enter_again(data["forestry"], 2022, {"grp_field_research_trips": Entry(5, LONG_NOTE)})
        return data

    def test_columns_are_wide_enough_for_the_longest_chinese_cell(self, leader_client, figures):
        sheet = workbook(leader_client.get("/reports/forestry/2022/units/", {"_export": "xlsx"}))
        body = list(sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=sheet.max_row - 3))  # less the notes
        sections = [row[0].value for row in body]
        assert None not in sections
        assert sheet.column_dimensions["A"].width >= max(wide(s) for s in sections) > max(map(len, sections))
        # The indicators: as wide as the longest name that fits on one line of a capped column
        # (about 20 Chinese characters); a longer one wraps.
        width = sheet.column_dimensions["B"].width
        assert width <= 50
        names = [row[1] for row in body]
        assert width >= max(wide(cell.value) for cell in names if wide(cell.value) <= 40)
        for cell in names:
            assert wide(cell.value) <= width or cell.alignment.wrap_text, cell.value
        # A unit's column fits its name.
        assert header(sheet)[4] == "森林公园" and sheet.column_dimensions["E"].width >= wide("森林公园")

    def test_a_long_note_wraps_within_a_capped_column(self, leader_client, figures):
        sheet = workbook(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        row = row_of(sheet, 2, "赴一线调研")
        note = row[8]
        assert note.value == LONG_NOTE
        width = sheet.column_dimensions["I"].width
        assert width < wide(LONG_NOTE)
        assert 30 <= width <= 50
        assert note.alignment.wrap_text and note.alignment.horizontal == "left"
        # Tall enough for every line (LibreOffice does not fit a row to wrapped text by itself).
        assert sheet.row_dimensions[note.row].height >= 15 * (wide(LONG_NOTE) // width + 1)

    def test_numbers_are_right_aligned_with_thousands_separators(self, leader_client, figures):
        sheet = workbook(leader_client.get("/reports/forestry/2022/units/", {"_export": "xlsx"}))
        petitions = row_of(sheet, 2, "接收信访举报")
        total = petitions[-1]
        assert total.value == 12350 and total.data_type == "n"
        # 苗圃 entered nothing: the total is a number that prints its mark through its format.
        assert total.number_format == '#,##0"（1个单位未报全）"'
        assert petitions[3].number_format == "#,##0"  # a unit's own, complete figure
        assert total.alignment.horizontal == "right"
        assert petitions[1].alignment.horizontal == "left"

    def test_a_share_with_a_fraction_keeps_its_decimal(self, leader_client):
        sheet = workbook(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        cases = row_of(sheet, 2, "立案")
        change_percent = cases[6]
        assert change_percent.value == -25
        # Formed from incomplete figures (both years): still a number, its mark in the format.
        assert change_percent.number_format == '#,##0.0"（含未报全数据）"'
        assert change_percent.alignment.horizontal == "right"
        assert cases[5].number_format.startswith('#,##0"')  # the change itself, a whole number

    def test_the_header_row_is_bold_filled_and_bordered(self, leader_client):
        sheet = workbook(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        for cell in sheet[HEADER_ROW]:
            assert cell.font.bold, cell.coordinate
            assert cell.fill.fill_type == "solid", cell.coordinate
            assert cell.border.bottom.style == "thin" and cell.border.left.style == "thin", cell.coordinate
        assert not sheet.cell(row=HEADER_ROW + 1, column=1).font.bold


class TestPrinting:
    def test_the_per_unit_table_prints_every_column_on_a4_landscape(self, leader_client):
        sheet = workbook(leader_client.get("/reports/forestry/2022/units/", {"_export": "xlsx"}))
        assert header(sheet)[-1] == "合计"
        setup = sheet.page_setup
        assert int(setup.paperSize) == 9  # A4
        assert setup.orientation == "landscape"
        # Every column on the width of the page, as many pages down as it takes.
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == f"$1:${HEADER_ROW}"
        assert sheet.page_margins.left <= 1

    def test_the_per_unit_table_is_landscape_even_when_narrow(self, client, data):
        client.force_login(make_user("lin", data["city"], Role.LEADER))
        sheet = workbook(client.get("/reports/water/2022/units/", {"_export": "xlsx"}))
        assert header(sheet) == ("板块", "指标", "单位", "水务局机关", "合计")
        assert sheet.page_setup.orientation == "landscape"

    def test_a_narrow_table_prints_portrait(self, leader_client, data):
        # Every unit's figures complete: no marks widen the columns.
        Report.objects.filter(organisation=data["nursery"]).delete()
        data["nursery"].delete()
        enter_again(data["park"], 2022, {"grp_cases_filed": 0})
        enter_again(data["park"], 2021, {"grp_cases_filed": 2})
        sheet = workbook(leader_client.get("/reports/forestry/trend/", {"_export": "xlsx", "section": "审查调查"}))
        assert len(header(sheet)) == 5
        assert sheet.page_setup.orientation == "portrait", [sheet.column_dimensions[c].width for c in "ABCDE"]
        assert int(sheet.page_setup.paperSize) == 9
        assert sheet.print_title_rows == f"$1:${HEADER_ROW}"


class TestFileNames:
    def test_the_file_has_a_chinese_name_and_an_ascii_fallback(self, leader_client):
        response = leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"})
        assert filenames(response) == ("forestry-2022-summary.xlsx", f"{GROUP}-2022年-年度汇总.xlsx")

    def test_the_name_carries_the_range(self, leader_client):
        response = leader_client.get("/reports/forestry/2022/units/", {"_export": "xlsx", "through": "2022Q3"})
        assert filenames(response) == ("forestry-2022Q3-units.xlsx", f"{GROUP}-2022年前三季度-分单位.xlsx")

    def test_the_csv_gets_the_same_treatment(self, leader_client):
        response = leader_client.get("/reports/forestry/2022/units/", {"_export": "csv"})
        assert filenames(response) == ("forestry-2022-units.csv", f"{GROUP}-2022年-分单位.csv")

    def test_characters_a_file_name_cannot_hold_are_replaced(self, leader_client, data):
        data["forestry"].name = '林业/草原"纪检"组'
        data["forestry"].save()
        _, name = filenames(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        assert name == "林业_草原_纪检_组-2022年-年度汇总.xlsx"


class TestCsv:
    def test_it_stays_a_plain_table_with_its_bom(self, leader_client):
        response = leader_client.get("/reports/forestry/2022/", {"_export": "csv"})
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff板块,指标,单位,2022年,2021年,")
        assert "生成时间" not in text and GROUP not in text and "仅含已审核" not in text


class TestFormulaLikeText:
    def test_the_title_block_neutralises_an_organisation_name(self, leader_client, data):
        data["forestry"].name = '=HYPERLINK("http://example.com")'
        data["forestry"].save()
        sheet = workbook(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        assert sheet["A1"].value == '\'=HYPERLINK("http://example.com") · 年度汇总'
        assert sheet["A1"].data_type == "s"

    def test_a_note_stays_text(self, leader_client):
        sheet = workbook(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        assert row_of(sheet, 2, "开展专项监督检查")[8].value == "'=1+2"
        assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


class TestCompletenessExport:
    url = "/reports/forestry/2022/completeness/"

    def test_the_page_offers_it(self, leader_client):
        assert 'href="?_export=xlsx"' in leader_client.get(self.url).content.decode()

    def test_it_lists_every_unit_and_period_with_its_status(self, leader_client, data):
        enter(data["organ"], "2023Q1", {"grp_cases_filed": 1}, status="submitted")
        response = leader_client.get(self.url, {"_export": "xlsx"})
        sheet = workbook(response)
        title, scope, made = title_block(sheet)
        assert title == f"{GROUP} · 报送情况"
        # A list of reports whatever their status: nothing to say about approval.
        assert scope == "2022年"
        generated_at(made)
        assert header(sheet) == (
            "组织",
            "报送周期",
            "期间",
            "状态",
            "截止日期",
            "报送时间",
            "是否按时",
            "最后保存人",
            "最后保存时间",
        )
        rows = [row[:4] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        assert ("局机关", "年度", "2022年", "已审核") in rows
        assert ("苗圃", "年度", "2022年", "已提交") in rows
        assert (GROUP, "年度", "2022年", "已审核") in rows
        assert filenames(response) == ("forestry-2022-completeness.xlsx", f"{GROUP}-2022年-报送情况.xlsx")
        assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows == f"$1:${HEADER_ROW}"
        assert sheet.column_dimensions["A"].width >= wide(GROUP)

    def test_a_quarterly_unit_has_a_row_per_quarter(self, leader_client, data):
        enter(data["organ"], "2023Q1", {"grp_cases_filed": 1}, status="submitted")
        sheet = workbook(leader_client.get("/reports/forestry/2023/completeness/", {"_export": "xlsx"}))
        organ = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[0] == "局机关"]
        assert [row[2:4] for row in organ] == [
            ("2023年第1季度", "已提交"),
            ("2023年第2季度", "未报"),
            ("2023年第3季度", "未报"),
            ("2023年第4季度", "未报"),
        ]

    def test_it_neutralises_an_organisation_name(self, leader_client, data):
        data["park"].name = "@SUM(A1:A2)"
        data["park"].save()
        sheet = workbook(leader_client.get(self.url, {"_export": "xlsx"}))
        assert row_of(sheet, 1, "'@SUM(A1:A2)")[0].data_type == "s"

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url, {"_export": "xlsx"}).status_code == 404


class TestChecksExport:
    url = "/reports/forestry/2022/checks/"

    @pytest.fixture
    def broken(self, data):
        enter_again(data["park"], 2022, {"grp_petitions_received": 2, "grp_petitions_accusation": 5})
        return data

    def test_it_has_the_title_block_and_layout(self, leader_client, broken):
        response = leader_client.get(self.url, {"_export": "xlsx"})
        sheet = workbook(response)
        title, scope, made = title_block(sheet)
        assert (title, scope) == (f"{GROUP} · 数据校验", "2022年 · 仅含已审核")
        generated_at(made)
        assert header(sheet) == ("组织", "严重程度", "规则", "表达式", "左值", "右值", "结果")
        row = next(
            row
            for row in sheet.iter_rows(min_row=HEADER_ROW + 1)
            if row[2].value == "“其中：检举控告类”不能超过“接收信访举报”。" and row[6].value == "未通过"
        )
        assert (row[0].value, row[4].value, row[5].value, row[6].value) == ("森林公园", 5, 2, "未通过")
        assert row[4].number_format == "#,##0" and row[4].alignment.horizontal == "right"
        assert row[0].alignment.horizontal == "left"
        assert sheet.page_setup.orientation == "landscape"  # seven columns
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert filenames(response) == ("forestry-2022-checks.xlsx", f"{GROUP}-2022年-数据校验.xlsx")

    def test_it_says_when_unapproved_reports_are_counted(self, leader_client, broken):
        sheet = workbook(leader_client.get(self.url, {"_export": "xlsx", "include_unapproved": "1"}))
        assert title_block(sheet)[1] == "2022年 · 含未审核"


def test_the_layout_sits_below_every_app():
    """tracker/spreadsheets.py lays out every app's downloads, so it imports none of them."""
    import ast
    from pathlib import Path

    import tracker.spreadsheets

    tree = ast.parse(Path(tracker.spreadsheets.__file__).read_text(encoding="utf-8"))
    modules = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    modules += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert modules and not [name for name in modules if name.startswith("tracker")]


def test_another_export_format_shows_the_page(leader_client):
    response = leader_client.get("/reports/forestry/2022/", {"_export": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
