"""Documents as Word files laid out like a Chinese official document (GB/T 9704-2012).

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; body 三号 (16 pt) 仿宋_GB2312 with a
two-character first-line indent and exact line spacing, so a page holds 22 lines of 28 characters;
the title 二号 (22 pt) 方正小标宋简体, centred; first-level headings (一、…) 三号 黑体; second-level
headings 三号 楷体_GB2312; the page number 四号 (14 pt) in the footer as "— 1 —".

Chinese font names go in `w:eastAsia` of `w:rFonts`: python-docx's `font.name` sets only the Latin
slots, and Word would then show the Latin font for Chinese text. Where 方正小标宋简体 (or another
GB font) is not installed, Word and LibreOffice substitute a Song/Kai face themselves.

The text comes as paragraphs of tracker.reports.review_text (title, byline, body, and the
`HEADING` role below), the same structure the pages render: `official_document` lays out any
such list: the bulletin (tracker.reports.bulletin) and a pasted document template
(tracker.documents); an uploaded Word template keeps its own layout instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun

from tracker.reports.review_text import Paragraph, Role, RunKind

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CORE_PROPERTY_CHARS = 255  # python-docx's limit on a document property (title, author)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# The page number's line sits 7 mm below the text area.
FOOTER_DISTANCE = Mm(22)

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
KAI_FONT = "楷体_GB2312"
HEI_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
FIRST_LINE_INDENT = Pt(32)  # two characters of 三号
# 22 lines in the 225 mm (637.8 pt) text area.
LINE_PITCH = Pt(28.9)
# 28 characters in the 156 mm (442.2 pt) line: 16 pt characters closed up by 0.25 pt each.
CHARACTER_SPACING_TWIPS = -5

TITLE_STYLE = "Review Title"
BYLINE_STYLE = "Review Heading 2"
HEADING_STYLE = "Review Heading 1"

# A paragraph role beyond review_text.Role: a first-level heading ("一、信访举报情况").
HEADING = "heading"


# Children of w:rPr that must follow w:spacing and w:lang (the schema fixes their order).
AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
AFTER_OUTLINE_LEVEL = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _rpr(element):
    """The w:rPr of a style, a run or the document defaults' w:rPrDefault."""
    if hasattr(element, "get_or_add_rPr"):
        return element.get_or_add_rPr()
    rpr = element.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        element.append(rpr)
    return rpr


def _child(parent, tag: str, successors: tuple[str, ...]):
    child = parent.find(qn(tag))
    if child is None:
        child = parent.insert_element_before(OxmlElement(tag), *successors)
    return child


def _set_fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the Latin and East Asian fonts, dropping theme fonts that would win over them."""
    fonts = _rpr(element).get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _set_language(element) -> None:
    lang = _child(_rpr(element), "w:lang", AFTER_LANG)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _set_character_spacing(element, twips: int) -> None:
    _child(_rpr(element), "w:spacing", AFTER_SPACING).set(qn("w:val"), str(twips))


def _set_outline_level(style: BaseStyle, level: int) -> None:
    ppr = style.element.get_or_add_pPr()
    _child(ppr, "w:outlineLvl", AFTER_OUTLINE_LEVEL).set(qn("w:val"), str(level))


def _document_defaults(document) -> None:
    """Fonts in docDefaults too, so that nothing falls back to the template's theme fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if rpr_default is not None:
        _set_fonts(rpr_default, BODY_FONT)
        _set_language(rpr_default)


