"""Measure words checked (issue 22, part 4): the loader refuses a relation between a whole and parts counted in
different measure words unless the catalogue declares it `approx`; the clues' methods (谈话函询 in 件次 under
处置问题线索 in 件) are declared so, and their sum differing from the whole is a warning, not an error."""

from __future__ import annotations

import csv

import lxml.html
import pytest

from tests.conftest import enter
from tracker.aggregation.services import catalogue_load
from tracker.catalogue.loader import CATALOGUE_CSV, CatalogueError, load_catalogue, parse_rows, read_rows
from tracker.catalogue.models import Catalogue, Indicator, Relation, measure_word
from tracker.checks.models import Rule, Severity
from tracker.checks.report import report_checks
from tracker.entry.models import Report, Status
from tracker.entry.services import Entry

pytestmark = pytest.mark.django_db

# The organ's clues: 10 handled (件); 6 talks or inquiries (件次: one clue talked to twice) and 3 + 1 + 2 by
# the other methods (件) make 12, not 10.
CLUES = {
    "grp_clues_handled": 10,
    "grp_clues_talk_inquiry": 6,
    "grp_clues_initial_verification": 3,
    "grp_clues_shelved": 1,
    "grp_clues_closed": 2,
}
ENTRY = "/entry/forestry-organ/2023/"


def catalogue_rows() -> list[dict]:
    with CATALOGUE_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(tmp_path, rows: list[dict]):
    path = tmp_path / "indicators.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def changed(tmp_path, changes: dict[str, dict]):
    """The shipped catalogue with some columns of some rows changed."""
    rows = catalogue_rows()
    for row in rows:
        row.update(changes.get(row["code"], {}))
    return write_csv(tmp_path, rows)


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


class TestTheLoader:
    @pytest.mark.parametrize("relation", ["exact", "within", "overlap"])
    def test_it_refuses_a_relation_across_measure_words_naming_both_and_the_fix(self, tmp_path, relation):
        before = list(Indicator.objects.order_by("code").values_list("code", "relation", "updated"))
        path = changed(tmp_path, {"grp_clues_handled": {"relation": relation}})
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        (error,) = caught.value.errors
        assert f"the {relation} breakdown of grp_clues_handled (件)" in error
        assert "grp_clues_talk_inquiry (件次)" in error
        # Only the part in another word is named; the fix is said.
        assert "grp_clues_closed" not in error
        assert "declare the breakdown approx" in error and "count them in one measure word" in error
        assert list(Indicator.objects.order_by("code").values_list("code", "relation", "updated")) == before

    def test_it_refuses_a_part_of_its_whole_in_another_word_whatever_the_whole(self, tmp_path):
        # A 其中 row counted in 件 under petitions counted in 件次.
        path = changed(tmp_path, {"grp_petitions_accusation": {"unit_zh": "件"}})
        with pytest.raises(CatalogueError, match=r"within breakdown of grp_petitions_received \(件次\)"):
            load_catalogue(path)

    def test_the_command_says_it_too(self, tmp_path):
        from django.core.management import CommandError, call_command

        path = changed(tmp_path, {"grp_clues_handled": {"relation": "exact"}})
        with pytest.raises(CommandError, match=r"grp_clues_talk_inquiry \(件次\)"):
            call_command("load_catalogue", file=str(path))

    def test_it_refuses_approx_where_every_part_counts_in_the_wholes_word(self, tmp_path):
        path = changed(tmp_path, {"grp_petitions_received": {"relation": "approx;within"}})
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        (error,) = caught.value.errors
        assert "approx breakdown of grp_petitions_received (件次)" in error and "declare it exact" in error

    def test_it_accepts_an_approx_declaration_and_generates_its_warning(self, tmp_path):
        path = changed(
            tmp_path,
            {
                "grp_petitions_accusation": {"unit_zh": "件"},
                "grp_petitions_received": {"relation": "exact;approx"},
            },
        )
        load_catalogue(path)
        received = Catalogue.active().by_code["grp_petitions_received"]
        assert [b.relation for b in received.breakdowns] == [Relation.EXACT, Relation.APPROX]
        rule = Rule.objects.get(key="approx-grp_petitions_received")
        assert (rule.left, rule.operator, rule.right, rule.severity) == (
            "grp_petitions_accusation",
            "~=",
            "grp_petitions_received",
            Severity.WARNING,
        )
        assert "（件）" in rule.message and "（件次）" in rule.message
        # The within rule it replaces is switched off.
        assert not Rule.objects.get(key="part-grp_petitions_accusation-le-grp_petitions_received").active

    def test_a_lower_bounds_yu_is_no_other_measure_word(self):
        # "余个" is counted in 个: the 余 belongs to the figure ("300余个").
        assert measure_word("余个") == measure_word("个") == "个"
        rows = [
            {**catalogue_rows()[0], **row}
            for row in (
                {"code": "x_whole", "unit_zh": "个", "parts": "x_part", "relation": "exact", "kind": "count"},
                {"code": "x_part", "unit_zh": "余个", "parts": "", "relation": "", "kind": "approx_over_n"},
            )
        ]
        assert [row["code"] for row in parse_rows(rows)] == ["x_whole", "x_part"]


