"""`manage.py benchmark`: build a world of a chosen size in a database of its own and measure
every report page against the bare SQL that computes the same figures.

    manage.py benchmark --groups 30 --units 10 --years 10 --periods quarterly
    manage.py benchmark --database-url postgres://postgres@127.0.0.1:5432/tracker_bench
    manage.py benchmark --demo            # the demo world: report pages against the login page
    manage.py benchmark --build-only      # leave the world there for others to measure

The world lives in its own database (an SQLite file, `benchmark.sqlite3` by default, or the
PostgreSQL database of `--database-url`, created if need be), never the app's. The command
runs itself again in a child process pointed at that database, so the pages measured are the
real ones, through the test client, with the settings of the app.

For each page it prints the median time of `--repeat` requests, the queries one request runs,
the peak Python memory of one request (tracemalloc), the median time of the bare SQL that
computes the same figures, and the ratio of the two; then the import rate of `import_values`
against a bare bulk_create of the same values. Ratios, not times, are what to compare across
machines.

What its measurements found, and the code they shaped (comments there point here, "SPEED" with the
letter):

A. Plain statements for small look-ups. For the reads every page makes (the memberships and the
   page's organisation, the unread count, an organisation's named texts, the notes on the checks
   page, the aggregation's report counts and notes) the ORM took longer to build the query than the
   database took to answer it (the unread count's count(): three times as long). They are written as
   SQL, with the models' table names quoted by the connection.
B. Markup comes from templates, except where a template per item cost more than the figures shown.
   django-tables2's own rows inspect each render method's signature per cell: a report table's cells
   are rendered with each signature read once per table (tracker.reports.tables.ReportTable.body_rows).
   Two fragments stay in Python, written by format_html (never mark_safe): a report table's rows (a
   template loop over 84 indicators x 7 columns, a node per tag and a lookup per value, cost the
   summary and the trend twice their table) and a breakdown's table (the summary prints ten to twenty;
   as a template they cost it three times as much). The selects' options are a template rendered once
   per list and choice (a hundred options cost the per-unit page more than its table, as a template or
   by format_html alike); a document's paragraphs and the organisations that should enter a figure are
   templates (README, *The benchmark*, "Markup in templates", has the figures).
C. Escaping is Django's (format_html, the templates' autoescape), whose lazy-text wrapper costs more
   than the escaping itself: a report table escapes each distinct text once per table.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracker.catalogue.models import Indicator
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import Period
from tracker.orgs.models import Organisation, OrgKind, TreeLink

INNER = "TRACKER_BENCHMARK_INNER"
PASSWORD = "benchmark-only-Xq7"  # noqa: S105 - a throwaway world's only login
# The goals of issue 8: a page's time at most this many times the bare SQL's.
GOALS = {"summary": 2.0, "trend": 3.0, "checks": 3.0, "json": 3.0}
MEMORY_GOAL_MB = 20
DEMO_GOAL = 10.0  # a report page on the demo world, against the login page


class Command(BaseCommand):
    help = "Build a world of a chosen size in a separate database and measure the report pages against bare SQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--groups", type=int, default=30)
        parser.add_argument("--units", type=int, default=10, help="Units per group.")
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--periods", choices=["yearly", "quarterly", "monthly"], default="quarterly")
        parser.add_argument("--cities", type=int, default=0, help="Build a province of this many cities.")
        parser.add_argument("--database-url", help="PostgreSQL database for the world (created if missing).")
        parser.add_argument("--sqlite", default="benchmark.sqlite3", help="SQLite file for the world (default).")
        parser.add_argument("--rebuild", action="store_true", help="Drop the world's database and build it again.")
        parser.add_argument("--build-only", action="store_true", help="Build the world and measure nothing.")
        parser.add_argument("--demo", action="store_true", help="Measure the demo world against the login page.")
        parser.add_argument("--repeat", type=int, default=7, help="Requests per page; the median is printed.")
        parser.add_argument("--import-rows", type=int, default=100_000, help="0 to skip the import measurement.")

    def handle(self, *args, **options) -> None:
        if os.environ.get(INNER):
            return self.measure(**options)
        url = options["database_url"]
        if url:
            _create_postgres_database(url, drop=options["rebuild"])
        else:
            path = Path(options["sqlite"]).resolve()
            if options["rebuild"] and path.exists():
                path.unlink()
            url = f"sqlite:///{path}"
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark"]
        for name in ("groups", "units", "years", "periods", "cities", "repeat", "import_rows"):
            command += [f"--{name.replace('_', '-')}", str(options[name])]
        command += [flag for flag in ("--build-only", "--demo") if options[flag[2:].replace("-", "_")]]
        env = {**os.environ, INNER: "1", "DATABASE_URL": url, "DEBUG": "false", "CONN_MAX_AGE": "600"}
        self.stdout.write(f"World database: {_safe(url)}")
        self.stdout.flush()
        done = subprocess.run(command, env=env, check=False)  # noqa: S603 - our own manage.py
        if done.returncode:
            raise CommandError(f"the benchmark failed (exit {done.returncode})")

    # -- in the world's database -----------------------------------------------------------

    def measure(self, **options) -> None:
        from tracker.demo import scale

        call_command("migrate", verbosity=0)
        last_year = date.today().year - 1
        if options["demo"]:
            if not Organisation.objects.exists():
                call_command("seed_demo", verbosity=0)
            self.measure_demo(options["repeat"])
            return
        size = scale.Size(options["groups"], options["units"], options["years"], options["periods"], options["cities"])
        if not Organisation.objects.exists():
            self.stdout.write(f"Building {size.describe()} …")
            self.stdout.flush()
            started = time.perf_counter()
            world = scale.build(size, last_year=last_year, password=PASSWORD)
            self.stdout.write(
                f"Built {world.organisations} organisations, {world.reports:,} reports, {world.values:,} values "
                f"in {time.perf_counter() - started:.0f} s."
            )
        root = Organisation.objects.get(parent=None)
        years = sorted(set(Report.objects.values_list("year", flat=True)))
        values = Value.objects.count()
        self.stdout.write(
            f"World: {Organisation.objects.count()} organisations, {Report.objects.count():,} reports, "
            f"{values:,} values, years {years[0]}–{years[-1]}; database {connection.vendor}."
        )
        if options["build_only"]:
            return
        year = years[-1]
        client = Client()
        client.force_login(_user(scale.LEADER))
        code = root.code
        pages = [
            ("summary", f"/reports/{code}/{year}/", lambda: _bare_years(root, [year - 1, year])),
            ("units", f"/reports/{code}/{year}/units/", lambda: _bare_children(root, year)),
            ("trend", f"/reports/{code}/trend/", lambda: _bare_years(root, years)),
            ("checks", f"/reports/{code}/{year}/checks/", lambda: _bare_every_org(root, [year - 1, year])),
            ("json", f"/api/v1/summary/?org={code}&year={year}", lambda: _bare_years(root, [year - 1, year])),
            ("bulletin", f"/reports/{code}/{year}/bulletin/", lambda: _bare_years(root, [year - 1, year])),
            ("completeness", f"/reports/{code}/{year}/completeness/", lambda: _bare_reports(root, year)),
        ]
        rows = []
        for name, url, bare in pages:
            rows.append((name, *_measure_page(client, url, options["repeat"], bare)))
        self.print_table(rows)
        if options["import_rows"]:
            self.measure_import(root, years[0], options["import_rows"])

    def print_table(self, rows) -> None:
        self.stdout.write("")
        self.stdout.write("| page | median ms | queries | peak MB | bare SQL ms | ratio | goal |")
        self.stdout.write("|---|---:|---:|---:|---:|---:|---|")
        for name, page_ms, queries, peak, bare_ms in rows:
            ratio = page_ms / bare_ms if bare_ms else float("inf")
            goal = GOALS.get(name)
            verdict = "" if goal is None else (f"≤{goal:g}× ok" if ratio <= goal else f"≤{goal:g}× MISSED")
            if peak > MEMORY_GOAL_MB:
                verdict += f" memory over {MEMORY_GOAL_MB} MB"
            self.stdout.write(
                f"| {name} | {page_ms:.1f} | {queries} | {peak:.1f} | {bare_ms:.1f} | {ratio:.2f}× | {verdict} |"
            )
        self.stdout.flush()

    def measure_demo(self, repeat: int) -> None:
        client = Client()
        client.force_login(_user("demo-city-leader"))
        anonymous = Client()
        # The demo's last full year (it holds every year from 2021 to the current one).
        year = date.today().year - 1
        self.stdout.write("Demo world: each page timed in turn with the login page (anonymous GET).")
        self.stdout.write("| page | median ms | queries | peak MB | login page ms | × login page | goal |")
        self.stdout.write("|---|---:|---:|---:|---:|---:|---|")
        for code in ("city", "forestry"):
            for name, url in [
                ("summary", f"/reports/{code}/{year}/"),
                ("units", f"/reports/{code}/{year}/units/"),
                ("trend", f"/reports/{code}/trend/"),
                ("checks", f"/reports/{code}/{year}/checks/"),
                ("json", f"/api/v1/summary/?org={code}&year={year}"),
                ("bulletin", f"/reports/{code}/{year}/bulletin/"),
                ("completeness", f"/reports/{code}/{year}/completeness/"),
                *_documents(code, year),
            ]:
                page_ms, queries, peak, login_ms = _measure_page(
                    client, url, repeat, lambda: anonymous.get("/accounts/login/")
                )
                ratio = page_ms / login_ms
                verdict = f"≤{DEMO_GOAL:g}× " + ("ok" if ratio <= DEMO_GOAL else "MISSED")
                self.stdout.write(
                    f"| {code} {name} | {page_ms:.1f} | {queries} | {peak:.1f} | {login_ms:.1f} | {ratio:.1f}× "
                    f"| {verdict} |"
                )

    def measure_import(self, root: Organisation, first_year: int, rows: int) -> None:
        """import_values of `rows` figures into empty years before the world's, against bulk_create."""
        units = list(Organisation.objects.filter(path__startswith=root.path, kind=OrgKind.UNIT).order_by("path"))
        indicators = list(Indicator.objects.active().entered().filter(reported_by=OrgKind.UNIT).order_by("order"))
        ptype = Report.objects.values_list("period_type", flat=True).first()
        planned: list[tuple[Organisation, Period, Indicator, int]] = []
        year = first_year - 1
        while len(planned) < rows:
            for period in Period.all_in_year(year, ptype):
                for unit in units:
                    for n, indicator in enumerate(indicators):
                        planned.append((unit, period, indicator, (n * 7 + unit.pk) % 23))
                        if len(planned) == rows:
                            break
                    if len(planned) == rows:
                        break
                if len(planned) == rows:
                    break
            year -= 1
        with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", encoding="utf-8", delete=False) as handle:
            writer = csv.writer(handle)
            writer.writerow(["org", "period", "indicator", "value", "note"])
            for unit, period, indicator, value in planned:
                writer.writerow([unit.code, str(period), indicator.code, value, ""])
        try:
            import_s = _rolled_back(lambda: call_command("import_values", handle.name, verbosity=0, stdout=_Null()))
        finally:
            os.unlink(handle.name)

        def bare() -> None:
            reports = {}
            for unit, period, _indicator, _value in planned:
                reports.setdefault(
                    (unit.pk, period),
                    Report(
                        organisation=unit,
                        year=period.year,
                        period_type=period.type,
                        period_number=period.number,
                        status=Status.DRAFT,
                    ),
                )
            Report.objects.bulk_create(reports.values(), batch_size=1000)
            Value.objects.bulk_create(
                (
                    Value(report=reports[(unit.pk, period)], indicator=indicator, value=value)
                    for unit, period, indicator, value in planned
                ),
                batch_size=1000,
            )

        bulk_s = _rolled_back(bare)
        self.stdout.write("")
        self.stdout.write(
            f"import_values, {rows:,} rows: {rows / import_s:,.0f} rows/s; bare bulk_create: {rows / bulk_s:,.0f} "
            f"rows/s; ratio {bulk_s / import_s:.2f} (goal ≥ 0.5, audit rows included)"
        )


