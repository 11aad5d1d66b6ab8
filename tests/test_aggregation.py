import re

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import accept, enter
from tracker.aggregation import sql
from tracker.aggregation.yearly import Aggregator, years_with_data
from tracker.entry.models import Report, Status
from tracker.entry.services import Entry


class TestPeriods:
    def test_quarterly_reports_add_up_to_the_year(self, world):
        for q, n in enumerate([3, 4, 0, 5], start=1):
            enter(world["organ"], f"2022Q{q}", {"grp_cases_filed": n})
        figures = Aggregator(world["organ"], [2022]).org_year(world["organ"], 2022)
        assert figures.value("grp_cases_filed") == 12

    def test_monthly_reports_add_up_to_the_year(self, world):
        for m in range(1, 13):
            enter(world["organ"], f"2022-{m:02d}", {"grp_clues_accepted": m})
        assert Aggregator(world["organ"], [2022]).org_year(world["organ"], 2022).value("grp_clues_accepted") == 78

    def test_a_cumulative_figure_takes_the_last_period_with_a_value(self, world):
        enter(world["forestry"], "2022Q1", {"grp_rectification_items": 10})
        enter(world["forestry"], "2022Q2", {"grp_rectification_items": 14})
        enter(world["forestry"], "2022Q3", {"grp_rectification_items": 21})
        enter(world["forestry"], "2022Q4", {"grp_rectification_items": None, "grp_field_research_trips": 2})
        figures = Aggregator(world["forestry"], [2022]).org_year(world["forestry"], 2022)
        assert figures.value("grp_rectification_items") == 21

    def test_years_do_not_mix(self, world):
        enter(world["organ"], "2021", {"grp_cases_filed": 9})
        enter(world["organ"], "2022", {"grp_cases_filed": 2})
        agg = Aggregator(world["organ"], [2021, 2022])
        assert agg.org_year(world["organ"], 2021).value("grp_cases_filed") == 9
        assert agg.org_year(world["organ"], 2022).value("grp_cases_filed") == 2
        assert years_with_data(world["forestry"]) == [2021, 2022]


class TestUnits:
    def test_a_group_figure_is_the_sum_over_its_units(self, world):
        enter(world["organ"], "2022", {"grp_cases_filed": 2})
        enter(world["park"], "2022", {"grp_cases_filed": 3})
        figure = Aggregator(world["forestry"], [2022]).org_year(world["forestry"], 2022).figures["grp_cases_filed"]
        assert figure.value == 5
        assert figure.missing == 0
        assert figure.reporters == 2

    def test_empty_and_zero_stay_distinct_across_units(self, world):
        enter(world["organ"], "2022", {"grp_cases_filed": 0, "grp_clues_accepted": None, "grp_petition_visits": 4})
        enter(world["park"], "2022", {"grp_cases_filed": None, "grp_clues_accepted": None, "grp_petition_visits": 0})
        figures = Aggregator(world["forestry"], [2022]).org_year(world["forestry"], 2022).figures
        # 0 from one unit, nothing from the other: known, 0, one unit missing.
        assert figures["grp_cases_filed"].value == 0
        assert figures["grp_cases_filed"].missing == 1
        # Nothing from anyone: not known, not 0.
        assert figures["grp_clues_accepted"].value is None
        assert figures["grp_clues_accepted"].missing == 2
        assert figures["grp_petition_visits"].value == 4
        assert figures["grp_petition_visits"].missing == 0

    def test_only_approved_reports_count_unless_asked(self, world):
        enter(world["organ"], "2022", {"grp_cases_filed": 2})
        enter(world["park"], "2022", {"grp_cases_filed": 3}, status=Status.SUBMITTED)
        approved = Aggregator(world["forestry"], [2022]).org_year(world["forestry"], 2022)
        assert approved.value("grp_cases_filed") == 2
        assert approved.unapproved_reports == 1
        everything = Aggregator(world["forestry"], [2022], include_unapproved=True).org_year(world["forestry"], 2022)
        assert everything.value("grp_cases_filed") == 5

    def test_four_forms_shares_over_units(self, world):
        enter(
            world["organ"],
            "2022",
            {
                "grp_form1_person_times": 40,
                "grp_form2_person_times": 1,
                "grp_form3_person_times": 0,
                "grp_form4_person_times": 0,
            },
        )
        enter(
            world["park"],
            "2022",
            {
                "grp_form1_person_times": 7,
                "grp_form2_person_times": 2,
                "grp_form3_person_times": 0,
                "grp_form4_person_times": 0,
            },
        )
        figures = Aggregator(world["forestry"], [2022]).org_year(world["forestry"], 2022)
        assert figures.value("grp_four_forms_total") == 50
        assert figures.value("grp_form1_pct") == 94
        assert figures.value("grp_form2_pct") == 6
        forms = next(b for b in figures.share_breakdowns if b.featured)
        assert [share.whole for _, _, share in forms.parts][:2] == [94, 6]


