"""Importing figures from a file on the web: preview (writes nothing), confirm, stale previews, encodings."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import enter
from tracker.entry.models import Report, Status, Value

HEADER = "org,period,indicator,value,note\n"


def upload(client, content: bytes, name: str = "figures.csv"):
    return client.post("/entry/import/", {"file": SimpleUploadedFile(name, content)})


def stored() -> dict:
    return dict(Value.objects.values_list("indicator__code", "value"))


class TestPreviewAndConfirm:
    def test_the_preview_writes_nothing_and_lists_old_and_new(self, clerk, world, indicators):
        enter(world["organ"], "2023", {"grp_cases_filed": 5}, status=None)
        content = (
            HEADER + "forestry-organ,2023,grp_cases_filed,7,核对后更正\nforestry-organ,2023,grp_clues_accepted,9,\n"
        )
        response = upload(clerk, content.encode())
        assert response.status_code == 200
        html = response.content.decode()
        assert stored() == {"grp_cases_filed": 5}
        changes = response.context["changes"]
        assert [(c.row.indicator.code, c.old_value, c.row.value) for c in changes] == [
            ("grp_cases_filed", 5, 7),
            ("grp_clues_accepted", None, 9),
        ]
        assert response.context["counts"] == {"rows": 2, "new": 1, "changed": 1, "unchanged": 0, "bad": 0}
        assert "核对后更正" in html and 'name="confirm"' in html

    def test_confirm_applies_the_previewed_file_with_its_name_in_the_audit(self, clerk, world, indicators):
        upload(clerk, (HEADER + "forestry-organ,2023,grp_cases_filed,7,\n").encode(), name="一季度.csv")
        response = clerk.post("/entry/import/", {"confirm": "1"}, follow=True)
        assert stored() == {"grp_cases_filed": 7}
        value = Value.objects.get()
        record = value.history.get()
        assert record.history_change_reason == "import:一季度.csv"
        assert record.history_user.username == "alice"
        assert "一季度.csv" in response.content.decode()
        history = clerk.get("/entry/forestry-organ/2023/history/").content.decode()
        assert "一季度.csv" in history

    def test_a_report_changed_after_the_preview_refuses_the_import(self, clerk, world, indicators):
        report = enter(world["organ"], "2023", {"grp_cases_filed": 5}, status=None)
        upload(clerk, (HEADER + "forestry-organ,2023,grp_cases_filed,7,\n").encode())
        enter(world["organ"], "2023", {"grp_cases_filed": 6}, status=None)  # someone saves meanwhile
        response = clerk.post("/entry/import/", {"confirm": "1"}, follow=True)
        assert stored() == {"grp_cases_filed": 6}
        assert "局机关" in response.content.decode()
        report.refresh_from_db()

    def test_a_confirm_without_a_preview_imports_nothing(self, clerk, world, indicators):
        response = clerk.post("/entry/import/", {"confirm": "1"}, follow=True)
        assert response.status_code == 200
        assert not Value.objects.exists()


class TestEveryRowIsChecked:
    def test_another_groups_unit_is_unknown_and_nothing_can_be_confirmed(self, clerk, world, indicators):
        content = HEADER + "forestry-organ,2023,grp_cases_filed,7,\nwater-organ,2023,grp_cases_filed,3,\n"
        response = upload(clerk, content.encode())
        errors = [str(e) for e in response.context["errors"]]
        assert len(errors) == 1 and "water-organ" in errors[0] and ("3" in errors[0])
        assert 'name="confirm"' not in response.content.decode()
        assert clerk.post("/entry/import/", {"confirm": "1"}).status_code == 302
        assert not Value.objects.exists()

    def test_an_approved_report_is_a_bad_line(self, clerk, world, indicators):
        enter(world["organ"], "2023", {"grp_cases_filed": 5}, status=Status.APPROVED)
        response = upload(clerk, (HEADER + "forestry-organ,2023,grp_cases_filed,7,\n").encode())
        assert response.context["counts"]["bad"] == 1
        assert "已审核" in response.content.decode()

    def test_a_leader_may_not_import(self, client, bob, world):
        client.force_login(bob)
        assert client.get("/entry/import/").status_code == 403
        assert upload(client, (HEADER + "forestry-organ,2023,grp_cases_filed,7,\n").encode()).status_code == 403


class TestFiles:
    def test_gbk_as_excel_saves_it_on_chinese_windows(self, clerk, world, indicators):
        content = (HEADER + "forestry-organ,2023,grp_cases_filed,7,经核实\n").encode("gbk")
        response = upload(clerk, content)
        assert [c.row.note for c in response.context["changes"]] == ["经核实"]

    def test_a_bom_is_ignored(self, clerk, world, indicators):
        response = upload(clerk, b"\xef\xbb\xbf" + (HEADER + "forestry-organ,2023,grp_cases_filed,7,\n").encode())
        assert response.context["counts"]["new"] == 1

    def test_utf16_is_refused_by_name(self, clerk, world, indicators):
        response = upload(clerk, (HEADER + "forestry-organ,2023,grp_cases_filed,7,\n").encode("utf-16"))
        assert "UTF-16" in response.content.decode()

    def test_an_unterminated_quote_is_listed(self, clerk, world, indicators):
        content = HEADER + 'forestry-organ,2023,grp_cases_filed,7,"open\nforestry-organ,2023,grp_clues_accepted,9,\n'
        response = upload(clerk, content.encode())
        assert response.context["counts"]["bad"] == 1
        assert not response.context.get("may_confirm")

    def test_a_workbook_is_read_from_its_first_sheet(self, clerk, world, indicators):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["org", "period", "indicator", "value", "note"])
        sheet.append(["forestry-organ", "2023Q1", "grp_cases_filed", 4, "表格导入"])
        out = io.BytesIO()
        book.save(out)
        response = upload(clerk, out.getvalue(), name="figures.xlsx")
        assert [(c.row.period.label, c.row.value, c.row.note) for c in response.context["changes"]] == [
            ("2023年第1季度", 4, "表格导入")
        ]
        clerk.post("/entry/import/", {"confirm": "1"})
        assert Report.objects.get().period_type == "quarter" and stored() == {"grp_cases_filed": 4}

    def test_another_kind_of_file_is_refused(self, clerk, world, indicators):
        response = upload(clerk, b"%PDF-1.4", name="figures.pdf")
        assert ".csv" in response.content.decode() and not Value.objects.exists()