class TestTheShippedCatalogue:
    def test_it_loads_with_the_clues_methods_declared_approx(self):
        parse_rows(read_rows())  # no CatalogueError
        handled = Catalogue.active().by_code["grp_clues_handled"]
        (breakdown,) = handled.breakdowns
        assert breakdown.relation == Relation.APPROX
        assert breakdown.foreign_parts({ind.code: ind.unit for ind in Catalogue.active().indicators}) == (
            "grp_clues_talk_inquiry",
        )
        # Its 口径 say why the four do not add up exactly.
        assert "件次" in handled.definition and "不一定相等" in handled.definition
        talk = Indicator.objects.get(code="grp_clues_talk_inquiry")
        assert "不止一次" in talk.definition and "不一定相等" in talk.definition

    def test_every_other_breakdown_counts_its_parts_in_the_wholes_word(self):
        catalogue = Catalogue.active()
        units = {ind.code: ind.unit for ind in catalogue.indicators}
        mixed = [b.whole for b in catalogue.breakdowns if b.foreign_parts(units)]
        assert mixed == ["grp_clues_handled"]
        assert all(b.relation == Relation.APPROX for b in catalogue.breakdowns if b.whole in mixed)

    def test_an_approx_breakdown_derives_nothing(self):
        catalogue = Catalogue.active()
        # Not a sum of its parts, not a breakdown shares are taken of.
        assert "grp_clues_talk_inquiry" not in catalogue.exact_of
        assert catalogue.by_code["grp_clues_handled"].sum_parts == ()

    def test_an_existing_database_follows_the_new_seed_on_load(self):
        # A database loaded before: the breakdown exact, the old 口径, and the old error rule.
        old = "以谈话函询方式处置的问题线索数，按“件次”填报。四类处置方式之和应等于处置问题线索总数。"
        Indicator.objects.filter(code="grp_clues_handled").update(relation="exact")
        talk = Indicator.objects.get(code="grp_clues_talk_inquiry")
        Indicator.objects.filter(pk=talk.pk).update(definition=old, seed={**talk.seed, "definition": old})
        Rule.objects.filter(key="approx-grp_clues_handled").delete()
        seed = {"left": "x", "operator": "==", "right": "y", "severity": "error", "message": "旧"}
        Rule.objects.create(key="sum-grp_clues_handled", seed=seed, **seed)

        result = catalogue_load()  # what `migrate` runs
        assert result.warnings == []
        assert Indicator.objects.get(code="grp_clues_handled").relation == "approx"
        assert "不止一次" in Indicator.objects.get(code="grp_clues_talk_inquiry").definition
        assert not Rule.objects.get(key="sum-grp_clues_handled").active
        assert Rule.objects.get(key="approx-grp_clues_handled").severity == Severity.WARNING


