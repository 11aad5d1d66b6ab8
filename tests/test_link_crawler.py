"""No link leads to an error: every demo user follows every link and GET form from the start page.

For each demo user (README, "Demo users") the crawler logs in with the test client, starts at "/" and
follows, breadth-first, every same-site <a href> and every <form method="get"> (submitted with its
default values) of every page it reaches, and the redirects it is given. It skips logging out, the
admin (a superuser opens its index only), static files and everything that changes state (POST
forms are not followed). Every answer must be a 2xx or 3xx, the downloads (Excel, CSV, Word)
included; a failure names the page that linked to it.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest

from tests.conftest import FAST_HASHERS, demo_seeded
from tracker.demo.world import demo_password

# Pages per user: enough for every kind of page of every organisation the user reaches; the
# variants of one page (each column's sort order, each section) are what the cap cuts.
MAX_PAGES = 400
# Of the pages of one shape (the same page sorted by another column, another year or period, another
# indicator's history), the first few: the others are rendered by the same code and would fill the cap
# before the crawl reaches the other pages.
PER_SHAPE = 4

DEMO_USERS = [
    "demo-clerk",
    "demo-reviewer",
    "demo-leader",
    "demo-water-clerk",
    "demo-city-leader",
    "demo-city-reviewer",
    "demo-admin",
]


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world, seeded once for this module (see conftest.demo_seeded)."""
    with demo_seeded(django_db_blocker):
        yield


class _Links(HTMLParser):
    """The <a href>s of a page and the URLs its GET forms submit with their default values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list[str] | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._submitted = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = (attrs.get("action") or "", []) if method == "get" else None
            self._submitted = False
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name") and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form[1].append((attrs["name"], attrs.get("value") or "on"))
            elif kind in ("submit", "image"):
                self._submit(attrs)
            elif kind not in ("file", "reset", "button"):
                self._form[1].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "button" and (attrs.get("type") or "submit").lower() == "submit":
            self._submit(attrs)
        elif tag == "select" and "disabled" not in attrs:
            self._select, self._options = attrs.get("name"), []
        elif tag == "option" and self._select is not None:
            self._option, self._option_value = [], attrs.get("value")
            self._option_selected = "selected" in attrs
        elif tag == "textarea" and attrs.get("name"):
            self._form[1].append((attrs["name"], ""))

    def _submit(self, attrs: dict) -> None:
        # The first submit button is the one Enter presses; its name and value go with the form.
        if not self._submitted and attrs.get("name"):
            self._form[1].append((attrs["name"], attrs.get("value") or ""))
        self._submitted = True

    def handle_data(self, data):
        if self._option is not None:
            self._option.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value = self._option_value if self._option_value is not None else "".join(self._option).strip()
            self._options.append((value, self._option_selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self.handle_endtag("option")
            chosen = [value for value, selected in self._options if selected] or [v for v, _s in self._options[:1]]
            if self._form is not None and self._select:
                self._form[1].extend((self._select, value) for value in chosen[:1])
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def normalised(url: str) -> str:
    """The path and the query in a stable order, without a fragment."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


def shape(url: str) -> tuple[str, tuple[str, ...]]:
    """The page with its years, periods and indicator codes left out, and the names of its parameters:
    ?sort=a and ?sort=b are one page sorted otherwise, /2022Q1/history/grp_cases_filed/ one of many."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", re.sub(r"/[a-z0-9]+_[a-z0-9_]+/", "/CODE/", parts.path))
    return path, tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))


def skipped(url: str, superuser: bool) -> bool:
    path = urlsplit(url).path
    if path.startswith("/static/") or path.startswith("/accounts/logout/") or path.startswith("/i18n/"):
        return True
    if path.startswith("/admin/"):
        return not (superuser and path == "/admin/")
    return False


def on_site(base: str, href: str) -> str | None:
    """The same-site URL an href leads to, or None (another site, mailto:, a fragment on this page)."""
    href = href.strip()
    if not href or href.startswith("#") or href.split(":", 1)[0].lower() in ("mailto", "javascript", "tel", "data"):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    return normalised(url)


def crawl(client, *, superuser: bool) -> tuple[list[str], list[str]]:
    """Breadth-first from "/": the failures ("status URL ← linked from") and the URLs read."""
    start = normalised("/")
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen = {start}
    shapes: dict[tuple, int] = {}
    failures: list[str] = []
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url, referrer = queue.popleft()
        response = client.get(url)
        visited.append(url)
        if response.status_code >= 400:
            failures.append(f"{response.status_code} {url} ← linked from {referrer}")
            continue
        found: list[str] = []
        if response.status_code in (301, 302, 303, 307, 308):
            found.append(response["Location"])
        elif response.get("Content-Type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(response.content.decode())
            found += parser.links
            for action, fields in parser.forms:
                target = urlsplit(urljoin("http://testserver" + url, action or url))
                found.append(target.path + "?" + urlencode(fields))
        base = "http://testserver" + url
        for href in found:
            target = on_site(base, href)
            if target is None or target in seen or skipped(target, superuser):
                continue
            seen.add(target)
            key = shape(target)
            shapes[key] = shapes.get(key, 0) + 1
            if shapes[key] > PER_SHAPE:
                continue
            queue.append((target, url))
    return failures, visited


@pytest.mark.parametrize("username", DEMO_USERS)
def test_no_link_a_demo_user_can_follow_leads_to_an_error(client, demo_world, db, settings, username):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    assert client.login(username=username, password=demo_password())
    failures, visited = crawl(client, superuser=username == "demo-admin")
    assert not failures, f"{username}: {len(failures)} broken links\n" + "\n".join(failures)
    # The crawl went where the users go: the report pages and their downloads, the documents.
    paths = {urlsplit(url).path for url in visited}
    assert any(path.endswith("/trend/") for path in paths), f"{username} never reached a trend"
    assert any(path.endswith("/units/") for path in paths), f"{username} never reached a per-unit page"
    assert any("_export=xlsx" in url for url in visited), f"{username} never downloaded an Excel file"
    assert any(path.endswith(".docx") for path in paths), f"{username} never downloaded a Word file"
