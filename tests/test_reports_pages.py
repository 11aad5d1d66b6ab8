"""The leaders' pages: yearly summary, per-unit breakdown, trend, and the /reports/ entry point.

Every test reads the forestry dataset of `build_dataset` (tests/conftest.py), whose figures it
describes; bob is the group's leader.
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD, accept, enter, make_user
from tracker.catalogue.models import Indicator
from tracker.documents.services import template_create
from tracker.entry.models import Status
from tracker.orgs.models import Organisation, OrgKind, Role


class _Cells(HTMLParser):
    """The text of each cell of the <tr id=...> rows of a page."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("id"):
            self._row = attrs["id"]
            self.rows[self._row] = []
        elif tag in ("td", "th") and self._row:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row and self._cell is not None:
            self.rows[self._row].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def cells(response, row_id: str) -> list[str]:
    parser = _Cells()
    parser.feed(response.content.decode())
    return parser.rows[row_id]


def row_order(response) -> list[str]:
    parser = _Cells()
    parser.feed(response.content.decode())
    return [row for row in parser.rows if row.startswith("row-")]


class TestIndex:
    def test_it_redirects_to_the_latest_year_of_the_top_organisation(self, leader_client):
        response = leader_client.get("/reports/")
        assert response.status_code == 302
        assert response.url == "/reports/forestry/2022/"

    def test_it_says_so_without_data_rather_than_opening_an_empty_year(self, client, bob):
        client.login(username="bob", password=PASSWORD)
        response = client.get("/reports/")
        assert response.status_code == 200
        assert 'id="no-figures"' in response.content.decode()
        assert "尚未录入任何数据" in response.content.decode()

    def test_it_opens_the_latest_year_with_approved_figures_not_a_later_one(self, leader_client, data):
        # 2023 has a report, but nothing approved yet: the page would be all "—".
        enter(data["organ"], "2023", {"grp_cases_filed": 1}, status=Status.SUBMITTED)
        assert leader_client.get("/reports/").url == "/reports/forestry/2022/"
        assert leader_client.get("/reports/?org=forestry-organ").url == "/reports/forestry-organ/2022/"
        # Including unapproved reports, 2023 has figures.
        response = leader_client.get("/reports/?include_unapproved=1")
        assert response.url == "/reports/forestry/2023/?include_unapproved=1"

    def test_it_offers_the_unapproved_figures_when_none_is_approved(self, client, bob, world):
        enter(world["organ"], "2023", {"grp_cases_filed": 1}, status=Status.SUBMITTED)
        client.login(username="bob", password=PASSWORD)
        html = client.get("/reports/").content.decode()
        assert 'id="no-figures"' in html
        assert 'href="/reports/?org=forestry&amp;include_unapproved=1"' in html
        assert client.get("/reports/?org=forestry&include_unapproved=1").url == (
            "/reports/forestry/2023/?include_unapproved=1"
        )

    def test_it_takes_a_city_leader_to_the_commission(self, client, data):
        make_user("dana", data["city"], Role.LEADER)
        client.login(username="dana", password=PASSWORD)
        assert client.get("/reports/").url == "/reports/city/2022/"

    def test_it_follows_the_switcher(self, leader_client):
        response = leader_client.get("/reports/?org=forestry-organ&year=2021&page=units&include_unapproved=1")
        assert response.url == "/reports/forestry-organ/2021/units/?include_unapproved=1"
        # The trend's year and range are those of its last column; its default needs no parameter.
        assert leader_client.get("/reports/?org=forestry&year=2022&page=trend").url == "/reports/forestry/trend/"
        assert leader_client.get("/reports/?org=forestry&year=2021&page=trend").url == (
            "/reports/forestry/trend/?through=2021"
        )
        response = leader_client.get("/reports/?org=forestry&year=2022&range=Q3&page=trend&same_range=1")
        assert response.url == "/reports/forestry/trend/?through=2022Q3&same_range=1"

    def test_it_404s_for_another_groups_organisation_and_400s_for_a_bad_year(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get("/reports/?org=forestry&year=2022").status_code == 404
        assert client.get("/reports/?org=water&year=abc").status_code == 400

    def test_it_requires_login(self, client, data):
        response = client.get("/reports/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


class TestSummary:
    url = "/reports/forestry/2022/"

    def test_it_shows_this_year_last_year_and_the_change(self, leader_client):
        response = leader_client.get(self.url)
        assert response.status_code == 200
        name, unit, this, last, absolute, percent, notes = cells(response, "row-grp_cases_filed")
        assert name == "立案"
        assert unit == "件"
        assert this == "3（2个单位未报全）"
        assert last == "4（1个单位未报全）"  # 苗圃 entered nothing in 2021
        # Both sides incomplete: the change says it is formed from incomplete figures.
        assert absolute == "-1（含未报全数据）"
        assert percent == "-25.0%（含未报全数据）"

    def test_it_prints_lower_bounds_as_n_yu(self, leader_client):
        response = leader_client.get(self.url)
        row = cells(response, "row-grp_grassroots_orgs_guided")
        assert row[1:6] == ["个", "120余", "100余", "+20", "+20.0%"]

    def test_it_prints_a_dash_where_last_year_is_zero_or_empty(self, leader_client):
        response = leader_client.get(self.url)
        assert cells(response, "row-grp_special_inspections")[2:6] == ["6", "0", "+6", "—"]
        assert cells(response, "row-grp_field_research_trips")[2:6] == ["5", "—", "—", "—"]
        # Nothing entered at all: not known, not 0.
        assert cells(response, "row-grp_work_suggestions")[2:6] == ["—", "—", "—", "—"]

    def test_it_shows_the_notes(self, leader_client):
        response = leader_client.get(self.url)
        assert cells(response, "row-grp_special_inspections")[-1] == "=1+2"

    def test_it_orders_indicators_by_section_as_the_catalogue_does(self, leader_client):
        response = leader_client.get(self.url)
        html = response.content.decode()
        sections = [html.index(f'"colgroup">{name}<') for name in ("信访举报", "四种形态", "日常监督")]
        assert sections == sorted(sections)
        assert "全市数据" not in html  # city-wide figures are the commission's, not a group's
        rows = row_order(response)
        assert rows.index("row-grp_petitions_received") < rows.index("row-grp_cases_filed")

    def test_it_shows_four_form_counts_shares_and_a_chart(self, leader_client):
        response = leader_client.get(self.url)
        assert cells(response, "part-grp_form1_person_times")[:3] == ["运用第一种形态", "47", "94%"]
        assert cells(response, "part-grp_form2_person_times")[:3] == ["运用第二种形态", "3", "6%"]
        assert cells(response, "part-grp_form3_person_times")[:3] == ["运用第三种形态", "0", "0%"]
        html = response.content.decode()
        start = html.index('id="breakdown-grp_four_forms_total"')
        chart = html[start : html.index("</section>", start)]
        assert "<svg" in chart
        assert "第一种形态" in chart
        assert "47人次 · 94%" in chart

    def test_it_counts_only_approved_reports_and_says_how_many_are_not(self, leader_client):
        response = leader_client.get(self.url)
        assert cells(response, "row-grp_cases_filed")[2] == "3（2个单位未报全）"
        assert "尚有1份报表未审核，未计入。" in response.content.decode()

    def test_it_includes_unapproved_reports_when_asked(self, leader_client):
        response = leader_client.get(self.url + "?include_unapproved=1")
        assert cells(response, "row-grp_cases_filed")[2:6] == [
            "8（1个单位未报全）",
            "4（1个单位未报全）",
            "+4（含未报全数据）",
            "+100.0%（含未报全数据）",
        ]
        html = response.content.decode()
        assert "其中1份报表尚未审核，已计入。" in html
        assert "已包括未审核报表" in html

    def test_it_has_a_switch_that_toggles_unapproved_and_keeps_other_parameters(self, leader_client):
        html = leader_client.get(self.url + "?foo=bar").content.decode()
        assert 'role="switch" aria-checked="false"' in html
        assert 'href="?foo=bar&amp;include_unapproved=1"' in html
        assert "包括未审核" in html
        html = leader_client.get(self.url + "?include_unapproved=1&foo=bar").content.decode()
        assert 'role="switch" aria-checked="true"' in html
        assert 'href="?foo=bar"' in html

    def test_it_links_to_the_other_pages_and_downloads(self, leader_client, bob, data):
        template_create(organisation=data["forestry"], name="讲话", user=bob, text="2022年，立案查处8件。")
        html = leader_client.get(self.url).content.decode()
        for href in (
            "/reports/forestry/2022/units/",
            "/reports/forestry/trend/",
            "/reports/forestry/2022/review/",
            "/reports/forestry/2022/review.docx",
            "?_export=xlsx",
            "?_export=csv",
        ):
            assert f'href="{href}"' in html

    def test_it_offers_the_reviews_word_download_only_with_a_speech(self, leader_client, bob, data):
        # Without a speech the review says there is none (200); its Word download would be a 404.
        html = leader_client.get(self.url).content.decode()
        assert 'href="/reports/forestry/2022/review/"' in html
        assert "review.docx" not in html
        assert leader_client.get("/reports/forestry/2022/review/").status_code == 200
        # A speech of the group serves its units too.
        template_create(organisation=data["forestry"], name="讲话", user=bob, text="2022年，立案查处8件。")
        html = leader_client.get("/reports/forestry-organ/2022/units/").content.decode()
        assert 'href="/reports/forestry-organ/2022/review.docx"' in html
        assert leader_client.get("/reports/forestry-organ/2022/review.docx").status_code == 302

    def test_it_offers_only_the_users_organisations_and_years_in_the_switcher(self, leader_client):
        html = leader_client.get(self.url).content.decode()
        assert 'value="forestry-park"' in html
        assert 'value="water"' not in html
        assert 'value="water-organ"' not in html
        assert '<option value="2021">' in html

    def test_it_shows_a_unit(self, leader_client):
        response = leader_client.get("/reports/forestry-organ/2022/")
        assert response.status_code == 200
        # A unit's own figure: no mark, and no group-level indicators.
        assert cells(response, "row-grp_cases_filed")[2:4] == ["3", "2"]
        assert "row-grp_special_inspections" not in response.content.decode()

    def test_it_speaks_english(self, leader_client):
        leader_client.cookies["django_language"] = "en"
        html = leader_client.get(self.url, headers={"accept-language": "en"}).content.decode()
        assert "Yearly summary" in html
        assert "Cases filed" in html
        assert "(2 units incomplete)" in html

    def test_it_escapes_organisation_names(self, leader_client, data):
        data["park"].name = data["park"].short_name = "<script>alert(1)</script>"
        data["park"].save()
        html = leader_client.get("/reports/forestry-park/2022/").content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url).status_code == 404
        assert client.get("/reports/forestry-organ/2022/").status_code == 404
        assert client.get("/reports/water/2022/").status_code == 200

    def test_it_redirects_anonymous_to_login(self, client, data):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")

    def test_it_404s_for_an_impossible_year(self, leader_client):
        assert leader_client.get("/reports/forestry/1800/").status_code == 404

    def test_it_runs_the_same_number_of_queries_for_more_data(self, leader_client, data, indicators):
        leader_client.get(self.url)  # the first request after login extends the session
        with CaptureQueriesContext(connection) as small:
            assert leader_client.get(self.url).status_code == 200
        for i in range(6):
            unit = Organisation.objects.create(
                code=f"forestry-extra{i}", name=f"单位{i}", kind=OrgKind.UNIT, parent=data["forestry"]
            )
            for year in (2021, 2022):
                enter(unit, str(year), {"grp_cases_filed": i, "grp_petitions_received": i + 1})
        with CaptureQueriesContext(connection) as large:
            assert leader_client.get(self.url).status_code == 200
        assert len(large) == len(small)


class TestUnits:
    url = "/reports/forestry/2022/units/"

    def test_it_shows_a_column_per_unit_and_the_total(self, leader_client):
        response = leader_client.get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index(">局机关<") < html.index(">森林公园<") < html.index(">苗圃<")
        name, unit, organ, park, nursery, total = cells(response, "row-grp_cases_filed")
        assert (name, unit, organ, park, nursery) == ("立案", "件", "3", "—", "—")
        assert total == "3（2个单位未报全）"
        assert cells(response, "row-grp_petitions_received")[2:] == ["10", "5", "—", "15（1个单位未报全）"]
        # The share of partial sums is partial too, and says so.
        assert cells(response, "row-grp_form1_pct")[2:] == ["98", "78", "—", "94（1个单位未报全）"]

    def test_it_leaves_out_what_units_do_not_report(self, leader_client):
        html = leader_client.get(self.url).content.decode()
        assert "row-grp_special_inspections" not in html

    def test_it_sorts_by_a_unit(self, leader_client):
        order = row_order(leader_client.get(self.url + "?sort=-org_forestry-park"))
        # 森林公园's largest figures first: 78 (form-1 share), then 22, then 9 (four forms total).
        assert order[:3] == ["row-grp_form1_pct", "row-grp_form2_pct", "row-grp_four_forms_total"]
        ascending = row_order(leader_client.get(self.url + "?sort=org_forestry-park"))
        assert ascending[-1] == "row-grp_form1_pct"

    def test_it_sorts_by_the_total(self, leader_client):
        order = row_order(leader_client.get(self.url + "?sort=-total"))
        assert order[:2] == ["row-grp_form1_pct", "row-grp_four_forms_total"]

    def test_it_filters_by_section(self, leader_client):
        response = leader_client.get(self.url + "?section=四种形态")
        rows = row_order(response)
        assert rows[0] == "row-grp_form1_person_times"
        assert "row-grp_cases_filed" not in rows
        assert len(rows) == 9
        assert '<option value="四种形态" selected>' in response.content.decode()

    def test_it_shows_the_commissions_groups(self, client, data):
        make_user("dana", data["city"], Role.LEADER)
        client.login(username="dana", password=PASSWORD)
        # The commission counts what it accepted from the groups: nothing yet, and the page says so.
        response = client.get("/reports/city/2022/units/")
        assert response.status_code == 200
        assert "尚未被接收" in response.content.decode()
        response = client.get("/reports/city/2022/units/?include_unaccepted=1")
        assert cells(response, "row-grp_cases_filed")[2:] == ["3（2个单位未报全）", "99", "102（2个单位未报全）"]
        for group in ("forestry", "water"):
            accept(data[group], "2022")
        response = client.get("/reports/city/2022/units/")
        assert cells(response, "row-grp_cases_filed")[2:] == ["3（2个单位未报全）", "99", "102（2个单位未报全）"]

    def test_it_includes_unapproved_reports_when_asked(self, leader_client):
        response = leader_client.get(self.url + "?include_unapproved=1")
        assert cells(response, "row-grp_cases_filed")[2:] == ["3", "—", "5", "8（1个单位未报全）"]

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url).status_code == 404

    def test_it_redirects_anonymous_to_login(self, client, data):
        assert client.get(self.url).url.startswith("/accounts/login/")


