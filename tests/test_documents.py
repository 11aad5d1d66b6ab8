"""Document templates: the binding assistant, generating, drafts, Word files kept as they were, access.

alice: clerk of forestry; bob: leader of forestry (may manage templates); charlie: clerk of water.
"""

from __future__ import annotations

import csv
import io
import re
from io import StringIO
from pathlib import Path

import docx
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from docx.shared import Pt

from tests.conftest import convert_to_pdf, enter, make_user
from tracker.catalogue.models import Indicator
from tracker.documents.assistant import Assistant
from tracker.documents.models import DocumentTemplate, Draft, TemplateVersion
from tracker.documents.services import template_create
from tracker.orgs.models import OrganisationText, Role

SEEDS = Path(settings.BASE_DIR) / "seeds"

# The bulletin paragraph, with real numbers, and what every number is.
BULLETIN = (
    "2023年一季度，我组共接收信访举报1,236件次，同比上升8.2%。其中，来信312件次，来访140件次，来电201件次，"
    "网络举报583件次。处置问题线索860件，其中谈话函询310件次、初步核实402件、暂存待查48件、予以了结100件。"
    "立案215件，同比下降3.1%，处分198人，其中党纪处分170人、政务处分95人。"
    "运用“四种形态”批评教育帮助和处理共1005人次。其中，运用第一种形态663人次，占66%；第二种形态251人次，占25%；"
    "第三种形态50人次，占5%；第四种形态41人次，占4%。"
)
BULLETIN_TRUTH = [
    ("2023年一季度", "range"),
    ("1,236", "grp_petitions_received"),
    ("上升8.2%", "grp_petitions_received:change_pct"),
    ("312", "grp_petitions_letter"),
    ("140", "grp_petitions_visit"),
    ("201", "grp_petitions_phone"),
    ("583", "grp_petitions_online"),
    ("860", "grp_clues_handled"),
    ("310", "grp_clues_talk_inquiry"),
    ("402", "grp_clues_initial_verification"),
    ("48", "grp_clues_shelved"),
    ("100", "grp_clues_closed"),
    ("215", "grp_cases_filed"),
    ("下降3.1%", "grp_cases_filed:change_pct"),
    ("198", "grp_sanctioned_persons"),
    ("170", "grp_sanctioned_party"),
    ("95", "grp_sanctioned_admin"),
    ("1005", "grp_four_forms_total"),
    ("663", "grp_form1_person_times"),
    ("66%", "grp_form1_pct"),
    ("251", "grp_form2_person_times"),
    ("25%", "grp_form2_pct"),
    ("50", "grp_form3_person_times"),
    ("5%", "grp_form3_pct"),
    ("41", "grp_form4_person_times"),
    ("4%", "grp_form4_pct"),
]


