import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.catalogue.models import Indicator
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period
from tracker.entry.services import Entry, values_save_for_period


def url(org="forestry-organ", period="2022"):
    return reverse("entry:report", args=[org, period])


def unit_indicators():
    return list(Indicator.objects.reported_by("unit"))


def form_data(client, org="forestry-organ", period="2022", **figures):
    """The page's own form as the browser would send it, with `figures` typed in."""
    response = client.get(url(org, period))
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    for code, text in figures.items():
        data[f"v_{code}"] = text
    return data


@pytest.fixture
def alice_client(client, alice):
    client.login(username="alice", password=PASSWORD)
    return client


class TestEntryPage:
    def test_it_shows_every_unit_indicator_by_section(self, alice_client):
        response = alice_client.get(url())
        assert response.status_code == 200
        html = response.content.decode()
        for ind in unit_indicators():
            assert f'name="v_{ind.code}"' in html
        assert "四种形态" in html
        assert "人次" in html
        # The group's own work is not a unit's to enter.
        assert 'name="v_grp_field_research_trips"' not in html

    def test_a_group_page_shows_the_groups_own_indicators(self, alice_client):
        html = alice_client.get(url("forestry")).content.decode()
        assert 'name="v_grp_field_research_trips"' in html
        assert 'name="v_grp_form1_person_times"' not in html

    def test_it_saves_and_shows_the_values_again(self, alice_client):
        data = form_data(alice_client, grp_cases_filed="5", grp_clues_accepted="12", grp_form1_person_times="0")
        data["n_grp_cases_filed"] = "含上年线索2件"
        response = alice_client.post(url(), data, follow=True)
        assert "已保存：改动 3 项数据" in response.content.decode()
        values = {v.indicator.code: v for v in Value.objects.select_related("indicator")}
        assert values["grp_cases_filed"].value == 5
        assert values["grp_cases_filed"].note == "含上年线索2件"
        assert values["grp_form1_person_times"].value == 0
        page = alice_client.get(url())
        assert page.context["form"].initial["v_grp_cases_filed"] == 5
        assert 'value="12"' in page.content.decode()

    def test_empty_stays_empty_and_zero_stays_zero(self, alice_client):
        alice_client.post(url(), form_data(alice_client, grp_cases_filed="0", grp_clues_accepted=""))
        assert Value.objects.get(indicator__code="grp_cases_filed").value == 0
        assert not Value.objects.filter(indicator__code="grp_clues_accepted").exists()
        # Clearing a saved figure makes it "not known" again, not 0.
        alice_client.post(url(), form_data(alice_client, grp_cases_filed=""))
        assert Value.objects.get(indicator__code="grp_cases_filed").value is None

    @pytest.mark.parametrize(
        "typed, stored",
        [("１２", 12), (" 7 ", 7), ("3,038", 3038), ("３，０３８", 3038), ("1000000000", 1_000_000_000), ("5.0", 5)],
    )
    def test_it_is_forgiving_where_people_are(self, alice_client, typed, stored):
        response = alice_client.post(url(), form_data(alice_client, grp_cases_filed=typed))
        assert response.status_code == 302
        assert Value.objects.get(indicator__code="grp_cases_filed").value == stored

    @pytest.mark.parametrize(
        "typed, message",
        [
            ("-3", "数值不能为负数"),
            ("2.5", "请输入整数"),
            ("十二", "请输入数字"),
            ("abc", "请输入数字"),
            ("1000000001", "数值过大"),
            ("3,03", "请输入数字"),
        ],
    )
    def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(self, alice_client, typed, message):
        data = form_data(alice_client, grp_clues_accepted="12", grp_cases_filed=typed)
        response = alice_client.post(url(), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html
        assert "未保存任何数据" in html
        assert response.context["form"].errors["v_grp_cases_filed"]
        # The good figure on the same page was not saved either, and no report was created.
        assert Value.objects.count() == 0
        assert Report.objects.count() == 0
        # What the user typed is still there to correct.
        assert 'value="12"' in html

    def test_a_bad_figure_leaves_earlier_figures_untouched(self, alice_client, world):
        alice_client.post(url(), form_data(alice_client, grp_cases_filed="4", grp_clues_accepted="9"))
        alice_client.post(url(), form_data(alice_client, grp_cases_filed="5", grp_clues_accepted="-1"))
        assert Value.objects.get(indicator__code="grp_cases_filed").value == 4
        assert Value.objects.get(indicator__code="grp_clues_accepted").value == 9

    def test_it_shows_previous_period_and_last_year_for_reference(self, alice_client, world, indicators):
        ind = indicators["grp_cases_filed"]
        values_save_for_period(organisation=world["organ"], period=Period.parse("2021Q4"), entries={ind: Entry(8)})
        values_save_for_period(organisation=world["organ"], period=Period.parse("2021Q1"), entries={ind: Entry(3)})
        response = alice_client.get(url(period="2022Q1"))
        row = next(r for _, rows in response.context["sections"] for r in rows if r["indicator"].code == ind.code)
        assert row["previous"] == 8
        assert row["last_year"] == 3

    def test_derived_figures_are_recomputed_on_save(self, alice_client):
        data = form_data(
            alice_client,
            grp_form1_person_times="47",
            grp_form2_person_times="3",
            grp_form3_person_times="0",
            grp_form4_person_times="0",
        )
        alice_client.post(url(), data)
        derived = dict((ind.code, value) for ind, value in alice_client.get(url()).context["derived"])
        assert derived["grp_four_forms_total"] == 50
        assert derived["grp_form1_pct"] == 94
        assert derived["grp_form2_pct"] == 6
        # Derived figures are never stored.
        assert not Value.objects.filter(indicator__kind__in=["derived_sum", "derived_pct"]).exists()

    def test_one_save_is_one_report_revision(self, alice_client):
        alice_client.post(url(), form_data(alice_client, grp_cases_filed="1", grp_clues_accepted="2"))
        assert Report.objects.get().revision == 1

    def test_a_period_type_conflict_is_explained_and_nothing_saved(self, alice_client, world, indicators):
        values_save_for_period(
            organisation=world["organ"], period=Period.parse("2022"), entries={indicators["grp_cases_filed"]: Entry(1)}
        )
        response = alice_client.get(url(period="2022Q1"))
        assert "会重复统计" in response.content.decode()
        assert response.context["editable"] is False
        response = alice_client.post(
            url(period="2022Q1"), form_data(alice_client, period="2022Q1", grp_cases_filed="2")
        )
        assert "会重复统计" in response.content.decode()
        assert Report.objects.count() == 1


class TestScoping:
    def test_a_clerk_cannot_open_another_groups_units(self, alice_client, world):
        assert alice_client.get(url("water-organ")).status_code == 404
        assert alice_client.post(url("water-organ"), {"v_grp_cases_filed": "1"}).status_code == 404
        assert not Report.objects.exists()

    def test_the_chooser_lists_only_the_users_subtree(self, alice_client):
        response = alice_client.get(reverse("entry:choose"))
        codes = [code for code, _ in response.context["form"].fields["org"].choices]
        assert codes == ["forestry", "forestry-organ", "forestry-park"]

    def test_the_chooser_goes_to_the_chosen_period(self, alice_client):
        response = alice_client.get(reverse("entry:choose"), {"org": "forestry-park", "year": "2023", "period": "Q2"})
        assert response.status_code == 302
        assert response["Location"] == url("forestry-park", "2023Q2")

    def test_a_leader_sees_but_cannot_save(self, client, bob):
        client.login(username="bob", password=PASSWORD)
        response = client.get(url())
        assert response.status_code == 200
        assert response.context["editable"] is False
        assert client.post(url(), {"v_grp_cases_filed": "1"}).status_code == 403
        assert not Value.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, world):
        response = client.get(url())
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_an_unknown_period_is_404(self, alice_client):
        assert alice_client.get(url(period="2022Q5")).status_code == 404


class TestServiceRoles:
    """The role rule holds in the service itself, whatever calls it."""

    def test_a_leader_cannot_write_through_the_service(self, bob, world, indicators):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            values_save_for_period(
                organisation=world["organ"],
                period=Period.parse("2022"),
                entries={indicators["grp_cases_filed"]: Entry(1)},
                user=bob,
            )
        assert not Report.objects.exists()

    def test_a_web_upload_as_a_leader_writes_nothing(self, bob, world):
        from tracker.entry.csvio import ImportFailed, import_csv

        data = "org,period,indicator,value,note\nforestry-organ,2022,grp_cases_filed,4,\n"
        with pytest.raises(ImportFailed) as exc:
            import_csv(data, user=bob)
        assert "无权" in str(exc.value.errors[0].message)
        assert not Value.objects.exists()

    def test_a_clerk_writes_through_the_service(self, alice, world, indicators):
        values_save_for_period(
            organisation=world["organ"],
            period=Period.parse("2022"),
            entries={indicators["grp_cases_filed"]: Entry(1)},
            user=alice,
        )
        assert Value.objects.get().value == 1
