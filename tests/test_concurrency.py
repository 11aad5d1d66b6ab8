"""Two people editing the same report: the later save is refused, nothing is overwritten."""

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.test_entry import form_data, url
from tracker.entry.models import Value
from tracker.orgs.models import Role


@pytest.fixture
def two_clerks(world, alice):
    dave = make_user("dave", world["forestry"], Role.CLERK)
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(dave)
    return first, second


def test_the_later_save_is_refused_naming_what_the_other_changed(two_clerks):
    first, second = two_clerks
    first.post(url(), form_data(first, grp_cases_filed="1", grp_clues_accepted="10"))
    # Both open the page at the same revision.
    opened_by_first = form_data(first)
    opened_by_second = form_data(second)
    # The first saves a change to the cases filed…
    opened_by_first["v_grp_cases_filed"] = "2"
    assert first.post(url(), opened_by_first).status_code == 302
    # …then the second, from the page as it was, changes the clues.
    opened_by_second["v_grp_clues_accepted"] = "11"
    opened_by_second["v_grp_petition_visits"] = "7"
    response = second.post(url(), opened_by_second)
    html = response.content.decode()
    assert response.status_code == 200
    assert "其他人已保存了该报表" in html
    assert "立案" in html  # the figure the other person changed is named
    # Nothing of the second save went in; the first person's figure stands.
    values = {v.indicator.code: v.value for v in Value.objects.select_related("indicator")}
    assert values == {"grp_cases_filed": 2, "grp_clues_accepted": 10}
    # The second person's input is still on the page to re-apply…
    assert 'value="11"' in html and 'value="7"' in html
    # …and saving it again now goes through, on top of the first person's change.
    retry = {k: v for k, v in response.context["form"].data.items()}
    assert second.post(url(), retry).status_code == 302
    values = {v.indicator.code: v.value for v in Value.objects.select_related("indicator")}
    assert values["grp_clues_accepted"] == 11
    assert values["grp_petition_visits"] == 7
    # The first person's change was not undone by the second person's stale page.
    assert values["grp_cases_filed"] == 2


def test_a_figure_both_changed_keeps_the_later_persons_input_to_decide(two_clerks):
    first, second = two_clerks
    first.post(url(), form_data(first, grp_cases_filed="1"))
    opened_by_first, opened_by_second = form_data(first), form_data(second)
    opened_by_first["v_grp_cases_filed"] = "2"
    first.post(url(), opened_by_first)
    opened_by_second["v_grp_cases_filed"] = "3"
    response = second.post(url(), opened_by_second)
    assert response.context["form"].data["v_grp_cases_filed"] == "3"
    assert Value.objects.get().value == 2


def test_a_save_without_anyone_else_in_between_goes_through(two_clerks):
    first, _ = two_clerks
    assert first.post(url(), form_data(first, grp_cases_filed="1")).status_code == 302
    assert first.post(url(), form_data(first, grp_cases_filed="2")).status_code == 302
    assert Value.objects.get().value == 2


def test_a_save_without_the_pages_revision_is_refused(two_clerks):
    first, _ = two_clerks
    first.post(url(), form_data(first, grp_cases_filed="1"))
    data = form_data(first, grp_cases_filed="5")
    del data["revision"]
    response = first.post(url(), data)
    assert "页面已过期" in response.content.decode()
    assert Value.objects.get().value == 1


def test_a_second_first_save_of_a_new_report_is_refused_not_merged_blindly(two_clerks):
    first, second = two_clerks
    a, b = form_data(first, grp_cases_filed="1"), form_data(second, grp_clues_accepted="2")
    assert first.post(url(), a).status_code == 302
    response = second.post(url(), b)
    # The report now exists at a later revision: the second save is refused, not a 500.
    assert response.status_code == 200
    assert "其他人已保存了该报表" in response.content.decode()