class TestTheAssistant:
    def test_it_binds_the_speech(self, db, capsys):
        text = (SEEDS / "speech-2023.txt").read_text(encoding="utf-8")
        with (SEEDS / "placeholders.csv").open(encoding="utf-8") as handle:
            truth = {int(row["char_offset"]): row["code"] for row in csv.DictReader(handle)}
        first = {}
        for candidate in Assistant().propose(text):
            first[candidate.slot.start + len(candidate.slot.prefix)] = candidate.best
        right = sum(1 for offset, code in truth.items() if first.get(offset) == code)
        with capsys.disabled():
            print(f"\nbinding assistant on seeds/speech-2023.txt: {right} of {len(truth)} figures right first")
        assert right >= 34

    def test_every_number_of_a_bulletin_paragraph_is_bound_right(self, db):
        found = [(c.slot.found, c.best) for c in Assistant().propose(BULLETIN)]
        assert found == BULLETIN_TRUTH

    def test_a_name_without_a_measure_word_gets_no_figure(self, db):
        candidates = Assistant().propose("推进“清廉**”建设，在**系统落实见效，查处“80”后干部5人。")
        assert [(c.slot.found, c.best) for c in candidates] == [
            ("**", ""),
            ("**", ""),
            ("80", ""),
            ("5", "city_post80_cadres_investigated"),
        ]

    def test_years_follow_the_figures_year(self, db):
        text = "2023年度工作会议。\n2022年工作回顾\n2022年，立案12件。\n2023年工作要求\n2021年以来"
        years = [(c.slot.found, c.best) for c in Assistant().propose(text) if c.slot.is_year]
        assert years == [
            ("2023年", "year+1"),
            ("2022年", "year"),
            ("2022年", "year"),
            ("2023年", "year+1"),
            ("2021年", "year-1"),
        ]

    def test_the_command_prints_the_first_choices_as_csv(self, db, tmp_path):
        source = tmp_path / "bulletin.txt"
        source.write_text(BULLETIN, encoding="utf-8")
        out = StringIO()
        call_command("bind_document", str(source), stdout=out)
        rows = list(csv.DictReader(StringIO(out.getvalue())))
        assert list(rows[0]) == ["position", "found", "context", "binding"]
        assert [(r["found"], r["binding"]) for r in rows] == BULLETIN_TRUTH
        row = rows[1]
        assert BULLETIN[int(row["position"]) :].startswith("1,236")

    def test_the_command_prints_a_dash_without_a_proposal(self, db, tmp_path):
        source = tmp_path / "names.txt"
        source.write_text("推进“清廉**”建设。", encoding="utf-8")
        out = StringIO()
        call_command("bind_document", str(source), stdout=out)
        assert out.getvalue().splitlines()[1].endswith(",-")


def _paste(org, user, text, name="测试模板") -> DocumentTemplate:
    return template_create(organisation=org, name=name, user=user, text=text)