def _styles(document) -> None:
    _document_defaults(document)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element, BODY_FONT)
    _set_language(normal.element)
    _set_character_spacing(normal.element, CHARACTER_SPACING_TWIPS)
    body = normal.paragraph_format
    body.first_line_indent = FIRST_LINE_INDENT
    body.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    body.line_spacing = LINE_PITCH
    body.space_before = Pt(0)
    body.space_after = Pt(0)
    body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Keep the 22-line grid: no line moves to the next page to avoid a widow.
    body.widow_control = False

    title = document.styles.add_style(TITLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    title.next_paragraph_style = normal
    title.font.size = TITLE_SIZE
    _set_fonts(title.element, TITLE_FONT)
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.keep_with_next = True
    # A 22 pt line needs more room than the body's pitch; two body lines keep the grid.
    title.paragraph_format.line_spacing = Pt(LINE_PITCH.pt * 2)
    _set_outline_level(title, 0)

    byline = document.styles.add_style(BYLINE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    byline.base_style = normal
    byline.next_paragraph_style = normal
    _set_fonts(byline.element, KAI_FONT)
    byline.paragraph_format.first_line_indent = Pt(0)
    byline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    byline.paragraph_format.keep_with_next = True
    # One empty line's worth before the body, without an empty paragraph.
    byline.paragraph_format.space_after = LINE_PITCH
    _set_outline_level(byline, 1)


def _heading_style(document) -> None:
    """First-level headings: 三号 黑体 on the body's grid and indent, kept with what follows.

    Added only to a document that has headings, so a document without (the review) is unchanged.
    """
    heading = document.styles.add_style(HEADING_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = document.styles["Normal"]
    heading.next_paragraph_style = document.styles["Normal"]
    _set_fonts(heading.element, HEI_FONT)
    heading.paragraph_format.keep_with_next = True
    _set_outline_level(heading, 1)


def _page_setup(section) -> None:
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = FOOTER_DISTANCE


def _field_run(paragraph: DocxParagraph, fld_type: str | None = None, instruction: str | None = None) -> DocxRun:
    run = paragraph.add_run()
    if fld_type:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), fld_type)
        run._r.append(char)
    if instruction:
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = instruction
        run._r.append(instr)
    return run


def _page_number(section) -> None:
    """ "— 1 —" centred in the footer, the number a PAGE field."""
    footer = section.footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    runs = [
        paragraph.add_run("— "),
        _field_run(paragraph, "begin"),
        _field_run(paragraph, instruction=" PAGE "),
        _field_run(paragraph, "separate"),
        paragraph.add_run("1"),
        _field_run(paragraph, "end"),
        paragraph.add_run(" —"),
    ]
    for run in runs:
        run.font.size = PAGE_NUMBER_SIZE
        _set_fonts(run._r, PAGE_NUMBER_FONT)
        _set_character_spacing(run._r, 0)


# Paragraph style and East Asian font per role; runs repeat the style's font for readers
# that look only at the run.
ROLE_STYLE = {
    Role.TITLE: (TITLE_STYLE, TITLE_FONT),
    Role.BYLINE: (BYLINE_STYLE, KAI_FONT),
    HEADING: (HEADING_STYLE, HEI_FONT),
}


def _add_paragraph(document, paragraph: Paragraph) -> None:
    style, font = ROLE_STYLE.get(paragraph.role, (None, BODY_FONT))
    out = document.add_paragraph(style=style)
    for run in paragraph.runs:
        docx_run = out.add_run(run.text)
        _set_fonts(docx_run._r, font)
        if run.kind == RunKind.MISSING:
            docx_run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _property(text: str) -> str:
    return text if len(text) <= CORE_PROPERTY_CHARS else text[: CORE_PROPERTY_CHARS - 1] + "…"


def official_document(title: str, author: str, paragraphs: Iterable[Paragraph]) -> bytes:
    """Paragraphs (title, byline, headings, body) as the bytes of a .docx laid out after GB/T 9704."""
    paragraphs = list(paragraphs)
    document = Document()
    _styles(document)
    if any(paragraph.role == HEADING for paragraph in paragraphs):
        _heading_style(document)
    section = document.sections[0]
    _page_setup(section)
    _page_number(section)

    properties = document.core_properties
    # The file's properties hold at most 255 characters each (python-docx refuses more); the
    # document's own title paragraph is printed whole.
    properties.title = _property(title)
    properties.author = _property(author)
    properties.language = "zh-CN"
    properties.comments = ""  # python-docx's template says "generated by python-docx"
    properties.last_modified_by = author
    properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0)

    for paragraph in paragraphs:
        _add_paragraph(document, paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
