"""The demo world: `manage.py seed_demo` builds it, idempotently, with consistent figures.

Seeded as on TODAY (`--today`), so that what it holds does not depend on when the tests run;
tests/test_demo_today.py reads the start pages of the demo on two days.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import FAST_HASHERS, demo_seeded
from tracker.catalogue.figures import breakdown_shares, report_figures
from tracker.catalogue.models import Aggregation, Catalogue, Indicator, Kind
from tracker.demo.world import MONTHLY, build_world, due_day, last_day, plan_acceptances, plan_reports
from tracker.documents.generate import generate
from tracker.documents.models import DocumentTemplate
from tracker.entry.models import AcceptanceStatus, GroupAcceptance, Report, Status, Value
from tracker.entry.periods import Period, PeriodType, Range
from tracker.entry.services import Source
from tracker.orgs.models import Membership, Organisation, OrganisationText, OrgKind, Role
from tracker.workflow.models import AcceptanceStep, Action, ReportTransition

TODAY = datetime.date(2026, 12, 3)
TODAY_START = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
YEARS = tuple(range(2021, 2027))  # 2021–2023 fixed, then the last three full years and 2026 through Q3
DEMO_USERS = {
    "demo-clerk": ("forestry", Role.CLERK),
    "demo-reviewer": ("forestry", Role.REVIEWER),
    "demo-leader": ("forestry", Role.LEADER),
    "demo-water-clerk": ("water", Role.CLERK),
    "demo-water-reviewer": ("water", Role.REVIEWER),
    "demo-water-leader": ("water", Role.LEADER),
    "demo-city-clerk": ("city", Role.CLERK),
    "demo-city-leader": ("city", Role.LEADER),
    "demo-city-reviewer": ("city", Role.REVIEWER),
    "demo-admin": ("city", Role.ADMIN),
}

HistoricalValue = Value.history.model


# PBKDF2 at full strength costs ~0.3 s a hash, and a seed hashes six passwords.


@pytest.fixture(autouse=True)
def _fast_passwords(settings, monkeypatch):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def seed(today: datetime.date = TODAY) -> str:
    out = StringIO()
    call_command("seed_demo", "--today", today.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world as on TODAY, seeded once for this module (see conftest.demo_seeded)."""
    with demo_seeded(django_db_blocker, "--today", TODAY.isoformat()):
        yield


@pytest.fixture
def seeded(demo_world, db) -> None:
    return None


def snapshot() -> dict:
    """Everything a re-run could touch, in a comparable form."""
    users = get_user_model().objects.filter(username__startswith="demo-")
    return {
        "organisations": list(
            Organisation.objects.values_list("code", "name", "kind", "parent__code", "order", "path")
        ),
        "texts": list(OrganisationText.objects.values_list("organisation__code", "key", "text")),
        "users": list(users.values_list("username", "first_name", "last_name", "password", "is_staff")),
        "memberships": list(Membership.objects.values_list("user__username", "organisation__code", "role")),
        "reports": list(Report.objects.values_list("pk", "status", "revision", "accepted")),
        "values": list(Value.objects.values_list("pk", "value", "note")),
        "history": HistoricalValue.objects.count(),
        "transitions": list(ReportTransition.objects.values_list("pk", "at")),
        "acceptances": list(GroupAcceptance.objects.values_list("pk", "status")),
        "acceptance steps": list(AcceptanceStep.objects.values_list("pk", "at")),
    }


def yearly_figures() -> dict[tuple[str, int], dict[str, int | None]]:
    """Each organisation's figures per year, keyed (code, year); a group's sum over its units is ("forestry*", year).

    Summed over the year's reports, except cumulative figures, which take the latest period.
    A figure is None when any period left it empty.
    """
    rows = Value.objects.select_related("indicator", "report__organisation__parent")
    per_period: dict[tuple[str, int, str], list[tuple[tuple, int | None]]] = defaultdict(list)
    aggregation = {}
    for v in rows:
        report = v.report
        org = report.organisation
        aggregation[v.indicator.code] = v.indicator.aggregation
        key = (report.period_type, report.period_number)
        per_period[(org.code, report.year, v.indicator.code)].append((key, v.value))
        if org.kind == OrgKind.UNIT:
            per_period[(org.parent.code + "*", report.year, v.indicator.code)].append(((org.code, *key), v.value))
    totals: dict[tuple[str, int], dict[str, int | None]] = defaultdict(dict)
    for (org_code, year, code), entries in per_period.items():
        values = [value for _key, value in sorted(entries)]
        if any(value is None for value in values):
            total = None
        elif aggregation[code] == Aggregation.LATEST and not org_code.endswith("*"):
            total = values[-1]
        else:
            total = sum(values)
        totals[(org_code, year)][code] = total
    return totals