class _Null:
    def write(self, *args) -> None:
        pass

    def flush(self) -> None:
        pass


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _rolled_back(work: Callable[[], object]) -> float:
    """Seconds `work` takes inside a transaction that is then rolled back."""
    with transaction.atomic():
        started = time.perf_counter()
        work()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _documents(code: str, year: int) -> list[tuple[str, str]]:
    """The organisation's own document templates, generated (the forestry speech is its review)."""
    from tracker.documents.models import DocumentTemplate

    return [
        ("document", f"/documents/{template.pk}/{code}/{year}/")
        for template in DocumentTemplate.objects.filter(organisation__code=code)
    ]


def _measure_page(
    client: Client, url: str, repeat: int, reference: Callable[[], object]
) -> tuple[float, int, float, float]:
    """Median ms of the page, queries of one request, peak MB of one request, and the median ms
    of `reference` (the bare SQL, or the login page), timed in turn with the page so that both
    see the same machine: on a shared machine the load drifts, and a ratio of two medians taken
    minutes apart measures the drift."""

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        return response

    get()  # warm
    reference()
    page_times, reference_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        get()
        page_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        reference()
        reference_times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    queries = len(captured)  # now: the next request clears the connection's log
    tracemalloc.start()
    get()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(page_times), queries, peak, statistics.median(reference_times)


