"""Input that must be refused is refused, clearly and without a 500; nothing else is changed (issue 11, point 6)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.conftest import enter, make_user
from tracker.entry.models import Report, Value
from tracker.entry.services import parse_figure
from tracker.orgs.models import Role


@pytest.mark.parametrize("text", ["1²", "⑫", "𝟏𝟐", "1 2", "12a", "1,2345", "١٢"])
def test_a_figure_is_digits_and_nothing_else(text):
    with pytest.raises(ValidationError):
        parse_figure(text)


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12), (" 12 ", 12), ("１２", 12), ("３，０３８", 3038), ("3,038", 3038)]
)
def test_digits_as_people_type_them_are_figures(text, value):
    assert parse_figure(text) == value


def test_an_overlong_value_is_refused_on_the_page_without_a_500(client, world, alice, indicators):
    client.force_login(alice)
    response = client.post(
        "/entry/forestry-organ/2023/", {"revision": "0", "v_grp_cases_filed": "9" * 5000, "n_grp_cases_filed": ""}
    )
    assert response.status_code == 200
    assert "数值过大" in response.content.decode()
    assert not Report.objects.exists()


def _csv_file(tmp_path, rows, name="in.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["org", "period", "indicator", "value", "note"])
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _import_error(path) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("import_values", str(path), stdout=io.StringIO())
    return str(excinfo.value)


def test_an_overlong_value_in_a_file_is_a_listed_line(world, indicators, tmp_path):
    path = _csv_file(tmp_path, [["forestry-organ", "2023", "grp_cases_filed", "9" * 5000, ""]])
    assert "第 2 行" in _import_error(path) or "Line 2" in _import_error(path)
    assert not Value.objects.exists()


def test_a_nul_in_an_imported_note_is_a_listed_line(world, indicators, tmp_path):
    path = _csv_file(tmp_path, [["forestry-organ", "2023", "grp_cases_filed", "3", "a\x00b"]])
    assert "NUL" in _import_error(path)
    assert not Value.objects.exists()


def test_an_unterminated_quote_is_a_listed_line_not_swallowed_lines(world, indicators, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(
        "org,period,indicator,value,note\n"
        'forestry-organ,2023,grp_cases_filed,3,"an open quote\n'
        "forestry-organ,2023,grp_clues_accepted,4,\n",
        encoding="utf-8",
    )
    message = _import_error(path)
    assert "2" in message and "CSV" in message
    assert not Value.objects.exists()


class TestAPostChangesOnlyWhatItCarries:
    def test_a_field_left_out_keeps_its_figure_and_an_emptied_one_is_cleared(self, client, world, alice, indicators):
        report = enter(
            world["organ"],
            "2023",
            {"grp_cases_filed": 5, "grp_clues_accepted": 7, "grp_petition_visits": 2},
            status=None,
        )
        client.force_login(alice)
        response = client.post(
            "/entry/forestry-organ/2023/",
            {"revision": str(report.revision), "v_grp_cases_filed": "6", "v_grp_petition_visits": ""},
        )
        assert response.status_code == 302
        values = dict(Value.objects.filter(report=report).values_list("indicator__code", "value"))
        assert values["grp_cases_filed"] == 6
        assert values["grp_clues_accepted"] == 7  # not in the POST: untouched
        assert values["grp_petition_visits"] is None  # sent empty: cleared

    def test_a_post_with_only_the_revision_changes_nothing(self, client, world, alice, indicators):
        report = enter(world["organ"], "2023", {"grp_cases_filed": 5, "grp_clues_accepted": 7}, status=None)
        client.force_login(alice)
        client.post("/entry/forestry-organ/2023/", {"revision": str(report.revision)})
        values = dict(Value.objects.filter(report=report).values_list("indicator__code", "value"))
        assert values == {"grp_cases_filed": 5, "grp_clues_accepted": 7}


def test_saving_an_untouched_page_creates_no_report(client, world, alice, indicators):
    client.force_login(alice)
    page = client.get("/entry/forestry-organ/2023Q1/")
    form_fields = {name: "" for name in page.context["form"].fields if name.startswith(("v_", "n_"))}
    response = client.post("/entry/forestry-organ/2023Q1/", {"revision": "0", **form_fields}, follow=True)
    assert response.status_code == 200
    assert not Report.objects.exists()
    # The year's period type is still free: a yearly report can be entered.
    make_user("rose", world["forestry"], Role.REVIEWER)
    enter(world["organ"], "2023", {"grp_cases_filed": 1}, status=None)
    assert Report.objects.get().period_type == "year"


def test_export_values_neutralises_formula_like_notes(world, indicators, tmp_path):
    enter(world["organ"], "2022", {"grp_cases_filed": 3})
    Value.objects.update(note='=HYPERLINK("http://x")')
    out = tmp_path / "out.csv"
    call_command("export_values", "--org", "forestry", "--year", "2022", "--output", str(out), stdout=io.StringIO())
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