def relations(f: dict[str, int | None]) -> list[tuple[str, bool]]:
    """The catalogue's consistency rules, as (name, holds) for the figures that are all known."""

    def known(*codes: str) -> bool:
        return all(f.get(code) is not None for code in codes)

    checks: list[tuple[str, bool]] = []

    def check(name: str, codes: tuple[str, ...], holds) -> None:
        if known(*codes):
            checks.append((name, holds(*(f[c] for c in codes))))

    check(
        "clue methods = handled",
        (
            "grp_clues_talk_inquiry",
            "grp_clues_initial_verification",
            "grp_clues_shelved",
            "grp_clues_closed",
            "grp_clues_handled",
        ),
        lambda a, b, c, d, total: a + b + c + d == total,
    )
    check("cases <= clues", ("grp_cases_filed", "grp_clues_accepted"), lambda a, b: a <= b)
    check("accusation <= petitions", ("grp_petitions_accusation", "grp_petitions_received"), lambda a, b: a <= b)
    check(
        "max(party, admin) <= sanctioned <= party + admin",
        ("grp_sanctioned_party", "grp_sanctioned_admin", "grp_sanctioned_persons"),
        lambda p, a, s: max(p, a) <= s <= p + a,
    )
    check(
        "rank buckets = sanctioned",
        (
            "grp_sanctioned_bureau_level",
            "grp_sanctioned_county_level",
            "grp_sanctioned_township_level",
            "grp_sanctioned_general_cadres",
            "grp_sanctioned_other",
            "grp_sanctioned_persons",
        ),
        lambda a, b, c, d, e, s: a + b + c + d + e == s,
    )
    check("top leaders <= sanctioned", ("grp_sanctioned_top_leaders", "grp_sanctioned_persons"), lambda a, s: a <= s)
    check(
        "transferred <= sanctioned, form 4",
        ("grp_transferred_to_procuratorate", "grp_sanctioned_persons", "grp_form4_person_times"),
        lambda t, s, f4: t <= s and t <= f4,
    )
    check(
        "sanctioned <= forms 2-4",
        ("grp_sanctioned_persons", "grp_form2_person_times", "grp_form3_person_times", "grp_form4_person_times"),
        lambda s, f2, f3, f4: s <= f2 + f3 + f4,
    )
    check(
        "eight rules issues = fb + he",
        ("grp_eight_rules_issues", "grp_fb_issues", "grp_he_issues"),
        lambda total, fb, he: total == fb + he,
    )
    check(
        "fb = sum of types",
        ("grp_fb_issues", "grp_fb_t1_decisions", "grp_fb_t2_duty", "grp_fb_t3_masses", "grp_fb_t4_burden"),
        lambda total, *parts: total == sum(parts),
    )
    check(
        "he = sum of types",
        (
            "grp_he_issues",
            "grp_he_t1_gifts",
            "grp_he_t2_dining",
            "grp_he_t3_weddings",
            "grp_he_t4_allowances",
            "grp_he_t5_travel",
            "grp_he_t6_other",
        ),
        lambda total, *parts: total == sum(parts),
    )
    check(
        "eight rules persons = fb + he",
        ("grp_eight_rules_persons", "grp_fb_persons", "grp_he_persons"),
        lambda total, fb, he: total == fb + he,
    )
    check(
        "eight rules sanctioned <= persons",
        ("grp_eight_rules_sanctioned", "grp_eight_rules_persons"),
        lambda a, b: a <= b,
    )
    for code in (
        "city_sanctioned_top_leaders",
        "city_sanctioned_county_level",
        "city_post80_cadres_investigated",
        "city_transferred_to_procuratorate",
    ):
        check(f"{code} <= city sanctioned", (code, "city_sanctioned_persons"), lambda a, s: a <= s)
    for code in (
        "city_sanctioned_persons",
        "city_eco_env_persons",
        "city_four_winds_persons",
        "city_lying_flat_persons",
        "city_micro_corruption_persons",
    ):
        check(f"{code} <= city four forms", (code, "city_four_forms_total"), lambda a, total: a <= total)
    return checks


