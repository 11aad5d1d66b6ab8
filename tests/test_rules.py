import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import PASSWORD, set_status
from tracker.catalogue.figures import report_figures
from tracker.catalogue.models import Catalogue, Indicator
from tracker.checks.engine import active_rules, run_checks
from tracker.checks.expressions import ExpressionError, Term, evaluate, parse
from tracker.checks.models import Rule
from tracker.checks.seed import load_rules, seeded_rules
from tracker.entry.periods import Period
from tracker.entry.services import Entry, values_save_for_period

pytestmark = pytest.mark.django_db

# A small dataset in which every seeded rule holds…
GOOD = {
    "grp_clues_handled": 10,
    "grp_clues_talk_inquiry": 4,
    "grp_clues_initial_verification": 3,
    "grp_clues_shelved": 1,
    "grp_clues_closed": 2,
    "grp_clues_accepted": 12,
    "grp_cases_filed": 3,
    "grp_petitions_received": 20,
    "grp_petitions_accusation": 8,
    "grp_petitions_letter": 5,
    "grp_petitions_visit": 6,
    "grp_petitions_phone": 4,
    "grp_petitions_online": 5,
    "grp_sanctioned_persons": 3,
    "grp_sanctioned_party": 3,
    "grp_sanctioned_admin": 1,
    "grp_sanctioned_bureau_level": 0,
    "grp_sanctioned_county_level": 1,
    "grp_sanctioned_township_level": 1,
    "grp_sanctioned_general_cadres": 1,
    "grp_sanctioned_other": 0,
    "grp_sanctioned_top_leaders": 1,
    "grp_transferred_to_procuratorate": 0,
    "grp_form1_person_times": 20,
    "grp_form2_person_times": 3,
    "grp_form3_person_times": 0,
    "grp_form4_person_times": 0,
    "grp_eight_rules_issues": 5,
    "grp_eight_rules_persons": 6,
    "grp_eight_rules_sanctioned": 2,
    "grp_fb_issues": 3,
    "grp_he_issues": 2,
    "grp_fb_persons": 4,
    "grp_he_persons": 2,
    "grp_fb_t1_decisions": 1,
    "grp_fb_t2_duty": 2,
    "grp_fb_t3_masses": 0,
    "grp_fb_t4_burden": 0,
    "grp_he_t1_gifts": 1,
    "grp_he_t2_dining": 1,
    "grp_he_t3_weddings": 0,
    "grp_he_t4_allowances": 0,
    "grp_he_t5_travel": 0,
    "grp_he_t6_other": 0,
    "grp_reminder_letters": 3,
    "grp_discipline_proposals": 2,
    "city_sanctioned_persons": 300,
    "city_sanctioned_top_leaders": 10,
    "city_sanctioned_county_level": 20,
    "city_transferred_to_procuratorate": 15,
    "city_four_forms_total": 3038,
}

# …and for each seeded rule, a change to GOOD that breaks it.
BREAKS = {
    "approx-grp_clues_handled": {"grp_clues_closed": 3},
    "part-grp_sanctioned_party-le-grp_sanctioned_persons": {"grp_sanctioned_party": 4, "grp_sanctioned_admin": 0},
    "part-grp_sanctioned_admin-le-grp_sanctioned_persons": {"grp_sanctioned_admin": 4},
    "whole-grp_sanctioned_persons-le-parts": {"grp_sanctioned_party": 1, "grp_sanctioned_admin": 1},
    "sum-grp_sanctioned_persons": {"grp_sanctioned_other": 2},
    "part-grp_sanctioned_top_leaders-le-grp_sanctioned_persons": {"grp_sanctioned_top_leaders": 4},
    "sum-grp_petitions_received": {"grp_petitions_online": 9},
    "sum-grp_eight_rules_issues": {"grp_eight_rules_issues": 6},
    "sum-grp_eight_rules_persons": {"grp_eight_rules_persons": 7},
    "part-grp_eight_rules_sanctioned-le-grp_eight_rules_persons": {"grp_eight_rules_sanctioned": 9},
    "sum-grp_fb_issues": {"grp_fb_t3_masses": 1},
    "sum-grp_he_issues": {"grp_he_t6_other": 1},
    "part-grp_petitions_accusation-le-grp_petitions_received": {"grp_petitions_accusation": 21},
    "cases-le-clues": {"grp_cases_filed": 13},
    "transferred-le-sanctioned": {"grp_transferred_to_procuratorate": 4},
    "sanctioned-le-forms-2-4": {"grp_form2_person_times": 2},
    "part-city_sanctioned_top_leaders-le-city_sanctioned_persons": {"city_sanctioned_top_leaders": 301},
    "part-city_sanctioned_county_level-le-city_sanctioned_persons": {"city_sanctioned_county_level": 301},
    "city-transferred-le-sanctioned": {"city_transferred_to_procuratorate": 301},
    "city-sanctioned-le-four-forms": {"city_sanctioned_persons": 3039},
    "sum-grp_reminder_letters_proposals": {"grp_reminder_letters_proposals": 6},
}