class TestTrend:
    url = "/reports/forestry/trend/"

    def test_it_shows_every_year_with_data(self, leader_client):
        response = leader_client.get(self.url)
        assert response.status_code == 200
        assert cells(response, "row-grp_cases_filed")[2:] == ["4（1个单位未报全）", "3（2个单位未报全）"]
        assert cells(response, "row-grp_grassroots_orgs_guided")[2:] == ["100余", "120余"]

    def test_its_indicator_choice_follows_a_renamed_indicator_and_the_chosen_one(self, leader_client):
        # The options of a select are rendered once per list and choice (templatetags/choices.py).
        html = leader_client.get(self.url, {"indicator": "grp_cases_filed"}).content.decode()
        assert '<option value="grp_cases_filed" selected>立案</option>' in html
        Indicator.objects.filter(code="grp_cases_filed").update(name_zh="立案<数>")
        html = leader_client.get(self.url, {"indicator": "grp_petitions_received"}).content.decode()
        assert '<option value="grp_cases_filed">立案&lt;数&gt;</option>' in html
        assert '<option value="grp_petitions_received" selected>' in html

    def test_it_opens_on_the_latest_year_with_approved_figures(self, leader_client, data):
        # 2023 has a submitted report only: a column of "—" would be no trend at all.
        enter(data["organ"], "2023", {"grp_cases_filed": 7}, status=Status.SUBMITTED)
        html = leader_client.get(self.url).content.decode()
        assert ">2022年</a></th>" in html and "2023年</a></th>" not in html
        assert 'id="range-hint"' not in html and 'id="no-figures"' not in html
        # The range picker shows the last column's year and range; the years include 2023.
        assert '<option value="2023">2023年</option>\n<option value="2022" selected>2022年</option>' in html
        assert '<option value="year" selected>' in html
        assert 'name="same_range" value="1">' in html
        html = leader_client.get(self.url + "?include_unapproved=1").content.decode()
        assert ">2023年</a></th>" in html

    def test_the_years_that_have_ended_are_whole_and_the_last_is_its_range_labelled(self, leader_client):
        response = leader_client.get(self.url + "?through=2022Q3")
        html = response.content.decode()
        assert ">2021年</a></th>" in html and ">2022年前三季度</a></th>" in html
        # The units report by year: 2022 has no Q1–Q3 figures, 2021 its whole year's.
        assert cells(response, "row-grp_cases_filed")[2:] == ["4（1个单位未报全）", "—"]
        assert "往年均为全年数据；最后一列“2022年前三季度”只含当年部分期间" in html
        assert html.count('class="notice range-notice"') == 1
        assert '<option value="Q3" selected>' in html

    def test_the_current_year_shows_its_range_so_far(self, leader_client, data, monkeypatch):
        import datetime

        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2022, 11, 15))
        html = leader_client.get(self.url).content.decode()
        assert ">2021年</a></th>" in html and ">2022年前三季度</a></th>" in html

    def test_it_compares_every_year_over_the_same_range_when_asked(self, leader_client):
        html = leader_client.get(self.url + "?through=2022Q3&same_range=1").content.decode()
        assert ">2021年前三季度</a></th>" in html and ">2022年前三季度</a></th>" in html
        assert "各年均按同一统计区间（前三季度）比较。" in html
        assert 'name="same_range" value="1" checked>' in html
        # The approval switch keeps it.
        assert 'href="?same_range=1&amp;through=2022Q3&amp;include_unapproved=1"' in html
        assert leader_client.get(self.url + "?same_range=yes").status_code == 400

    def test_it_says_when_there_are_no_figures(self, client, bob):
        client.login(username="bob", password=PASSWORD)
        response = client.get(self.url)
        assert response.status_code == 200
        assert 'id="no-figures"' in response.content.decode()

    def test_it_charts_the_chosen_indicator_with_chinese_text(self, leader_client):
        html = leader_client.get(self.url + "?indicator=grp_grassroots_orgs_guided").content.decode()
        chart = html[html.index('<section class="trend-chart"') : html.index("</section>")]
        assert "<svg" in chart
        assert "Noto Sans CJK SC" in chart
        assert "督导基层党组织纪检书记和纪检委员开展日常监督" in chart
        assert ">2021年</text>" in chart
        assert ">2022年</text>" in chart
        assert ">100余</text>" in chart
        assert ">120余</text>" in chart
        assert '<option value="grp_grassroots_orgs_guided" selected>' in html

    def test_it_charts_the_first_indicator_with_figures_by_default(self, leader_client):
        html = leader_client.get(self.url + "?indicator=nonsense").content.decode()
        assert '<option value="grp_petitions_received" selected>' in html

    def test_it_escapes_indicator_names_in_the_chart(self, leader_client, indicators):
        indicators["grp_cases_filed"].name_zh = "<b>立案</b>"
        indicators["grp_cases_filed"].save()
        html = leader_client.get(self.url + "?indicator=grp_cases_filed").content.decode()
        assert "<b>立案</b>" not in html
        assert "&lt;b&gt;立案&lt;/b&gt;" in html

    def test_it_filters_by_section(self, leader_client):
        rows = row_order(leader_client.get(self.url + "?section=日常监督"))
        assert rows[0] == "row-grp_field_research_trips"
        assert "row-grp_cases_filed" not in rows

    def test_it_includes_unapproved_reports_when_asked(self, leader_client):
        response = leader_client.get(self.url + "?include_unapproved=1")
        assert cells(response, "row-grp_cases_filed")[2:] == ["4（1个单位未报全）", "8（1个单位未报全）"]

    def test_it_404s_for_another_group(self, client, charlie, data):
        client.login(username="charlie", password=PASSWORD)
        assert client.get(self.url).status_code == 404

    def test_it_redirects_anonymous_to_login(self, client, data):
        assert client.get(self.url).url.startswith("/accounts/login/")