class TestIdempotence:
    def test_a_second_run_changes_nothing(self, seeded):
        before = snapshot()
        seed()
        assert snapshot() == before
        result = build_world(today=TODAY)
        assert (result.organisations_created, result.users_created) == (0, 0)
        assert (result.reports_created, result.values_written) == (0, 0)

    def test_the_first_run_records_every_figure_in_the_audit_trail(self, seeded):
        assert HistoricalValue.objects.count() == Value.objects.count() > 0
        reasons = set(HistoricalValue.objects.values_list("history_change_reason", flat=True))
        assert reasons == {Source.DEMO}

    def test_a_changed_approved_figure_is_put_back(self, seeded):
        value = Value.objects.filter(report__year=2022, report__organisation__code="forestry-farm").first()
        original = value.value
        Value.objects.filter(pk=value.pk).update(value=original + 100)
        history_before = HistoricalValue.objects.count()
        seed()
        value.refresh_from_db()
        assert value.value == original
        assert value.report.status == Status.APPROVED
        # One audit row for the figure put back, none for the others.
        assert HistoricalValue.objects.count() == history_before + 1


class TestOrganisations:
    def test_the_tree(self, seeded):
        forestry = Organisation.objects.get(code="forestry")
        water = Organisation.objects.get(code="water")
        city = Organisation.objects.get(code="city")
        assert city.kind == OrgKind.COMMISSION and city.parent is None
        assert forestry.parent == city and water.parent == city
        assert forestry.children.filter(kind=OrgKind.UNIT).count() == 10
        assert water.children.filter(kind=OrgKind.UNIT).count() == 2
        assert {"forestry-organ", "water-organ"} <= set(Organisation.objects.values_list("code", flat=True))
        for org in Organisation.objects.all():
            org.full_clean()  # codes, names and parent kinds pass the model's own rules

    def test_each_name_in_a_document_is_a_whole_text(self, seeded):
        names = set(Organisation.objects.values_list("name", flat=True))
        for template in DocumentTemplate.objects.all():
            keys = [
                s["binding"].removeprefix("text:")
                for s in template.current.bindings
                if s["binding"].startswith("text:")
            ]
            chain = [template.organisation, *template.organisation.ancestors()]
            texts = dict(OrganisationText.objects.filter(organisation__in=chain).values_list("key", "text"))
            assert set(keys) <= set(texts), template
        forestry = dict(OrganisationText.objects.filter(organisation__code="forestry").values_list("key", "text"))
        units = [text for key, text in forestry.items() if key.startswith("unit_")]
        assert units and set(units) <= names
        for text in OrganisationText.objects.all():
            text.full_clean()


class TestDocuments:
    def generated(self, org: str, year: int, through: str | None = None) -> str:
        organisation = Organisation.objects.get(code=org)
        template = DocumentTemplate.objects.get(organisation=organisation)
        return generate(template.current, organisation, Range.through(year, through)).text

    def test_the_forestry_speech_reads_correctly_for_2022(self, seeded):
        text = self.generated("forestry", 2022)
        assert "**" not in text
        assert "运用“四种形态”中的第一种形态47人次、占94%，第二种形态3人次、占6%" in text
        assert "运用“四种形态”批评教育和处理3038人" in text
        assert "青岚市林业服务中心，发挥班子" in text
        assert "以及青岚市湿地保护中心、青岚市国有林场、青岚市林木种苗站，" in text
        assert "推进“清廉园林”建设" in text
        assert "2022年工作回顾" in text and "2023年工作要求" in text

    def test_the_water_and_commission_documents_have_nothing_of_forestrys(self, seeded):
        for org, year, through in (("water", 2022, None), ("city", 2022, None), ("city", 2023, "2023Q1")):
            text = self.generated(org, year, through)
            for word in ("林长制", "国储林", "林草", "林业", "保护区", "园林"):
                assert word not in text, (org, word)
        assert "局党组" not in self.generated("city", 2022)
        assert "清廉水务" in self.generated("water", 2022)

    def test_the_commission_has_a_quarterly_bulletin(self, seeded):
        text = self.generated("city", 2022)
        assert text.startswith("2022年全市纪检监察机关监督检查审查调查情况通报")
        assert re.search(r"共接收信访举报\d+件次，同比(上升|下降)\d+\.\d%", text)
        assert re.search(r"其中，运用第一种形态\d+人次，占\d+\.\d%", text)


