import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_admin_values import inline_data
from tests.test_entry import form_data, url
from tracker.entry.models import Report, Value
from tracker.workflow.models import ReportTransition

History = Value.history.model


@pytest.fixture
def admin_user(django_user_model, world):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


class TestAuditRows:
    def test_the_entry_page_records_old_new_who_and_how(self, client, alice):
        client.force_login(alice)
        client.post(url(), form_data(client, grp_cases_filed="3"))
        client.post(url(), form_data(client, grp_cases_filed="5"))
        rows = list(History.objects.filter(indicator__code="grp_cases_filed").order_by("history_date"))
        assert [r.value for r in rows] == [3, 5]
        assert {r.history_user.username for r in rows} == {"alice"}
        assert {r.history_change_reason for r in rows} == {"entry"}
        page = client.get(reverse("entry:value_history", args=["forestry-organ", "2022", "grp_cases_filed"]))
        html = page.content.decode()
        assert "填报页面" in html
        newest = page.context["rows"][0]
        assert (newest["old"], newest["new"]) == (3, 5)

    def test_an_unchanged_save_records_nothing(self, client, alice):
        client.force_login(alice)
        client.post(url(), form_data(client, grp_cases_filed="3"))
        client.post(url(), form_data(client))
        assert History.objects.count() == 1

    def test_the_import_is_recorded(self, tmp_path, world):
        path = tmp_path / "v.csv"
        path.write_text("org,period,indicator,value,note\nforestry-organ,2022,grp_cases_filed,4,\n", encoding="utf-8")
        call_command("import_values", str(path), stdout=open(tmp_path / "out", "w"))
        assert History.objects.get().history_change_reason == "import"

    def test_the_admin_is_recorded(self, client, admin_user, world, indicators):
        report = Report.objects.create(organisation=world["organ"], year=2022, period_type="year")
        client.force_login(admin_user)
        prefix = "values"
        data = {
            "organisation": world["organ"].pk,
            "year": 2022,
            "period_type": "year",
            "period_number": 0,
            "status": "draft",
            "revision": 0,
            "opened_revision": 0,
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
            f"{prefix}-0-indicator": indicators["grp_cases_filed"].pk,
            f"{prefix}-0-value": 6,
            f"{prefix}-0-note": "",
        }
        response = client.post(reverse("admin:entry_report_change", args=[report.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        row = History.objects.get()
        assert (row.value, row.history_change_reason, row.history_user.username) == (6, "admin", "root")

    def test_workflow_changes_are_recorded(self, client, alice, world, indicators):
        client.force_login(alice)
        client.post(url(), form_data(client, grp_cases_filed="1"))
        client.post(reverse("entry:transition", args=["forestry-organ", "2022", "submit"]))
        transition = ReportTransition.objects.get()
        assert (transition.action, transition.user.username) == ("submit", "alice")

    def test_the_admin_offers_no_change_or_delete_for_the_trail(self, client, admin_user, alice):
        client.force_login(alice)
        client.post(url(), form_data(client, grp_cases_filed="1"))
        client.post(reverse("entry:transition", args=["forestry-organ", "2022", "submit"]))
        client.force_login(admin_user)
        for model, obj in [
            ("entry_historicalvalue", History.objects.get()),
            ("workflow_reporttransition", ReportTransition.objects.get()),
        ]:
            changelist = client.get(reverse(f"admin:{model}_changelist"))
            assert changelist.status_code == 200
            assert f"admin/{model.replace('_', '/', 1)}/add/" not in changelist.content.decode()
            assert client.get(reverse(f"admin:{model}_add")).status_code == 403
            assert client.post(reverse(f"admin:{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
            page = client.get(reverse(f"admin:{model}_change", args=[obj.pk]))
            assert page.status_code == 200  # viewable…
            assert 'name="_save"' not in page.content.decode()  # …but not editable
        assert History.objects.count() == 1 and ReportTransition.objects.count() == 1


class TestAdminWrites:
    def inline_data(self, report, rows, initial=0):
        # As the change page posts it: with the revision it was opened at.
        return {**inline_data(rows, initial), "opened_revision": Report.objects.get(pk=report.pk).revision}

    def test_an_admin_edit_refuses_a_clerks_stale_page(self, client, admin_user, alice, indicators):
        clerk = client
        clerk.force_login(alice)
        clerk.post(url(), form_data(clerk, grp_cases_filed="1", grp_clues_accepted="5"))
        stale = form_data(clerk)  # the clerk's page, opened now
        report = Report.objects.get()
        value = report.values.get(indicator__code="grp_cases_filed")
        other = report.values.get(indicator__code="grp_clues_accepted")
        from django.test import Client

        admin = Client()
        admin.force_login(admin_user)
        rows = [
            {"id": value.pk, "report": report.pk, "indicator": value.indicator_id, "value": 2, "note": ""},
            {"id": other.pk, "report": report.pk, "indicator": other.indicator_id, "value": 5, "note": ""},
        ]
        response = admin.post(reverse("admin:entry_report_change", args=[report.pk]), self.inline_data(report, rows, 2))
        assert response.status_code == 302
        stale["v_grp_petition_visits"] = "3"
        response = clerk.post(url(), stale)
        assert "其他人已保存了该报表" in response.content.decode()
        assert Value.objects.get(indicator__code="grp_cases_filed").value == 2

    def test_a_value_deleted_in_the_admin_is_recorded_as_such(self, client, admin_user, alice):
        client.force_login(alice)
        client.post(url(), form_data(client, grp_cases_filed="1"))
        report = Report.objects.get()
        value = report.values.get()
        client.force_login(admin_user)
        row = {
            "id": value.pk,
            "report": report.pk,
            "indicator": value.indicator_id,
            "value": 1,
            "note": "",
            "DELETE": "on",
        }
        client.post(reverse("admin:entry_report_change", args=[report.pk]), self.inline_data(report, [row], 1))
        assert not Value.objects.exists()
        deleted = History.objects.get(history_type="-")
        assert (deleted.history_change_reason, deleted.history_user.username) == ("admin", "root")

    def test_the_admin_cannot_change_a_status_or_mix_period_types(self, client, admin_user, world):
        report = Report.objects.create(organisation=world["organ"], year=2022, period_type="year")
        client.force_login(admin_user)
        data = {"status": "approved", "revision": 9, **self.inline_data(report, [])}
        client.post(reverse("admin:entry_report_change", args=[report.pk]), data)
        report.refresh_from_db()
        assert (report.status, report.revision) == ("draft", 0)
        response = client.post(
            reverse("admin:entry_report_add"),
            {
                "organisation": world["organ"].pk,
                "year": 2022,
                "period_type": "quarter",
                "period_number": 1,
                **self.inline_data(report, []),
            },
        )
        assert "会重复统计" in response.content.decode()
        assert Report.objects.count() == 1

    def test_users_are_deactivated_not_deleted_so_the_trail_keeps_who(self, client, admin_user, alice):
        client.force_login(admin_user)
        assert client.get(reverse("admin:auth_user_delete", args=[alice.pk])).status_code == 403
