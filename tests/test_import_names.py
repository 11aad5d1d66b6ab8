"""Importing by names (issue 21, point 4): Chinese headers, organisations and indicators by name,
periods as Chinese files write them, the code list and the sample file, the entry page's checks in
the preview, and links to the reports an import wrote."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.conftest import enter, make_user, stored_values
from tracker.catalogue.models import Indicator
from tracker.entry.csvio import ImportFailed, import_csv
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period, PeriodError
from tracker.orgs.models import Organisation, OrgKind, Role
from tracker.web import imports as import_views

HEADER = "单位,期间,指标,数值,备注\n"
# 局机关 by its name, 森林公园 by its short name, a "其中：" indicator without its "其中：".
ROWS = "局机关,2023年第一季度,立案,7,核对后更正\n公园,2023年一季度,检举控告类,3,\n"


def upload(client, content: bytes, name: str = "figures.csv"):
    response = client.post("/entry/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    return response


def errors_of(response) -> list[str]:
    return [str(error) for error in response.context["errors"]]


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPECTED = {
    ("forestry-organ", "2023Q1", "grp_cases_filed"): (7, "核对后更正"),
    ("forestry-park", "2023Q1", "grp_petitions_accusation"): (3, ""),
}


@pytest.fixture
def named(world):
    Organisation.objects.filter(pk=world["park"].pk).update(short_name="公园")
    world["park"].refresh_from_db()
    return world


@pytest.fixture
def clerk(clerk, named):
    return clerk


@pytest.fixture
def city_clerk(client, named):
    """A clerk of the whole city, with a 服务中心 in each group."""
    for group in ("forestry", "water"):
        Organisation.objects.create(
            code=f"{group}-service", name="服务中心", kind=OrgKind.UNIT, parent=named[group], order=9
        )
    client.force_login(make_user("dora", named["city"], Role.CLERK))
    return client


class TestChineseHeadersAndNames:
    def test_it_imports_a_utf8_csv_by_names_and_links_to_the_reports(self, clerk):
        response = upload(clerk, (HEADER + ROWS).encode())
        assert errors_of(response) == []
        changes = [
            (c.row.organisation.code, str(c.row.period), c.row.indicator.code) for c in response.context["changes"]
        ]
        assert changes == [key for key in EXPECTED]
        assert stored_values() == {}

        page = clerk.post("/entry/import/", {"confirm": "1"}, follow=True)
        assert stored_values() == EXPECTED
        html = page.content.decode()
        assert 'href="/entry/forestry-organ/2023Q1/"' in html
        assert 'href="/entry/forestry-park/2023Q1/"' in html
        # Shown once: the page after that has no links.
        assert 'href="/entry/forestry-organ/2023Q1/"' not in clerk.get("/entry/import/").content.decode()

    def test_it_imports_a_gbk_csv_as_excel_saves_it(self, clerk):
        response = upload(clerk, (HEADER + ROWS).encode("gbk"))
        assert errors_of(response) == [] and response.context["may_confirm"]
        clerk.post("/entry/import/", {"confirm": "1"})
        assert stored_values() == EXPECTED

    def test_it_imports_a_workbook_with_a_date_for_a_month(self, clerk):
        content = workbook(
            [
                ["单位", "期间", "指标", "数值", "备注"],
                ["局机关", "2023年第一季度", "立案", 7, "核对后更正"],
                ["公园", "2023Q1", "其中：检举控告类", 3, None],
                # Excel turns 2023年3月 typed in a cell into the date 2023-03-01.
                ["派驻市林业和草原局纪检监察组", datetime.datetime(2023, 3, 1), "开展专项监督检查", 2, None],
            ]
        )
        response = upload(clerk, content, name="figures.xlsx")
        assert errors_of(response) == []
        clerk.post("/entry/import/", {"confirm": "1"})
        assert stored_values() == EXPECTED | {("forestry", "2023-03", "grp_special_inspections"): (2, "")}

    @pytest.mark.parametrize(
        "header",
        [
            "单位名称,报告期,指标名称,数量,说明",
            "组织,时期,指标,数据,备注",
            " 单位 ,期间,指标代码,数值,备注",
            "org,期间,indicator,数值,note",
        ],
    )
    def test_the_header_may_use_synonyms(self, clerk, header):
        response = upload(clerk, (header + "\n" + ROWS).encode())
        assert errors_of(response) == []
        assert len(response.context["changes"]) == 2

    def test_two_names_of_one_column_are_refused(self, clerk):
        response = upload(clerk, ("单位,期间,指标,数值,备注,说明\n" + "局机关,2023,立案,7,,\n").encode())
        assert errors_of(response) == ["第 1 行：表头中的 备注、说明 是同一列，请只保留其中一列。"]

    def test_a_missing_column_names_both_headers(self, clerk):
        response = upload(clerk, "单位,期间,指标,数值\n局机关,2023,立案,7\n".encode())
        (error,) = errors_of(response)
        assert "表头缺少列 note（备注）" in error and "单位,期间,指标,数值,备注" in error

    def test_a_code_and_a_name_of_the_same_figure_are_one_figure_twice(self, clerk):
        response = upload(clerk, (HEADER + "局机关,2023,立案,7,\nforestry-organ,2023年,grp_cases_filed,8,\n").encode())
        assert errors_of(response) == ["第 3 行：此行与第 2 行重复（组织、期间和指标均相同）。"]

    def test_import_values_reads_chinese_headers_and_names(self, named, tmp_path):
        path = tmp_path / "figures.csv"
        path.write_text(HEADER + ROWS, encoding="utf-8-sig")
        out = io.StringIO()
        call_command("import_values", str(path), stdout=out)
        assert stored_values() == EXPECTED
        assert "新增数值 2 个" in out.getvalue()


class TestNamesThatFindNothingOrTooMuch:
    def test_an_ambiguous_organisation_lists_its_candidates(self, city_clerk):
        response = upload(city_clerk, (HEADER + "服务中心,2023,立案,7,\n").encode())
        assert errors_of(response) == [
            "第 2 行：“服务中心”有多个：派驻市林业和草原局纪检监察组/服务中心（forestry-service）、"
            "派驻市水务局纪检监察组/服务中心（water-service），请写代码或全称（如所列，写作“上级单位/名称”）。"
        ]
        assert not response.context.get("may_confirm")

    def test_an_ambiguous_organisation_is_found_under_its_parent(self, city_clerk):
        response = upload(city_clerk, (HEADER + "派驻市水务局纪检监察组/服务中心,2023,立案,7,\n").encode())
        assert errors_of(response) == []
        assert [c.row.organisation.code for c in response.context["changes"]] == ["water-service"]

    def test_one_of_the_names_in_the_users_subtree_is_not_ambiguous(self, city_clerk, alice, client):
        client.force_login(alice)
        response = upload(client, (HEADER + "服务中心,2023,立案,7,\n").encode())
        assert errors_of(response) == []
        assert [c.row.organisation.code for c in response.context["changes"]] == ["forestry-service"]

    def test_an_ambiguous_indicator_lists_its_codes(self, clerk):
        Indicator.objects.filter(code="grp_clues_accepted").update(name_zh="立案")
        response = upload(clerk, (HEADER + "局机关,2023,立案,7,\n").encode())
        assert errors_of(response) == [
            "第 2 行：“立案”有多个指标：立案（grp_clues_accepted）、立案（grp_cases_filed），请写指标代码。"
        ]

    def test_an_unknown_name_suggests_close_ones(self, clerk):
        response = upload(clerk, (HEADER + "森林公圆,2023,受理线索,7,\n").encode())
        assert errors_of(response) == [
            "第 2 行：没有名为“森林公圆”的组织。是否指 “森林公园”？",
            "第 2 行：没有名为“受理线索”的指标。是否指 “受理问题线索”？",
        ]

    def test_a_name_nothing_is_like_suggests_nothing(self, clerk):
        response = upload(clerk, (HEADER + "财政局,2023,立案,7,\n").encode())
        assert errors_of(response) == ["第 2 行：没有名为“财政局”的组织。"]

    @pytest.mark.parametrize("written", ["水务局机关", "派驻市水务局纪检监察组/水务局机关", "派驻市水务局纪检监察组"])
    def test_an_organisation_outside_the_subtree_is_answered_as_one_nobody_has(self, clerk, named, written):
        content = (HEADER + f"{written},2023,立案,7,\n").encode()
        outside = errors_of(upload(clerk, content))
        # The same file once the water group and its unit are called something nobody writes.
        Organisation.objects.filter(code__startswith="water").update(name="别的名称")
        nowhere = errors_of(upload(clerk, content))
        assert outside == nowhere
        assert len(outside) == 1 and f"没有名为“{written}”的组织" in outside[0]
        assert "water" not in outside[0]

    def test_a_bad_period_says_how_to_write_it_in_chinese(self, clerk):
        response = upload(clerk, (HEADER + "局机关,2023年第五季度,立案,7,\n").encode())
        (error,) = errors_of(response)
        assert "“2023年第五季度”不是有效期间" in error and "也可写作 2022年、2022年第一季度 或 2022年3月" in error


@pytest.mark.parametrize(
    "text, period",
    [
        ("2023", "2023"),
        ("2023年", "2023"),
        ("2023年全年", "2023"),
        ("2023年度", "2023"),
        ("2023Q1", "2023Q1"),
        ("2023 q2", "2023Q2"),
        ("2023年第一季度", "2023Q1"),
        ("2023年一季度", "2023Q1"),
        ("2023年第4季度", "2023Q4"),
        ("2023年3月", "2023-03"),
        ("2023年03月", "2023-03"),
        ("2023年十二月", "2023-12"),
        ("２０２３年３月", "2023-03"),
        ("2023-03", "2023-03"),
        ("2023-3", "2023-03"),
    ],
)
def test_periods_as_people_write_them(text, period):
    assert str(Period.parse_written(text)) == period


@pytest.mark.parametrize(
    "text", ["2023年第五季度", "2023年13月", "2023年十三月", "2023-00", "2023.3", "1999年", "上年"]
)
def test_what_is_no_period_is_refused(text):
    with pytest.raises(PeriodError):
        Period.parse_written(text)


def test_each_period_written_in_chinese_reads_back():
    for period_type in ("year", "quarter", "month"):
        for period in Period.all_in_year(2023, period_type):
            assert Period.parse_written(period.written) == period


class TestCodeList:
    def test_it_lists_every_indicator_in_use_and_the_users_organisations(self, clerk, named):
        Indicator.objects.filter(code="grp_clues_shelved").update(active=False)
        response = clerk.get("/entry/import/codes.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        indicators, organisations = book.worksheets
        header = [cell.value for cell in indicators[1]]
        assert header[:4] == ["代码", "中文名称", "英文名称", "计量单位"] and header[-1] == "口径"
        listed = {row[0]: row for row in indicators.iter_rows(min_row=2, values_only=True)}
        active = Indicator.objects.active()
        assert set(listed) == {ind.code for ind in active}
        for ind in active:
            assert listed[ind.code][1] == ind.name_zh
            assert (listed[ind.code][3] or "") == ind.unit
            assert (listed[ind.code][-1] or "") == ind.definition
        assert listed["grp_four_forms_total"][6] == "否：由其他数据计算得出"
        rows = list(organisations.iter_rows(min_row=2, values_only=True))
        assert [row[:3] for row in rows] == [
            ("forestry", "派驻市林业和草原局纪检监察组", None),
            ("forestry-organ", "局机关", None),
            ("forestry-park", "森林公园", "公园"),
        ]

    def test_a_leader_gets_no_code_list_nor_sample(self, client, bob):
        client.force_login(bob)
        assert client.get("/entry/import/codes.xlsx").status_code == 403
        assert client.get("/entry/import/sample.xlsx").status_code == 403

    def test_the_page_links_to_both(self, clerk):
        html = clerk.get("/entry/import/").content.decode()
        assert 'href="/entry/import/codes.xlsx"' in html and 'href="/entry/import/sample.xlsx"' in html


class TestSample:
    def download(self, client) -> bytes:
        response = client.get("/entry/import/sample.xlsx")
        assert response.status_code == 200
        return response.content

    def test_the_sample_holds_the_stored_figures_by_name_and_imports_without_changing_them(self, clerk, named):
        enter(named["organ"], "2023Q2", {"grp_cases_filed": 4, "grp_clues_accepted": 9}, status=None)
        enter(named["park"], "2023", {"grp_cases_filed": 2}, status=None)
        enter(named["park"], "2022", {"grp_cases_filed": 5}, status="approved")
        content = self.download(clerk)
        rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert rows[0] == ("单位", "期间", "指标", "数值", "备注")
        assert set(rows[1:]) == {
            ("局机关", "2023年第二季度", "受理问题线索", 9, None),
            ("局机关", "2023年第二季度", "立案", 4, None),
            ("公园", "2023年", "立案", 2, None),
        }
        before = stored_values()
        response = upload(clerk, content, name="sample.xlsx")
        assert errors_of(response) == [] and response.context["may_confirm"]
        assert response.context["counts"] == {"rows": 3, "new": 0, "changed": 0, "unchanged": 3, "bad": 0}
        clerk.post("/entry/import/", {"confirm": "1"})
        assert stored_values() == before

    def test_without_any_report_the_sample_still_previews_cleanly(self, clerk, named):
        content = self.download(clerk)
        rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert len(rows) > 1 and rows[1][0] in ("局机关", "森林公园")
        response = upload(clerk, content, name="sample.xlsx")
        assert errors_of(response) == [] and response.context["may_confirm"]


class TestChecksInThePreview:
    def test_a_figure_far_from_last_years_is_a_warning_in_the_preview(self, clerk, named):
        enter(named["organ"], "2022", {"grp_cases_filed": 8}, status="approved")
        history = Value.history.count()
        response = upload(clerk, (HEADER + '局机关,2023年,立案,"1,234",\n').encode())
        assert errors_of(response) == [] and response.context["may_confirm"]
        (report,) = response.context["checks"]
        assert report.url == "/entry/forestry-organ/2023/"
        assert [f.figures for f in report.warnings] == [(("grp_cases_filed", "立案"),)]
        html = response.content.decode()
        assert "1,234" in html and "上年同期" in html and "立案" in html
        # The checks saw the figure as imported, then it was rolled back.
        assert not Report.objects.filter(year=2023).exists()
        assert Value.history.count() == history

    def test_a_figure_like_last_years_finds_nothing(self, clerk, named):
        enter(named["organ"], "2022", {"grp_cases_filed": 8}, status="approved")
        response = upload(clerk, (HEADER + "局机关,2023年,立案,9,\n").encode())
        assert response.context["checks"] == []
        assert "均未发现问题" in response.content.decode()

    def test_a_broken_rule_is_an_error_of_its_report(self, clerk, named):
        content = HEADER + "局机关,2023,接收信访举报,2,\n局机关,2023,检举控告类,5,\n"
        response = upload(clerk, content.encode())
        (report,) = response.context["checks"]
        assert report.errors and all(f.is_error for f in report.errors)
        assert "接收信访举报" in " ".join(f.detail for f in report.errors)

    def test_a_large_file_says_how_many_reports_it_left_to_the_entry_pages(self, clerk, named, monkeypatch):
        monkeypatch.setattr(import_views, "CHECKED_REPORTS_MAX", 1)
        enter(named["park"], "2022", {"grp_cases_filed": 8}, status="approved")
        response = upload(clerk, (HEADER + "局机关,2023,立案,9,\n公园,2023,立案,800,\n").encode())
        assert response.context["checked_count"] == 1 and response.context["checks"] == []
        assert "另有 1 份报表未在此校验" in response.content.decode()

    def test_a_period_closed_to_the_clerk_is_a_bad_file_in_the_preview(self, clerk, named, settings):
        settings.PERIOD_CLOSES_AFTER_DAYS = 0
        response = upload(clerk, (HEADER + "局机关,2023,立案,9,\n").encode())
        (error,) = errors_of(response)
        assert "2023年已于" in error and "截止录入" in error and "局机关" in error
        assert not response.context.get("may_confirm")


def test_import_csv_finds_names_only_among_the_organisations_given(named, indicators):
    data = (HEADER + "水务局机关,2023,立案,7,\n").encode()
    with pytest.raises(ImportFailed) as failed:
        import_csv(data, organisations=[named["forestry"], named["organ"], named["park"]])
    assert "没有名为“水务局机关”的组织" in str(failed.value)
    assert import_csv(data, organisations=[named["water_unit"]]).values_created == 1
