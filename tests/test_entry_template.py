"""The Excel entry template: downloaded, filled with openpyxl as a clerk fills it offline, uploaded, confirmed."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import enter
from tracker.entry.models import Value
from tracker.entry.workbook import CODE_ROW, FIRST_ORG_COLUMN


def download(client, org: str, period: str):
    response = client.get(f"/entry/{org}/{period}/template.xlsx")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows_by_code(sheet) -> dict[str, int]:
    return {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value}


def upload_and_confirm(client, book, name="录入表.xlsx"):
    out = io.BytesIO()
    book.save(out)
    preview = client.post("/entry/import/", {"file": SimpleUploadedFile(name, out.getvalue())})
    assert preview.status_code == 200
    assert not preview.context["errors"], [str(e) for e in preview.context["errors"]]
    client.post("/entry/import/", {"confirm": "1"})
    return preview


def test_a_groups_workbook_round_trip(client, world, alice, indicators):
    enter(world["organ"], "2023Q1", {"grp_cases_filed": 2}, status=None)
    client.force_login(alice)
    book = download(client, "forestry", "2023Q1")
    sheet = book.active
    codes = [sheet.cell(CODE_ROW, c).value for c in range(FIRST_ORG_COLUMN, sheet.max_column + 1)]
    assert codes[:3] == ["forestry", "forestry-organ", "forestry-park"]
    rows = rows_by_code(sheet)
    organ, park = FIRST_ORG_COLUMN + 1, FIRST_ORG_COLUMN + 2
    # The current figure is filled in; a unit's cell is open, the group's for a unit figure is not.
    assert sheet.cell(rows["grp_cases_filed"], organ).value == 2
    assert sheet.cell(rows["grp_cases_filed"], organ).protection.locked is False
    assert sheet.cell(rows["grp_cases_filed"], FIRST_ORG_COLUMN).protection.locked is True
    assert sheet.protection.sheet
    # Whole numbers only, the 口径 as a comment, a derived total as a formula.
    assert any("whole" == dv.type for dv in sheet.data_validations.dataValidation)
    assert sheet.cell(rows["grp_clues_accepted"], 2).comment is not None
    assert str(sheet.cell(rows["grp_four_forms_total"], organ).value).startswith("=SUM(")

    sheet.cell(rows["grp_cases_filed"], organ).value = 3
    sheet.cell(rows["grp_cases_filed"], park).value = 4
    preview = upload_and_confirm(client, book)
    assert preview.context["counts"]["new"] == 1 and preview.context["counts"]["changed"] == 1
    values = {
        (v.report.organisation.code, v.indicator.code): v.value
        for v in Value.objects.select_related("report__organisation", "indicator")
    }
    assert values[("forestry-organ", "grp_cases_filed")] == 3
    assert values[("forestry-park", "grp_cases_filed")] == 4
    assert len(values) == 2  # blank cells stay blank: no empty reports for the other units


def test_one_units_template_keeps_its_notes(client, world, alice, indicators):
    client.force_login(alice)
    book = download(client, "forestry-organ", "2023")
    sheet = book.active
    rows = rows_by_code(sheet)
    note_column = sheet.max_column
    sheet.cell(rows["grp_clues_accepted"], FIRST_ORG_COLUMN).value = 12
    sheet.cell(rows["grp_clues_accepted"], note_column).value = "含上年结转"
    upload_and_confirm(client, book)
    value = Value.objects.get()
    assert (value.indicator.code, value.value, value.note) == ("grp_clues_accepted", 12, "含上年结转")


def test_another_groups_template_is_a_404(client, charlie, world):
    client.force_login(charlie)
    assert client.get("/entry/forestry/2023Q1/template.xlsx").status_code == 404


def test_a_groups_workbook_carries_the_previous_period_for_reference(client, world, alice, indicators):
    enter(world["organ"], "2022Q4", {"grp_cases_filed": 6})
    client.force_login(alice)
    book = download(client, "forestry", "2023Q1")
    assert len(book.worksheets) == 2
    reference = book.worksheets[1]
    rows = rows_by_code(reference)
    assert reference.cell(rows["grp_cases_filed"], FIRST_ORG_COLUMN + 1).value == 6
    assert reference.protection.sheet
    assert reference.cell(CODE_ROW, 1).value is None  # never taken for a template by the import