# -- the bare SQL: the same figures, in the simplest statement that computes them ------------


def _tables() -> dict[str, str]:
    return {
        "value": Value._meta.db_table,
        "report": Report._meta.db_table,
        "organisation": Organisation._meta.db_table,
        "treelink": TreeLink._meta.db_table,
    }


def _run(sql: str, params: list, years: list[int] = (), root: Organisation | None = None) -> None:
    """Run a bare statement: table names, the years' placeholders and what `root`'s pages count besides
    approval are formatted in, values are parameters."""
    counted = _counted(root).format(**_tables()) if root is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(years=", ".join(["%s"] * len(years)), counted=counted, **_tables()), params)
        cursor.fetchall()


def _counted(root: Organisation) -> str:
    """The reports a page of `root` counts besides being approved: on a commission's, those it accepted."""
    if root.kind != OrgKind.COMMISSION:
        return ""
    # The commissions' own reports need no acceptance (a handful of organisations: their ids written in).
    ids = ", ".join(str(pk) for pk in Organisation.objects.filter(kind=OrgKind.COMMISSION).values_list("pk", flat=True))
    return f" AND (r.accepted OR r.organisation_id IN ({ids}))"


def _bare_years(root: Organisation, years: list[int]) -> None:
    """The subtree's approved (on a commission's page: accepted) values summed per year and indicator."""
    sql = (
        "SELECT r.year, v.indicator_id, SUM(v.value), COUNT(v.value) FROM {value} v "
        "JOIN {report} r ON r.id = v.report_id JOIN {organisation} o ON o.id = r.organisation_id "
        "WHERE o.path LIKE %s AND r.year IN ({years}) AND r.status = %s{counted} "
        "GROUP BY r.year, v.indicator_id"
    )
    return _run(sql, [root.path + "%", *years, Status.APPROVED], years, root)


