"""The bulletin (监督检查审查调查情况通报): its page and its Word file, on figures worked out here by hand.

The forestry group's two units enter figures for 2021 and 2022; every share and change below was
computed by hand from them (the working is in the comments), never by the app's code.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal

import docx
import pytest
from django.conf import settings
from django.urls import reverse
from docx.oxml.ns import qn

from tests.conftest import article_paragraphs, convert_to_pdf, enter
from tracker.catalogue.models import Indicator
from tracker.reports.bulletin import BULLETIN_SECTIONS

THIS_YEAR = {
    "organ": {
        # Petitions: 1,000 here and 236 in the park make 1,236 (the wording example's figure).
        "grp_petitions_received": 1000,
        "grp_petitions_letter": 300,
        "grp_petitions_visit": 400,
        "grp_petitions_phone": 200,
        "grp_petitions_online": 100,
        "grp_clues_accepted": 4,
        "grp_clues_handled": 2,
        "grp_clues_talk_inquiry": 1,
        "grp_clues_initial_verification": 1,
        "grp_clues_shelved": 0,
        "grp_clues_closed": 0,
        "grp_cases_filed": 3,
        "grp_sanctioned_persons": 3,
        "grp_sanctioned_party": 2,
        "grp_form1_person_times": 40,
        "grp_form2_person_times": 2,
        "grp_form3_person_times": 0,
        "grp_form4_person_times": 0,
    },
    "park": {
        "grp_petitions_received": 236,
        "grp_petitions_letter": 12,
        "grp_petitions_visit": 100,
        "grp_petitions_phone": 100,
        "grp_petitions_online": 24,
        "grp_clues_accepted": 4,
        "grp_clues_handled": 1,
        "grp_clues_talk_inquiry": 0,
        "grp_clues_initial_verification": 0,
        "grp_clues_shelved": 1,
        "grp_clues_closed": 0,
        "grp_cases_filed": 2,
        "grp_sanctioned_persons": 1,
        "grp_sanctioned_party": 1,
        "grp_form1_person_times": 7,
        "grp_form2_person_times": 1,
        "grp_form3_person_times": 0,
        "grp_form4_person_times": 0,
    },
}

# Last year: no clues accepted entered (so no change for them), no sanctions (0: no percent of nothing).
LAST_YEAR = {
    "organ": {
        "grp_petitions_received": 900,
        "grp_clues_handled": 2,
        "grp_cases_filed": 1,
        "grp_sanctioned_persons": 0,
        "grp_form1_person_times": 40,
        "grp_form2_person_times": 1,
        "grp_form3_person_times": 0,
        "grp_form4_person_times": 0,
    },
    "park": {
        "grp_petitions_received": 242,
        "grp_clues_handled": 2,
        "grp_cases_filed": 4,
        "grp_sanctioned_persons": 0,
        "grp_form1_person_times": 9,
        "grp_form2_person_times": 2,
        "grp_form3_person_times": 0,
        "grp_form4_person_times": 0,
    },
}

# Worked out by hand from the figures above.
#  Petitions 1,236 against 1,142 (900 + 242): +94 / 1,142 = 8.23% → 上升8.2%.
#   Shares in tenths of a percent: letter 312 → 252.43, visit 500 → 404.53, phone 300 → 242.72,
#   online 124 → 100.32; the floors add up to 998, the two tenths missing go to the largest
#   remainders (phone .72, visit .53): 25.2 + 40.5 + 24.3 + 10.0 = 100.0.
#  Clues handled 3 against 4: −1 / 4 = −25.0% → 下降25.0%. Its methods have no shares: 谈话函询 is
#   counted in 件次, the whole in 件 (an approx breakdown), so each part is printed in its own word.
#  Clues accepted 8, last year not entered: no change.
#  Cases 5 against 5 (1 + 4): 持平.
#  Sanctions 4 against 0: no change. Party sanctions 3; administrative ones and ranks not entered.
#  Four forms 47 / 3 / 0 / 0 = 50 against 41 + 11 = 52: −2 / 52 = −3.85% → 下降3.8%;
#   shares 94.0 + 6.0 + 0.0 + 0.0.
#  Eight-point rules: nothing entered, so no section.
EXPECTED = [
    "派驻市林业和草原局纪检监察组2022年监督检查审查调查情况通报",
    "（根据已审核报表统计）",
    "现将派驻市林业和草原局纪检监察组2022年监督检查审查调查主要数据通报如下。",
    "一、信访举报情况",
    "共接收信访举报1,236件次，同比上升8.2%。"
    "其中，来信312件次，占25.2%；来访500件次，占40.5%；来电300件次，占24.3%；网络举报124件次，占10.0%。",
    "二、问题线索处置情况",
    "共受理问题线索8件。",
    "共处置问题线索3件，同比下降25.0%。其中，谈话函询1件次，初步核实1件，暂存待查1件，予以了结0件。",
    "三、审查调查情况",
    "共立案5件，与去年同期持平。",
    "共处分（党纪、政务）4人。其中，党纪处分3人。",
    "四、运用“四种形态”情况",
    "共运用“四种形态”批评教育帮助和处理50人次，同比下降3.8%。"
    "其中，运用第一种形态47人次，占94.0%；运用第二种形态3人次，占6.0%；运用第三种形态0人次，占0.0%；"
    "运用第四种形态0人次，占0.0%。",
    # Shares printed: the bulletin says how they are rounded (52 of 56 may print 92.8%, not 92.9%).
    "注：占比按最大余额法修约，合计为100%。",
]


def page_paragraphs(response) -> list[str]:
    return article_paragraphs(response, "bulletin-text")


def page_url(org: str = "forestry", year: int = 2022, query: str = "") -> str:
    return reverse("reports:bulletin", args=[org, year]) + query


def docx_url(org: str = "forestry", year: int = 2022, query: str = "") -> str:
    return reverse("reports:bulletin_docx", args=[org, year]) + query


def enter_years(world, this_year: dict, last_year: dict) -> None:
    for unit, figures in this_year.items():
        enter(world[unit], "2022", figures)
    for unit, figures in last_year.items():
        enter(world[unit], "2021", figures)


@pytest.fixture
def two_years(world, indicators):
    enter_years(world, THIS_YEAR, LAST_YEAR)
    return world


def shares_of(sentence: str) -> list[Decimal]:
    return [Decimal(share) for share in re.findall(r"占(\d+\.\d)%", sentence)]


class TestBulletinPage:
    def test_it_words_the_figures_as_bulletins_do(self, client, bob, two_years):
        client.force_login(bob)
        response = client.get(page_url())
        assert response.status_code == 200
        assert page_paragraphs(response) == EXPECTED

    def test_it_highlights_the_figures_shares_and_changes(self, client, bob, two_years):
        client.force_login(bob)
        html = client.get(page_url()).content.decode()
        assert '<span class="figure" title="接收信访举报">1,236</span>' in html
        assert '<span class="figure" title="占接收信访举报的比例">25.2%</span>' in html
        # The change's title says what it is measured against: last year's figure.
        assert '<span class="figure" title="2021年：1,142件次">，同比上升8.2%</span>' in html

    def test_each_exact_breakdowns_shares_add_up_to_100(self, client, bob, two_years):
        client.force_login(bob)
        paragraphs = page_paragraphs(client.get(page_url()))
        sentences = [s for p in paragraphs for s in p.split("。") if "占" in s and not s.startswith("注")]
        assert len(sentences) == 2  # petitions' channels, the four forms
        for sentence in sentences:
            assert sum(shares_of(sentence)) == Decimal("100.0"), sentence
        # Clues' methods are no shares of the clues handled: 谈话函询 is counted in 件次, the whole in 件.
        (methods,) = [s for p in paragraphs for s in p.split("。") if "谈话函询" in s]
        assert "占" not in methods and "谈话函询1件次" in methods

    def test_unknown_figures_are_left_out_not_printed_as_0(self, client, bob, two_years):
        client.force_login(bob)
        text = "\n".join(page_paragraphs(client.get(page_url())))
        # Not entered by anyone: the visits received, the accusation-type petitions, administrative
        # sanctions, the ranks, transfers, and the whole eight-point-rules section.
        for absent in ("接待群众来访", "检举控告", "政务处分", "厅局级", "移送检察机关", "八项规定", "五、", "—"):
            assert absent not in text, absent

    def test_no_change_is_given_against_a_year_not_known_or_0(self, client, bob, two_years):
        client.force_login(bob)
        paragraphs = page_paragraphs(client.get(page_url()))
        accepted = next(p for p in paragraphs if "受理问题线索" in p)
        sanctioned = next(p for p in paragraphs if "处分（党纪、政务）" in p)
        for paragraph in (accepted, sanctioned):
            assert "同比" not in paragraph and "持平" not in paragraph

    def test_an_incomplete_figure_says_so_and_gets_no_change(self, client, bob, world, indicators):
        enter(world["organ"], "2022", {"grp_cases_filed": 3})
        enter(world["park"], "2022", {"grp_clues_accepted": 1})  # the park has not entered its cases
        enter(world["organ"], "2021", {"grp_cases_filed": 1})
        enter(world["park"], "2021", {"grp_cases_filed": 1})
        client.force_login(bob)
        paragraphs = page_paragraphs(client.get(page_url()))
        assert "共立案3件（1个单位未报全）。" in paragraphs

    def test_the_range_sets_the_heading_and_the_figures(self, client, bob, world, indicators):
        # Cases per quarter, in each unit: 2023: 1, 2, 3, 10; 2022: 1, 1, 1, 1.
        for year, quarters in ((2023, (1, 2, 3, 10)), (2022, (1, 1, 1, 1))):
            for unit in ("organ", "park"):
                for number, cases in enumerate(quarters, 1):
                    enter(world[unit], f"{year}Q{number}", {"grp_cases_filed": cases})
        client.force_login(bob)
        # Through Q3: 2 × (1 + 2 + 3) = 12 against 2 × 3 = 6 in 2022's Q1–Q3: +100.0%.
        paragraphs = page_paragraphs(client.get(page_url(year=2023, query="?through=2023Q3")))
        assert paragraphs[0] == "派驻市林业和草原局纪检监察组2023年前三季度监督检查审查调查情况通报"
        assert "共立案12件，同比上升100.0%。" in paragraphs
        # The whole year: 2 × 16 = 32 against 8: +300.0%.
        paragraphs = page_paragraphs(client.get(page_url(year=2023)))
        assert paragraphs[0] == "派驻市林业和草原局纪检监察组2023年监督检查审查调查情况通报"
        assert "共立案32件，同比上升300.0%。" in paragraphs

    def test_unapproved_reports_count_only_when_asked(self, client, bob, world, indicators):
        enter(world["organ"], "2022", {"grp_cases_filed": 7}, status="submitted")
        client.force_login(bob)
        paragraphs = page_paragraphs(client.get(page_url()))
        assert not any("立案" in p for p in paragraphs)
        assert paragraphs[-1] == "本期暂无可通报的数据。"
        paragraphs = page_paragraphs(client.get(page_url(query="?include_unapproved=1")))
        assert paragraphs[1] == "（含未审核报表，数据为初步统计）"
        assert "共立案7件（1个单位未报全）。" in paragraphs

    def test_it_reads_as_english_in_english(self, client, bob, two_years):
        client.force_login(bob)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        paragraphs = page_paragraphs(client.get(page_url()))
        assert paragraphs[3] == "1. Petitions and reports"
        assert paragraphs[4].startswith(
            "Petitions and reports received: 1,236 件次, up 8.2% on the same period last year. "
            "Of these: Received by letter 312 件次 (25.2%); "
        )
        assert "Cases filed (立案审查调查): 5 件, level with the same period last year." in paragraphs

    def test_it_links_the_word_file_the_summary_and_the_years(self, client, bob, two_years):
        client.force_login(bob)
        html = client.get(page_url(query="?through=2022Q3")).content.decode()
        assert 'href="/reports/forestry/2022/bulletin.docx?through=2022Q3"' in html
        assert 'href="/reports/forestry/2022/?through=2022Q3"' in html
        assert 'href="/reports/forestry/2021/bulletin/?through=2021Q3"' in html
        assert 'href="/reports/forestry/2023/bulletin/?through=2023Q3"' in html

    def test_the_summary_tabs_link_to_it(self, client, bob, two_years):
        client.force_login(bob)
        html = client.get("/reports/forestry/2022/?include_unapproved=1").content.decode()
        assert 'href="/reports/forestry/2022/bulletin/?include_unapproved=1">通报</a>' in html


class TestAccess:
    def test_another_groups_organisation_is_a_404(self, client, charlie, two_years):
        client.force_login(charlie)
        assert client.get(page_url()).status_code == 404
        assert client.get(docx_url()).status_code == 404
        assert client.get(page_url("forestry-organ")).status_code == 404

    def test_it_needs_a_login(self, client, two_years):
        response = client.get(page_url())
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.get(docx_url()).status_code == 302

    def test_it_only_reads(self, client, bob, two_years):
        client.force_login(bob)
        assert client.post(page_url()).status_code == 405
        assert client.post(docx_url()).status_code == 405


def test_every_section_of_the_bulletin_is_in_the_catalogue(db):
    sections = set(Indicator.objects.active().values_list("section", flat=True))
    assert {section for section, _heading in BULLETIN_SECTIONS} <= sections


@pytest.fixture
def document(client, bob, two_years):
    client.force_login(bob)
    response = client.get(docx_url())
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


class TestBulletinDocx:
    def test_it_is_a_word_file_named_after_the_org_and_range(self, client, bob, two_years):
        client.force_login(bob)
        response = client.get(docx_url(query="?through=2022Q3"))
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert 'filename="forestry-2022Q3-bulletin.docx"' in response["Content-Disposition"]

    def test_it_has_the_pages_text(self, client, bob, document):
        page = page_paragraphs(client.get(page_url()))
        assert [p.text for p in document.paragraphs] == page == EXPECTED

    def test_it_follows_the_range(self, client, bob, two_years):
        client.force_login(bob)
        response = client.get(docx_url(query="?through=2022Q3"))
        document = docx.Document(io.BytesIO(response.content))
        # Yearly figures make no Q1–Q3: nothing to report, and the heading says which range.
        assert document.paragraphs[0].text == "派驻市林业和草原局纪检监察组2022年前三季度监督检查审查调查情况通报"
        assert document.paragraphs[-1].text == "本期暂无可通报的数据。"

    def test_its_headings_are_gbt_9704_first_level_headings(self, document):
        title, byline, _intro, heading = document.paragraphs[:4]
        assert title.style.name == "Review Title"
        assert byline.style.name == "Review Heading 2"
        assert heading.text == "一、信访举报情况"
        assert heading.style.name == "Review Heading 1"
        fonts = heading.style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts.get(qn("w:eastAsia")) == "黑体"
        assert heading.style.paragraph_format.keep_with_next is True
        assert document.core_properties.title == EXPECTED[0]


def test_libreoffice_converts_it_to_pdf(client, bob, two_years, tmp_path):
    client.force_login(bob)
    source = tmp_path / "bulletin.docx"
    source.write_bytes(client.get(docx_url()).content)
    pdf = convert_to_pdf(source, tmp_path)
    assert pdf.startswith(b"%PDF")
    # About 450 characters at 22 lines of 28 a page: one or two pages.
    assert 1 <= len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) <= 2
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "bulletin.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "同比上升8.2%" in re.sub(r"\s+", "", text)