class TestUsers:
    def test_the_users_and_their_roles(self, seeded):
        for username, (org_code, role) in DEMO_USERS.items():
            user = get_user_model().objects.get(username=username)
            assert user.first_name and user.last_name
            assert list(user.memberships.values_list("organisation__code", "role")) == [(org_code, role)]
        admin = get_user_model().objects.get(username="demo-admin")
        assert admin.is_staff and admin.is_superuser
        assert not get_user_model().objects.get(username="demo-clerk").is_staff

    def test_they_log_in_with_the_demo_password(self, seeded, client):
        for username in DEMO_USERS:
            assert client.login(username=username, password="tracker-demo"), username
            client.logout()

    def test_the_command_prints_the_logins(self, seeded):
        output = seed()
        for username in DEMO_USERS:
            assert username in output
        assert "tracker-demo" in output
        assert "派驻市林业和草原局纪检监察组" in output

    def test_demo_password_sets_and_resets_the_password(self, seeded, client, monkeypatch):
        monkeypatch.setenv("DEMO_PASSWORD", "another-demo-secret")
        output = seed()
        assert "another-demo-secret" in output
        assert client.login(username="demo-clerk", password="another-demo-secret")
        assert not client.login(username="demo-clerk", password="tracker-demo")


class TestFigures:
    def test_2022_forestry_matches_the_speech(self, seeded):
        totals = yearly_figures()[("forestry*", 2022)]
        assert totals["grp_form1_person_times"] == 47
        assert totals["grp_form2_person_times"] == 3
        assert totals["grp_form3_person_times"] == 0
        assert totals["grp_form4_person_times"] == 0
        catalogue = Catalogue.active()
        forms = breakdown_shares(catalogue.share_breakdown(catalogue.by_code["grp_form1_pct"]), totals)
        assert [form.whole for form in forms] == [Decimal(94), Decimal(6), Decimal(0), Decimal(0)]
        derived = report_figures(totals, catalogue)
        assert (derived["grp_form1_pct"], derived["grp_form2_pct"]) == (94, 6)
        assert derived["grp_four_forms_total"] == 50

    def test_2022_city_four_forms_total_is_3038(self, seeded):
        assert yearly_figures()[("city", 2022)]["city_four_forms_total"] == 3038

    def test_every_organisation_and_year_is_consistent(self, seeded):
        totals = yearly_figures()
        assert {year for _org, year in totals} == set(YEARS)
        checked = 0
        for (org_code, year), figures in totals.items():
            for name, holds in relations(figures):
                assert holds, f"{org_code} {year}: {name}"
                checked += 1
        assert checked > 300

    def test_every_report_is_consistent_on_its_own(self, seeded):
        for report in Report.objects.all():
            figures = dict(report.values.values_list("indicator__code", "value"))
            for name, holds in relations(figures):
                assert holds, f"{report}: {name}"

    def test_research_coverage_and_cumulative_figures(self, seeded):
        totals = yearly_figures()
        for group in ("forestry", "water"):
            units = Organisation.objects.filter(parent__code=group).count()
            rectification = [totals[(group, year)]["grp_rectification_items"] for year in YEARS]
            assert rectification == sorted(rectification), group
            for year in YEARS:
                assert totals[(group, year)]["rsch_units_covered"] <= units

    def test_years_differ(self, seeded):
        totals = yearly_figures()
        changes = [
            totals[("forestry*", 2023)][code] - totals[("forestry*", 2022)][code]
            for code in ("grp_clues_accepted", "grp_form1_person_times", "grp_form2_person_times", "grp_cases_filed")
        ]
        assert any(c > 0 for c in changes) and any(c < 0 for c in changes)
        assert totals[("city", 2021)] != totals[("city", 2022)] != totals[("city", 2023)]

    def test_each_organisation_enters_only_its_own_indicators(self, seeded):
        for report in Report.objects.select_related("organisation"):
            kinds = set(report.values.values_list("indicator__reported_by", flat=True))
            assert kinds == {report.organisation.kind}
        derived = Value.objects.filter(indicator__kind__in=[Kind.DERIVED_SUM, Kind.DERIVED_PCT])
        assert not derived.exists()

    def test_every_entered_figure_is_there_except_the_deliberate_gaps(self, seeded):
        gaps = []
        for report in Report.objects.select_related("organisation"):
            entered = set(report.values.exclude(value=None).values_list("indicator__code", flat=True))
            # Totals that may be typed in when not split are not: the demo enters their parts.
            expected = set(
                Indicator.objects.reported_by(report.organisation.kind)
                .filter(may_be_entered=False)
                .values_list("code", flat=True)
            )
            gaps += [(report.organisation.code, report.year, code) for code in expected - entered]
        assert sorted(gaps) == [
            ("forestry-nursery", 2023, "grp_petition_visits"),
            ("forestry-nursery", 2023, "grp_petitions_accusation"),
        ]
        assert Value.objects.exclude(note="").filter(report__year=2023).exists()

    def test_periods_and_statuses(self, seeded):
        organisations = Organisation.objects.count()
        annual = Report.objects.filter(period_type=PeriodType.YEAR)
        assert set(annual.values_list("year", flat=True)) == {2021, 2022, 2023}
        assert annual.count() == organisations * 3 - 1  # the organ's 2023 is by quarter
        quarterly = Report.objects.filter(period_type=PeriodType.QUARTER)
        assert list(quarterly.filter(year=2023).values_list("organisation__code", "period_number")) == [
            ("forestry-organ", n) for n in (1, 2, 3, 4)
        ]
        by_quarter = organisations - len(MONTHLY)
        # Two full years by quarter (the monthly units by month), and 2026 through its last ended quarter
        # (the monthly units through November).
        for year, quarters, months in ((2024, 4, 12), (2025, 4, 12), (2026, 3, 11)):
            assert quarterly.filter(year=year).count() == by_quarter * quarters, year
            monthly = Report.objects.filter(year=year, period_type=PeriodType.MONTH)
            assert sorted(set(monthly.values_list("organisation__code", flat=True))) == sorted(MONTHLY)
            assert monthly.count() == len(MONTHLY) * months, year
        # Everything due is in and approved, but the organ's November, returned, and the reserve's, waiting.
        assert set(Report.objects.exclude(year=2026, period_number=11).values_list("status", flat=True)) == {
            Status.APPROVED
        }
        november = dict(
            Report.objects.filter(year=2026, period_type=PeriodType.MONTH, period_number=11).values_list(
                "organisation__code", "status"
            )
        )
        assert november == {"forestry-organ": Status.RETURNED, "forestry-reserve": Status.SUBMITTED}


