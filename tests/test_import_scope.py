"""An import tells a clerk nothing of another tree: an organisation outside the user's subtree is
answered exactly as one that does not exist (issue: a template workbook naming another tree's unit,
its cells left blank, listed one line per figure that unit had stored)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import enter
from tracker.entry.periods import Period
from tracker.entry.workbook import CODE_ROW, FIRST_ORG_COLUMN, entry_workbook


def _template_naming(organisation, code: str) -> bytes:
    """The entry template of `organisation` for 2023, its figures cleared, its column's code set to `code`."""
    book = openpyxl.load_workbook(io.BytesIO(entry_workbook(organisation, Period.parse("2023"))))
    sheet = book.worksheets[0]
    sheet.cell(CODE_ROW, FIRST_ORG_COLUMN).value = code
    for row in sheet.iter_rows(min_row=CODE_ROW + 2, min_col=FIRST_ORG_COLUMN, max_col=FIRST_ORG_COLUMN):
        for cell in row:
            if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                cell.value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def stored_elsewhere(world, indicators):
    enter(world["water_unit"], "2023", {"grp_cases_filed": 4, "grp_clues_accepted": 9, "grp_petitions_received": 2})


def _preview(client, content: bytes):
    response = client.post("/entry/import/", {"file": SimpleUploadedFile("template.xlsx", content)})
    assert response.status_code == 200
    return response.context


def test_another_trees_unit_in_a_template_is_answered_as_a_missing_one(client, alice, world, stored_elsewhere):
    client.force_login(alice)
    other = _preview(client, _template_naming(world["water_unit"], "water-organ"))
    nowhere = _preview(client, _template_naming(world["water_unit"], "no-such-unit"))
    assert other.get("changes", []) == nowhere.get("changes", []) == []
    assert [str(e) for e in other.get("errors", [])] == [
        str(e).replace("no-such-unit", "water-organ") for e in nowhere.get("errors", [])
    ]
    # Nothing of what 水务局机关 holds is named.
    assert len(other.get("errors", [])) <= 1