def _bare_children(root: Organisation, year: int) -> None:
    """Summed per child organisation and indicator (the per-unit page)."""
    sql = (
        "SELECT t.ancestor_id, v.indicator_id, SUM(v.value), COUNT(v.value) FROM {value} v "
        "JOIN {report} r ON r.id = v.report_id JOIN {treelink} t ON t.descendant_id = r.organisation_id "
        "JOIN {organisation} a ON a.id = t.ancestor_id "
        "WHERE (a.parent_id = %s OR a.id = %s) AND r.year = %s AND r.status = %s{counted} "
        "GROUP BY t.ancestor_id, v.indicator_id"
    )
    return _run(sql, [root.pk, root.pk, year, Status.APPROVED], root=root)


def _bare_every_org(root: Organisation, years: list[int]) -> None:
    """Summed per organisation of the subtree (each over its own subtree), year and indicator."""
    sql = (
        "SELECT t.ancestor_id, r.year, v.indicator_id, SUM(v.value), COUNT(v.value) FROM {value} v "
        "JOIN {report} r ON r.id = v.report_id JOIN {treelink} t ON t.descendant_id = r.organisation_id "
        "JOIN {organisation} a ON a.id = t.ancestor_id "
        "WHERE a.path LIKE %s AND r.year IN ({years}) AND r.status = %s{counted} "
        "GROUP BY t.ancestor_id, r.year, v.indicator_id"
    )
    return _run(sql, [root.path + "%", *years, Status.APPROVED], years, root)


def _bare_reports(root: Organisation, year: int) -> None:
    """Every report of the subtree and year with its status (the completeness page)."""
    sql = (
        "SELECT r.organisation_id, r.period_type, r.period_number, r.status FROM {report} r "
        "JOIN {organisation} o ON o.id = r.organisation_id WHERE o.path LIKE %s AND r.year = %s"
    )
    return _run(sql, [root.path + "%", year])


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


def _create_postgres_database(url: str, *, drop: bool) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if name == settings.DATABASES["default"].get("NAME") and config.get("HOST") == settings.DATABASES["default"].get(
        "HOST"
    ):
        raise CommandError("The benchmark needs a database of its own, not the app's.")
    admin = psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