class TestTheWarning:
    def test_on_the_entry_page_it_is_a_warning_naming_the_measure_words(self, client, world, alice):
        enter(world["organ"], "2023", CLUES, status=None)
        client.force_login(alice)
        response = client.get(ENTRY)
        checks = response.context["checks"]
        assert not checks.errors
        (warning,) = [f for f in checks.warnings if f.key == "approx-grp_clues_handled"]
        assert warning.message.startswith(
            "“谈话函询”（件次）、“初步核实”（件）、“暂存待查”（件）、“予以了结”（件）之和"
        )
        assert "与“处置问题线索”（件）不一致：计量单位不同" in warning.message
        assert (warning.left, warning.right) == (12, 10)
        assert warning.detail.endswith("之和（12）不等于处置问题线索（10）")
        html = response.content.decode()
        assert f"提示：{warning.message}" in html and "错误：" not in html

    def test_it_is_submitted_with_a_note_and_not_without(self, client, world, alice):
        enter(world["organ"], "2023", CLUES, status=None)
        client.force_login(alice)
        response = client.post(ENTRY + "submit/", follow=True)
        assert "计量单位不同" in response.content.decode()
        assert Report.objects.get(organisation=world["organ"]).status == Status.DRAFT
        # The clerk explains it on the entry page, as any warning.
        form = client.get(ENTRY).context["form"]
        data = {name: "" if form.initial.get(name) is None else form.initial.get(name) for name in form.fields}
        data["n_grp_clues_talk_inquiry"] = "同一线索谈话两次，计2件次"
        client.post(ENTRY, data, follow=True)
        (warning,) = [f for f in report_checks(Report.objects.get()).warnings if f.key == "approx-grp_clues_handled"]
        assert warning.explained
        assert "已说明：" in client.get(ENTRY).content.decode()
        client.post(ENTRY + "submit/")
        assert Report.objects.get(organisation=world["organ"]).status == Status.SUBMITTED

    def test_an_exact_breakdown_that_does_not_add_up_is_still_an_error(self, client, world, alice):
        petitions = {
            "grp_petitions_received": 10,
            "grp_petitions_letter": Entry(3, "说明也不行"),
            "grp_petitions_visit": 3,
            "grp_petitions_phone": 3,
            "grp_petitions_online": 3,
        }
        enter(world["organ"], "2023", CLUES | petitions, status=None)
        client.force_login(alice)
        checks = client.get(ENTRY).context["checks"]
        assert [f.key for f in checks.errors] == ["sum-grp_petitions_received"]
        client.post(ENTRY + "submit/")
        assert Report.objects.get(organisation=world["organ"]).status == Status.DRAFT

    def test_the_grid_and_the_checks_page_show_it_as_a_warning(self, client, world, alice, bob):
        enter(world["organ"], "2023", CLUES, status=None)
        client.force_login(alice)
        tree = page(client.get("/entry/grid/forestry/2023/"))
        listed = [
            li for li in tree.xpath("//div[@id='checks-forestry-organ']//li") if "计量单位不同" in li.text_content()
        ]
        assert len(listed) == 1 and "finding-warning" in listed[0].get("class")
        (td,) = tree.xpath("//input[@name='v_forestry-organ__grp_clues_talk_inquiry']/parent::td")
        assert "finding-warning" in td.get("class") and "计量单位不同" in td.get("title")

        set_approved = Report.objects.filter(organisation=world["organ"])
        from tests.conftest import set_status

        set_status(set_approved, "approved")
        client.force_login(bob)
        rows = client.get("/reports/forestry/2023/checks/").context["rows"]
        (row,) = [r for r in rows if r.finding.key == "approx-grp_clues_handled"]
        assert row.finding.severity == Severity.WARNING and "（件次）" in row.finding.message


class TestElsewhere:
    def test_the_help_names_the_relation(self, client, alice):
        client.force_login(alice)
        html = client.get("/help/indicators/", {"q": "处置问题线索"}).content.decode()
        assert "各部分之和约等于总数，计量单位不同" in html
        # The clerk's guide says such a difference is a warning.
        assert "分项之和与合计不一致只作提示" in client.get("/help/clerk/").content.decode()

    def test_the_summary_gives_the_parts_no_shares(self, client, world, bob):
        enter(world["organ"], "2023", CLUES)
        client.force_login(bob)
        data = client.get("/api/v1/summary/", {"org": "forestry", "year": 2023}).json()
        clues = data["breakdowns"]["grp_clues_handled:approx"]
        assert clues["relation"] == "approx" and clues["rounding"] is None
        assert {p["whole"] for p in clues["parts"].values()} == {None}
        assert data["values"]["grp_clues_talk_inquiry"] == 6
        html = client.get("/reports/forestry/2023/").content.decode()
        assert 'id="breakdown-grp_clues_handled"' not in html and 'id="row-grp_clues_talk_inquiry"' in html
