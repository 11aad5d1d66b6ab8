"""The JSON summary (/api/v1/summary/): numbers, scoping, parameters and the approval switch."""

from __future__ import annotations

from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, accept, enter, make_user, set_status
from tracker.catalogue.models import Indicator
from tracker.catalogue.templatetags.figures import format_figure
from tracker.entry.models import Report, Status
from tracker.orgs.models import Role

# The known dataset: the forestry group's two units and the group itself, 2022.
ORGAN_2022 = {
    "grp_form1_person_times": 40,
    "grp_form2_person_times": 1,
    "grp_form3_person_times": 0,
    "grp_form4_person_times": 0,
    "grp_cases_filed": 2,
    "grp_clues_accepted": 12,
}
PARK_2022 = {
    "grp_form1_person_times": 7,
    "grp_form2_person_times": 2,
    "grp_form3_person_times": 0,
    "grp_form4_person_times": 0,
    # The park has entered no cases filed: the group's figure lacks one unit.
    "grp_clues_accepted": 5,
}
GROUP_2022 = {
    "grp_reminder_letters": 5,
    "grp_discipline_proposals": 2,
    "grp_work_talks": 30,
    "grp_integrity_talks": 12,
    "grp_grassroots_orgs_guided": 40,
    "rsch_documents_reviewed": 300,
}


def api_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('api:summary')}?{query}" if query else reverse("api:summary")


@pytest.fixture
def dataset(world, indicators):
    enter(world["organ"], "2022", ORGAN_2022)
    enter(world["park"], "2022", PARK_2022)
    enter(world["forestry"], "2022", GROUP_2022)
    # The water group's figures must never show in forestry's JSON, nor the reverse.
    enter(
        world["water_unit"],
        "2022",
        {"grp_form1_person_times": 1, "grp_form2_person_times": 1, "grp_form3_person_times": 1},
    )
    return world


@pytest.fixture
def bob_client(client, bob):
    client.login(username="bob", password=PASSWORD)
    return client


@pytest.fixture
def charlie_client(client, charlie):
    client.login(username="charlie", password=PASSWORD)
    return client