class TestWorkflowRecords:
    """The steps of every report, dated: what the completeness pages and the start pages read."""

    def test_every_status_has_its_steps(self, seeded):
        transitions = defaultdict(list)
        for t in ReportTransition.objects.select_related("user").order_by("at", "pk"):
            transitions[t.report_id].append(t)
        for report in Report.objects.select_related("organisation"):
            steps = transitions[report.pk]
            assert steps, report
            assert steps[0].action == Action.SUBMIT and steps[-1].to_status == report.status, report
            assert all(a.to_status == b.from_status for a, b in zip(steps, steps[1:], strict=False)), report
            group = report.organisation if report.organisation.kind != OrgKind.UNIT else report.organisation.parent
            people = {user for user, (org, _role) in DEMO_USERS.items() if org == group.code}
            assert {t.user.username for t in steps} <= people, report
            assert {t.user.username for t in steps if t.action in (Action.APPROVE, Action.RETURN)} <= {
                user for user in people if DEMO_USERS[user][1] == Role.REVIEWER
            }

    def test_they_are_dated_after_the_period_and_before_today_mostly_on_time(self, seeded):
        first = {}
        for t in ReportTransition.objects.select_related("report").order_by("at", "pk"):
            assert t.at < TODAY_START, t
            day = timezone.localtime(t.at).date()
            assert day > last_day(t.report.period), t
            first.setdefault(t.report_id, (t.report, day))
        late = [(report, day) for report, day in first.values() if day > due_day(report.period)]
        assert 0 < len(late) < len(first) * 0.2  # a few late
        assert all((day - due_day(report.period)).days <= 7 for report, day in late)

    def test_the_figures_were_entered_before_they_were_submitted(self, seeded):
        report = Report.objects.get(organisation__code="forestry-farm", year=2022)
        submitted = report.transitions.order_by("at").first().at
        dates = set(HistoricalValue.objects.filter(report_id=report.pk).values_list("history_date", flat=True))
        assert len(dates) == 1 and dates.pop() < submitted

    def test_the_returned_report_says_why(self, seeded):
        report = Report.objects.get(organisation__code="forestry-organ", year=2026, period_number=11)
        returned = report.transitions.get(action=Action.RETURN)
        assert returned.reason and returned.user.username == "demo-reviewer"

    def test_the_database_is_the_plan(self, seeded):
        plans = plan_reports(TODAY)
        stored = {(r.organisation.code, r.period): r.status for r in Report.objects.select_related("organisation")}
        assert stored == {(p.organisation, p.period): p.status for p in plans}
        acceptances = {
            (a.organisation.code, a.period): a.status for a in GroupAcceptance.objects.select_related("organisation")
        }
        assert acceptances == {
            (a.group, a.period): a.steps[-1].to_status for a in plan_acceptances(plans, TODAY) if a.steps
        }

    def test_a_later_day_moves_the_world_on(self, seeded):
        later = datetime.date(2027, 2, 14)
        seed(later)
        plans = plan_reports(later)
        stored = {(r.organisation.code, r.period): r.status for r in Report.objects.select_related("organisation")}
        assert stored == {(p.organisation, p.period): p.status for p in plans}
        # 2026 Q3 is accepted now, Q4 is being settled: the water group reported it.
        acceptances = {
            (a.organisation.code, str(a.period)): a.status
            for a in GroupAcceptance.objects.filter(year=2026).select_related("organisation")
        }
        assert acceptances == {
            **{(group, f"2026Q{q}"): AcceptanceStatus.ACCEPTED for group in ("forestry", "water") for q in (1, 2, 3)},
            ("water", "2026Q4"): AcceptanceStatus.SUBMITTED,
        }
        steps = list(AcceptanceStep.objects.filter(acceptance__organisation__code="forestry", acceptance__year=2026))
        assert all(step.at.date() < later for step in steps)