class TestGenerating:
    def test_a_template_with_real_numbers_comes_back_the_same_for_its_own_figures(self, world, bob, client):
        figures = {
            "grp_clues_handled": 860,
            "grp_clues_talk_inquiry": 310,
            "grp_clues_initial_verification": 402,
            "grp_clues_shelved": 48,
            "grp_clues_closed": 100,
            "grp_cases_filed": 215,
            "grp_form1_person_times": 663,
            "grp_form2_person_times": 251,
            "grp_form3_person_times": 50,
            "grp_form4_person_times": 41,
        }
        enter(world["organ"], "2023", figures)
        text = (
            "2023年工作回顾\n处置问题线索860件，其中谈话函询310件次、初步核实402件、暂存待查48件、予以了结100件。立案215件。"
            "运用“四种形态”批评教育帮助和处理共1005人次。其中，运用第一种形态663人次，占66%；第二种形态251人次，占25%；"
            "第三种形态50人次，占5%；第四种形态41人次，占4%。"
        )
        template = _paste(world["forestry"], bob, text)
        client.force_login(bob)
        response = client.get(f"/documents/{template.pk}/forestry-organ/2023/")
        assert response.status_code == 200
        assert response.context["result"].text == text
        assert response.context["result"].missing == []

    def test_the_speech_keeps_its_words_and_fills_its_figures(self, world, bob, indicators):
        from tracker.documents.generate import generate
        from tracker.entry.periods import Range

        text = (SEEDS / "speech-2023.txt").read_text(encoding="utf-8")
        template = _paste(world["forestry"], bob, text)
        forms = {"grp_form1_person_times": 47, "grp_form2_person_times": 3}
        forms |= {"grp_form3_person_times": 0, "grp_form4_person_times": 0}
        enter(world["organ"], "2022", forms | {"grp_cases_filed": 8})
        # The group's other unit has entered these too (none of each): complete figures carry no mark.
        enter(world["park"], "2022", dict.fromkeys(forms, 0) | {"grp_cases_filed": 0})
        enter(world["city"], "2022", {"city_four_forms_total": 3038})
        result = generate(template.current, world["forestry"], Range.full(2022))
        out = result.text
        # Outside the bound places nothing changed: cut every replacement out of both texts.
        kept_in, kept_out, cursor_in, shift = [], [], 0, 0
        for start, end, printed in result.replacements:
            kept_in.append(text[cursor_in:start])
            kept_out.append(out[cursor_in + shift : start + shift])
            shift += len(printed) - (end - start)
            cursor_in = end
        assert kept_in == kept_out
        assert "第一种形态47人次、占94%，第二种形态3人次、占6%" in out
        assert "立案查处8件" in out
        assert "运用“四种形态”批评教育和处理3038人" in out
        assert "2022年工作回顾" in out and "2023年工作要求" in out

    def test_a_figure_not_known_prints_stars_and_is_listed(self, world, bob, client):
        template = _paste(world["forestry"], bob, "立案215件，处分198人。")
        enter(world["organ"], "2023", {"grp_cases_filed": 7})
        client.force_login(bob)
        html = client.get(f"/documents/{template.pk}/forestry-organ/2023/").content.decode()
        assert "立案<span" in html and ">7</span>" in html
        assert '<mark class="missing"' in html
        assert 'id="missing"' in html and "/entry/forestry-organ/2023/" in html

    def test_changes_are_worded_by_their_sign(self, world, bob, client):
        template = _paste(world["forestry"], bob, "立案215件，同比上升8.2%；处分198人，同比增加12人。")
        client.force_login(bob)
        enter(world["organ"], "2022", {"grp_cases_filed": 10, "grp_sanctioned_persons": 4})
        enter(world["organ"], "2023", {"grp_cases_filed": 8, "grp_sanctioned_persons": 4})
        text = client.get(f"/documents/{template.pk}/forestry-organ/2023/").context["result"].text
        assert text == "立案8件，同比下降20.0%；处分4人，同比持平。"

    def test_a_share_follows_the_documents_decimals(self, world, bob, client):
        template = _paste(world["forestry"], bob, "第一种形态663人次，占66.0%；第二种形态251人次，占25%。")
        enter(world["organ"], "2023", {f"grp_form{n}_person_times": v for n, v in ((1, 2), (2, 1), (3, 0), (4, 0))})
        client.force_login(bob)
        text = client.get(f"/documents/{template.pk}/forestry-organ/2023/").context["result"].text
        assert text == "第一种形态2人次，占66.7%；第二种形态1人次，占33%。"

    def test_the_range_heading_and_figures_follow_the_range(self, world, bob, client):
        template = _paste(world["forestry"], bob, "2022年一季度，立案5件。")
        enter(world["organ"], "2023Q1", {"grp_cases_filed": 2})
        enter(world["organ"], "2023Q2", {"grp_cases_filed": 3})
        client.force_login(bob)
        url = f"/documents/{template.pk}/forestry-organ/2023/"
        assert client.get(url + "?through=2023Q2").context["result"].text == "2023年上半年，立案5件。"
        assert client.get(url + "?through=2023Q1").context["result"].text == "2023年一季度，立案2件。"

    def test_a_name_is_printed_whole(self, world, bob, client):
        template = _paste(world["forestry"], bob, "推进“清廉**”建设。")
        version = template.current
        TemplateVersion.objects.filter(pk=version.pk).update(
            bindings=[{"start": 5, "end": 7, "found": "**", "binding": "text:brand"}]
        )
        OrganisationText.objects.create(organisation=world["forestry"], key="brand", text="清廉园林")
        client.force_login(bob)
        text = client.get(f"/documents/{template.pk}/forestry-organ/2023/").context["result"].text
        assert text == "推进“清廉清廉园林”建设。"