class TestSummaryJson:
    def test_it_answers_the_known_numbers(self, bob_client, dataset):
        response = bob_client.get(api_url(org="forestry", year=2022))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert data["org"] == "forestry"
        assert data["year"] == 2022
        values = data["values"]
        assert values["grp_form1_person_times"] == 47
        assert values["grp_form2_person_times"] == 3
        assert values["grp_form3_person_times"] == 0
        assert values["grp_cases_filed"] == 2
        assert values["grp_clues_accepted"] == 17
        assert values["grp_reminder_letters"] == 5
        assert values["rsch_documents_reviewed"] == 300
        # Not known stays null, never 0.
        assert values["grp_petitions_received"] is None
        assert values["grp_special_inspections"] is None
        # City-wide figures are the commission's, not a group's; derived ones are apart.
        assert not any(code.startswith("city_") for code in values)
        assert "grp_four_forms_total" not in values

    def test_it_answers_the_derived_figures(self, bob_client, dataset):
        derived = bob_client.get(api_url(org="forestry", year=2022)).json()["derived"]
        assert derived["grp_four_forms_total"] == 50
        assert derived["grp_form1_pct"] == 94
        assert derived["grp_form2_pct"] == 6
        assert derived["grp_form3_pct"] == 0
        assert derived["grp_reminder_letters_proposals"] == 7
        assert derived["grp_admonition_talks"] == 42
        assert all(isinstance(v, int) for v in derived.values())

    def test_it_answers_the_four_forms_shares(self, bob_client, dataset):
        shares = bob_client.get(api_url(org="forestry", year=2022)).json()["shares"]
        assert shares == {
            "grp_form1_pct": {"whole": 94, "one_decimal": 94.0},
            "grp_form2_pct": {"whole": 6, "one_decimal": 6.0},
            "grp_form3_pct": {"whole": 0, "one_decimal": 0.0},
            "grp_form4_pct": {"whole": 0, "one_decimal": 0.0},
        }

    def test_one_decimal_shares_add_up_to_100(self, charlie_client, dataset, indicators):
        # The water unit's 1 / 1 / 1 / (not known): no shares while a form is not known …
        shares = charlie_client.get(api_url(org="water", year=2022)).json()["shares"]
        assert shares["grp_form1_pct"] == {"whole": None, "one_decimal": None}
        # … and 33.3 / 33.3 / 33.4 / 0 once the fourth is known to be 0.
        set_status(Report.objects.filter(organisation=dataset["water_unit"]), Status.DRAFT)
        enter(dataset["water_unit"], "2022", {"grp_form4_person_times": 0})
        shares = charlie_client.get(api_url(org="water", year=2022)).json()["shares"]
        assert [shares[f"grp_form{n}_pct"]["one_decimal"] for n in range(1, 5)] == [33.3, 33.3, 33.4, 0.0]
        assert [shares[f"grp_form{n}_pct"]["whole"] for n in range(1, 5)] == [33, 33, 34, 0]

    def test_it_lists_the_approximate_figures(self, bob_client, dataset):
        data = bob_client.get(api_url(org="forestry", year=2022)).json()
        assert sorted(data["approximate"]) == ["grp_grassroots_orgs_guided", "rsch_documents_reviewed"]
        assert all(code in data["values"] for code in data["approximate"])

    def test_it_counts_units_without_a_value(self, bob_client, dataset):
        missing = bob_client.get(api_url(org="forestry", year=2022)).json()["units_missing"]
        assert missing["grp_cases_filed"] == 1
        # Both units entered these: nothing missing.
        assert "grp_form1_person_times" not in missing
        assert "grp_clues_accepted" not in missing
        # Neither unit entered it: both missing.
        assert missing["grp_petitions_received"] == 2
        # The group's own figures are not sums over units.
        assert "grp_special_inspections" not in missing

    def test_a_unit_has_no_units_missing(self, bob_client, dataset):
        data = bob_client.get(api_url(org="forestry-park", year=2022)).json()
        assert data["units_missing"] == {}
        assert data["values"]["grp_cases_filed"] is None
        assert data["values"]["grp_form1_person_times"] == 7
        assert "grp_special_inspections" not in data["values"]

    def test_the_commission_sees_its_own_and_its_groups_figures(self, client, dataset, indicators):
        make_user("dora", dataset["city"], Role.LEADER)
        enter(dataset["city"], "2022", {"city_four_forms_total": 3038})
        client.login(username="dora", password=PASSWORD)
        # Nothing accepted from the groups yet: the commission's own figures only, and it says so.
        data = client.get(api_url(org="city", year=2022)).json()
        assert data["values"]["city_four_forms_total"] == 3038
        assert data["values"]["grp_form1_person_times"] is None
        assert data["accepted_only"] is True and data["unaccepted_reports"] > 0
        # The switch counts what the groups approved; so does the default once the commission accepts it.
        data = client.get(api_url(org="city", year=2022, include_unaccepted=1)).json()
        assert data["values"]["grp_form1_person_times"] == 48 and data["accepted_only"] is False
        accept(dataset["forestry"], "2022")
        accept(dataset["water"], "2022")
        data = client.get(api_url(org="city", year=2022)).json()
        assert data["values"]["city_four_forms_total"] == 3038
        assert data["values"]["grp_form1_person_times"] == 48  # 47 in forestry, 1 in water
        assert data["unaccepted_reports"] == 0
        # The water group has not entered its own research figures: one group missing.
        assert data["units_missing"]["rsch_documents_reviewed"] == 1
        assert data["values"]["rsch_documents_reviewed"] == 300

    def test_chinese_stays_readable(self, bob_client, dataset):
        response = bob_client.get(api_url(org="forestry", year=1999))
        assert response.json()["error"] == "年份须在 2000 至 2100 之间。"
        assert "年份" in response.content.decode()


