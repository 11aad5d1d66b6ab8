"""The demo is today's: each role's start page shows a plausible working day, whatever the day.

`seed_demo --today` builds the demo as it stands on a day; the pages are then read with the clock
frozen on that day (django.utils.timezone.now, which localdate() and every page's "today" read).
Two days a year and a half apart give start pages of the same shape: nothing overdue by more than
about two months, a report returned with its reason, a group period ready for its reviewer to
report and another waiting for the commission's acceptance, every group with its clerk, reviewer
and leader. The plan behind them keeps that shape on every day of three years.

And `make run` serves the site as a server would: DEBUG off, so that an error is the site's own
Chinese page rather than Django's debug page, with the static files and the favicon served.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from tests.conftest import demo_seeded
from tracker.demo.world import (
    ORGS,
    TODAYS_RETURN,
    PlannedReport,
    Story,
    due_day,
    group_period,
    last_day,
    period_type_of,
    plan_acceptances,
)
from tracker.entry.models import AcceptanceStatus, Status
from tracker.entry.periods import Period, PeriodType, Range, period_end_month
from tracker.orgs.models import Membership, Organisation, OrgKind, Role

MOST_DAYS_OVERDUE = 60


@dataclass(frozen=True)
class Day:
    today: datetime.date
    settling: Period  # the quarter the groups are settling with the commission
    month: Period  # the month just ended


DAYS = {
    "2026-12-03": Day(
        datetime.date(2026, 12, 3), Period(2026, PeriodType.QUARTER, 3), Period(2026, PeriodType.MONTH, 11)
    ),
    "2025-05-20": Day(
        datetime.date(2025, 5, 20), Period(2025, PeriodType.QUARTER, 1), Period(2025, PeriodType.MONTH, 4)
    ),
}


@pytest.fixture(scope="module", params=list(DAYS))
def demo_day(request, django_db_setup, django_db_blocker):
    """The demo seeded as on the day, inside a transaction rolled back when the module is done with it."""
    day = DAYS[request.param]
    with demo_seeded(django_db_blocker, "--today", day.today.isoformat()):
        yield day


@pytest.fixture
def day(demo_day, db, monkeypatch) -> Day:
    """The seeded day, with the clock stopped at ten in its morning."""
    now = timezone.make_aware(datetime.datetime.combine(demo_day.today, datetime.time(10, 0)))
    monkeypatch.setattr(timezone, "now", lambda: now)
    return demo_day


def start_page(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    return response


def shape(response) -> dict[str, bool]:
    """What a start page has to show: the sections a working day fills."""
    context = response.context
    tasks = context.get("tasks") or []
    review, acceptance, leader = context.get("review"), context.get("acceptance"), context.get("leader")
    return {
        "returned with a reason": any(t.report and t.report.status == Status.RETURNED and t.reason for t in tasks),
        "to review": bool(review and review.awaiting),
        "to report to the commission": bool(acceptance and acceptance.to_report),
        "to accept": bool(acceptance and acceptance.to_accept),
        "this year's figures": bool(leader and leader.headlines and leader.fallback is None),
        "the groups": bool(context.get("overview")),
    }


def expected(*present: str) -> dict[str, bool]:
    names = (
        "returned with a reason",
        "to review",
        "to report to the commission",
        "to accept",
        "this year's figures",
        "the groups",
    )
    return {name: name in present for name in names}


# The same on both days. Whoever may enter figures of the forestry organ (its group's and the
# commission's clerks and reviewers) sees its returned report; the commission's people, its groups.
SHAPES = {
    "demo-clerk": expected("returned with a reason"),
    "demo-reviewer": expected("returned with a reason", "to review", "to report to the commission"),
    "demo-leader": expected("this year's figures"),
    "demo-water-clerk": expected(),
    "demo-water-reviewer": expected(),
    "demo-water-leader": expected("this year's figures"),
    "demo-city-clerk": expected("returned with a reason", "the groups"),
    "demo-city-reviewer": expected("returned with a reason", "to review", "to accept", "the groups"),
    "demo-city-leader": expected("this year's figures", "the groups"),
    "demo-admin": expected("this year's figures", "the groups"),
}


class TestStartPages:
    def test_each_role_sees_a_working_day(self, day, client):
        users = set(get_user_model().objects.filter(username__startswith="demo-").values_list("username", flat=True))
        assert users == set(SHAPES)
        shapes = {username: shape(start_page(client, username)) for username in SHAPES}
        assert shapes == SHAPES

    def test_nothing_is_overdue_by_months(self, day, client):
        for username in SHAPES:
            response = start_page(client, username)
            tasks = response.context.get("tasks") or []
            review = response.context.get("review")
            late = [t.days_overdue for t in [*tasks, *(review.overdue if review else [])] if t.overdue]
            assert all(days <= MOST_DAYS_OVERDUE for days in late), (username, late)
            # As the page prints it: 逾期 N 天.
            printed = [int(n) for n in re.findall(r"逾期 (\d+) 天", response.content.decode())]
            assert all(days <= MOST_DAYS_OVERDUE for days in printed), (username, printed)
            for group in response.context.get("overview") or []:
                assert group.due and group.on_time >= 0.8 * group.due, group

    def test_the_clerk_sees_the_returned_report_and_why(self, day, client):
        response = start_page(client, "demo-clerk")
        first = response.context["tasks"][0]
        assert (first.organisation.code, first.period) == ("forestry-organ", day.month)
        assert first.report.status == Status.RETURNED and first.reason == TODAYS_RETURN
        assert TODAYS_RETURN in response.content.decode()

    def test_the_group_reviewer_reviews_and_reports_the_quarter_being_settled(self, day, client):
        response = start_page(client, "demo-reviewer")
        awaiting = [(r.organisation.code, r.period) for r in response.context["review"].awaiting]
        assert awaiting == [("forestry-reserve", day.month)]
        acceptance = response.context["acceptance"]
        assert [(c.group.code, c.period) for c in acceptance.to_report] == [("forestry", day.settling)]
        assert 'id="acceptance"' in response.content.decode()

    def test_the_commission_reviewer_accepts_the_water_groups_quarter(self, day, client):
        acceptance = start_page(client, "demo-city-reviewer").context["acceptance"]
        assert [(c.group.code, c.period, c.status) for c in acceptance.to_accept] == [
            ("water", day.settling, AcceptanceStatus.SUBMITTED)
        ]

    def test_the_leaders_read_this_year_so_far(self, day, client):
        for username in ("demo-leader", "demo-water-leader", "demo-city-leader"):
            leader = start_page(client, username).context["leader"]
            assert leader.range == Range.default(day.today.year, day.today), username
            assert leader.headlines and leader.fallback is None, username

    def test_every_group_has_its_clerk_reviewer_and_leader(self, day):
        for group in Organisation.objects.filter(kind=OrgKind.GROUP):
            roles = set(Membership.objects.filter(organisation=group).values_list("role", flat=True))
            assert roles == {Role.CLERK, Role.REVIEWER, Role.LEADER}, group
        city = Organisation.objects.get(kind=OrgKind.COMMISSION)
        roles = set(Membership.objects.filter(organisation=city).values_list("role", flat=True))
        assert roles == {Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN}


def ended(period: Period) -> tuple[int, int]:
    return period.year, period_end_month(period.type, period.number)


def plan_of(today: datetime.date):
    """The day's steps of every report and group period, without the figures (what seed_demo writes)."""
    story = Story.of(today)
    reports = [
        PlannedReport(spec.code, period, {}, {}, story.report_steps(spec.code, period))
        for spec in ORGS
        for year in story.years
        for period in Period.all_in_year(year, period_type_of(spec.code, year))
        if story.has_ended(period)
    ]
    return story, reports, plan_acceptances(reports, today)