def check(values):
    values = dict(values)
    values = report_figures(values, Catalogue.active())
    return run_checks(values, applicable=Indicator.objects.values_list("code", flat=True), rules=active_rules())


class TestSeededRules:
    def test_they_are_loaded_by_migrate_and_idempotently(self):
        seeded = seeded_rules(Catalogue.active())
        assert Rule.objects.count() == len(seeded)
        assert load_rules() == []
        assert Rule.objects.count() == len(seeded)

    def test_none_fires_on_consistent_figures(self):
        result = check(GOOD)
        assert result.violations == []
        assert result.skipped == []

    @pytest.mark.parametrize("key", sorted(BREAKS))
    def test_each_fires_when_broken(self, key):
        result = check({**GOOD, **BREAKS[key]})
        assert key in [f.key for f in result.violations]

    def test_every_seeded_rule_has_a_breaking_case(self):
        assert set(BREAKS) == {rule["key"] for rule in seeded_rules(Catalogue.active())}

    def test_a_rule_with_unknown_figures_is_skipped_and_said_so(self):
        values = {k: v for k, v in GOOD.items() if k != "grp_clues_shelved"}
        result = check(values)
        skipped = [f.key for f in result.skipped]
        assert "approx-grp_clues_handled" in skipped
        assert "approx-grp_clues_handled" not in [f.key for f in result.violations]

    def test_a_rule_is_not_run_where_its_figures_are_not_reported(self):
        result = run_checks({"grp_sanctioned_party": 9}, applicable=["grp_sanctioned_party"], rules=active_rules())
        assert result.violations == [] and result.skipped == []


class TestYearOverYear:
    @pytest.mark.parametrize(
        "now, before, fires",
        # (100, 4): last year too small for the three-times rule, but ten times more: the typo rule.
        [(16, 5, True), (15, 5, False), (1, 5, True), (2, 6, False), (100, 4, True), (30, 4, False), (0, 5, True)],
    )
    def test_it_warns_beyond_three_times(self, now, before, fires):
        result = run_checks(
            {"grp_cases_filed": now},
            applicable=[],
            rules=[],
            last_year={"grp_cases_filed": before},
            yoy_codes=["grp_cases_filed"],
        )
        assert bool(result.warnings) is fires


class TestTypos:
    """A figure ten times (or a tenth of) the previous period's or last year's, both non-zero, any size."""

    @pytest.mark.parametrize(
        "now, previous, fires",
        [(3038, 2, True), (20, 2, True), (19, 2, False), (1, 10, True), (2, 10, False), (5, 0, False), (0, 7, False)],
    )
    def test_against_the_previous_period(self, now, previous, fires):
        result = run_checks(
            {"grp_cases_filed": now},
            applicable=[],
            rules=[],
            previous_period={"grp_cases_filed": previous},
            yoy_codes=["grp_cases_filed"],
            names={"grp_cases_filed": "立案"},
        )
        assert [f.key for f in result.warnings] == (["typo-grp_cases_filed"] if fires else [])
        if fires:
            assert result.warnings[0].message.startswith("立案")

    def test_against_last_year_it_replaces_the_three_times_warning(self):
        result = run_checks(
            {"grp_cases_filed": 500},
            applicable=[],
            rules=[],
            last_year={"grp_cases_filed": 40},
            yoy_codes=["grp_cases_filed"],
        )
        assert [f.key for f in result.warnings] == ["typo-grp_cases_filed"]

    def test_a_broken_rule_reads_with_names_and_values(self, db):
        rule = Rule.objects.get(key="sum-grp_petitions_received")
        values = {"grp_petitions_received": 2, "grp_petitions_letter": 5, "grp_petitions_visit": 1}
        values |= {"grp_petitions_phone": 1, "grp_petitions_online": 1}
        names = {code: code.upper() for code in values}
        result = run_checks(values, applicable=list(values), rules=[rule], names=names)
        detail = result.violations[0].detail
        assert (
            "（8）" in detail
            and "（2）" in detail
            and "应等于" in detail
            and "GRP_PETITIONS_RECEIVED" in detail
            and "GRP_PETITIONS_PHONE" in detail
        )


