"""A pasted document (here a speech's review) as a .docx laid out after GB/T 9704-2012, read back with python-docx."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.urls import reverse
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.conftest import convert_to_pdf, enter, review_url
from tests.test_review import build_full_year, page_paragraphs
from tracker.documents.services import template_create

TOLERANCE = Mm(0.5)

# The speech's review, cut to four paragraphs under its title.
REVIEW = (
    "2022年工作回顾\n"
    "2022年，派驻监督工作在市纪委监委有力领导下，在局党组强力支持下，聚焦主责主业。\n"
    "全年接待群众来访及反映问题**人次。受理案件线索**件，立案查处**件，党纪、政务处分**人。"
    "运用“四种形态”中的第一种形态**人次、占94%，第二种形态**人次、占6%。"
    "八是聚焦基层一线监督力量，督导被监督的**余个基层党组组织纪检书记和纪检委员开展日常监督工作。\n"
    "去年以来我们纪检监察组赴一线调研**次，开展专项监督检查**次。\n"
    "以上问题，希望引起各级组织、部门和同志们的高度警醒和重视。"
)


@pytest.fixture
def full_year(world, indicators, bob):
    world = build_full_year(world, indicators, bob)
    template_create(organisation=world["forestry"], name="回顾", user=bob, text=REVIEW)
    return world


def docx_url(org: str = "forestry", year: int = 2022) -> str:
    return reverse("review_docx", args=[org, year])


@pytest.fixture
def document(client, bob, full_year):
    client.force_login(bob)
    response = client.get(docx_url(), follow=True)
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def resolved(paragraph, read):
    """A paragraph property as Word resolves it: the paragraph's own, else its style chain's."""
    value = read(paragraph.paragraph_format)
    style = paragraph.style
    while value is None and style is not None:
        value = read(style.paragraph_format)
        style = style.base_style
    return value


def resolved_font(paragraph, read):
    style = paragraph.style
    value = None
    while value is None and style is not None:
        value = read(style)
        style = style.base_style
    return value


def east_asia(element) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def style_east_asia(style) -> str | None:
    while style is not None:
        font = east_asia(style.element)
        if font:
            return font
        style = style.base_style
    return None


class TestReviewDocx:
    def test_it_is_a_word_file_named_after_the_org_year_and_document(self, client, bob, full_year):
        client.force_login(bob)
        response = client.get(docx_url(), follow=True)
        assert response["Content-Type"] == ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        disposition = response["Content-Disposition"]
        assert 'filename="forestry-2022-document-' in disposition
        assert "filename*=utf-8''" in disposition

    def test_it_has_the_pages_paragraphs(self, client, bob, full_year, document):
        page = page_paragraphs(client.get(review_url(), follow=True))
        assert [p.text for p in document.paragraphs] == page
        assert "第一种形态47人次、占94%，第二种形态3人次、占6%" in document.paragraphs[2].text

    def test_missing_figures_print_stars_and_are_highlighted(self, client, bob, world, indicators):
        template_create(organisation=world["forestry"], name="回顾", user=bob, text=REVIEW)
        enter(world["forestry"], "2022", {"grp_field_research_trips": 5})
        client.force_login(bob)
        document = docx.Document(io.BytesIO(client.get(docx_url(), follow=True).content))
        page = page_paragraphs(client.get(review_url(), follow=True))
        assert [p.text for p in document.paragraphs] == page
        runs = [run for p in document.paragraphs for run in p.runs]
        stars = [run for run in runs if run.text == "**"]
        assert stars
        assert all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW for run in stars)
        assert "督导被监督的**余个" in document.paragraphs[2].text

    def test_the_page_is_a4_with_official_margins(self, document):
        section = document.sections[0]
        for actual, expected in [
            (section.page_width, Mm(210)),
            (section.page_height, Mm(297)),
            (section.top_margin, Mm(37)),
            (section.bottom_margin, Mm(35)),
            (section.left_margin, Mm(28)),
            (section.right_margin, Mm(26)),
        ]:
            assert abs(actual - expected) <= TOLERANCE

    def test_the_body_is_sanhao_fangsong_with_a_two_character_indent(self, document):
        normal = document.styles["Normal"]
        assert normal.font.size == Pt(16)
        assert east_asia(normal.element) == "仿宋_GB2312"
        body = document.paragraphs[1:]
        assert len(body) == 4
        for paragraph in body:
            assert resolved_font(paragraph, lambda s: s.font.size) == Pt(16)
            assert style_east_asia(paragraph.style) == "仿宋_GB2312"
            assert all(east_asia(run._r) in (None, "仿宋_GB2312") for run in paragraph.runs)
            assert resolved(paragraph, lambda f: f.first_line_indent) == Pt(32)
            assert resolved(paragraph, lambda f: f.line_spacing_rule) == WD_LINE_SPACING.EXACTLY
            assert Pt(28) <= resolved(paragraph, lambda f: f.line_spacing) <= Pt(29)

    def test_the_title_is_erhao_xiaobiaosong_centred(self, document):
        title = document.paragraphs[0]
        assert title.text == "2022年工作回顾"
        assert resolved_font(title, lambda s: s.font.size) == Pt(22)
        assert style_east_asia(title.style) == "方正小标宋简体"
        assert resolved(title, lambda f: f.alignment) == WD_ALIGN_PARAGRAPH.CENTER
        assert not resolved(title, lambda f: f.first_line_indent)

    def test_the_footer_numbers_the_pages(self, document):
        footer = document.sections[0].footer
        xml = footer._element.xml
        instructions = [el.text for el in footer._element.iter(qn("w:instrText"))]
        simple = [el.get(qn("w:instr")) for el in footer._element.iter(qn("w:fldSimple"))]
        assert any("PAGE" in (i or "") for i in instructions + simple), xml
        paragraph = footer.paragraphs[0]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert {run.font.size for run in paragraph.runs if run.text} == {Pt(14)}

    def test_the_year_follows_the_chosen_year(self, client, bob, full_year):
        client.force_login(bob)
        document = docx.Document(io.BytesIO(client.get(docx_url(year=2023), follow=True).content))
        assert document.paragraphs[0].text == "2023年工作回顾"
        assert document.paragraphs[1].text.startswith("2023年，")


def test_libreoffice_converts_it_to_pdf(client, bob, full_year, tmp_path):
    client.force_login(bob)
    source = tmp_path / "review.docx"
    source.write_bytes(client.get(docx_url(), follow=True).content)
    pdf = convert_to_pdf(source, tmp_path)
    assert pdf.startswith(b"%PDF")
    # About 300 characters at 22 lines of 28 a page: one page.
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