class TestCommission:
    def test_the_commission_sees_the_sum_over_its_groups(self, world):
        enter(world["organ"], "2022", {"grp_cases_filed": 2})
        enter(world["park"], "2022", {"grp_cases_filed": 3})
        enter(world["water_unit"], "2022", {"grp_cases_filed": 4})
        enter(world["forestry"], "2022", {"grp_special_inspections": 6})
        enter(world["water"], "2022", {"grp_special_inspections": 1})
        enter(world["city"], "2022", {"city_four_forms_total": 3038})
        # Before the commission accepts the groups' figures, it counts its own only…
        before = Aggregator(world["city"], [2022]).org_year(world["city"], 2022)
        assert before.value("grp_cases_filed") is None
        assert before.value("city_four_forms_total") == 3038
        assert before.unaccepted_reports == 5 and before.accepted_only
        # …or, asked to, the groups' approved figures too.
        unaccepted = Aggregator(world["city"], [2022], include_unaccepted=True).org_year(world["city"], 2022)
        assert unaccepted.value("grp_cases_filed") == 9 and not unaccepted.accepted_only
        accept(world["forestry"], "2022")
        assert Aggregator(world["city"], [2022]).org_year(world["city"], 2022).value("grp_cases_filed") == 5
        accept(world["water"], "2022")
        agg = Aggregator(world["city"], [2022])
        city = agg.org_year(world["city"], 2022)
        assert city.unaccepted_reports == 0
        assert city.value("grp_cases_filed") == 9
        assert city.value("grp_special_inspections") == 7
        assert city.value("city_four_forms_total") == 3038
        groups = [agg.org_year(g, 2022).value("grp_cases_filed") for g in agg.children(world["city"])]
        assert sum(groups) == city.value("grp_cases_filed")

    def test_a_group_does_not_show_city_wide_or_a_unit_group_figures(self, world):
        agg = Aggregator(world["forestry"], [2022])
        codes = {ind.code for ind in agg.org_year(world["forestry"], 2022).indicators}
        assert "city_four_forms_total" not in codes
        assert "grp_special_inspections" in codes
        unit_codes = {ind.code for ind in agg.org_year(world["organ"], 2022).indicators}
        assert "grp_special_inspections" not in unit_codes
        assert "grp_cases_filed" in unit_codes


class TestWhatIsRead:
    def test_making_an_aggregator_reads_no_report_until_a_figure_is_asked_for(self, world):
        enter(world["organ"], "2022", {"grp_cases_filed": Entry(2, note="含移送案件")})
        with CaptureQueriesContext(connection) as made:
            aggregator = Aggregator(world["forestry"], [2022])
        reports = Report._meta.db_table
        assert not [q["sql"] for q in made if reports in q["sql"]]
        with CaptureQueriesContext(connection) as asked:
            org_year = aggregator.org_year(world["organ"], 2022)
        # The counts (the approved figures come from the stored totals); the notes only when asked for.
        assert len([q for q in asked if reports in q["sql"]]) == 1
        assert org_year.value("grp_cases_filed") == 2
        filed = aggregator.catalogue.by_code["grp_cases_filed"]
        with CaptureQueriesContext(connection) as asked:
            assert org_year.notes(filed) == ["含移送案件"]
        assert len([q for q in asked if reports in q["sql"]]) == 1

    def test_every_table_is_named_as_the_connection_quotes_it(self, db):
        where = {"root_id": 1, "subtree": True, "years": [2022]}
        statements = [
            sql.figures_query(**where, depths=[1], month=9, counted=sql.Counted.ACCEPTED),
            sql.totals_query(root_id=1, subtree=True, depths=[1, 2], periods=[(2022, 9), (2023, 12)], accepted=True),
            sql.counts_query(**where, months=[9, 12], acceptance=True),
            sql.notes_query(**where, counted=sql.Counted.ACCEPTED),
        ]
        tables = {connection.ops.quote_name(m._meta.db_table) for m in apps.get_models()}
        common_tables = {"rep", "fig", "per_reporter"}  # the figures' own WITH clauses
        for text, _params in statements:
            named = re.findall(r"\b(?:FROM|JOIN)\s+(\S+)", text)
            assert named
            assert set(named) <= tables | common_tables, text


class TestEveryOrganisationAtOnce:
    """The checks go through the whole subtree: one statement for every depth and range gives, for
    every organisation, exactly what the statements per depth give."""

    def _figures(self, aggregator, world, ranges):
        return {
            (code, rng, ind): (figure.value, figure.missing, figure.reporters)
            for code in ("city", "forestry", "water", "organ", "park", "water_unit")
            for rng in ranges
            for ind, figure in aggregator.figures_for(world[code], rng).figures.items()
        }

    def test_the_same_figures_as_depth_by_depth(self, world):
        from tracker.entry.periods import Range

        enter(world["organ"], "2022Q1", {"grp_cases_filed": 2, "grp_rectification_items": 5})
        enter(world["organ"], "2022Q3", {"grp_cases_filed": 1, "grp_rectification_items": 7})
        enter(world["park"], "2022Q2", {"grp_cases_filed": 4})
        enter(world["water_unit"], "2021", {"grp_cases_filed": 6})
        enter(world["water_unit"], "2022", {"grp_cases_filed": 3}, status="submitted")
        ranges = [Range.full(2021), Range.full(2022), Range.through(2022, "2022Q2")]
        for counting in ({}, {"include_unaccepted": True}, {"include_unapproved": True}):
            one_by_one = Aggregator(world["city"], ranges, **counting)
            at_once = Aggregator(world["city"], ranges, **counting)
            with CaptureQueriesContext(connection) as fetched:
                at_once.fetch()
            # Approved figures: one statement; live ones: one per range end (June and December).
            assert len(fetched) == (2 if counting.get("include_unapproved") else 1)
            expected = self._figures(one_by_one, world, ranges)
            assert self._figures(at_once, world, ranges) == expected
            # Nothing accepted: the commission's own pages count nothing; approved: 2+1+4; all: and 3 more.
            city = {"": None, "include_unaccepted": 7, "include_unapproved": 10}["".join(counting)]
            assert expected[("city", Range.full(2022), "grp_cases_filed")][0] == city
            forestry = None if not counting else 7
            assert expected[("forestry", Range.full(2022), "grp_cases_filed")][0] == forestry
