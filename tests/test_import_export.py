"""CSV import and export of figures (`import_values`, `export_values`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.conftest import enter, make_user, set_status, stored_values
from tracker.catalogue.models import Indicator
from tracker.entry.csvio import COLUMNS, ImportFailed, import_csv
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import Period, PeriodError
from tracker.entry.services import Entry, Source, check_period_type, parse_figure
from tracker.orgs.models import Role

# Entered by a supervised unit, by a group, and computed.
UNIT_A, UNIT_B, UNIT_C = "grp_petitions_received", "grp_cases_filed", "grp_form1_person_times"
GROUP_A = "grp_field_research_trips"
CITY_A = "city_cases_filed"
DERIVED = "grp_four_forms_total"

GOOD = ["forestry-park", "2022Q1", UNIT_A, "5", ""]


@pytest.fixture(autouse=True)
def _zh():
    with translation.override("zh-hans"):
        yield


def write_csv(tmp_path: Path, rows, header=COLUMNS, name="values.csv", bom: bool = False) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def run_import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_values", str(path), *args, stdout=out)
    return out.getvalue()


def import_error(path: Path) -> str:
    with pytest.raises(CommandError) as excinfo:
        run_import(path)
    return str(excinfo.value)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def figures(world):
    """Stored figures across the tree, with a 0, an unknown-with-a-note and another year."""
    enter(world["organ"], "2022Q1", {UNIT_A: 12, UNIT_B: 0, UNIT_C: Entry(None, "待核实")}, status=None)
    enter(world["organ"], "2022Q2", {UNIT_A: 3038, UNIT_B: Entry(2, "含上年线索2件")}, status=None)
    enter(world["park"], "2022", {UNIT_A: 7}, status=None)
    enter(world["forestry"], "2022-03", {GROUP_A: 4}, status=None)
    enter(world["water_unit"], "2022Q1", {UNIT_A: 1}, status=None)
    enter(world["city"], "2022", {CITY_A: 99}, status=None)
    enter(world["organ"], "2021Q4", {UNIT_A: 8}, status=None)
    return world


class TestExport:
    def test_it_writes_the_subtree_for_the_year_in_order(self, figures, tmp_path):
        out = tmp_path / "out.csv"
        call_command("export_values", "--org", "forestry", "--year", "2022", "--output", str(out), stdout=io.StringIO())
        rows = read_csv(out)
        assert rows[0] == list(COLUMNS)
        assert rows[1:] == [
            ["forestry", "2022-03", GROUP_A, "4", ""],
            ["forestry-organ", "2022Q1", UNIT_A, "12", ""],
            ["forestry-organ", "2022Q1", UNIT_B, "0", ""],
            ["forestry-organ", "2022Q1", UNIT_C, "", "待核实"],
            ["forestry-organ", "2022Q2", UNIT_A, "3038", ""],
            ["forestry-organ", "2022Q2", UNIT_B, "2", "含上年线索2件"],
            ["forestry-park", "2022", UNIT_A, "7", ""],
        ]

    def test_it_writes_to_stdout_without_output(self, figures):
        out = io.StringIO()
        call_command("export_values", "--org", "forestry-park", "--year", "2022", stdout=out)
        assert list(csv.reader(io.StringIO(out.getvalue()))) == [
            list(COLUMNS),
            ["forestry-park", "2022", UNIT_A, "7", ""],
        ]

    def test_an_unknown_organisation_is_refused(self, world):
        with pytest.raises(CommandError, match="没有代码为“nowhere”的组织"):
            call_command("export_values", "--org", "nowhere", "--year", "2022", stdout=io.StringIO())


class TestRoundTrip:
    def test_export_then_import_into_an_empty_database_gives_the_same_figures(self, figures, tmp_path):
        out = tmp_path / "all.csv"
        call_command("export_values", "--org", "city", "--year", "2022", "--output", str(out), stdout=io.StringIO())
        before = {key: value for key, value in stored_values().items() if key[1].startswith("2022")}
        assert before[("forestry-organ", "2022Q1", UNIT_B)] == (0, "")
        assert before[("forestry-organ", "2022Q1", UNIT_C)] == (None, "待核实")

        Value.objects.all().delete()
        Report.objects.all().delete()
        summary = run_import(out)

        assert stored_values() == before
        assert "新建报表 6 份" in summary
        assert f"新增数值 {len(before)} 个" in summary

    def test_importing_the_export_again_changes_nothing(self, figures, tmp_path):
        out = tmp_path / "all.csv"
        call_command("export_values", "--org", "city", "--year", "2022", "--output", str(out), stdout=io.StringIO())
        before, history = stored_values(), Value.history.count()
        summary = run_import(out)
        assert stored_values() == before
        assert Value.history.count() == history
        assert "修改 0 个" in summary


class TestImport:
    def test_it_creates_reports_and_values(self, world, tmp_path):
        path = write_csv(
            tmp_path,
            [
                ["forestry-organ", "2022Q1", UNIT_A, "12", ""],
                ["forestry-organ", "2022Q1", UNIT_B, "0", "零"],
                ["forestry-organ", "2022Q1", UNIT_C, "", "待核实"],
                ["forestry", "2022", GROUP_A, "3", ""],
            ],
        )
        summary = run_import(path)
        assert stored_values() == {
            ("forestry-organ", "2022Q1", UNIT_A): (12, ""),
            ("forestry-organ", "2022Q1", UNIT_B): (0, "零"),
            ("forestry-organ", "2022Q1", UNIT_C): (None, "待核实"),
            ("forestry", "2022", GROUP_A): (3, ""),
        }
        assert "共读取 4 行" in summary
        assert "新建报表 2 份" in summary

    def test_it_changes_stored_figures_and_leaves_the_others_alone(self, world, tmp_path):
        report = enter(world["organ"], "2022Q1", {UNIT_A: 12, UNIT_B: 4}, status=None)
        path = write_csv(
            tmp_path,
            [["forestry-organ", "2022Q1", UNIT_A, "13", "更正"], ["forestry-organ", "2022Q1", UNIT_C, "1", ""]],
        )
        summary = run_import(path)
        assert stored_values() == {
            ("forestry-organ", "2022Q1", UNIT_A): (13, "更正"),
            ("forestry-organ", "2022Q1", UNIT_B): (4, ""),
            ("forestry-organ", "2022Q1", UNIT_C): (1, ""),
        }
        assert "修改报表 1 份" in summary
        report.refresh_from_db()
        assert report.revision == 2  # the entry page's stale-save check sees the import

    def test_an_empty_value_clears_a_stored_figure_to_unknown(self, world, tmp_path):
        enter(world["organ"], "2022Q1", {UNIT_A: 12}, status=None)
        run_import(write_csv(tmp_path, [["forestry-organ", "2022Q1", UNIT_A, "", ""]]))
        assert Value.objects.get().value is None

    @pytest.mark.parametrize("typed, figure", [("１２", 12), ("3,038", 3038), ("３，０３８", 3038), (" 7 ", 7)])
    def test_it_is_forgiving_where_people_are(self, world, tmp_path, typed, figure):
        run_import(write_csv(tmp_path, [["forestry-organ", "2022Q1", UNIT_A, typed, ""]]))
        assert Value.objects.get().value == figure

    def test_it_accepts_a_utf8_bom_lowercase_periods_and_blank_lines(self, world, tmp_path):
        path = write_csv(
            tmp_path, [["forestry-organ", "2022q1", UNIT_A, "1", "备注"], [], ["", "", "", "", ""]], bom=True
        )
        run_import(path)
        assert stored_values() == {("forestry-organ", "2022Q1", UNIT_A): (1, "备注")}

    def test_it_records_the_audit_history_as_an_import(self, world, tmp_path):
        importer = make_user("dora", world["city"], Role.ADMIN)
        enter(world["organ"], "2022Q1", {UNIT_A: 12}, status=None)
        path = write_csv(
            tmp_path, [["forestry-organ", "2022Q1", UNIT_A, "13", ""], ["forestry-organ", "2022Q1", UNIT_B, "2", ""]]
        )
        run_import(path, "--user", "dora")
        history = Value.history.filter(history_change_reason=Source.IMPORT)
        assert sorted((h.indicator.code, h.value, h.history_type) for h in history) == [
            (UNIT_B, 2, "+"),
            (UNIT_A, 13, "~"),
        ]
        assert {h.history_user for h in history} == {importer}
        assert {v.updated_by for v in Value.objects.all()} == {importer}

    def test_without_user_the_history_names_nobody(self, world, tmp_path):
        run_import(write_csv(tmp_path, [GOOD]))
        assert Value.history.get(history_change_reason="import").history_user is None

    def test_an_unknown_user_is_refused(self, world, tmp_path):
        with pytest.raises(CommandError, match="没有用户名为“nobody”的用户"):
            run_import(write_csv(tmp_path, [GOOD]), "--user", "nobody")
        assert not Value.objects.exists()

    def test_a_dry_run_writes_nothing_but_says_what_would_change(self, world, tmp_path):
        summary = run_import(write_csv(tmp_path, [GOOD]), "--dry-run")
        assert "试运行" in summary
        assert "新增数值 1 个" in summary
        assert not Report.objects.exists()
        assert not Value.history.exists()

    def test_a_missing_file_is_refused(self, world, tmp_path):
        with pytest.raises(CommandError, match="无法读取"):
            run_import(tmp_path / "missing.csv")

    def test_a_note_over_several_lines_keeps_the_line_numbers_of_the_file(self, world, tmp_path):
        path = write_csv(
            tmp_path,
            [
                ["forestry-organ", "2022Q1", UNIT_A, "1", "第一行\n第二行"],
                ["forestry-organ", "2022Q1", UNIT_B, "-1", ""],
            ],
        )
        assert "第 4 行" in import_error(path)

    def test_the_functions_serve_a_web_upload_limited_to_the_users_organisations(self, world):
        data = "\ufefforg,period,indicator,value,note\r\nwater-organ,2022Q1,grp_petitions_received,1,\r\n".encode()
        with pytest.raises(ImportFailed) as excinfo:
            import_csv(data, organisations=[world["forestry"], world["organ"], world["park"]])
        assert [e.line for e in excinfo.value.errors] == [2]
        assert "没有代码为“water-organ”的组织" in excinfo.value.errors[0].message
        assert import_csv(data, organisations=[world["water_unit"]]).values_created == 1


def _period_error(text: str) -> str:
    try:
        Period.parse(text)
    except PeriodError as exc:
        return str(exc)
    raise AssertionError(text)


def _figure_error(text: str) -> str:
    try:
        parse_figure(text)
    except ValidationError as exc:
        return exc.messages[0]
    raise AssertionError(text)


def _annual_conflict(world) -> str:
    try:
        check_period_type(organisation=world["organ"], period=Period.parse("2022Q3"))
    except ValidationError as exc:
        return exc.messages[0]
    raise AssertionError("no conflict")


def _stored_annual(world) -> None:
    enter(world["organ"], "2022", {UNIT_A: 40}, status=None)


def _locked(status):
    def setup(world) -> None:
        report = enter(world["organ"], "2022Q3", {UNIT_A: 40}, status=None)
        set_status(Report.objects.filter(pk=report.pk), status)

    return setup


def _inactive(world) -> None:
    Indicator.objects.filter(code=UNIT_B).update(active=False)


# id -> (setup, the bad row (line 3, after a good one), the reason the error names)
BAD_ROWS = {
    "unknown organisation": (None, ["nowhere", "2022Q1", UNIT_A, "1", ""], lambda w: "没有代码为“nowhere”的组织"),
    "missing organisation": (None, ["", "2022Q1", UNIT_A, "1", ""], lambda w: "缺少组织代码"),
    "unknown indicator": (
        None,
        ["forestry-organ", "2022Q1", "no_such", "1", ""],
        lambda w: "没有代码为“no_such”的指标",
    ),
    "inactive indicator": (_inactive, ["forestry-organ", "2022Q1", UNIT_B, "1", ""], lambda w: f"指标“{UNIT_B}”已停用"),
    "derived indicator": (None, ["forestry-organ", "2022Q1", DERIVED, "1", ""], lambda w: "由其他数据计算得出"),
    "group figure in a unit": (
        None,
        ["forestry-organ", "2022Q1", GROUP_A, "1", ""],
        lambda w: f"局机关不填报指标“{GROUP_A}”",
    ),
    "unit figure in a group": (None, ["forestry", "2022Q1", UNIT_A, "1", ""], lambda w: f"不填报指标“{UNIT_A}”"),
    "bad period": (None, ["forestry-organ", "2022Q5", UNIT_A, "1", ""], lambda w: _period_error("2022Q5")),
    "missing period": (None, ["forestry-organ", "", UNIT_A, "1", ""], lambda w: "缺少期间"),
    "negative": (None, ["forestry-organ", "2022Q1", UNIT_A, "-3", ""], lambda w: _figure_error("-3")),
    "decimal": (None, ["forestry-organ", "2022Q1", UNIT_A, "2.5", ""], lambda w: _figure_error("2.5")),
    "not a number": (None, ["forestry-organ", "2022Q1", UNIT_A, "十二", ""], lambda w: _figure_error("十二")),
    "note too long": (None, ["forestry-organ", "2022Q1", UNIT_A, "1", "长" * 501], lambda w: "备注过长"),
    "period type of a stored report": (
        _stored_annual,
        ["forestry-organ", "2022Q3", UNIT_A, "1", ""],
        _annual_conflict,
    ),
    "period type of another line": (None, ["forestry-park", "2022", UNIT_B, "1", ""], lambda w: "第 2 行按季度填报"),
    "duplicate": (None, ["forestry-park", "2022q1", UNIT_A, "6", ""], lambda w: "此行与第 2 行重复"),
    "approved report": (_locked(Status.APPROVED), ["forestry-organ", "2022Q3", UNIT_A, "1", ""], lambda w: "已审核"),
    "submitted report": (_locked(Status.SUBMITTED), ["forestry-organ", "2022Q3", UNIT_A, "1", ""], lambda w: "已提交"),
    "short line": (None, ["forestry-organ", "2022Q1", UNIT_A, "1"], lambda w: "此行有 4 列，而表头有 5 列"),
    "unquoted comma in the note": (
        None,
        ["forestry-organ", "2022Q1", UNIT_A, "1", "含上年线索", "2件"],
        lambda w: "此行有 6 列，而表头有 5 列",
    ),
}


class TestBadFiles:
    @pytest.mark.parametrize("case", BAD_ROWS.keys())
    def test_a_bad_line_aborts_the_whole_file(self, world, tmp_path, case):
        setup, bad_row, reason = BAD_ROWS[case]
        if setup:
            setup(world)
        before, reports, history = stored_values(), Report.objects.count(), Value.history.count()

        message = import_error(write_csv(tmp_path, [GOOD, bad_row]))

        expected = reason(world)
        assert any(line.startswith("第 3 行：") and expected in line for line in message.splitlines()), message
        assert "第 2 行：" not in message
        # Nothing was written, not even the good line before it.
        assert stored_values() == before
        assert Report.objects.count() == reports
        assert Value.history.count() == history

    def test_every_bad_line_is_listed(self, world, tmp_path):
        path = write_csv(
            tmp_path,
            [
                ["nowhere", "2022Q1", UNIT_A, "1", ""],
                GOOD,
                ["forestry-organ", "2022Q1", UNIT_A, "-1", ""],
                ["forestry-organ", "2022Q9", DERIVED, "1", ""],
            ],
        )
        message = import_error(path)
        assert "未导入任何数据" in message
        assert "有 4 处问题" in message  # line 5 has two problems
        assert "第 2 行：没有代码为“nowhere”的组织" in message
        assert f"第 4 行：{_figure_error('-1')}" in message
        assert f"第 5 行：{_period_error('2022Q9')}" in message
        assert "第 5 行：指标“grp_four_forms_total”由其他数据计算得出" in message
        assert "第 3 行" not in message
        assert message.index("第 2 行") < message.index("第 4 行") < message.index("第 5 行")
        assert not Report.objects.exists()

    @pytest.mark.parametrize(
        "header, reason",
        [
            (["org", "period", "indicator", "value"], "表头缺少列 note"),
            (["organisation", "period", "indicator", "value", "note"], "表头缺少列 org"),
            (["org", "period", "indicator", "value", "note", "note"], "表头中的列 note 出现了两次"),
            (None, "文件为空"),
        ],
    )
    def test_a_bad_header_is_refused(self, world, tmp_path, header, reason):
        rows = [] if header is None else [GOOD]
        message = import_error(write_csv(tmp_path, rows, header=header))
        assert f"第 1 行：{reason}" in message
        assert not Report.objects.exists()

    def test_the_header_may_have_other_columns_in_any_order(self, world, tmp_path):
        path = write_csv(
            tmp_path,
            [["5", "备注", "接收信访举报", "forestry-park", "2022Q1", UNIT_A]],
            header=["value", "note", "name", "org", "period", "indicator"],
        )
        run_import(path)
        assert stored_values() == {("forestry-park", "2022Q1", UNIT_A): (5, "备注")}

    def test_a_gbk_file_as_excel_saves_it_on_chinese_windows_goes_in(self, world, tmp_path):
        path = tmp_path / "gbk.csv"
        path.write_bytes(f"单位,期间,指标,数值,备注\r\nforestry-park,2022年第一季度,{UNIT_A},5,备注\r\n".encode("gbk"))
        run_import(path)
        assert stored_values() == {("forestry-park", "2022Q1", UNIT_A): (5, "备注")}

    def test_utf16_and_undecodable_files_are_refused_by_name(self, world, tmp_path):
        utf16 = tmp_path / "utf16.csv"
        utf16.write_bytes(
            f"org,period,indicator,value,note\r\nforestry-park,2022Q1,{UNIT_A},5,备注\r\n".encode("utf-16")
        )
        assert "UTF-16" in import_error(utf16)
        garbage = tmp_path / "garbage.csv"
        # 0x80 followed by 0x30 is neither UTF-8 nor GB18030.
        garbage.write_bytes(
            f"org,period,indicator,value,note\r\nforestry-park,2022Q1,{UNIT_A},5,".encode() + b"\x80\x30\r\n"
        )
        message = import_error(garbage)
        assert "既不是 UTF-8 也不是 GBK" in message or "neither UTF-8 nor GBK" in message
        assert not Report.objects.exists()