class TestBinding:
    def test_the_page_saves_a_new_version_with_the_persons_choices(self, world, bob, client):
        template = _paste(world["forestry"], bob, "立案215件，处分198人。")
        client.force_login(bob)
        page = client.get(f"/documents/{template.pk}/bind/")
        assert page.status_code == 200
        slots = template.current.bindings
        response = client.post(
            f"/documents/{template.pk}/bind/",
            {f"b_{slots[0]['start']}": "grp_cases_filed@previous", f"b_{slots[1]['start']}": ""},
        )
        assert response.status_code == 302
        latest = template.current
        assert latest.number == 2
        assert [s["binding"] for s in latest.bindings] == ["grp_cases_filed@previous", ""]
        assert TemplateVersion.objects.get(template=template, number=1).bindings[0]["binding"] == "grp_cases_filed"

    def test_the_page_shows_each_binding_in_words_and_codes_only_as_a_detail(self, world, bob, client):
        import lxml.html

        template = _paste(world["forestry"], bob, "2022年，立案215件。")
        client.force_login(bob)
        tree = lxml.html.fromstring(client.get(f"/documents/{template.pk}/bind/").content.decode())
        filed = Indicator.objects.get(code="grp_cases_filed").name_zh
        values = tree.xpath("//input[@class='binding']/@value")
        assert values == ["年度", filed]
        # No code in the editable boxes, the proposals or their tooltips; the list offers words only.
        for chip in tree.xpath("//button[contains(@class, 'chip')]"):
            assert "grp_" not in chip.get("data-words", "") and chip.get("title") is None
        offered = tree.xpath("//datalist[@id='all-bindings']/option/@value")
        assert {f"{filed}：上年同期", f"{filed}：同比增减", "年度", "单位名称"} <= set(offered)
        assert not [words for words in offered if "grp_" in words or words.startswith(("share:", "text:"))]
        assert tree.xpath("//small[@class='binding-code']/text()") == ["year", "grp_cases_filed"]

    def test_words_are_saved_as_the_binding_they_name(self, world, bob, client):
        template = _paste(world["forestry"], bob, "2022年，立案215件，处分198人，占3%。")
        client.force_login(bob)
        filed = Indicator.objects.get(code="grp_cases_filed").name_zh
        form1 = Indicator.objects.get(code="grp_form1_person_times").name_zh
        starts = [slot["start"] for slot in template.current.bindings]
        response = client.post(
            f"/documents/{template.pk}/bind/",
            {
                f"b_{starts[0]}": "下一年",
                f"b_{starts[1]}": f" {filed}：上年同期 ",
                f"b_{starts[2]}": "固定文字",
                f"b_{starts[3]}": f"{form1}占比",
            },
        )
        assert response.status_code == 302
        assert [s["binding"] for s in template.current.bindings] == [
            "year+1",
            "grp_cases_filed@previous",
            "",
            "share:grp_form1_person_times",
        ]

    def test_words_that_name_nothing_are_refused_quoting_them(self, world, bob, client):
        template = _paste(world["forestry"], bob, "立案215件。")
        client.force_login(bob)
        start = template.current.bindings[0]["start"]
        response = client.post(f"/documents/{template.pk}/bind/", {f"b_{start}": "立案总数（旧）"}, follow=True)
        assert "立案总数（旧）" in response.content.decode()
        assert template.versions.count() == 1

    def test_an_unknown_binding_is_refused_by_name_and_nothing_saved(self, world, bob, client):
        template = _paste(world["forestry"], bob, "立案215件。")
        client.force_login(bob)
        start = template.current.bindings[0]["start"]
        response = client.post(f"/documents/{template.pk}/bind/", {f"b_{start}": "no_such_code"}, follow=True)
        assert "no_such_code" in response.content.decode()
        assert template.versions.count() == 1

    def test_a_clerk_may_not_bind_or_create(self, world, bob, alice, client):
        template = _paste(world["forestry"], bob, "立案215件。")
        client.force_login(alice)
        assert client.get(f"/documents/{template.pk}/bind/").status_code == 403
        assert client.get("/documents/new/").status_code == 403
        # …but reads and generates it.
        assert client.get(f"/documents/{template.pk}/forestry-organ/2023/").status_code == 200


