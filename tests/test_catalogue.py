import csv
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import set_status
from tracker.catalogue.loader import CATALOGUE_CSV, CatalogueError, load_catalogue
from tracker.catalogue.models import Aggregation, Catalogue, Indicator, Kind, Relation
from tracker.entry.models import Report, Value
from tracker.orgs.models import OrgKind

# The speech's 38 quantitative places (a copy of ../shared/seeds/placeholders.csv).
PLACEHOLDERS = Path(settings.BASE_DIR) / "seeds" / "placeholders.csv"

pytestmark = pytest.mark.django_db


def catalogue_state():
    return list(
        Indicator.objects.order_by("code").values_list(
            "code",
            "name_zh",
            "name_en",
            "unit",
            "section",
            "kind",
            "aggregation",
            "reported_by",
            "order",
            "definition",
            "seed",
            "parts",
            "relation",
            "source",
            "active",
        )
    )


class TestLoad:
    def test_it_loads_84_indicators_on_migrate(self):
        assert Indicator.objects.count() == 84
        assert Indicator.objects.filter(active=True).count() == 84

    def test_the_petition_channels_are_an_exact_breakdown_of_petitions_received(self):
        received = Indicator.objects.get(code="grp_petitions_received")
        exact = [b for b in received.breakdowns if b.relation == Relation.EXACT]
        assert [b.parts for b in exact] == [
            ("grp_petitions_letter", "grp_petitions_visit", "grp_petitions_phone", "grp_petitions_online")
        ]
        assert [b.parts for b in received.breakdowns if b.relation == Relation.WITHIN] == [
            ("grp_petitions_accusation",)
        ]
        for code in exact[0].parts:
            assert Indicator.objects.get(code=code).reported_by == OrgKind.UNIT

    def test_every_behaviour_is_a_column(self):
        """The CSV states kind, reporter, aggregation, breakdowns and definitions for every row."""
        with CATALOGUE_CSV.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == [
            "code", "name_zh", "name_en", "unit_zh", "section", "kind", "reported_by", "aggregation",
            "parts", "relation", "may_be_entered", "definition", "source",
        ]  # fmt: skip
        for row in rows:
            assert row["kind"] and row["reported_by"] and row["aggregation"] and row["definition"], row["code"]
            assert row["may_be_entered"] in ("yes", "no"), row["code"]

    def test_the_catalogue_finds_a_shares_breakdown(self):
        catalogue = Catalogue.active()
        share = catalogue.by_code["grp_form2_pct"]
        breakdown = catalogue.share_breakdown(share)
        assert breakdown.whole == "grp_four_forms_total"
        assert breakdown.parts[1] == "grp_form2_person_times"
        assert catalogue.is_sub_item(catalogue.by_code["grp_sanctioned_party"])
        assert not catalogue.is_sub_item(catalogue.by_code["grp_sanctioned_persons"])

    def test_every_speech_placeholder_has_an_indicator(self):
        with PLACEHOLDERS.open(encoding="utf-8") as fh:
            codes = {row["code"] for row in csv.DictReader(fh)}
        assert len(codes) == 38
        assert codes <= set(Indicator.objects.values_list("code", flat=True))

    def test_loading_twice_changes_nothing(self):
        before = catalogue_state()
        result = load_catalogue()
        assert not result.changed
        assert result.warnings == []
        assert catalogue_state() == before

    def test_it_decides_who_reports_what(self):
        by_code = {i.code: i for i in Indicator.objects.all()}
        assert by_code["city_four_forms_total"].reported_by == OrgKind.COMMISSION
        assert by_code["grp_field_research_trips"].reported_by == OrgKind.GROUP
        assert by_code["rsch_symposiums"].reported_by == OrgKind.GROUP
        assert by_code["grp_form1_person_times"].reported_by == OrgKind.UNIT
        assert by_code["grp_cases_filed"].reported_by == OrgKind.UNIT

    def test_cumulative_figures_take_the_latest_period(self):
        assert Indicator.objects.get(code="grp_rectification_items").aggregation == Aggregation.LATEST
        assert Indicator.objects.filter(aggregation=Aggregation.LATEST).count() == 1

    def test_only_the_total_the_catalogue_allows_may_be_typed_in(self):
        assert list(Indicator.objects.filter(may_be_entered=True).values_list("code", flat=True)) == [
            "grp_reminder_letters_proposals"
        ]

    def test_kinds_come_from_the_csv(self):
        assert Indicator.objects.get(code="rsch_documents_reviewed").kind == Kind.APPROX_OVER_N
        assert Indicator.objects.get(code="grp_form1_pct").kind == Kind.DERIVED_PCT
        assert Indicator.objects.get(code="grp_four_forms_total").kind == Kind.DERIVED_SUM


