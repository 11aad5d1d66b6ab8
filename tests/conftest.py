"""Shared fixtures.

A small world in the style of healthchecks' alice/bob/charlie:
- alice is a clerk of the forestry group (she may enter its units' figures);
- bob is the forestry group's leader (same group, another role);
- charlie is a clerk of the water group (another organisation altogether).
The catalogue is loaded by `migrate` (post_migrate), so every test database has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from tracker.catalogue.models import Indicator
from tracker.entry.models import Status, Value
from tracker.entry.services import Entry
from tracker.orgs.models import Membership, Organisation, OrgKind, Role

PASSWORD = "correct-horse-battery-staple"
# Real hashing is slow on purpose; tests log in a lot.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Commission → two groups → units."""
    city = Organisation.objects.create(code="city", name="市纪委监委", kind=OrgKind.COMMISSION)
    forestry = Organisation.objects.create(
        code="forestry", name="派驻市林业和草原局纪检监察组", kind=OrgKind.GROUP, parent=city
    )
    organ = Organisation.objects.create(code="forestry-organ", name="局机关", kind=OrgKind.UNIT, parent=forestry)
    park = Organisation.objects.create(code="forestry-park", name="森林公园", kind=OrgKind.UNIT, parent=forestry)
    water = Organisation.objects.create(code="water", name="派驻市水务局纪检监察组", kind=OrgKind.GROUP, parent=city)
    water_unit = Organisation.objects.create(code="water-organ", name="水务局机关", kind=OrgKind.UNIT, parent=water)
    return {
        "city": city,
        "forestry": forestry,
        "organ": organ,
        "park": park,
        "water": water,
        "water_unit": water_unit,
    }


def make_user(username: str, org: Organisation, role: str):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def alice(world):
    return make_user("alice", world["forestry"], Role.CLERK)


@pytest.fixture
def bob(world):
    return make_user("bob", world["forestry"], Role.LEADER)


@pytest.fixture
def charlie(world):
    return make_user("charlie", world["water"], Role.CLERK)


@pytest.fixture
def indicators(db):
    return {ind.code: ind for ind in Indicator.objects.all()}


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # The tests' figures are of 2021–2023: periods that would long be closed for clerks. The tests of
    # closing (test_deadlines) set it back.
    settings.PERIOD_CLOSES_AFTER_DAYS = 36500