class TestExpressions:
    def test_it_parses_sums_and_differences(self):
        assert parse("a + b - 2") == [Term(1, "a"), Term(1, "b"), Term(-1, 2)]
        assert parse("-a") == [Term(-1, "a")]
        assert evaluate(parse("a + b - 2"), {"a": 3, "b": 4}) == 5
        assert evaluate(parse("a + b"), {"a": 3, "b": None}) is None

    @pytest.mark.parametrize(
        "text",
        ["__import__('os').system('ls')", "a * b", "a + ", "", "a b", "a; b", "open('x')", "a.b", "1e9", "a ** 2"],
    )
    def test_it_refuses_anything_else(self, text):
        with pytest.raises(ExpressionError):
            parse(text)

    def test_a_rule_naming_an_unknown_code_is_refused_when_saved(self):
        rule = Rule(key="x", left="grp_cases_filed", operator="<=", right="grp_no_such_code", message="m")
        with pytest.raises(ValidationError) as exc:
            rule.full_clean()
        assert "grp_no_such_code" in str(exc.value)

    def test_an_unsafe_expression_is_refused_when_saved(self):
        rule = Rule(key="y", left="__import__('os')", operator="==", right="1", message="m")
        with pytest.raises(ValidationError) as exc:
            rule.full_clean()
        assert "不允许" in str(exc.value)

    def test_the_admin_refuses_an_unknown_code(self, client, django_user_model):
        admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
        client.force_login(admin)
        response = client.post(
            reverse("admin:checks_rule_add"),
            {
                "key": "bad",
                "left": "grp_cases_filed",
                "operator": "<=",
                "right": "grp_nope",
                "severity": "error",
                "message": "坏规则",
                "active": "on",
            },
        )
        assert response.status_code == 200
        assert "grp_nope" in response.content.decode()
        assert not Rule.objects.filter(key="bad").exists()


class TestOnTheEntryPage:
    def test_violations_show_next_to_the_figures(self, client, world, indicators, alice):
        values_save_for_period(
            organisation=world["organ"],
            period=Period.parse("2022"),
            entries={
                indicators["grp_sanctioned_persons"]: Entry(2),
                indicators["grp_sanctioned_top_leaders"]: Entry(3),
            },
        )
        client.force_login(alice)
        response = client.get(reverse("entry:report", args=["forestry-organ", "2022"]))
        row = next(
            r
            for _, rows in response.context["sections"]
            for r in rows
            if r["indicator"].code == "grp_sanctioned_top_leaders"
        )
        assert [f.key for f in row["findings"]] == ["part-grp_sanctioned_top_leaders-le-grp_sanctioned_persons"]
        assert "处分“一把手”不能超过“处分（党纪、政务）”" in response.content.decode()


class TestChecksReport:
    def test_it_lists_the_subtrees_violations_and_exports_them(self, client, world, indicators, bob):
        import io

        import openpyxl

        from tracker.entry.models import Report

        report, _ = values_save_for_period(
            organisation=world["park"],
            period=Period.parse("2022"),
            entries={indicators["grp_petitions_received"]: Entry(2), indicators["grp_petitions_accusation"]: Entry(5)},
        )
        set_status(Report.objects.filter(pk=report.pk), "approved")
        client.force_login(bob)
        response = client.get(reverse("checks", args=["forestry", 2022]))
        html = response.content.decode()
        assert "“其中：检举控告类”不能超过“接收信访举报”" in html
        assert "森林公园" in html
        # 局机关 has no figures at all: nothing to check there, so nothing listed.
        assert "局机关" not in html
        export = client.get(reverse("checks", args=["forestry", 2022]), {"_export": "xlsx"})
        assert "forestry-2022-checks.xlsx" in export["Content-Disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[3][0] == "组织"  # the header, below the title block
        broken = [r for r in rows if r[2] == "“其中：检举控告类”不能超过“接收信访举报”。" and r[6] == "未通过"]
        assert broken and broken[0][4] == 5 and broken[0][5] == 2

    def test_another_groups_user_gets_404(self, client, world, charlie):
        client.force_login(charlie)
        assert client.get(reverse("checks", args=["forestry", 2022])).status_code == 404