class TestScoping:
    def test_another_groups_code_answers_404_without_figures(self, charlie_client, dataset):
        response = charlie_client.get(api_url(org="forestry", year=2022))
        assert response.status_code == 404
        body = response.content.decode()
        assert set(response.json()) == {"error"}
        for figure in ("47", "94", "300", "grp_", "forestry"):
            assert figure not in body

    def test_an_unknown_code_answers_the_same_404(self, charlie_client, dataset):
        unknown = charlie_client.get(api_url(org="no-such-org", year=2022))
        other = charlie_client.get(api_url(org="forestry", year=2022))
        assert unknown.status_code == other.status_code == 404
        assert unknown.content == other.content

    def test_a_group_member_may_read_its_units(self, charlie_client, dataset):
        response = charlie_client.get(api_url(org="water-organ", year=2022))
        assert response.status_code == 200
        assert response.json()["values"]["grp_form1_person_times"] == 1

    def test_anonymous_gets_401_json(self, client, dataset):
        response = client.get(api_url(org="forestry", year=2022))
        assert response.status_code == 401
        assert set(response.json()) == {"error"}

    def test_it_only_answers_get(self, bob_client, dataset):
        assert bob_client.post(api_url(org="forestry", year=2022)).status_code == 405


class TestParameters:
    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"year": 2022},
            {"org": "forestry"},
            {"org": "", "year": 2022},
            {"org": "forestry", "year": "abc"},
            {"org": "forestry", "year": "2022.5"},
            {"org": "forestry", "year": "-2022"},
            {"org": "forestry", "year": "１９９９"},
            {"org": "forestry", "year": 1999},
            {"org": "forestry", "year": 2101},
        ],
    )
    def test_bad_parameters_answer_400(self, bob_client, dataset, params):
        response = bob_client.get(api_url(**params))
        assert response.status_code == 400
        assert response.json()["error"]


class TestApproval:
    def test_include_unapproved_toggles(self, bob_client, dataset):
        set_status(Report.objects.filter(organisation=dataset["park"]), Status.SUBMITTED)
        approved = bob_client.get(api_url(org="forestry", year=2022)).json()
        assert approved["include_unapproved"] is False
        assert approved["unapproved_reports"] == 1
        assert approved["values"]["grp_form1_person_times"] == 40
        assert approved["shares"]["grp_form1_pct"] == {"whole": 98, "one_decimal": 97.6}

        everything = bob_client.get(api_url(org="forestry", year=2022, include_unapproved=1)).json()
        assert everything["include_unapproved"] is True
        assert everything["unapproved_reports"] == 1
        assert everything["values"]["grp_form1_person_times"] == 47
        assert everything["shares"]["grp_form1_pct"] == {"whole": 94, "one_decimal": 94.0}

    def test_only_1_switches_it_on_and_anything_else_is_refused(self, bob_client, dataset):
        set_status(Report.objects.filter(organisation=dataset["park"]), Status.SUBMITTED)
        response = bob_client.get(api_url(org="forestry", year=2022, include_unapproved="yes"))
        assert response.status_code == 400
        assert "include_unapproved" in response.json()["error"]
        data = bob_client.get(api_url(org="forestry", year=2022, include_unapproved=0)).json()
        assert data["include_unapproved"] is False
        assert data["values"]["grp_form1_person_times"] == 40


def page_cells(html: str, year: int) -> dict[str, lxml.html.HtmlElement]:
    """The summary page's "this year" cell of each indicator row, by indicator code."""
    tree = lxml.html.fromstring(html)
    table = tree.xpath('//section[@id="figures"]//table')[0]
    headers = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
    column = headers.index(f"{year}年")
    return {row.get("id").removeprefix("row-"): row.xpath("./td")[column] for row in table.xpath(".//tr[@id]")}