# Browser tests: Debian's chromium, never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    # A Chinese browser, as our users have; downloads kept so python-docx can open them.
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture
def demo_world(live_server):
    """The demo world in the live server's database (flushed between tests, catalogue included)."""
    from django.core.management import call_command

    from tracker.catalogue.loader import load_catalogue

    load_catalogue()
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def browser_output(output_path):
    """This test's folder under the pytest output directory (test-results/ by default)."""
    from pathlib import Path

    path = Path(output_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shots(browser_output):
    """shots(page, "1-login") saves a full-page screenshot of the step."""

    def shoot(page, name: str) -> None:
        page.screenshot(path=str(browser_output / f"{name}.png"), full_page=True)

    return shoot


def pytest_collection_modifyitems(config, items):
    """Without chromium the browser tests skip with a reason; in CI they must run."""
    if os.path.exists(CHROMIUM):
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but {CHROMIUM} is missing: install Debian's chromium package.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def enter(org: Organisation, period: str, figures: dict, *, status: str | None = "approved"):
    """Save figures for one organisation and period through the service, then set the report's status.

    A figure is a value (None = not known) or an Entry with a note. Tests set the status
    directly; the workflow's own rules are tested in test_workflow.
    """
    from tracker.entry.models import Report
    from tracker.entry.periods import Period
    from tracker.entry.services import Entry, values_save_for_period

    by_code = {ind.code: ind for ind in Indicator.objects.filter(code__in=figures)}
    entries = {by_code[code]: f if isinstance(f, Entry) else Entry(f) for code, f in figures.items()}
    report, _ = values_save_for_period(organisation=org, period=Period.parse(period), entries=entries)
    if status is not None:
        set_status(Report.objects.filter(pk=report.pk), status)
        report.status = status
    return report


def set_status(reports, status: str) -> None:
    """Set these reports' status directly, and their approved totals as the workflow's service leaves them.

    Tests set statuses without the workflow's rules (those are tested in test_workflow); the totals are
    rebuilt explicitly here as every service that changes what is approved does.
    """
    from tracker.aggregation.totals import approved_totals_refresh

    keys = set(reports.order_by().values_list("organisation_id", "year"))
    reports.update(status=status)
    approved_totals_refresh(keys)


class _ArticleParagraphs(HTMLParser):
    """The text of each paragraph (h2, h3 or p) inside <article id="…">."""

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article_id = article_id
        self.paragraphs: list[str] = []
        self._in_article = False
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "article" and ("id", self.article_id) in attrs:
            self._in_article = True
        elif self._in_article and tag in ("h2", "h3", "p"):
            self._current = []

    def handle_endtag(self, tag):
        if tag == "article":
            self._in_article = False
        elif self._current is not None and tag in ("h2", "h3", "p"):
            self.paragraphs.append("".join(self._current))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


def article_paragraphs(response, article_id: str) -> list[str]:
    """The paragraphs of a page's text (a generated document, the bulletin) as a reader sees them."""
    parser = _ArticleParagraphs(article_id)
    parser.feed(response.content.decode())
    return parser.paragraphs


def convert_to_pdf(source: Path, tmp_path: Path) -> bytes:
    """A .docx converted by LibreOffice, as a leader's office would open it; the test is skipped without it.

    On CI (CI=true) LibreOffice must be there: the test fails instead.
    """
    if not shutil.which("soffice"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but soffice is missing: install Debian's libreoffice-writer-nogui.")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-writer-nogui")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / f"{source.stem}.pdf").read_bytes()


def accept(group: Organisation, period: str) -> None:
    """The commission accepts the group's figures of a period, set directly (the flow is tested in
    test_acceptance): the mark on the reports and the totals as the service leaves them."""
    from tracker.aggregation.totals import approved_totals_refresh, group_year_keys
    from tracker.entry.models import AcceptanceStatus, GroupAcceptance
    from tracker.entry.periods import Period
    from tracker.workflow.acceptance import mark_accepted

    p = Period.parse(period)
    GroupAcceptance.objects.update_or_create(
        organisation=group,
        year=p.year,
        period_type=p.type,
        period_number=p.number,
        defaults={"status": AcceptanceStatus.ACCEPTED},
    )
    mark_accepted(group, p.year)
    approved_totals_refresh(group_year_keys(group, p.year))


def add_groups(commission: Organisation, groups: int = 3, units: int = 3, year: int = 2022) -> None:
    """More groups under the commission, each with its own report and its units' first quarters (submitted):
    what a page whose queries are bounded must read without a query more."""
    for n in range(groups):
        group = Organisation.objects.create(code=f"g{n}", name=f"第{n}组", kind=OrgKind.GROUP, parent=commission)
        enter(group, str(year), {"grp_special_inspections": 1})
        for u in range(units):
            unit = Organisation.objects.create(code=f"g{n}-u{u}", name=f"单位{u}", kind=OrgKind.UNIT, parent=group)
            enter(unit, f"{year}Q1", {"grp_cases_filed": 1}, status="submitted")


def queries_of(client, url: str) -> int:
    """How many queries a GET of the page runs (after one GET that may save the session)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def browser_log_in(page, base: str, username: str, password: str, next_path: str) -> None:
    """Log in through the login form and land on `next_path` with its (deferred) script run: keys typed
    before the load event would reach a page that does not handle them yet (Enter would submit)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("section.login button[type=submit]").click()
    expect(page).to_have_url(f"{base}{next_path}")
    page.wait_for_load_state("load")


# -- Shared by several test modules ------------------------------------------------------------


@pytest.fixture
def reviewer(world):
    """rose, the forestry group's reviewer."""
    return make_user("rose", world["forestry"], Role.REVIEWER)


@pytest.fixture
def lockout_after_three(settings):
    """A log-in lockout after three failures (django-axes)."""
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def clerk(client, alice):
    """The test client, logged in as alice (clerk of the forestry group)."""
    client.force_login(alice)
    return client


@pytest.fixture
def leader(client, bob):
    """The test client, logged in as bob (leader of the forestry group)."""
    client.force_login(bob)
    return client


def build_dataset(world, indicators) -> dict:
    """A small dataset for the forestry group (bob is its leader), read by the report pages' and exports' tests:

    2022, approved: 局机关 cases 3, forms 40/1/0/0, petitions 10; 森林公园 forms 7/2/0/0, petitions 5
    (no cases figure); the group itself: 120余 grassroots organisations guided, 6 special inspections
    (note "=1+2"), 5 field research trips.
    2022, submitted only: 苗圃 (a third unit) cases 5.
    2021, approved: 局机关 cases 2, 森林公园 cases 2; the group: 100余 guided, 0 special inspections.

    So for 2022 the group shows cases 3 (2 units incomplete) against 4 (1 not reported; −1, −25.0%); four forms
    47/3/0/0 = 94%/6%; guided 120余 against 100余 (+20, +20.0%); special inspections 6 against 0
    (+6, "—"); field research 5 against nothing ("—").
    """
    nursery = Organisation.objects.create(
        code="forestry-nursery", name="苗圃", kind=OrgKind.UNIT, parent=world["forestry"], order=3
    )
    world["organ"].order, world["park"].order = 1, 2
    world["organ"].save()
    world["park"].save()
    enter(
        world["organ"],
        "2022",
        {
            "grp_cases_filed": 3,
            "grp_petitions_received": 10,
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
            "grp_cases_filed": None,
            "grp_petitions_received": 5,
            "grp_form1_person_times": 7,
            "grp_form2_person_times": 2,
            "grp_form3_person_times": 0,
            "grp_form4_person_times": 0,
        },
    )
    enter(nursery, "2022", {"grp_cases_filed": 5}, status=Status.SUBMITTED)
    enter(
        world["forestry"],
        "2022",
        {
            "grp_grassroots_orgs_guided": 120,
            "grp_special_inspections": Entry(6, "=1+2"),
            "grp_field_research_trips": 5,
        },
    )
    enter(world["organ"], "2021", {"grp_cases_filed": 2})
    enter(world["park"], "2021", {"grp_cases_filed": 2})
    enter(world["forestry"], "2021", {"grp_grassroots_orgs_guided": 100, "grp_special_inspections": 0})
    # Another group's figures, which bob must never see.
    enter(world["water_unit"], "2022", {"grp_cases_filed": 99})
    return {**world, "nursery": nursery}


@pytest.fixture
def data(world, indicators):
    return build_dataset(world, indicators)


@pytest.fixture
def leader_client(client, bob, data):
    """bob logged in through the login form's backend, over the dataset of `build_dataset`."""
    client.login(username="bob", password=PASSWORD)
    return client


def stored_values() -> dict[tuple[str, str, str], tuple[int | None, str]]:
    """Every stored figure: (organisation code, period, indicator code) -> (value, note)."""
    return {
        (v.report.organisation.code, str(v.report.period), v.indicator.code): (v.value, v.note)
        for v in Value.objects.select_related("report__organisation", "indicator")
    }


def review_url(org: str = "forestry", year: int = 2022) -> str:
    return reverse("review", args=[org, year])


@contextmanager
def demo_seeded(django_db_blocker, *args: str) -> Iterator[str]:
    """For a module-scoped fixture: the demo world seeded by `seed_demo *args` (its output given) inside
    a transaction rolled back at the end. Each test runs in its own savepoint within it (pytest-django's
    `db`), so a test that changes the world or seeds again leaves the next test the same world."""
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as mp,
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
    ):
        mp.delenv("DEMO_PASSWORD", raising=False)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", *args, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
