"""The review (工作回顾) of a report page is the organisation's own speech, generated.

The speech is the group's document template (tracker.documents): here the seed speech
(seeds/speech-2023.txt), bound by the assistant. An organisation without a speech template
is told so and never shown another organisation's text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import article_paragraphs, enter, make_user, review_url
from tracker.documents.models import Kind
from tracker.documents.services import template_create
from tracker.orgs.models import Organisation, OrgKind, Role

SPEECH = (Path(settings.BASE_DIR) / "seeds" / "speech-2023.txt").read_text(encoding="utf-8")

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


def page_paragraphs(response) -> list[str]:
    return article_paragraphs(response, "review-text")


def build_full_year(world, indicators, bob):
    """Everything the 2022 review needs, approved, and forestry's speech template (also for the .docx tests)."""
    for unit, figures in UNIT_FIGURES.items():
        enter(world[unit], "2022", figures)
    enter(world["forestry"], "2022", GROUP_FIGURES)
    enter(world["city"], "2022", CITY_FIGURES)
    template_create(organisation=world["forestry"], name="讲话", user=bob, text=SPEECH)
    return world


@pytest.fixture
def full_year(world, indicators, bob):
    return build_full_year(world, indicators, bob)


class TestReviewPage:
    def test_it_is_the_groups_speech_with_the_years_figures(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(review_url(), follow=True)
        assert response.redirect_chain[0][0].startswith("/documents/")
        text = "".join(page_paragraphs(response))
        assert "全年接待群众来防及反映问题9人次。受理案件线索10件，立案查处3件，党纪、政务处分3人。" in text
        assert "第一种形态47人次、占94%，第二种形态3人次、占6%" in text
        assert "督导被监督的30余个基层党组" in text
        assert "查处生态环保领域问题104件，153人" in text
        assert "运用“四种形态”批评教育和处理3038人" in text
        assert "发出各类《工作提醒函》《纪检监察建议书》13份" in text
        assert "开展工作约谈、廉政约谈83人次" in text
        assert "查阅各类资料600余份" in text
        assert "2022年工作回顾" in text and "2023年工作要求" in text

    def test_the_year_and_the_range_follow_the_page(self, client, bob, full_year):
        client.force_login(bob)
        text = "".join(page_paragraphs(client.get(review_url(year=2023), follow=True)))
        assert "2023年工作回顾" in text and "2024年工作要求" in text
        assert "立案查处**件" in text

    def test_a_unit_review_reads_its_own_figures_in_its_groups_speech(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(review_url("forestry-organ"), follow=True)
        text = "".join(page_paragraphs(response))
        assert "第一种形态40人次、占98%，第二种形态1人次、占2%" in text
        assert "3038" in text
        assert "赴一线调研**次" in text

    def test_an_organisation_without_a_speech_is_told_so_and_shown_nobody_elses(self, client, full_year, charlie):
        client.force_login(charlie)
        response = client.get(review_url("water"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="no-speech"' in html
        assert "林长制" not in html and "国储林" not in html and "局党组" not in html
        assert client.get(reverse("review_docx", args=["water", 2022])).status_code == 404

    def test_the_commission_never_reads_a_groups_speech(self, client, full_year):
        client.force_login(make_user("dana", full_year["city"], Role.LEADER))
        html = client.get(review_url("city")).content.decode()
        assert 'id="no-speech"' in html and "局党组" not in html

    def test_the_word_file_follows(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(reverse("review_docx", args=["forestry", 2022]) + "?include_unapproved=1")
        assert response.status_code == 302
        assert response.url.endswith("/forestry/2022/document.docx?include_unapproved=1")

    def test_another_groups_user_gets_404(self, client, charlie, full_year):
        client.force_login(charlie)
        assert client.get(review_url()).status_code == 404
        assert client.get(reverse("review_docx", args=["forestry", 2022])).status_code == 404

    def test_anonymous_is_sent_to_login(self, client, full_year):
        for url in (review_url(), reverse("review_docx", args=["forestry", 2022])):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))

    def test_queries_do_not_grow_with_units(self, client, bob, full_year, django_assert_max_num_queries):
        client.force_login(bob)
        url = client.get(review_url()).url
        client.get(url)  # warm the session
        for n in range(5):
            Organisation.objects.create(
                code=f"forestry-extra{n}", name=f"单位{n}", kind=OrgKind.UNIT, parent=full_year["forestry"]
            )
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


def test_the_link_to_enter_a_missing_figure_uses_the_units_period_type(client, world, bob, indicators):
    template_create(
        organisation=world["forestry"], name="讲话", user=bob, text="立案查处8件，党纪、政务处分3人。", kind=Kind.SPEECH
    )
    enter(world["organ"], "2023Q1", {"grp_cases_filed": 1})
    client.force_login(bob)
    html = client.get("/reports/forestry/2023/review/", follow=True).content.decode()
    assert "/entry/forestry-organ/2023Q1/" in html
    assert "/entry/forestry-organ/2023/" not in html