class TestAcceptance:
    def test_the_commission_accepted_every_group_period_before_the_one_being_settled(self, seeded):
        from tracker.aggregation.yearly import Aggregator

        settling = Period(2026, PeriodType.QUARTER, 3)
        acceptances = {
            (a.organisation.code, a.period): a.status for a in GroupAcceptance.objects.select_related("organisation")
        }
        expected = {}
        for group in ("forestry", "water"):
            for year in YEARS:
                if year < 2024:
                    expected[(group, Period(year, PeriodType.YEAR, 0))] = AcceptanceStatus.ACCEPTED
                else:
                    for quarter in range(1, 5 if year < 2026 else 3):
                        expected[(group, Period(year, PeriodType.QUARTER, quarter))] = AcceptanceStatus.ACCEPTED
        # Of the quarter being settled, the water group's waits for the commission, the forestry group's for
        # its reviewer to report it.
        expected[("water", settling)] = AcceptanceStatus.SUBMITTED
        assert acceptances == expected
        city = Organisation.objects.get(code="city")
        for year in range(2021, 2026):
            counted = Aggregator(city, [year]).org_year(city, year)
            everything = Aggregator(city, [year], include_unaccepted=True).org_year(city, year)
            assert counted.values == everything.values and counted.unaccepted_reports == 0
            assert counted.value("grp_cases_filed")
        assert not Report.objects.filter(year=2026, period_type=PeriodType.QUARTER, period_number=3, accepted=True)
        assert Report.objects.filter(year=2026, period_type=PeriodType.QUARTER, period_number=2, accepted=True)

    def test_each_step_is_the_right_persons_after_the_groups_approvals(self, seeded):
        from tracker.workflow.acceptance import group_period

        reviewers = {"forestry": "demo-reviewer", "water": "demo-water-reviewer"}
        for acceptance in GroupAcceptance.objects.select_related("organisation"):
            steps = list(acceptance.steps.select_related("user").order_by("at"))
            assert steps[0].action == "report"
            assert steps[0].user.username == reviewers[acceptance.organisation.code]
            if acceptance.status == AcceptanceStatus.ACCEPTED:
                assert [s.action for s in steps] == ["report", "accept"]
                assert steps[1].user.username == "demo-city-reviewer"
            state = group_period(acceptance.organisation, acceptance.period)
            assert state.ready, acceptance
            reports = [report.pk for org in state.orgs for report in org.reports]
            last_approval = max(
                ReportTransition.objects.filter(report__in=reports, action=Action.APPROVE).values_list("at", flat=True)
            )
            assert last_approval < steps[0].at < TODAY_START
            assert all(a.at < b.at for a, b in zip(steps, steps[1:], strict=False))
