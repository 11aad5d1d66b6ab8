"""Uploaded workbooks and documents are read within limits (tracker.uploads): bombs refused by name, fast.

Every file is built here, in memory: a sheet claiming A1:XFD1048576, 189 KB that unpack to 3,000,000 rows,
too many parts, malformed XML, a Word file that unpacks to gigabytes. Each goes in the real way (the import
page, the document template pages) and must come back as a page naming the limit in Chinese, with nothing
written, within a few seconds (the time is a guard; the message is what is checked).

alice: clerk of forestry (imports); bob: leader of forestry (manages document templates).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl.utils import get_column_letter

from tracker.documents.models import DocumentTemplate, TemplateVersion
from tracker.entry.models import Report, Value
from tracker.uploads import (
    DAMAGED,
    DOCX,
    NOT_A_PACKAGE,
    XLSX,
    UploadRefused,
    capped_rows,
    check_package,
    check_size,
    sheet_rows,
)

SECONDS = 5  # far above what any of these takes; the files kept a worker busy until gunicorn killed it
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = (
    '<row r="1">'
    + "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for letter, name in zip("ABCDE", ("org", "period", "indicator", "value", "note"), strict=True)
    )
    + "</row>"
)


def _rezip(base: bytes, parts: dict[str, bytes | str], *, drop: tuple[str, ...] = ()) -> bytes:
    """`base` with some parts replaced or added (and some dropped), deflated as Office does."""
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename not in parts and info.filename not in drop:
                archive.writestr(info.filename, source.read(info))
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _base_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["org", "period", "indicator", "value", "note"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(rows: str, *, dimension: str | None = None, after: str = "") -> str:
    """A worksheet's XML: the header row, then `rows` (XML), then `after` (what follows </sheetData>)."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{declared}<sheetData>{HEADER}{rows}</sheetData>{after}</worksheet>'


def workbook(sheet_xml: str | None = None, parts: dict[str, str] | None = None) -> bytes:
    """openpyxl's workbook with its sheet's XML (and any other part) replaced."""
    replaced = {"xl/worksheets/sheet1.xml": sheet_xml} if sheet_xml is not None else {}
    return _rezip(_base_workbook(), replaced | (parts or {}))


