"""The review page: the 2022 review of the speech regenerated with the figures.

The expected text is built here on its own (the template file with its placeholders replaced
by this test's strings), never by the app's code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import enter, make_user
from tracker.entry.models import Status
from tracker.orgs.models import Organisation, OrganisationText, OrgKind, Role

TEMPLATE = Path(settings.BASE_DIR) / "seeds" / "review-template.txt"

UNIT_FIGURES = {
    "organ": {
        "grp_petition_visits": 5,
        "grp_clues_accepted": 7,
        "grp_cases_filed": 2,
        "grp_sanctioned_persons": 1,
        "grp_form1_person_times": 40,
        "grp_form2_person_times": 1,
        "grp_form3_person_times": 0,
        "grp_form4_person_times": 0,
    },
    "park": {
        "grp_petition_visits": 4,
        "grp_clues_accepted": 3,
        "grp_cases_filed": 1,
        "grp_sanctioned_persons": 2,
        "grp_form1_person_times": 7,
        "grp_form2_person_times": 2,
        "grp_form3_person_times": 0,
        "grp_form4_person_times": 0,
    },
}
GROUP_FIGURES = {
    "grp_grassroots_orgs_guided": 30,
    "grp_field_research_trips": 36,
    "grp_special_inspections": 12,
    "grp_reminder_letters": 9,
    "grp_discipline_proposals": 4,
    "grp_work_suggestions": 58,
    "grp_rectification_items": 41,
    "grp_integrity_reviews": 126,
    "grp_work_talks": 48,
    "grp_integrity_talks": 35,
    "rsch_units_covered": 9,
    "rsch_symposiums": 11,
    "rsch_site_visits": 23,
    "rsch_group_interviews": 14,
    "rsch_individual_talks": 87,
    "rsch_questionnaires": 350,
    "rsch_documents_reviewed": 600,
}
CITY_FIGURES = {
    "city_eco_env_issues": 104,
    "city_eco_env_persons": 153,
    "city_cases_filed": 1187,
    "city_sanctioned_persons": 1042,
    "city_transferred_to_procuratorate": 71,
    "city_sanctioned_top_leaders": 45,
    "city_sanctioned_county_level": 66,
    "city_post80_cadres_investigated": 168,
    "city_four_forms_total": 3038,
    "city_four_winds_issues": 287,
    "city_four_winds_persons": 402,
    "city_lying_flat_issues": 136,
    "city_lying_flat_persons": 189,
    "city_micro_corruption_issues": 452,
    "city_micro_corruption_persons": 611,
}
# txt_sector is also set on the commission: the group's own text must win.
CITY_TEXTS = {"txt_sector": "纪检", "txt_qinglian_brand": "青岚"}
GROUP_TEXTS = {
    "txt_sector": "林草",
    "txt_sector_work": "林草",
    "txt_unit_reserve": "翠屏山",
    "txt_unit_service_center": "青岚",
    "txt_unit_institute": "青岚",
    "txt_unit_park_a": "青岚植物",
    "txt_unit_park_b": "青岚",
    "txt_unit_center": "青岚",
    "txt_unit_c": "青岚",
    "txt_unit_station_city": "青岚",
    "txt_unit_station": "林木种苗",
}

# What the text must print, worked out by hand from the figures above.
EXPECTED = {
    "grp_petition_visits": "9",
    "grp_clues_accepted": "10",
    "grp_cases_filed": "3",
    "grp_sanctioned_persons": "3",
    "grp_form1_person_times": "47",
    "grp_form1_pct": "94",
    "grp_form2_person_times": "3",
    "grp_form2_pct": "6",
    "grp_grassroots_orgs_guided": "30",
    "grp_field_research_trips": "36",
    "grp_special_inspections": "12",
    "grp_reminder_letters_proposals": "13",
    "grp_work_suggestions": "58",
    "grp_rectification_items": "41",
    "grp_integrity_reviews": "126",
    "grp_admonition_talks": "83",
    "rsch_units_covered": "9",
    "rsch_symposiums": "11",
    "rsch_site_visits": "23",
    "rsch_group_interviews": "14",
    "rsch_individual_talks": "87",
    "rsch_questionnaires": "350",
    "rsch_documents_reviewed": "600",
    **{code: str(value) for code, value in CITY_FIGURES.items()},
    "txt_sector": "林草",
    "txt_qinglian_brand": "青岚",
    **{key: text for key, text in GROUP_TEXTS.items() if key != "txt_sector"},
}


def expected_paragraphs(values: dict[str, str], year: int, byline: str) -> list[str]:
    """The template filled by hand: unknown placeholders print **, the year follows `year`."""
    lines = [line for line in TEMPLATE.read_text(encoding="utf-8").splitlines() if line.strip()]
    filled = [
        re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: values.get(m.group(1), "**"), line).replace("2022年", f"{year}年")
        for line in lines
    ]
    # The page puts the organisation's name under the title.
    return [filled[0], byline, *filled[1:]]


class ReviewParagraphs(HTMLParser):
    """The text of each paragraph (h2 or p) inside <article id="review-text">."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self._in_article = False
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "article" and ("id", "review-text") in attrs:
            self._in_article = True
        elif self._in_article and tag in ("h2", "p"):
            self._current = []

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_article = False
        elif self._current is not None and tag in ("h2", "p"):
            self.paragraphs.append("".join(self._current))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def page_paragraphs(response) -> list[str]:
    parser = ReviewParagraphs()
    parser.feed(response.content.decode())
    return parser.paragraphs