def test_the_shape_holds_on_every_day():
    """Every fourth day of three years: the same working day, its steps in order and in the past."""
    today = datetime.date(2025, 1, 1)
    while today < datetime.date(2028, 1, 1):
        story, reports, acceptances = plan_of(today)
        status = {(a.group, a.period): a.steps[-1].to_status if a.steps else None for a in acceptances}
        assert status[("forestry", story.settling)] is None, today
        assert status[("water", story.settling)] == AcceptanceStatus.SUBMITTED, today
        before = [a for a in acceptances if ended(a.period) < ended(story.settling)]
        assert before and all(status[(a.group, a.period)] == AcceptanceStatus.ACCEPTED for a in before), today
        forestry = [r for r in reports if r.organisation.startswith("forestry")]
        assert all(r.status == Status.APPROVED for r in forestry if group_period(r.period) == story.settling), today
        # The organ's latest month; in a quarter just ended, now and then another on its way back.
        assert ("forestry-organ", story.latest_month) in [
            (r.organisation, r.period) for r in reports if r.status == Status.RETURNED
        ], today
        for report in reports:
            times = [step.at for step in report.steps]
            assert times == sorted(times) and len(set(times)) == len(times), (today, report)
            assert not times or times[-1] <= story.latest, (today, report)
            if not report.steps:
                assert (today - due_day(report.period)).days <= MOST_DAYS_OVERDUE, (today, report)
            elif today.day != 1:  # on the 1st, the month that ended yesterday was sent in on its last day
                assert timezone.localtime(times[0]).date() > last_day(report.period), (today, report)
        for acceptance in acceptances:
            assert all(step.at <= story.latest for step in acceptance.steps), (today, acceptance)
        today += datetime.timedelta(days=4)