class TestLaterCatalogueChange:
    def write_changed_csv(self, tmp_path, *, rename=None, drop=None, definition=None, change=None):
        with CATALOGUE_CSV.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        out = []
        for row in rows:
            if row["code"] == drop:
                continue
            if rename and row["code"] == rename[0]:
                row["name_zh"] = rename[1]
            if definition and row["code"] == definition[0]:
                row["definition"] = definition[1]
            if change and row["code"] == change[0]:
                row.update(change[1])
            out.append(row)
        out.reverse()  # a new order
        path = tmp_path / "indicators.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(out)
        return path

    def test_it_updates_names_and_order_without_losing_values(self, world, tmp_path):
        report = Report.objects.create(organisation=world["organ"], year=2022, period_type="year")
        indicator = Indicator.objects.get(code="grp_cases_filed")
        Value.objects.create(report=report, indicator=indicator, value=7)
        path = self.write_changed_csv(tmp_path, rename=("grp_cases_filed", "立案审查调查"))
        load_catalogue(path)
        indicator.refresh_from_db()
        assert indicator.name_zh == "立案审查调查"
        assert indicator.order == 10 * (84 - 13)  # 14th row of 84, reversed
        assert Value.objects.get(report=report, indicator=indicator).value == 7

    def test_an_admins_edited_name_is_kept_and_the_changed_seed_reported(self, tmp_path):
        Indicator.objects.filter(code="grp_cases_filed").update(name_zh="立案数（管理员改）")
        path = self.write_changed_csv(tmp_path, rename=("grp_cases_filed", "立案审查调查"))
        result = load_catalogue(path)
        indicator = Indicator.objects.get(code="grp_cases_filed")
        assert indicator.name_zh == "立案数（管理员改）"
        assert indicator.seed["name_zh"] == "立案审查调查"
        assert any("grp_cases_filed" in w and "name_zh" in w and "立案审查调查" in w for w in result.warnings)
        # An unedited name in the same file follows it; loading the file again says nothing more.
        assert load_catalogue(path).warnings == []
        assert Indicator.objects.get(code="grp_cases_filed").name_zh == "立案数（管理员改）"

    def test_the_csvs_columns_are_its_own_and_always_follow_it(self, tmp_path):
        # The structure is the file's: a reload sets it even where the database says otherwise.
        Indicator.objects.filter(code="grp_cases_filed").update(unit="个")
        path = self.write_changed_csv(tmp_path, change=("grp_rectification_items", {"aggregation": "sum"}))
        load_catalogue(path)
        assert Indicator.objects.get(code="grp_cases_filed").unit == "件"
        assert Indicator.objects.get(code="grp_rectification_items").aggregation == Aggregation.SUM

    def test_a_file_with_errors_is_refused_whole_with_every_error(self, tmp_path):
        before = catalogue_state()
        path = self.write_changed_csv(
            tmp_path,
            rename=("grp_cases_filed", "改了名"),
            change=("grp_clues_handled", {"parts": "grp_clues_closed+grp_no_such_code", "relation": "exact;within"}),
        )
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        assert any("grp_no_such_code" in e for e in caught.value.errors)
        assert any("relation" in e for e in caught.value.errors)
        assert catalogue_state() == before

    def test_the_command_says_what_is_wrong(self, tmp_path):
        from django.core.management import CommandError, call_command

        path = self.write_changed_csv(tmp_path, change=("grp_cases_filed", {"kind": "guess"}))
        with pytest.raises(CommandError, match="kind “guess”"):
            call_command("load_catalogue", file=str(path))

    def test_a_dropped_indicator_is_deactivated_not_deleted(self, tmp_path):
        # Not a part of any breakdown: a part that leaves must leave its whole's parts too.
        path = self.write_changed_csv(tmp_path, drop="grp_work_suggestions")
        result = load_catalogue(path)
        assert result.deactivated == ["grp_work_suggestions"]
        assert Indicator.objects.get(code="grp_work_suggestions").active is False

    def test_an_indicator_an_admin_switched_off_stays_off(self):
        Indicator.objects.filter(code="grp_he_t6_other").update(active=False)
        load_catalogue()
        assert Indicator.objects.get(code="grp_he_t6_other").active is False

    def test_an_unedited_definition_follows_the_csv(self, tmp_path):
        path = self.write_changed_csv(tmp_path, definition=("grp_cases_filed", "新的口径"))
        load_catalogue(path)
        assert Indicator.objects.get(code="grp_cases_filed").definition == "新的口径"

    def test_an_admins_edited_definition_is_kept_with_a_warning(self, tmp_path):
        Indicator.objects.filter(code="grp_cases_filed").update(definition="管理员修改的口径")
        path = self.write_changed_csv(tmp_path, definition=("grp_cases_filed", "新的口径"))
        result = load_catalogue(path)
        assert Indicator.objects.get(code="grp_cases_filed").definition == "管理员修改的口径"
        assert len(result.warnings) == 1
        assert "grp_cases_filed" in result.warnings[0]
        # Loading the same file again: nothing more to say.
        assert load_catalogue(path).warnings == []


