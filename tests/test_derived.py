from decimal import Decimal

import pytest

from tracker.catalogue.figures import breakdown_shares, change, report_figures, shares
from tracker.catalogue.models import Catalogue


def derive(values):
    """A report's figures with its derived ones, as the catalogue defines them."""
    return report_figures(values, Catalogue.active())


def four_forms(values):
    catalogue = Catalogue.active()
    breakdown = catalogue.share_breakdown(catalogue.by_code["grp_form1_pct"])
    return breakdown_shares(breakdown, values)


class TestShares:
    def test_it_gives_the_speech_percentages(self):
        assert shares([47, 3]) == [Decimal(94), Decimal(6)]

    def test_it_breaks_ties_in_a_stable_order(self):
        assert shares([1, 1, 1]) == [Decimal(33), Decimal(33), Decimal(34)]
        assert shares([1, 1, 1]) == shares([1, 1, 1])

    def test_it_adds_up_to_exactly_100(self):
        for counts in ([1, 1, 1], [2, 2, 2, 1], [7, 13, 1, 0], [999, 1, 1]):
            assert sum(shares(counts)) == 100
            assert sum(shares(counts, 1)) == Decimal("100.0")

    def test_it_gives_the_2021_bulletin_to_one_decimal(self):
        result = shares([Decimal("148.7"), Decimal("49.4"), Decimal("7.0"), Decimal("7.4")], decimals=1)
        assert [str(s) for s in result] == ["70.0", "23.2", "3.3", "3.5"]

    def test_a_zero_total_gives_no_share(self):
        assert shares([0, 0, 0, 0]) == [None, None, None, None]

    def test_an_unknown_part_gives_no_share(self):
        assert shares([3, None]) == [None, None]


@pytest.mark.django_db
class TestDerive:
    def test_it_sums_the_four_forms_and_gives_whole_shares(self):
        values = {
            "grp_form1_person_times": 47,
            "grp_form2_person_times": 3,
            "grp_form3_person_times": 0,
            "grp_form4_person_times": 0,
        }
        derived = derive(values)
        assert derived["grp_four_forms_total"] == 50
        assert derived["grp_form1_pct"] == 94
        assert derived["grp_form2_pct"] == 6
        assert derived["grp_form3_pct"] == 0

    def test_a_sum_with_an_unknown_part_is_unknown(self):
        derived = derive({"grp_reminder_letters": 4, "grp_discipline_proposals": None})
        assert derived["grp_reminder_letters_proposals"] is None
        assert derived["grp_four_forms_total"] is None
        assert derived["grp_form1_pct"] is None

    def test_a_total_may_be_typed_in_when_its_parts_are_not_known(self):
        assert derive({"grp_reminder_letters_proposals": 9})["grp_reminder_letters_proposals"] == 9
        both = {"grp_reminder_letters": 4, "grp_discipline_proposals": 3}
        assert derive(both)["grp_reminder_letters_proposals"] == 7
        # Typed in and split: the typed total stands, and the rule letters-plus-proposals compares them.
        assert derive({**both, "grp_reminder_letters_proposals": 8})["grp_reminder_letters_proposals"] == 8

    def test_zero_forms_give_no_share(self):
        zeros = dict.fromkeys(
            ["grp_form1_person_times", "grp_form2_person_times", "grp_form3_person_times", "grp_form4_person_times"],
            0,
        )
        derived = derive(zeros)
        assert derived["grp_four_forms_total"] == 0
        assert derived["grp_form1_pct"] is None

    def test_four_forms_gives_both_precisions(self):
        forms = four_forms(
            {
                "grp_form1_person_times": 1,
                "grp_form2_person_times": 1,
                "grp_form3_person_times": 1,
                "grp_form4_person_times": 0,
            }
        )
        assert [f.whole for f in forms] == [Decimal(33), Decimal(33), Decimal(34), Decimal(0)]
        assert [str(f.one_decimal) for f in forms] == ["33.3", "33.3", "33.4", "0.0"]


class TestChange:
    def test_it_gives_absolute_and_percent(self):
        assert change(150, 100).absolute == 50
        assert change(150, 100).percent == Decimal("50.0")

    def test_a_shares_change_is_in_points_only(self):
        assert change(94, 87, is_share=True).absolute == 7
        assert change(94, 87, is_share=True).percent is None

    def test_no_percent_when_last_year_is_zero_or_unknown(self):
        assert change(5, 0).percent is None
        assert change(5, 0).absolute == 5
        assert change(5, None).absolute is None