def unreported_mark_of(cell: lxml.html.HtmlElement) -> str:
    """The "(n units incomplete)" mark: after a figure, or as the tooltip of a "—" nobody reported."""
    marks = [span.text_content() for span in cell.xpath('.//span[@class="unreported"]')]
    marks += [span.get("title") for span in cell.xpath(".//span[@title]")]
    return "".join(marks)


def as_page_number(value: int | float | None) -> int | Decimal | None:
    # The JSON's floats are the page's Decimals; str() keeps their one decimal exactly.
    return Decimal(str(value)) if isinstance(value, float) else value


class TestJsonMatchesThePage:
    """The JSON and the summary page (/reports/<org>/<year>/) print the same figures."""

    @pytest.mark.parametrize("org", ["forestry", "forestry-organ", "forestry-park"])
    @pytest.mark.parametrize("include_unapproved", [False, True])
    def test_every_figure_is_the_pages(self, bob_client, dataset, org, include_unapproved):
        # One report waiting for approval, so the switch changes figures.
        set_status(Report.objects.filter(organisation=dataset["park"]), Status.SUBMITTED)
        query = "?include_unapproved=1" if include_unapproved else ""
        page = bob_client.get(reverse("reports:summary", args=[org, 2022]) + query)
        assert page.status_code == 200
        data = bob_client.get(
            api_url(org=org, year=2022) + ("&include_unapproved=1" if include_unapproved else "")
        ).json()
        assert data["include_unapproved"] is page.context["include_unapproved"] is include_unapproved

        # The page's own figures (its context) …
        this_year = page.context["this_year"]
        assert this_year.organisation.code == data["org"]
        assert this_year.year == data["year"]
        assert this_year.unapproved_reports == data["unapproved_reports"]
        shown = {ind.code: ind for ind in this_year.indicators}
        assert set(shown) == {*data["values"], *data["derived"]}
        for code, value in {**data["values"], **data["derived"]}.items():
            assert this_year.value(code) == as_page_number(value), code

        # … and what it prints: every row, "N余" for lower bounds, the units-not-reported mark.
        cells = page_cells(page.content.decode(), 2022)
        assert set(cells) == set(shown)
        for code, value in {**data["values"], **data["derived"]}.items():
            cell = cells[code]
            printed = cell.text_content().strip()
            assert printed.startswith(format_figure(as_page_number(value), shown[code])), (code, printed)
            if code in data["units_missing"]:
                assert str(data["units_missing"][code]) in unreported_mark_of(cell), code
            else:
                assert unreported_mark_of(cell) == "", code
        for code in data["approximate"]:
            assert shown[code].is_approximate

        # Every exact breakdown's shares: whole and one decimal, as the page prints them.
        tree = lxml.html.fromstring(page.content.decode())
        for whole, breakdown in data["breakdowns"].items():
            if breakdown["relation"] != "exact":
                continue
            for code, share in breakdown["parts"].items():
                row = tree.xpath(f'//section[@id="breakdown-{whole}"]//tr[@id="part-{code}"]')[0]
                whole_cell, decimal_cell = row.xpath('td[contains(@class, "share")]')
                if share["whole"] is None:
                    assert whole_cell.text_content().strip() == "—"
                    assert share["one_decimal"] is None
                else:
                    assert whole_cell.text_content().strip() == f"{share['whole']}%"
                    assert decimal_cell.text_content().strip() == f"{share['one_decimal']:.1f}%"

    def test_the_approximate_codes_are_the_catalogues(self, bob_client, dataset):
        data = bob_client.get(api_url(org="forestry", year=2022)).json()
        expected = Indicator.objects.active().filter(kind="approx_over_n").values_list("code", flat=True)
        assert sorted(data["approximate"]) == sorted(expected)