class TestACatalogueWrittenHere:
    """Adding a derived total and a breakdown to the CSV is all it takes: no code change."""

    NEW_ROWS = [
        # code, name_zh, name_en, unit, section, kind, reported_by, aggregation, parts, relation, may_be_entered
        ("grp_test_warnings", "发出警示", "Warnings issued", "次", "测试板块", "count", "unit", "sum", "", "", "no"),
        ("grp_test_notices", "发出通知", "Notices issued", "次", "测试板块", "count", "unit", "sum", "", "", "no"),
        ("grp_test_written", "书面提醒", "Written reminders", "次", "测试板块", "derived_sum", "unit", "sum",
         "grp_test_warnings+grp_test_notices", "exact", "no"),
        ("grp_test_visits", "走访总数", "Visits", "次", "测试板块", "count", "unit", "sum",
         "grp_test_visits_day+grp_test_visits_night", "exact", "no"),
        ("grp_test_visits_day", "白天走访", "Day visits", "次", "测试板块", "count", "unit", "sum", "", "", "no"),
        ("grp_test_visits_night", "夜间走访", "Night visits", "次", "测试板块", "count", "unit", "sum", "", "", "no"),
    ]  # fmt: skip

    @pytest.fixture
    def extended(self, tmp_path, world):
        with CATALOGUE_CSV.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        columns = list(rows[0].keys())
        for values in self.NEW_ROWS:
            row = dict(zip(columns, values, strict=False))
            row.update(definition=f"{values[1]}的口径", source="测试")
            rows.append(row)
        path = tmp_path / "indicators.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        result = load_catalogue(path)
        assert sorted(result.created) == sorted(r[0] for r in self.NEW_ROWS)
        return world

    def test_it_appears_everywhere_with_its_rule(self, extended, client):
        import io

        import openpyxl
        from django.urls import reverse

        from tests.conftest import enter, make_user
        from tracker.orgs.models import Role

        client.force_login(make_user("clerk", extended["forestry"], Role.CLERK))
        entry_url = reverse("entry:report", args=["forestry-organ", "2022"])
        page = client.get(entry_url).content.decode()
        assert 'name="v_grp_test_warnings"' in page and 'name="v_grp_test_visits_night"' in page
        assert 'name="v_grp_test_written"' not in page  # derived, never typed
        assert "测试板块" in page

        # The parts of visits do not add up: the generated rule fires next to the figures.
        report = enter(
            extended["organ"],
            "2022",
            {
                "grp_test_warnings": 2,
                "grp_test_notices": 3,
                "grp_test_visits": 10,
                "grp_test_visits_day": 6,
                "grp_test_visits_night": 3,
            },
            status="draft",
        )
        page = client.get(entry_url).content.decode()
        assert "“白天走访”、“夜间走访”之和应等于“走访总数”" in page
        assert 'id="derived-grp_test_written"' in page
        Report = type(report)
        set_status(Report.objects.filter(pk=report.pk), "approved")
        summary = client.get(reverse("reports:summary", args=["forestry", 2022])).content.decode()
        assert 'id="row-grp_test_written"' in summary and 'id="breakdown-grp_test_visits"' in summary
        export = client.get(reverse("reports:summary", args=["forestry", 2022]), {"_export": "xlsx"})
        rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
        written = next(r for r in rows if r[1] == "书面提醒")
        assert written[3] == 5

        data = client.get(reverse("api:summary"), {"org": "forestry", "year": 2022}).json()
        assert data["derived"]["grp_test_written"] == 5
        visits = data["breakdowns"]["grp_test_visits"]["parts"]
        assert visits["grp_test_visits_day"]["whole"] + visits["grp_test_visits_night"]["whole"] == 100
        assert data["breakdowns"]["grp_test_written"]["parts"]["grp_test_notices"]["whole"] == 60


