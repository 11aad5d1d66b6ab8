import csv
from pathlib import Path

import pytest
from django.conf import settings

from tracker.catalogue.loader import CATALOGUE_CSV, load_catalogue
from tracker.catalogue.models import Aggregation, Indicator, Kind
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
            "seed_definition",
            "active",
        )
    )


class TestLoad:
    def test_it_loads_80_indicators_on_migrate(self):
        assert Indicator.objects.count() == 80
        assert Indicator.objects.filter(active=True).count() == 80

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
    def write_changed_csv(self, tmp_path, *, rename=None, drop=None, definition=None):
        with CATALOGUE_CSV.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        out = []
        for row in rows:
            if row["code"] == drop:
                continue
            if rename and row["code"] == rename[0]:
                row["name_zh"] = rename[1]
            if definition and row["code"] == definition[0]:
                row["rule"] = definition[1]
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
        assert indicator.order == 10 * (80 - 9)  # tenth row of 80, reversed
        assert Value.objects.get(report=report, indicator=indicator).value == 7

    def test_a_dropped_indicator_is_deactivated_not_deleted(self, tmp_path):
        path = self.write_changed_csv(tmp_path, drop="grp_he_t6_other")
        result = load_catalogue(path)
        assert result.deactivated == ["grp_he_t6_other"]
        assert Indicator.objects.get(code="grp_he_t6_other").active is False

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