class TestAccess:
    def test_another_groups_template_is_a_404(self, world, bob, charlie, client):
        template = _paste(world["forestry"], bob, "立案215件。")
        client.force_login(charlie)
        for url in (
            f"/documents/{template.pk}/",
            f"/documents/{template.pk}/bind/",
            f"/documents/{template.pk}/water/2023/",
            f"/documents/{template.pk}/forestry/2023/document.docx",
        ):
            assert client.get(url).status_code == 404, url
        assert "测试模板" not in client.get("/documents/").content.decode()

    def test_a_group_uses_the_commissions_template_for_itself_only(self, world, bob, client):
        dana = make_user("dana", world["city"], Role.LEADER)
        template = _paste(world["city"], dana, "全市立案215件。")
        client.force_login(bob)
        assert client.get(f"/documents/{template.pk}/forestry/2023/").status_code == 200
        # The commission's own figures are not forestry's to read through the template.
        assert client.get(f"/documents/{template.pk}/city/2023/").status_code == 404
        assert client.get(f"/documents/{template.pk}/water/2023/").status_code == 404

    def test_a_template_is_not_generated_for_an_organisation_outside_its_subtree(self, world, bob, client):
        template = _paste(world["forestry"], bob, "立案215件。")
        dana = make_user("dana", world["city"], Role.LEADER)
        client.force_login(dana)
        assert client.get(f"/documents/{template.pk}/forestry-organ/2023/").status_code == 200
        assert client.get(f"/documents/{template.pk}/water/2023/").status_code == 404


class TestDrafts:
    def test_an_edit_is_kept_as_versions_and_changed_figures_are_shown(self, world, bob, client):
        template = _paste(world["forestry"], bob, "2022年，立案215件。")
        enter(world["organ"], "2023", {"grp_cases_filed": 7}, status=None)
        client.force_login(bob)
        url = f"/documents/{template.pk}/forestry-organ/2023/?include_unapproved=1"
        client.post(url, {"text": "2023年，我们立案7件，成效明显。"})
        client.post(url, {"text": "2023年，全组立案7件，成效明显。"})
        drafts = Draft.objects.filter(template=template).order_by("pk")
        assert [d.text for d in drafts] == ["2023年，我们立案7件，成效明显。", "2023年，全组立案7件，成效明显。"]
        assert drafts[1].created_by == bob and drafts[1].through == "2023"
        page = client.get(url)
        assert page.context["editor_text"] == "2023年，全组立案7件，成效明显。"
        assert page.context["changes"] == []
        # The figures change after the edit: the draft is kept, and the change is shown.
        enter(world["organ"], "2023", {"grp_cases_filed": 9}, status=None)
        page = client.get(url)
        assert page.context["editor_text"] == "2023年，全组立案7件，成效明显。"
        assert [(c["before"], c["after"]) for c in page.context["changes"]] == [("7", "9")]
        assert "7" in page.content.decode() and 'id="changes"' in page.content.decode()

    def test_a_clerk_cannot_save_a_draft(self, world, bob, alice, client):
        template = _paste(world["forestry"], bob, "立案215件。")
        client.force_login(alice)
        assert client.post(f"/documents/{template.pk}/forestry-organ/2023/", {"text": "x"}).status_code == 403
        assert not Draft.objects.exists()


