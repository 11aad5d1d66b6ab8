import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from tracker.catalogue.models import Indicator
from tracker.entry.models import Report, Value
from tracker.entry.periods import Period
from tracker.entry.services import Entry, report_get_or_create, values_save_for_period


@pytest.fixture
def report(world):
    return Report.objects.create(organisation=world["organ"], year=2022, period_type="year")


class TestValueConstraints:
    def test_a_second_value_for_the_same_report_and_indicator_is_refused(self, report):
        indicator = Indicator.objects.get(code="grp_cases_filed")
        Value.objects.create(report=report, indicator=indicator, value=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Value.objects.create(report=report, indicator=indicator, value=2)

    def test_the_database_itself_refuses_a_negative_value(self, report):
        indicator = Indicator.objects.get(code="grp_cases_filed")
        # Raw SQL, past every form and model check.
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Value._meta.db_table} (report_id, indicator_id, value, note, updated)"
                " VALUES (%s, %s, %s, '', CURRENT_TIMESTAMP)",
                [report.pk, indicator.pk, -1],
            )

    def test_null_and_zero_are_both_allowed_and_distinct(self, report):
        a, b = Indicator.objects.filter(reported_by="unit")[:2]
        Value.objects.create(report=report, indicator=a, value=None, note="待核实")
        Value.objects.create(report=report, indicator=b, value=0)
        assert Value.objects.get(indicator=a).value is None
        assert Value.objects.get(indicator=b).value == 0

    def test_a_second_report_for_the_same_period_is_refused(self, report):
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(organisation=report.organisation, year=2022, period_type="year")

    def test_a_quarter_number_out_of_range_is_refused(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(organisation=world["organ"], year=2022, period_type="quarter", period_number=5)


class TestPeriodTypeConflict:
    def test_mixing_annual_and_quarterly_reports_in_a_year_is_refused(self, world):
        report_get_or_create(organisation=world["organ"], period=Period.parse("2022"))
        with pytest.raises(ValidationError) as exc:
            report_get_or_create(organisation=world["organ"], period=Period.parse("2022Q1"))
        assert "重复" in exc.value.messages[0]
        assert Report.objects.filter(organisation=world["organ"]).count() == 1

    def test_quarterly_then_monthly_is_refused_too(self, world):
        report_get_or_create(organisation=world["organ"], period=Period.parse("2022Q1"))
        with pytest.raises(ValidationError):
            report_get_or_create(organisation=world["organ"], period=Period.parse("2022-03"))

    def test_another_year_or_organisation_may_use_another_type(self, world):
        report_get_or_create(organisation=world["organ"], period=Period.parse("2022"))
        report_get_or_create(organisation=world["organ"], period=Period.parse("2023Q1"))
        report_get_or_create(organisation=world["park"], period=Period.parse("2022-01"))
        assert Report.objects.count() == 3

    def test_a_refused_save_leaves_nothing_behind(self, world):
        indicator = Indicator.objects.get(code="grp_cases_filed")
        values_save_for_period(organisation=world["organ"], period=Period.parse("2022"), entries={indicator: Entry(3)})
        with pytest.raises(ValidationError):
            values_save_for_period(
                organisation=world["organ"], period=Period.parse("2022Q2"), entries={indicator: Entry(1)}
            )
        assert Report.objects.count() == 1
        assert Value.objects.count() == 1