# -- make run: the site's own error pages and the favicon -----------------------------------------

BASE = Path(settings.BASE_DIR)


def run_environment() -> dict[str, str]:
    """The variables the Makefile's `run` sets for runserver (`${X:-default}` taken as its default)."""
    makefile = (BASE / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has no run target"
    line = next(line for line in recipe.group(1).splitlines() if "runserver" in line)
    assignments = re.findall(r"(\w+)=(\S+)", line.split("$(BIN)")[0])
    return {name: re.sub(r"\$\$\{\w+:-([^}]*)\}", r"\1", value) for name, value in assignments}


def run_settings() -> dict:
    """The settings runserver gets under `make run`, read in a process of their own."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS,"
        " 'WHITENOISE_USE_FINDERS': s.WHITENOISE_USE_FINDERS,"
        " 'whitenoise': 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE}))\n"
    )
    outside = ("DEBUG", "ALLOWED_HOSTS", "DJANGO_ENV", "SECRET_KEY")
    env = {name: value for name, value in os.environ.items() if name not in outside}
    env |= {"DJANGO_SETTINGS_MODULE": "tracker.settings", **run_environment()}
    done = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script], env=env, cwd=BASE, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


class TestMakeRun:
    def test_it_serves_with_debug_off_and_the_static_files_from_their_folders(self):
        served = run_settings()
        assert served["DEBUG"] is False
        assert {"127.0.0.1", "localhost"} <= set(served["ALLOWED_HOSTS"])
        assert served["WHITENOISE_USE_FINDERS"] and served["whitenoise"]

    def test_a_missing_page_is_the_sites_own_chinese_page(self, client, db):
        served = run_settings()
        with override_settings(DEBUG=served["DEBUG"], ALLOWED_HOSTS=served["ALLOWED_HOSTS"]):
            response = client.get("/no-such-page/", HTTP_HOST="127.0.0.1")
            page = response.content.decode()
            assert response.status_code == 404
            assert "<h1>找不到该页面</h1>" in page and 'href="/static/css/tracker.css"' in page
            assert "URLconf" not in page and "Page not found at" not in page
            # A host the server does not answer for: the site's 400, in Chinese too.
            response = client.get("/", HTTP_HOST="evil.example")
            assert response.status_code == 400 and "<h1>请求有误</h1>" in response.content.decode()

    def test_the_favicon_is_linked_and_served(self, client, db):
        page = client.get("/accounts/login/").content.decode()
        link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
        assert link, "no favicon link"
        response = client.get(link.group(1))
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert b"<svg" in b"".join(response.streaming_content)