def _word_file() -> bytes:
    document = docx.Document()
    styles = document.styles
    styles["Normal"].font.name = "FangSong"
    styles["Normal"].font.size = Pt(15)
    document.add_heading("2022年工作总结", level=1)
    paragraph = document.add_paragraph("全年立案")
    run = paragraph.add_run("2")  # Word splits numbers across runs as it likes
    run.bold = True
    paragraph.add_run("15件，处分")
    paragraph.add_run("198").italic = True
    paragraph.add_run("人。")
    document.sections[0].left_margin = Pt(80)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class TestWordTemplates:
    def upload(self, client, world) -> DocumentTemplate:
        response = client.post(
            "/documents/new/",
            {
                "name": "年度总结",
                "organisation": world["forestry"].pk,
                "kind": "other",
                "file": SimpleUploadedFile("总结.docx", _word_file()),
                "text": "",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return DocumentTemplate.objects.get(name="年度总结")

    def test_the_generated_file_keeps_the_documents_styles_and_fonts(self, world, bob, client, indicators):
        client.force_login(bob)
        template = self.upload(client, world)
        assert template.current.source_name == "总结.docx"
        assert [s["binding"] for s in template.current.bindings] == [
            "year",
            "grp_cases_filed",
            "grp_sanctioned_persons",
        ]
        enter(world["organ"], "2023", {"grp_cases_filed": 7, "grp_sanctioned_persons": 12})
        response = client.get(f"/documents/{template.pk}/forestry-organ/2023/document.docx")
        assert response.status_code == 200
        assert "filename*=utf-8''" in response["Content-Disposition"]
        document = docx.Document(io.BytesIO(response.content))
        assert document.paragraphs[0].style.name == "Heading 1"
        assert document.paragraphs[0].text == "2023年工作总结"
        body = document.paragraphs[1]
        assert body.text == "全年立案7件，处分12人。"
        assert body.runs[1].bold and body.runs[1].text == "7"
        assert body.runs[3].italic and body.runs[3].text == "12"
        assert document.styles["Normal"].font.name == "FangSong"
        assert document.styles["Normal"].font.size == Pt(15)
        assert document.sections[0].left_margin == Pt(80)

    def test_a_paragraph_edited_in_a_draft_keeps_its_style(self, world, bob, client):
        client.force_login(bob)
        template = self.upload(client, world)
        url = f"/documents/{template.pk}/forestry-organ/2023/"
        client.post(url, {"text": "2023年工作总结\n全年立案**件，成效明显。"})
        document = docx.Document(io.BytesIO(client.get(url + "document.docx").content))
        assert document.paragraphs[0].style.name == "Heading 1"
        assert document.paragraphs[1].text == "全年立案**件，成效明显。"

    def test_a_file_that_is_not_word_is_refused_in_chinese(self, world, bob, client):
        client.force_login(bob)
        response = client.post(
            "/documents/new/",
            {
                "name": "坏文件",
                "organisation": world["forestry"].pk,
                "kind": "other",
                "file": SimpleUploadedFile("a.docx", b"not a zip"),
            },
        )
        assert response.status_code == 200
        assert "不是 Word" in response.content.decode()
        assert not DocumentTemplate.objects.exists()

    def test_libreoffice_converts_every_generated_file(self, world, bob, client, tmp_path):
        client.force_login(bob)
        uploaded = self.upload(client, world)
        pasted = _paste(world["forestry"], bob, "2022年工作回顾\n全年立案215件。", name="粘贴")
        for template in (uploaded, pasted):
            source = tmp_path / f"t{template.pk}.docx"
            source.write_bytes(client.get(f"/documents/{template.pk}/forestry/2023/document.docx").content)
            assert convert_to_pdf(source, tmp_path).startswith(b"%PDF")


class TestTextsPage:
    def test_a_leader_keeps_whole_names(self, world, bob, client):
        client.force_login(bob)
        data = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-key": "bureau",
            "form-0-text": "青岚市林业和草原局",
        }
        assert client.post("/documents/texts/forestry/", data).status_code == 302
        assert OrganisationText.objects.get(organisation=world["forestry"], key="bureau").text == "青岚市林业和草原局"

    def test_a_bad_key_is_refused(self, world, bob, client):
        client.force_login(bob)
        data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-key": "Bad Key", "form-0-text": "x"}
        assert client.post("/documents/texts/forestry/", data).status_code == 200
        assert not OrganisationText.objects.exists()

    def test_a_clerk_and_another_group_may_not(self, world, alice, charlie, client):
        client.force_login(alice)
        assert client.get("/documents/texts/forestry/").status_code == 403
        client.force_login(charlie)
        assert client.get("/documents/texts/forestry/").status_code == 404


def test_the_list_shows_the_templates_a_user_may_use(world, bob, client):
    dana = make_user("dana", world["city"], Role.LEADER)
    _paste(world["city"], dana, "全市立案215件。", name="全市通报")
    _paste(world["forestry"], bob, "立案215件。", name="林草讲话")
    client.force_login(bob)
    html = client.get("/documents/").content.decode()
    assert "全市通报" in html and "林草讲话" in html
    assert re.search(r"/documents/new/", html)