def word_file() -> bytes:
    document = docx.Document()
    document.add_paragraph("2022年全年立案215件。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def understated(data: bytes, name: str, size: int) -> bytes:
    """The zip with its central directory claiming that `name` unpacks to `size` bytes."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", patched, at + 28)[0]
        if patched[at + 46 : at + 46 + name_length] == name.encode():
            struct.pack_into("<I", patched, at + 24, size)
        at = patched.find(b"PK\x01\x02", at + 1)
    return bytes(patched)


def import_file(client, content: bytes, name: str = "figures.xlsx"):
    """The import page's preview of the file, and how long it took."""
    start = time.monotonic()
    response = client.post(reverse("entry:import"), {"file": SimpleUploadedFile(name, content)})
    return response, time.monotonic() - start


def assert_refused(response, elapsed: float, *messages: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    for message in messages:
        assert message in html, html[html.find('id="preview"') :][:1500]
    assert not response.context.get("may_confirm")
    assert elapsed < SECONDS
    assert not Value.objects.exists() and not Report.objects.exists()


class TestImportPage:
    def test_it_refuses_a_sheet_claiming_a1_to_xfd1048576(self, clerk, world, indicators):
        sheet = _sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")
        response, elapsed = import_file(clerk, workbook(sheet))
        assert_refused(response, elapsed, "工作表的已用区域（A1:XFD1048576）超过 20,000 行", "删除表格下方的空行")

    def test_it_refuses_a_last_row_far_below_without_a_declared_range(self, clerk, world, indicators):
        response, elapsed = import_file(clerk, workbook(_sheet('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')))
        assert_refused(response, elapsed, "工作表超过 20,000 行")

    def test_it_refuses_a_cell_past_the_last_column(self, clerk, world, indicators):
        cell = f'<row r="2"><c r="{get_column_letter(1001)}2"><v>1</v></c></row>'
        response, elapsed = import_file(clerk, workbook(_sheet(cell)))
        assert_refused(response, elapsed, "工作表超过 1,000 列")

    def test_it_refuses_a_row_of_too_many_cells_while_reading_it(self, clerk, world, indicators):
        # All in one column: the row is never wide, but openpyxl would parse every cell before looking.
        response, elapsed = import_file(clerk, workbook(_sheet('<row r="2">' + '<c r="A2"/>' * 1001 + "</row>")))
        assert_refused(response, elapsed, "工作表超过 1,000 列")

    def test_it_refuses_a_declared_range_too_wide(self, clerk, world, indicators):
        sheet = _sheet("", dimension=f"A1:{get_column_letter(1001)}5")
        response, elapsed = import_file(clerk, workbook(sheet))
        assert_refused(response, elapsed, f"（A1:{get_column_letter(1001)}5）超过 1,000 列")

    def test_it_refuses_189_kb_that_unpack_to_3_000_000_rows(self, clerk, world, indicators):
        content = workbook(_sheet("<row><c><v>1</v></c></row>" * 3_000_000))
        assert len(content) < 200_000
        response, elapsed = import_file(clerk, content)
        assert_refused(response, elapsed, "文件解压后超过 50 MB")

    def test_it_refuses_a_part_that_unpacks_to_a_thousand_times_its_size(self, clerk, world, indicators):
        response, elapsed = import_file(clerk, workbook(_sheet("<row><c><v>1</v></c></row>" * 1_000_000)))
        assert_refused(response, elapsed, "文件解压后超过其大小的 100 倍")

    def test_it_refuses_a_zip_of_too_many_parts(self, clerk, world, indicators):
        parts = {f"xl/media/part{n}.xml": "<a/>" for n in range(1001)}
        response, elapsed = import_file(clerk, _rezip(_base_workbook(), parts))
        assert_refused(response, elapsed, "文件包含超过 1,000 个部件")

    @pytest.mark.parametrize(
        "part",
        [
            "xl/worksheets/sheet1.xml",
            "xl/workbook.xml",
            "xl/styles.xml",
            "[Content_Types].xml",
            "xl/_rels/workbook.xml.rels",
        ],
    )
    def test_it_answers_malformed_xml_with_a_message(self, clerk, world, indicators, part):
        broken = f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER}<row r="2"><c r="A2"><v>1</v></row>'
        response, elapsed = import_file(clerk, _rezip(_base_workbook(), {part: broken}))
        assert_refused(response, elapsed, "文件已损坏，无法读取")

    def test_it_refuses_entities(self, clerk, world, indicators):
        laughs = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        response, elapsed = import_file(
            clerk, workbook(laughs + _sheet('<row r="2"><c r="A2" t="str"><v>&b;</v></c></row>'))
        )
        assert_refused(response, elapsed, "文件已损坏，无法读取")

    def test_it_refuses_styles_of_a_hundred_thousand_fonts_before_openpyxl_reads_them(self, clerk, world, indicators):
        styles = f'<styleSheet xmlns="{MAIN}"><fonts>' + "<font/>" * 100_000 + "</fonts></styleSheet>"
        response, elapsed = import_file(clerk, workbook(parts={"xl/styles.xml": styles}))
        assert_refused(response, elapsed, "样式、名称等设置超过 50,000 个 XML 标记")

    def test_it_names_a_file_that_is_not_a_workbook(self, clerk, world, indicators):
        for content in (b"not a zip", word_file()):
            response, elapsed = import_file(clerk, content)
            assert_refused(response, elapsed, "不是 Excel 工作簿")

    def test_it_refuses_a_csv_of_too_many_lines(self, clerk, world, indicators):
        content = "org,period,indicator,value,note\n" + "forestry-organ,2023,grp_cases_filed,7,\n" * 20_000
        response, elapsed = import_file(clerk, content.encode(), name="figures.csv")
        assert_refused(response, elapsed, "文件超过 20,000 行")

    @override_settings(UPLOAD_MAX_ROWS=3)
    def test_it_counts_blank_lines_of_a_csv(self, clerk, world, indicators):
        content = "org,period,indicator,value,note\nforestry-organ,2023,grp_cases_filed,7,\n\n\n"
        response, elapsed = import_file(clerk, content.encode(), name="figures.csv")
        assert_refused(response, elapsed, "文件超过 3 行")

    @override_settings(UPLOAD_MAX_BYTES=1024)
    def test_it_refuses_a_file_over_the_upload_size(self, clerk, world, indicators):
        response, elapsed = import_file(clerk, b"org,period,indicator,value,note\n" + b"#" * 2000, name="a.csv")
        assert_refused(response, elapsed, "文件超过 1 KB")

    def test_a_sheet_within_the_limits_is_read_as_before(self, clerk, world, indicators):
        # A declared range narrower than the cells, a note beside the table, an empty note cell left out,
        # a blank row and a figure typed as text: the rows are read, nothing is lost or made up.
        rows = (
            '<row r="2"><c r="A2" t="inlineStr"><is><t>forestry-organ</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>2023</t></is></c>'
            '<c r="C2" t="inlineStr"><is><t>grp_cases_filed</t></is></c><c r="D2"><v>7</v></c>'
            '<c r="G2" t="inlineStr"><is><t>核对过</t></is></c></row>'
            '<row r="4"><c r="A4" t="inlineStr"><is><t>forestry-organ</t></is></c>'
            '<c r="B4" t="inlineStr"><is><t>2023</t></is></c>'
            '<c r="C4" t="inlineStr"><is><t>grp_clues_accepted</t></is></c>'
            '<c r="D4" t="inlineStr"><is><t>9</t></is></c><c r="E4" t="inlineStr"><is><t>备注</t></is></c></row>'
        )
        response, elapsed = import_file(clerk, workbook(_sheet(rows, dimension="A1:E2")))
        assert response.status_code == 200
        assert [str(e) for e in response.context["errors"]] == []
        assert [(c.row.indicator.code, c.row.value, c.row.note) for c in response.context["changes"]] == [
            ("grp_cases_filed", 7, ""),
            ("grp_clues_accepted", 9, "备注"),
        ]
        assert response.context["may_confirm"]


def new_template(client, world, content: bytes):
    start = time.monotonic()
    response = client.post(
        reverse("documents:new"),
        {
            "name": "年度总结",
            "organisation": world["forestry"].pk,
            "kind": "other",
            "file": SimpleUploadedFile("总结.docx", content),
            "text": "",
        },
    )
    return response, time.monotonic() - start


def assert_template_refused(response, elapsed: float, *messages: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    for message in messages:
        assert message in html, html[:3000]
    assert elapsed < SECONDS
    assert not DocumentTemplate.objects.exists()


class TestTemplateUpload:
    def test_it_accepts_a_word_file(self, leader, world):
        response, _elapsed = new_template(leader, world, word_file())
        assert response.status_code == 302
        assert "2022年全年立案215件。" in DocumentTemplate.objects.get().current.text

    def test_it_answers_a_malformed_document_xml_with_a_message(self, leader, world):
        content = _rezip(word_file(), {"word/document.xml": "<w:document><w:body><w:p>"})
        response, elapsed = new_template(leader, world, content)
        assert_template_refused(response, elapsed, "无法读取“总结.docx”", "文件已损坏，无法读取")

    def test_it_answers_malformed_content_types_with_a_message(self, leader, world):
        content = _rezip(word_file(), {"[Content_Types].xml": "<Types><Default Extension="})
        response, elapsed = new_template(leader, world, content)
        assert_template_refused(response, elapsed, "文件已损坏，无法读取")

    def test_it_answers_a_missing_part_with_a_message(self, leader, world):
        response, elapsed = new_template(leader, world, _rezip(word_file(), {}, drop=("word/document.xml",)))
        assert_template_refused(response, elapsed, "文件已损坏，无法读取")

    def test_it_refuses_a_word_bomb(self, leader, world):
        content = _rezip(word_file(), {"word/document.xml": "<w:p/>" * 10_000_000})
        assert len(content) < 200_000
        response, elapsed = new_template(leader, world, content)
        assert_template_refused(response, elapsed, "文件解压后超过 50 MB")

    def test_it_refuses_relationships_python_docx_would_make_objects_of(self, leader, world):
        rel = '<Relationship Id="r{n}" Type="http://x/styles" Target="styles.xml"/>'
        rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        rels += "".join(rel.format(n=n) for n in range(60_000)) + "</Relationships>"
        content = _rezip(word_file(), {"word/_rels/document.xml.rels": rels})
        response, elapsed = new_template(leader, world, content)
        assert_template_refused(response, elapsed, "超过 50,000 个 XML 标记")

    def test_a_new_version_is_refused_with_a_message(self, leader, world):
        new_template(leader, world, word_file())
        template = DocumentTemplate.objects.get()
        content = _rezip(word_file(), {"word/document.xml": "<w:document><w:body><w:p>"})
        response = leader.post(
            reverse("documents:source", args=[template.pk]),
            {"file": SimpleUploadedFile("新.docx", content), "text": ""},
            follow=True,
        )
        assert response.status_code == 200
        assert "文件已损坏，无法读取" in response.content.decode()
        assert TemplateVersion.objects.filter(template=template).count() == 1

    def test_a_kept_word_file_over_a_lowered_limit_is_a_message_not_an_error(self, leader, world):
        new_template(leader, world, word_file())
        template = DocumentTemplate.objects.get()
        url = reverse("documents:docx", args=[template.pk, "forestry-organ", 2023])
        with override_settings(UPLOAD_MAX_PARTS=5):
            response = leader.get(url, follow=True)
        assert response.status_code == 200
        assert "无法读取模板的 Word 文件：文件包含超过 5 个部件" in response.content.decode()


class TestLimits:
    def test_it_passes_what_openpyxl_and_python_docx_write(self):
        check_package(_base_workbook(), kind=XLSX)
        check_package(word_file(), kind=DOCX)

    @override_settings(UPLOAD_MAX_BYTES=5 * 1024 * 1024)
    def test_it_names_the_upload_size(self):
        check_size(5 * 1024 * 1024)
        with pytest.raises(UploadRefused, match="5 MB"):
            check_size(5 * 1024 * 1024 + 1)

    def test_it_does_not_trust_the_size_the_zip_declares(self):
        content = understated(
            workbook(_sheet("<row><c><v>1</v></c></row>" * 3_000_000)), "xl/worksheets/sheet1.xml", 10
        )
        with pytest.raises(UploadRefused) as refused:
            check_package(content, kind=XLSX)
        assert refused.value.code == DAMAGED

    @override_settings(UPLOAD_MAX_XML_TAGS=100)
    def test_it_counts_the_tags(self):
        with pytest.raises(UploadRefused, match="100 个 XML 标记"):
            check_package(workbook(_sheet("<row><c><v>1</v></c></row>" * 100)), kind=XLSX)

    def test_a_costly_part_is_costly_whatever_it_is_called(self):
        # The workbook's relationships send an external link to a part typed and named as a worksheet:
        # openpyxl would make objects of it, so it counts against the small budget.
        base = _base_workbook()
        rels = zipfile.ZipFile(io.BytesIO(base)).read("xl/_rels/workbook.xml.rels").decode()
        link = '<Relationship Id="rX" Type="http://x/externalLink" Target="worksheets/sheet1.xml"/>'
        rels = rels.replace("</Relationships>", link + "</Relationships>")
        sheet = _sheet("<row/>" * 60_000)
        content = workbook(sheet, {"xl/_rels/workbook.xml.rels": rels})
        check_package(workbook(sheet), kind=XLSX)  # as a worksheet, it is only streamed
        with pytest.raises(UploadRefused, match="50,000"):
            check_package(content, kind=XLSX)

    def test_it_says_a_file_is_not_a_package(self):
        with pytest.raises(UploadRefused) as refused:
            check_package(b"org,period\n", kind=XLSX)
        assert refused.value.code == NOT_A_PACKAGE

    @override_settings(UPLOAD_MAX_ROWS=2)
    def test_rows_are_counted_as_they_come(self):
        rows = capped_rows(iter(["a", "b", "c", "d"]))
        assert [next(rows), next(rows)] == ["a", "b"]
        with pytest.raises(UploadRefused, match="文件超过 2 行"):
            next(rows)

    def test_a_sheet_is_read_row_by_row_as_openpyxl_reads_it(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["org", "period", 7, 2.5, None, "=1+1"])
        sheet.append([])
        sheet.append([None, None, "x"])
        out = io.BytesIO()
        book.save(out)
        assert list(sheet_rows(out.getvalue())) == [
            (1, ("org", "period", 7, 2.5, None, None)),  # a formula's last value: never computed here
            (2, ()),
            (3, (None, None, "x")),
        ]

    def test_nothing_after_the_rows_is_read(self):
        # openpyxl's own iter_rows would go on into this (malformed) tail; the rows are all there is to read.
        sheet = _sheet('<row r="2"><c r="A2"><v>1</v></c></row>', after="<mergeCells><mergeCell")
        content = workbook(sheet)
        assert [number for number, _cells in sheet_rows(content)] == [1, 2]