class TestSeededRulesFollowTheirSeed:
    def test_a_changed_seed_reaches_an_unedited_rule_but_not_an_edited_one(self, tmp_path):
        from tracker.checks.models import Rule
        from tracker.checks.seed import RULES_CSV, load_rules

        text = RULES_CSV.read_text(encoding="utf-8")
        changed = text.replace("立案数多于受理问题线索数", "立案数多于受理线索数").replace(
            "移送检察机关人数多于处分人数", "移送人数多于处分人数"
        )
        path = tmp_path / "rules.csv"
        path.write_text(changed, encoding="utf-8")
        Rule.objects.filter(key="transferred-le-sanctioned").update(severity="error")  # an administrator's edit
        warnings = load_rules(path=path)
        assert Rule.objects.get(key="cases-le-clues").message.startswith("立案数多于受理线索数")
        edited = Rule.objects.get(key="transferred-le-sanctioned")
        assert edited.message.startswith("移送检察机关人数多于处分人数") and edited.severity == "error"
        assert any("transferred-le-sanctioned" in w for w in warnings)

    def test_a_rule_no_longer_seeded_is_switched_off_and_back_on(self, tmp_path):
        from tracker.checks.models import Rule
        from tracker.checks.seed import RULES_CSV, load_rules

        lines = RULES_CSV.read_text(encoding="utf-8").splitlines()
        path = tmp_path / "rules.csv"
        path.write_text("\n".join(line for line in lines if not line.startswith("cases-le-clues")), encoding="utf-8")
        load_rules(path=path)
        assert Rule.objects.get(key="cases-le-clues").active is False
        load_rules()
        assert Rule.objects.get(key="cases-le-clues").active is True

    def test_an_administrators_own_rule_is_never_touched(self):
        from tracker.checks.models import Rule
        from tracker.checks.seed import load_rules

        Rule.objects.create(key="my-rule", left="grp_cases_filed", operator="<=", right="100", message="我的规则")
        load_rules()
        assert Rule.objects.get(key="my-rule").active is True