def add_texts(org: Organisation, texts: dict[str, str]) -> None:
    OrganisationText.objects.bulk_create(OrganisationText(organisation=org, key=k, text=v) for k, v in texts.items())


def build_full_year(world, indicators):
    """Everything the 2022 review needs, approved (also used by the .docx tests)."""
    for unit, figures in UNIT_FIGURES.items():
        enter(world[unit], "2022", figures)
    enter(world["forestry"], "2022", GROUP_FIGURES)
    enter(world["city"], "2022", CITY_FIGURES)
    add_texts(world["city"], CITY_TEXTS)
    add_texts(world["forestry"], GROUP_TEXTS)
    return world


@pytest.fixture
def full_year(world, indicators):
    return build_full_year(world, indicators)


def review_url(org: str = "forestry", year: int = 2022) -> str:
    return reverse("reports:review", args=[org, year])


class TestReviewPage:
    def test_it_is_the_template_filled_with_the_figures_and_names(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(review_url())
        assert response.status_code == 200
        assert page_paragraphs(response) == expected_paragraphs(EXPECTED, 2022, "派驻市林业和草原局纪检监察组")

    def test_it_prints_the_speech_figures(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(review_url())
        text = "".join(page_paragraphs(response))
        assert "第一种形态47人次、占94%，第二种形态3人次、占6%" in text
        assert "运用“四种形态”批评教育和处理3038人" in text
        assert "督导被监督的30余个基层党组组织" in text
        assert "查阅各类资料600余份" in text
        assert "**" not in text
        assert 'id="missing"' not in response.content.decode()

    def test_it_marks_and_lists_what_is_missing(self, client, bob, world, indicators):
        enter(world["organ"], "2022", {"grp_cases_filed": 2})
        enter(world["forestry"], "2022", {"grp_field_research_trips": 5})
        client.force_login(bob)
        response = client.get(review_url())
        html = response.content.decode()
        text = "".join(page_paragraphs(response))

        assert '<mark class="missing"' in html
        # "余" stays after a missing lower-bound figure, as the published speech prints it.
        assert "督导被监督的**余个基层党组组织" in text
        assert "查阅各类资料**余份" in text
        assert "赴一线调研5次" in text
        # A unit sum with one unit missing is printed, and the unit is listed.
        assert "立案查处2件" in text

        missing = html[html.index('id="missing"') :]
        # A group figure: the group enters it.
        assert "督导基层党组织纪检书记和纪检委员开展日常监督" in missing
        assert "grp_grassroots_orgs_guided" in missing
        assert reverse("entry:report", args=["forestry", "2022"]) in missing
        # A unit figure: every unit that has not reported it.
        row = missing[missing.index('id="missing-grp_petition_visits"') :]
        row = row[: row.index("</tr>")]
        assert reverse("entry:report", args=["forestry-organ", "2022"]) in row
        assert reverse("entry:report", args=["forestry-park", "2022"]) in row
        # A city-wide figure: the commission, which bob may not open, so no link.
        row = missing[missing.index('id="missing-city_four_forms_total"') :]
        row = row[: row.index("</tr>")]
        assert "全市运用“四种形态”批评教育和处理" in row
        assert world["city"].name in row
        assert reverse("entry:report", args=["city", "2022"]) not in row
        # A name.
        assert 'id="missing-txt_sector"' in missing

        incomplete = html[html.index('id="incomplete"') :]
        assert "grp_cases_filed" in incomplete
        assert world["park"].name in incomplete

    def test_the_whole_text_prints_stars_where_nothing_is_known(self, client, bob, world):
        client.force_login(bob)
        response = client.get(review_url())
        assert page_paragraphs(response) == expected_paragraphs({}, 2022, world["forestry"].name)

    def test_the_year_follows_the_chosen_year(self, client, bob, world, indicators):
        enter(world["forestry"], "2023", {"grp_field_research_trips": 40})
        client.force_login(bob)
        response = client.get(review_url(year=2023))
        paragraphs = page_paragraphs(response)
        assert paragraphs[0] == "2023年工作回顾"
        assert paragraphs[2].startswith("2023年，派驻监督工作")
        assert "2022年" not in "".join(paragraphs)
        assert paragraphs == expected_paragraphs({"grp_field_research_trips": "40"}, 2023, world["forestry"].name)

    def test_only_approved_reports_count_unless_asked(self, client, bob, world, indicators):
        enter(world["organ"], "2022", {"grp_cases_filed": 2})
        enter(world["park"], "2022", {"grp_cases_filed": 3}, status=Status.SUBMITTED)
        enter(world["city"], "2022", {"city_cases_filed": 1187}, status=Status.SUBMITTED)
        client.force_login(bob)

        approved = client.get(review_url())
        text = "".join(page_paragraphs(approved))
        assert "立案查处2件" in text
        assert "立案**件" in text
        assert "包括未审核" in approved.content.decode()  # the switch's label

        everything = client.get(review_url() + "?include_unapproved=1")
        text = "".join(page_paragraphs(everything))
        assert "立案查处5件" in text
        # The commission's city-wide figures are published when approved, whatever the switch says.
        assert "立案**件" in text
        assert "1187" not in text
        html = everything.content.decode()
        assert 'class="including-unapproved"' in html
        # The Word link keeps the choice.
        assert reverse("reports:review_docx", args=["forestry", 2022]) + "?include_unapproved=1" in html

    def test_a_unit_review_reads_its_own_figures(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(review_url("forestry-organ"))
        text = "".join(page_paragraphs(response))
        assert "第一种形态40人次、占98%，第二种形态1人次、占2%" in text
        # City-wide figures still come from the commission; the group's own work is not a unit's.
        assert "3038" in text
        assert "赴一线调研**次" in text
        assert 'id="missing-grp_field_research_trips"' in response.content.decode()

    def test_the_commission_review_adds_up_its_groups(self, full_year, indicators, client):
        enter(full_year["water_unit"], "2022", {"grp_cases_filed": 4})
        client.force_login(make_user("dana", full_year["city"], Role.LEADER))
        text = "".join(page_paragraphs(client.get(review_url("city"))))
        assert "立案查处7件" in text
        assert "运用“四种形态”批评教育和处理3038人" in text
        # The commission's own texts, and none of the group's.
        assert "作为纪检系统" in text

    def test_names_are_escaped(self, client, bob, world):
        add_texts(world["forestry"], {"txt_sector": '<script>alert("x")</script>'})
        client.force_login(bob)
        response = client.get(review_url())
        html = response.content.decode()
        assert '<script>alert("x")</script>' not in html
        assert "&lt;script&gt;" in html
        assert '<script>alert("x")</script>系统' in "".join(page_paragraphs(response))

    def test_it_links_the_word_document(self, client, bob, world):
        client.force_login(bob)
        html = client.get(review_url()).content.decode()
        assert f'href="{reverse("reports:review_docx", args=["forestry", 2022])}"' in html

    def test_another_groups_user_gets_404(self, client, charlie, full_year):
        client.force_login(charlie)
        assert client.get(review_url()).status_code == 404
        assert client.get(reverse("reports:review_docx", args=["forestry", 2022])).status_code == 404

    def test_anonymous_is_sent_to_login(self, client, full_year):
        for url in (review_url(), reverse("reports:review_docx", args=["forestry", 2022])):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))

    def test_queries_do_not_grow_with_units(self, client, bob, full_year, django_assert_max_num_queries):
        client.force_login(bob)
        client.get(review_url())  # warm the session
        for n in range(5):
            Organisation.objects.create(
                code=f"forestry-extra{n}", name=f"单位{n}", kind=OrgKind.UNIT, parent=full_year["forestry"]
            )
        with django_assert_max_num_queries(21):
            assert client.get(review_url()).status_code == 200


def test_the_link_to_enter_a_missing_figure_uses_the_units_period_type(client, world, bob):
    from tests.conftest import enter as save_figures

    save_figures(world["organ"], "2023Q1", {"grp_cases_filed": 1})
    client.force_login(bob)
    html = client.get("/reports/forestry/2023/review/").content.decode()
    assert "/entry/forestry-organ/2023Q1/" in html
    assert "/entry/forestry-organ/2023/" not in html
