"""Typos caught on the entry page, in words a person reads, and explained by a note (issue 11, point 5)."""

from __future__ import annotations

from tests.conftest import enter
from tracker.entry.models import Status
from tracker.entry.services import Entry


def test_a_figure_ten_times_the_previous_quarter_is_a_named_warning(client, world, alice, indicators):
    enter(world["organ"], "2023Q1", {"grp_cases_filed": 2})
    enter(world["organ"], "2023Q2", {"grp_cases_filed": 3038}, status=None)
    client.force_login(alice)
    html = client.get("/entry/forestry-organ/2023Q2/").content.decode()
    assert "立案：3,038" in html
    checks = client.get("/entry/forestry-organ/2023Q2/").context["checks"]
    [typo] = [f for f in checks.warnings if f.key == "typo-grp_cases_filed"]
    assert typo.message.startswith("立案") and not typo.explained
    assert 'href="#row-grp_cases_filed"' in html
    # It blocks submission until a note explains it…
    response = client.post("/entry/forestry-organ/2023Q2/submit/", follow=True)
    assert "立案" in response.content.decode()
    # …and a note marks it explained (已说明) and lets the report through.
    enter(world["organ"], "2023Q2", {"grp_cases_filed": Entry(3038, "含专项整治集中立案")}, status=None)
    checks = client.get("/entry/forestry-organ/2023Q2/").context["checks"]
    [typo] = [f for f in checks.warnings if f.key == "typo-grp_cases_filed"]
    assert typo.explained
    assert "已说明" in client.get("/entry/forestry-organ/2023Q2/").content.decode()
    client.post("/entry/forestry-organ/2023Q2/submit/")
    from tracker.entry.models import Report

    assert Report.objects.get(period_number=2).status == Status.SUBMITTED


def test_a_broken_sum_names_its_figures_and_values(client, world, alice, indicators):
    figures = {"grp_petitions_received": 2, "grp_petitions_letter": 5, "grp_petitions_visit": 1}
    enter(world["organ"], "2023", figures | {"grp_petitions_phone": 1, "grp_petitions_online": 1}, status=None)
    client.force_login(alice)
    html = client.get("/entry/forestry-organ/2023/").content.decode()
    assert "来信" in html and "（8）应等于接收信访举报（2）" in html


def test_a_quarter_is_compared_with_a_quarter_of_last_years_yearly_report(client, world, alice, indicators):
    from tracker.checks.report import report_checks

    enter(world["organ"], "2022", {"grp_cases_filed": 40})
    high = enter(world["organ"], "2023Q1", {"grp_cases_filed": 35}, status=None)
    [finding] = [f for f in report_checks(high).warnings if f.codes == ("grp_cases_filed",)]
    assert finding.key == "yoy-grp_cases_filed" and finding.right == 10
    fair = enter(world["organ"], "2023Q2", {"grp_cases_filed": 25}, status=None)
    assert not [f for f in report_checks(fair).warnings if f.codes == ("grp_cases_filed",)]


def test_a_unit_far_from_its_sibling_units_is_a_warning(client, world, alice, indicators):
    from tracker.checks.report import report_checks
    from tracker.orgs.models import Organisation, OrgKind

    units = [world["park"]] + [
        Organisation.objects.create(code=f"forestry-u{n}", name=f"单位{n}", kind=OrgKind.UNIT, parent=world["forestry"])
        for n in range(4)
    ]
    for unit, figure in zip(units, (2, 3, 2, 4, 3), strict=True):
        enter(unit, "2023", {"grp_clues_accepted": figure}, status=None)
    far = enter(world["organ"], "2023", {"grp_clues_accepted": 60}, status=None)
    keys = [f.key for f in report_checks(far).warnings]
    assert "outlier-grp_clues_accepted" in keys
    near = enter(world["park"], "2023", {"grp_clues_accepted": 3}, status=None)
    assert "outlier-grp_clues_accepted" not in [f.key for f in report_checks(near).warnings]


def test_the_checks_page_and_its_export_show_an_explained_warning_as_explained(client, world, bob, indicators):
    import io

    import openpyxl

    from tracker.entry.services import Entry as Figure

    enter(world["organ"], "2022", {"grp_cases_filed": 6, "grp_clues_accepted": 6})
    enter(world["organ"], "2023", {"grp_cases_filed": Figure(30, "集中整治"), "grp_clues_accepted": 30})
    client.force_login(bob)
    page = client.get("/reports/forestry/2023/checks/")
    rows = [r for r in page.context["rows"] if r.finding.key == "yoy-grp_cases_filed"]
    assert rows and rows[0].state_label == "已说明"
    other = [r for r in page.context["rows"] if r.finding.key == "yoy-grp_clues_accepted"]
    assert other and other[0].state_label != "已说明"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/forestry/2023/checks/?_export=xlsx").content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "已说明" in cells
