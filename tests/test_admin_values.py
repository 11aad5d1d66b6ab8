"""Admin writes obey the entry page's rules: figures within range, only the indicators the
report's organisation enters, years within range; a refused row saves nothing at all."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, enter
from tracker.catalogue.models import Indicator
from tracker.entry.models import Report, Value

History = Value.history.model


@pytest.fixture
def admin_user(django_user_model, world):
    return django_user_model.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def report(world):
    """A unit's draft report for 2022 with one figure, grp_cases_filed = 6."""
    return enter(world["organ"], "2022", {"grp_cases_filed": 6}, status=None)


def inline_data(rows, initial=0):
    data = {
        "values-TOTAL_FORMS": len(rows),
        "values-INITIAL_FORMS": initial,
        "values-MIN_NUM_FORMS": 0,
        "values-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data.update({f"values-{i}-{key}": value for key, value in row.items()})
    return data


def existing_row(report, code, value):
    stored = report.values.get(indicator__code=code)
    return {"id": stored.pk, "report": report.pk, "indicator": stored.indicator_id, "value": value, "note": ""}


def new_row(code, value, note=""):
    return {"indicator": Indicator.objects.get(code=code).pk, "value": value, "note": note}


def post_change(client, report, rows, initial, opened_revision=None):
    """The change page's post, as opened at the report's current revision unless `opened_revision` says."""
    if opened_revision is None:
        opened_revision = Report.objects.get(pk=report.pk).revision
    data = {**inline_data(rows, initial), "opened_revision": opened_revision}
    return client.post(reverse("admin:entry_report_change", args=[report.pk]), data)


def snapshot():
    """Everything an admin save could touch."""
    return (
        list(Report.objects.order_by("pk").values_list("pk", "organisation", "year", "status", "revision")),
        list(Value.objects.order_by("pk").values_list("pk", "report", "indicator", "value", "note", "updated_by")),
        list(History.objects.order_by("pk").values_list("pk", "value")),
    )


TOO_LARGE = "数值过大（不能超过 1,000,000,000）。"


def assert_refused(response, before, *messages):
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    html = response.content.decode()
    assert "请更正下列错误" in html or "errornote" in html
    for message in messages:
        assert message in html, message
    assert snapshot() == before


class TestFigures:
    @pytest.mark.parametrize(
        "typed, message",
        [
            ("1000000001", TOO_LARGE),
            ("1,000,000,001", TOO_LARGE),
            ("99999999999999999999999", TOO_LARGE),
            ("-1", "数值不能为负数。"),
            ("2.5", "请输入整数，不能有小数。"),
        ],
    )
    def test_a_figure_out_of_range_is_refused_and_nothing_is_saved(self, admin_client, report, typed, message):
        before = snapshot()
        # A valid new row alongside the refused change: neither is saved.
        rows = [existing_row(report, "grp_cases_filed", typed), new_row("grp_clues_accepted", 5)]
        assert_refused(post_change(admin_client, report, rows, initial=1), before, message)

    def test_a_new_row_above_the_maximum_is_refused(self, admin_client, report):
        before = snapshot()
        rows = [existing_row(report, "grp_cases_filed", 7), new_row("grp_clues_accepted", 1_000_000_001)]
        assert_refused(post_change(admin_client, report, rows, initial=1), before, TOO_LARGE)


class TestIndicators:
    def test_a_derived_indicator_that_may_not_be_entered_is_refused(self, admin_client, report):
        derived = Indicator.objects.get(code="grp_four_forms_total")
        assert derived.is_derived and not derived.may_be_entered and derived.reported_by == "unit"
        before = snapshot()
        rows = [existing_row(report, "grp_cases_filed", 7), new_row("grp_four_forms_total", 3)]
        assert_refused(
            post_change(admin_client, report, rows, initial=1),
            before,
            f"指标“{derived.name_zh}”（grp_four_forms_total）由其他数据计算得出，不能直接填报。",
        )

    @pytest.mark.parametrize(
        "code, entered_by",
        [("grp_field_research_trips", "派驻纪检监察组"), ("city_cases_filed", "市纪委监委")],
    )
    def test_an_indicator_the_organisation_does_not_enter_is_refused(self, admin_client, report, code, entered_by):
        indicator = Indicator.objects.get(code=code)
        before = snapshot()
        rows = [existing_row(report, "grp_cases_filed", 7), new_row(code, 2)]
        assert_refused(
            post_change(admin_client, report, rows, initial=1),
            before,
            f"局机关不填报指标“{indicator.name_zh}”（{code}）：该数据由{entered_by}填报。",
        )

    def test_an_existing_row_cannot_be_switched_to_an_indicator_the_organisation_does_not_enter(
        self, admin_client, report
    ):
        before = snapshot()
        row = existing_row(report, "grp_cases_filed", 6)
        row["indicator"] = Indicator.objects.get(code="grp_field_research_trips").pk
        assert_refused(post_change(admin_client, report, [row], initial=1), before, "局机关不填报指标")

    def test_a_switched_off_indicator_is_refused(self, admin_client, report):
        Indicator.objects.filter(code="grp_clues_accepted").update(active=False)
        before = snapshot()
        rows = [existing_row(report, "grp_cases_filed", 7), new_row("grp_clues_accepted", 5)]
        response = post_change(admin_client, report, rows, initial=1)
        assert_refused(response, before, "（grp_clues_accepted）已停用，不能填报。")

    def test_an_untouched_row_of_a_switched_off_indicator_does_not_block_the_others(self, admin_client, report):
        Indicator.objects.filter(code="grp_cases_filed").update(active=False)
        rows = [existing_row(report, "grp_cases_filed", 6), new_row("grp_clues_accepted", 5)]
        response = post_change(admin_client, report, rows, initial=1)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert dict(report.values.values_list("indicator__code", "value")) == {
            "grp_cases_filed": 6,
            "grp_clues_accepted": 5,
        }


class TestYear:
    @pytest.mark.parametrize("year", [1999, 2101])
    def test_a_year_outside_the_range_is_refused(self, admin_client, world, report, year):
        before = snapshot()
        data = {
            "organisation": world["park"].pk,
            "year": year,
            "period_type": "year",
            "period_number": 0,
            **inline_data([new_row("grp_cases_filed", 1)]),
        }
        response = admin_client.post(reverse("admin:entry_report_add"), data)
        assert_refused(response, before, "年份须在 2000 至 2100 之间。")


class TestValidWrites:
    def test_a_valid_admin_edit_is_saved_audited_and_bumps_the_revision(self, admin_client, report):
        history_before = History.objects.count()
        rows = [existing_row(report, "grp_cases_filed", "1,000,000,000"), new_row("grp_clues_accepted", "５")]
        response = post_change(admin_client, report, rows, initial=1)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert dict(report.values.values_list("indicator__code", "value")) == {
            "grp_cases_filed": 1_000_000_000,
            "grp_clues_accepted": 5,
        }
        report.refresh_from_db()
        assert (report.status, report.revision) == ("draft", 2)  # one save on the entry side, one here
        new = History.objects.order_by("pk")[history_before:]
        assert [(row.history_change_reason, row.history_user.username) for row in new] == [("admin", "root")] * 2

    def test_an_unchanged_save_writes_nothing(self, admin_client, report):
        before = snapshot()
        response = post_change(admin_client, report, [existing_row(report, "grp_cases_filed", 6)], initial=1)
        assert response.status_code == 302
        assert snapshot() == before

    def test_an_enterable_total_is_saved_for_the_organisation_that_enters_it(self, admin_client, world):
        total = Indicator.objects.get(code="grp_reminder_letters_proposals")
        assert total.is_derived and total.may_be_entered and total.reported_by == "group"
        group_report = enter(world["forestry"], "2022", {"grp_field_research_trips": 1}, status=None)
        rows = [new_row("grp_reminder_letters_proposals", 3)]
        response = post_change(admin_client, group_report, rows, initial=0)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert group_report.values.get(indicator=total).value == 3

    def test_a_report_added_in_the_admin_is_created_with_its_figures(self, admin_client, world):
        data = {
            "organisation": world["park"].pk,
            "year": 2023,
            "period_type": "quarter",
            "period_number": 2,
            **inline_data([new_row("grp_cases_filed", 4)]),
        }
        response = admin_client.post(reverse("admin:entry_report_add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        report = Report.objects.get()
        assert (report.organisation, report.period_type, report.period_number, report.status) == (
            world["park"],
            "quarter",
            2,
            "draft",
        )
        assert report.revision == 1
        assert report.values.get().value == 4
        assert History.objects.get().history_change_reason == "admin"


class TestLostUpdates:
    """The admin's change page, opened before a clerk's save, cannot write over that save."""

    def test_a_page_opened_before_a_clerks_save_is_refused(self, admin_client, report):
        opened_at = report.revision
        page = admin_client.get(reverse("admin:entry_report_change", args=[report.pk])).content.decode()
        assert f'name="opened_revision" value="{opened_at}"' in page
        enter(report.organisation, "2022", {"grp_cases_filed": 7}, status=None)  # the clerk saves meanwhile
        before = snapshot()
        rows = [existing_row(report, "grp_cases_filed", 9)]
        response = post_change(admin_client, report, rows, initial=1, opened_revision=opened_at)
        assert_refused(response, before, "打开此页面后")
        assert Value.objects.get().value == 7

    def test_a_post_without_the_opened_revision_is_refused(self, admin_client, report):
        before = snapshot()
        data = {**inline_data([existing_row(report, "grp_cases_filed", 9)], 1)}
        response = admin_client.post(reverse("admin:entry_report_change", args=[report.pk]), data)
        assert_refused(response, before)

    def test_a_page_opened_at_the_current_revision_saves(self, admin_client, report):
        response = post_change(admin_client, report, [existing_row(report, "grp_cases_filed", 9)], initial=1)
        assert response.status_code == 302
        assert Value.objects.get().value == 9
        assert Report.objects.get(pk=report.pk).revision == report.revision + 1
