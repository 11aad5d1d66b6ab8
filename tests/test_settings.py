"""Settings read from the environment, login everywhere, and the two languages.

Settings are module-level code, so each environment is tried in a fresh `manage.py`
subprocess rather than by patching the running test process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent

# Variables settings.py reads; the subprocess starts without any of them but those a test sets.
SETTINGS_VARIABLES = (
    "DJANGO_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "SESSION_COOKIE_AGE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "LOG_LEVEL",
    # Set by conftest for the browser tests; check --deploy rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environ.update(env)
    environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def print_setting(expression: str, **env: str) -> subprocess.CompletedProcess:
    """Print a settings expression as a fresh process with this environment sees it."""
    return manage("shell", "--no-imports", "-c", f"from django.conf import settings; print({expression})", **env)


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "tracker.example.org",
        **extra,
    }


class TestProductionSettings:
    def test_it_passes_the_deployment_checks_without_a_warning(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_it_refuses_to_start_without_a_secret_key(self):
        env = production_env()
        del env["SECRET_KEY"]
        result = manage("check", **env)
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_it_turns_debug_off(self):
        result = print_setting("settings.DEBUG", **production_env())
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "False"

    def test_development_needs_no_environment_at_all(self):
        result = print_setting("settings.DEBUG")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "True"


ENGINE = "settings.DATABASES['default']['ENGINE']"


class TestDatabaseUrl:
    def test_it_selects_postgresql(self):
        result = print_setting(ENGINE, DATABASE_URL="postgres://postgres@127.0.0.1:5432/tracker")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "django.db.backends.postgresql"

    def test_without_it_the_database_is_sqlite(self):
        result = print_setting(ENGINE)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "django.db.backends.sqlite3"


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_named_by_database_url():
    # CI runs the suite twice; this shows the second run really is on PostgreSQL.
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
    if expected == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("select current_database()")
            assert cursor.fetchone()[0].startswith("test_")


@pytest.mark.django_db
class TestLoginRequired:
    @pytest.mark.parametrize("url", ["/", "/entry/", "/entry/forestry-organ/2024/"])
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"

    def test_the_login_page_needs_no_login(self, client):
        assert client.get("/accounts/login/").status_code == 200

    def test_a_logged_in_user_sees_the_home_page(self, client, alice):
        client.force_login(alice)
        assert client.get("/").status_code == 200


@pytest.mark.django_db
class TestLanguages:
    def test_the_login_page_is_in_chinese_by_default(self, client):
        response = client.get("/accounts/login/")
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert "登录" in html
        assert "Log in" not in html

    def test_english_is_available_before_logging_in(self, client):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"
        html = client.get("/accounts/login/").content.decode()
        assert '<html lang="en">' in html
        assert "Log in" in html
        assert "登录" not in html

    def test_a_logged_in_user_can_switch_to_english(self, client, alice):
        client.force_login(alice)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        html = client.get("/").content.decode()
        assert "Log out" in html


@pytest.mark.parametrize(
    "variable, value, accepted",
    [
        ("SECURE_SSL_REDIRECT", "flase", "write 1/true/yes/on or 0/false/no/off"),
        ("DEBUG", "maybe", "write 1/true/yes/on or 0/false/no/off"),
        ("EMAIL_USE_TLS", "y", "write 1/true/yes/on or 0/false/no/off"),
        ("SESSION_COOKIE_AGE", "1h", "is not a whole number"),
        ("CONN_MAX_AGE", "ten", "is not a whole number"),
        ("TRUSTED_PROXY_COUNT", "1.5", "is not a whole number"),
        ("UPLOAD_MAX_ROWS", "20k", "is not a whole number"),
    ],
)
def test_an_unreadable_setting_stops_the_app_naming_it(variable, value, accepted):
    """A mistyped yes/no or number is refused with a message naming the variable and what it may be,
    never read as "no" or a crash without one."""
    production = {"DJANGO_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "example.org"}
    result = manage("check", **production, **{variable: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {variable}='{value}' " in result.stderr
    assert accepted in result.stderr


@pytest.mark.parametrize("value, expected", [("Yes", "True"), (" off ", "False"), ("1", "True"), ("0", "False")])
def test_a_readable_yes_or_no_is_read_whatever_its_case_and_spaces(value, expected):
    result = print_setting("settings.SECURE_SSL_REDIRECT", **production_env(SECURE_SSL_REDIRECT=value))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
