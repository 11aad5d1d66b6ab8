"""Hostile input answers with a message and changes nothing: never a 500, never cut (issue 18, points 5–7).

Each defect the fault injector found, through the real way in, then a driver that posts every hostile
class to every field of every form the world's users see. Also: redirects stay on the site, the
lockout is keyed on an address the client cannot choose, and no error answer may be cached.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.db import models
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD, enter, make_user
from tracker.documents.models import TemplateVersion
from tracker.documents.services import template_create
from tracker.entry.models import PeriodReopening, Report, Value
from tracker.orgs.backends import client_ip
from tracker.orgs.models import OrganisationText, Role

OVERLONG = "w" * 5000
HOSTILE = {
    "non-ASCII digits": "²③𝟏",
    "huge number": "9" * 5000,
    "control characters": "\x00\x01",
    "control character without NUL": "a\x01b",
    "overlong text": OVERLONG,
}
# After these, nothing stored may hold a part of them.
CUT_CHECKED = ("huge number", "overlong text")


# -- each defect, through the real way in ------------------------------------------------------

NUMBERS_THAT_ARE_NOT = ["²", "③", "𝟏", "9" * 5000, "-1", "1.5"]
OUT_OF_DATE = "页面已过期"


class TestEntryPage:
    @pytest.mark.parametrize("opened", NUMBERS_THAT_ARE_NOT)
    def test_it_refuses_a_previous_value_that_is_not_a_figure(self, client, world, alice, indicators, opened):
        client.force_login(alice)
        data = {"revision": "0", "v_grp_cases_filed": "5", "n_grp_cases_filed": "", "o_grp_cases_filed": opened}
        client.raise_request_exception = False
        response = client.post("/entry/forestry-organ/2023/", data)
        assert response.status_code == 200
        assert OUT_OF_DATE in response.content.decode()
        assert not Report.objects.exists()

    @pytest.mark.parametrize("revision", NUMBERS_THAT_ARE_NOT)
    def test_it_refuses_a_revision_that_is_not_a_number(self, client, world, alice, indicators, revision):
        client.force_login(alice)
        client.raise_request_exception = False
        data = {"revision": revision, "v_grp_cases_filed": "5", "n_grp_cases_filed": "", "o_grp_cases_filed": ""}
        response = client.post("/entry/forestry-organ/2023/", data)
        assert response.status_code == 200
        assert OUT_OF_DATE in response.content.decode()
        assert not Report.objects.exists()

    def test_a_revision_of_a_report_deleted_meanwhile_is_a_message(self, client, world, alice, indicators):
        # The page was opened at revision 1; the draft was deleted in the admin before the save.
        client.force_login(alice)
        client.raise_request_exception = False
        data = {"revision": "1", "v_grp_cases_filed": "5", "n_grp_cases_filed": "", "o_grp_cases_filed": ""}
        response = client.post("/entry/forestry-organ/2023/", data)
        assert response.status_code == 200
        assert "其他人已保存了该报表" in response.content.decode()
        assert not Report.objects.exists()

    def test_a_page_as_it_was_opened_still_saves(self, client, world, alice, indicators):
        client.force_login(alice)
        data = {"revision": "0", "v_grp_cases_filed": "5", "n_grp_cases_filed": "", "o_grp_cases_filed": ""}
        assert client.post("/entry/forestry-organ/2023/", data).status_code == 302
        assert Value.objects.get(indicator__code="grp_cases_filed").value == 5

    def test_a_control_character_in_a_note_is_refused_by_name_and_nothing_saved(self, client, world, alice):
        client.force_login(alice)
        data = {"revision": "0", "v_grp_cases_filed": "5", "n_grp_cases_filed": "a\x01b", "o_grp_cases_filed": ""}
        response = client.post("/entry/forestry-organ/2023/", data)
        assert response.status_code == 400
        assert "U+0001" in response.content.decode() and "控制字符" in response.content.decode()
        assert not Report.objects.exists()


class TestGrid:
    @pytest.mark.parametrize("revision", [*NUMBERS_THAT_ARE_NOT, ""])
    def test_it_refuses_a_units_revision_that_is_not_a_number(self, client, world, alice, indicators, revision):
        report = enter(world["organ"], "2023", {"grp_cases_filed": 3}, status="draft")
        client.force_login(alice)
        client.raise_request_exception = False
        data = {"r_forestry-organ": revision, "v_forestry-organ__grp_cases_filed": "4"}
        response = client.post("/entry/grid/forestry/2023/", data, follow=True)
        assert response.status_code == 200
        assert "局机关：未保存，页面已过期" in response.content.decode()
        assert Value.objects.get(report=report, indicator__code="grp_cases_filed").value == 3

    def test_the_revision_the_page_carries_saves(self, client, world, alice, indicators):
        report = enter(world["organ"], "2023", {"grp_cases_filed": 3}, status="draft")
        client.force_login(alice)
        data = {"r_forestry-organ": str(report.revision), "v_forestry-organ__grp_cases_filed": "4"}
        client.post("/entry/grid/forestry/2023/", data)
        assert Value.objects.get(report=report, indicator__code="grp_cases_filed").value == 4


class TestLockouts:
    @pytest.mark.parametrize("attempt", ["9" * 5000, "9" * 30, "²", "③", " "])
    def test_a_bad_attempt_id_names_no_lockout_and_lifts_nothing(
        self, client, world, reviewer, alice, attempt, settings
    ):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            client.post("/accounts/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        client.force_login(reviewer)
        client.raise_request_exception = False
        response = client.post("/accounts/lockouts/", {"attempt": attempt}, follow=True)
        assert response.status_code == 200
        assert "没有该登录锁定" in response.content.decode()
        assert AccessAttempt.objects.get(username="alice").failures_since_start == 3


class TestLogin:
    @pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
    def test_an_overlong_user_name_is_refused_with_a_message_and_not_recorded(self, url, world, alice):
        client = Client(raise_request_exception=False)
        response = client.post(url, {"username": "a" * 300, "password": "x"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200
        assert "用户名最多 150 个字符" in response.content.decode()
        assert not AccessAttempt.objects.exists()

    def test_a_user_name_of_the_longest_length_is_still_a_failed_log_in(self, world, alice):
        client = Client(raise_request_exception=False)
        response = client.post("/accounts/login/", {"username": "a" * 150, "password": "x"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200
        assert AccessAttempt.objects.get().username == "a" * 150


class TestReopening:
    def test_an_overlong_reason_is_refused_whole_never_cut(self, client, world, reviewer, settings):
        settings.PERIOD_CLOSES_AFTER_DAYS = 0
        client.force_login(reviewer)
        response = client.post("/entry/forestry-organ/2023/reopen/", {"reason": "补" * 201}, follow=True)
        assert "理由共 201 个字符，最多只能 200 个" in response.content.decode()
        assert not PeriodReopening.objects.exists()

    def test_a_reason_that_fits_is_kept_whole(self, client, world, reviewer, settings):
        settings.PERIOD_CLOSES_AFTER_DAYS = 0
        client.force_login(reviewer)
        client.post("/entry/forestry-organ/2023/reopen/", {"reason": f"  {'补' * 200}  "})
        assert PeriodReopening.objects.get().reason == "补" * 200


class TestReasons:
    def test_a_long_return_reason_is_kept_whole_and_its_notification_visibly_shortened(
        self, client, world, reviewer, alice
    ):
        from tracker.workflow.models import Notification, ReportTransition

        enter(world["organ"], "2023", {"grp_cases_filed": 3}, status="submitted")
        client.force_login(reviewer)
        client.post("/entry/forestry-organ/2023/return/", {"reason": "请核对" * 200})
        assert ReportTransition.objects.get(action="return").reason == "请核对" * 200
        note = Notification.objects.get(user=alice).text
        assert len(note) == 300 and note.endswith("…")


class TestNamedTexts:
    URL = "/documents/texts/forestry/"

    @staticmethod
    def _rows(*rows, initial=0):
        data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(initial)}
        for i, row in enumerate(rows):
            data.update({f"form-{i}-{name}": value for name, value in row.items()})
        return data

    def test_two_rows_with_one_key_are_refused(self, client, world, bob):
        client.force_login(bob)
        data = self._rows({"key": "bureau", "text": "林业局"}, {"key": "bureau", "text": "草原局"})
        response = client.post(self.URL, data)
        assert response.status_code == 200
        assert "每个键名只能使用一次" in response.content.decode()
        assert not OrganisationText.objects.exists()

    def test_a_key_saved_meanwhile_by_someone_else_is_a_message_not_a_500(self, client, world, bob):
        # What a second leader's page posts when the first saved the key after it was opened (or a
        # hand-made request leaving out the stored rows): the database's unique key decides.
        OrganisationText.objects.create(organisation=world["forestry"], key="bureau", text="林业局")
        client.force_login(bob)
        client.raise_request_exception = False
        response = client.post(self.URL, self._rows({"key": "bureau", "text": "草原局"}))
        assert response.status_code == 200
        assert "本单位已使用该键名" in response.content.decode()
        assert list(OrganisationText.objects.values_list("text", flat=True)) == ["林业局"]

    def test_a_key_given_up_may_be_taken_by_another_row_in_the_same_save(self, client, world, bob):
        brand = OrganisationText.objects.create(organisation=world["forestry"], key="brand", text="清廉林业")
        bureau = OrganisationText.objects.create(organisation=world["forestry"], key="bureau", text="林业局")
        client.force_login(bob)
        client.raise_request_exception = False
        data = self._rows(
            {"id": str(brand.pk), "key": "bureau", "text": "清廉林业"},
            {"id": str(bureau.pk), "key": "bureau", "text": "林业局", "DELETE": "on"},
            initial=2,
        )
        assert client.post(self.URL, data).status_code == 302
        assert list(OrganisationText.objects.values_list("key", "text")) == [("bureau", "清廉林业")]


class TestBinding:
    def test_a_text_key_longer_than_any_text_can_have_is_refused(self, client, world, bob):
        template = template_create(organisation=world["forestry"], name="讲话", user=bob, text="立案215件。")
        start = template.current.bindings[0]["start"]
        client.force_login(bob)
        response = client.post(f"/documents/{template.pk}/bind/", {f"b_{start}": "text:" + "a" * 5000}, follow=True)
        assert "文本键名最多 60 个字符，此键名有 5000 个" in response.content.decode()
        assert TemplateVersion.objects.filter(template=template).count() == 1

    def test_a_text_key_of_the_longest_length_is_kept(self, client, world, bob):
        template = template_create(organisation=world["forestry"], name="讲话", user=bob, text="立案215件。")
        start = template.current.bindings[0]["start"]
        client.force_login(bob)
        client.post(f"/documents/{template.pk}/bind/", {f"b_{start}": "text:" + "a" * 60})
        assert template.current.bindings[0]["binding"] == "text:" + "a" * 60


# -- redirects stay on the site (point 6) --------------------------------------------------------


class TestReminderRedirect:
    @pytest.mark.parametrize(
        "target",
        [
            "//other.example/x",
            "https://other.example/",
            "/\\other.example",
            "\\\\other.example",
            "/\\/other.example",
            "http:///other.example",
            "https:other.example",
            "javascript:alert(1)",
            " //other.example",
            "²③𝟏",
            "",
        ],
    )
    def test_a_target_off_the_site_goes_home(self, client, world, reviewer, target):
        client.force_login(reviewer)
        client.raise_request_exception = False
        response = client.post("/notifications/remind/", {"report": ["forestry-park:2023"], "next": target})
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_a_page_of_the_site_is_gone_back_to(self, client, world, reviewer):
        client.force_login(reviewer)
        response = client.post("/notifications/remind/", {"report": ["forestry-park:2023"], "next": "/entry/?x=1"})
        assert response["Location"] == "/entry/?x=1"


# -- the lockout's address (point 6) -------------------------------------------------------------


def _attempt(client, *, remote: str, forwarded: str | None = None, password: str = "wrong"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": "alice", "password": password}, **extra)


@pytest.mark.usefixtures("lockout_after_three")
class TestLockoutAddress:
    def test_without_proxies_a_forged_header_does_not_escape_the_lockout(self, client, alice, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        for i in range(3):
            _attempt(client, remote="203.0.113.9", forwarded=f"10.0.0.{i}")
        assert _attempt(client, remote="203.0.113.9", forwarded="10.0.0.99", password=PASSWORD).status_code == 429
        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]
        # The person at another address is not locked out.
        assert _attempt(client, remote="198.51.100.7", password=PASSWORD).status_code == 302

    def test_behind_two_proxies_the_address_the_outer_one_saw_counts(self, client, alice, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        # The client sends anything; the outer proxy appends 203.0.113.9, the inner one its own address.
        for i in range(3):
            _attempt(client, remote="10.1.0.2", forwarded=f"10.0.0.{i}, 203.0.113.9, 10.1.0.1")
        assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
        locked = _attempt(client, remote="10.1.0.2", forwarded="1.2.3.4, 203.0.113.9, 10.1.0.1", password=PASSWORD)
        assert locked.status_code == 429
        other = _attempt(client, remote="10.1.0.2", forwarded="198.51.100.7, 10.1.0.1", password=PASSWORD)
        assert other.status_code == 302

    def test_a_production_server_trusts_no_header_unless_told_how_many_proxies(self, monkeypatch):
        from tests.test_settings import print_setting, production_env

        monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
        assert print_setting("settings.TRUSTED_PROXY_COUNT", **production_env()).stdout.strip() == "0"
        told = production_env(TRUSTED_PROXY_COUNT="2")
        assert print_setting("settings.TRUSTED_PROXY_COUNT", **told).stdout.strip() == "2"

    @pytest.mark.parametrize(
        ("count", "forwarded", "expected"),
        [
            (0, "198.51.100.7", "10.9.9.9"),
            (1, "198.51.100.7", "198.51.100.7"),
            (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
            (2, "1.2.3.4, 198.51.100.7, 10.1.0.1", "198.51.100.7"),
            (3, "198.51.100.7, 10.1.0.1", "10.9.9.9"),  # fewer entries than proxies: not through them
            (1, "", "10.9.9.9"),
            (1, "not-an-address", "10.9.9.9"),
            (1, "9" * 5000, "10.9.9.9"),
            (1, "2001:DB8::1", "2001:db8::1"),
        ],
    )
    def test_the_client_ip_function(self, settings, count, forwarded, expected):
        settings.TRUSTED_PROXY_COUNT = count
        request = RequestFactory().get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected

    def test_a_header_that_is_not_an_address_is_no_500(self, alice, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        client = Client(raise_request_exception=False)
        assert _attempt(client, remote="10.9.9.9", forwarded="<script>").status_code == 200
        assert AccessAttempt.objects.get().ip_address == "10.9.9.9"


# -- error answers are never cached (point 7) ----------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


class TestErrorsAreNotCached:
    def test_a_missing_page(self, client, bob):
        anonymous = client.get("/no-such-page/")
        assert anonymous.status_code == 404 and _no_store(anonymous)
        client.force_login(bob)
        response = client.get("/reports/no-such-org/2023/")
        assert response.status_code == 404 and _no_store(response)

    def test_a_forbidden_page(self, client, alice):
        client.force_login(alice)
        response = client.get("/accounts/lockouts/")
        assert response.status_code == 403 and _no_store(response)

    @pytest.mark.parametrize("url", ["/reports/?org=%00", "/accounts/login/?next=%01"])
    def test_a_refused_parameter_even_before_anyone_is_known(self, client, url):
        response = client.get(url)
        assert response.status_code == 400 and _no_store(response)

    def test_a_bad_parameter(self, client, bob):
        client.force_login(bob)
        response = client.get("/reports/forestry/2022/?include_unapproved=maybe")
        assert response.status_code == 400 and _no_store(response)

    def test_the_lockout_page(self, client, alice, settings):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            _attempt(client, remote="10.0.0.1")
        response = _attempt(client, remote="10.0.0.1", password=PASSWORD)
        assert response.status_code == 429 and _no_store(response)

    def test_a_server_error(self, db, monkeypatch):
        def broken(*args, **kwargs):
            raise RuntimeError("injected")

        monkeypatch.setattr(auth_views.LoginView, "get", broken)
        response = Client(raise_request_exception=False).get("/accounts/login/")
        assert response.status_code == 500 and _no_store(response)


# -- every form and parameter, with every hostile class (point 5) ---------------------------------


class _Forms(HTMLParser):
    """The forms of a page: action, method, their fields' values as a browser submits them, and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "buttons": [],
            }
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        fields, name = self._form["fields"], a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, [])
            elif kind == "submit":
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind != "file":
                fields.setdefault(name, []).append(a.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self._textarea = name
            fields.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select:
            if "selected" in a or not fields[self._select]:
                fields[self._select][:] = [a.get("value", "")]
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form["buttons"].append((name, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea and self._form:
            self._form["fields"][self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _pattern(name: str) -> str:
    """One field stands for its kind: v_<code>, n_<code>, b_<start>, form-<n>-key each by their first."""
    return re.sub(r"\d+", "#", name[:2] if re.match(r"^[a-z]_", name) else name)


def _cut_values(hostile: str) -> set[str]:
    """Stored texts holding part of a hostile value: a cut, where the whole was neither kept nor refused."""
    char, found = hostile[0], set()
    for model in apps.get_models():
        if not model.__module__.startswith(("tracker.", "axes.", "django.contrib.auth")):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                values = [str(v) for v in model.objects.values_list(field.name, flat=True)]
            elif isinstance(field, (models.CharField, models.TextField)):
                lookup = {f"{field.name}__contains": char * 20}
                values = list(model.objects.filter(**lookup).values_list(field.name, flat=True))
            else:
                continue
            for value in values:
                for run in re.findall(f"{re.escape(char)}{{20,}}", value or ""):
                    if len(run) != len(hostile):
                        found.add(f"{model.__name__}.{field.name}: {len(run)} of {len(hostile)}")
    return found


@pytest.fixture
def hostile_world(world, alice, bob, indicators, settings):
    """Every form of the app on some page: reports in each state, a template, a lockout, a reviewer."""
    settings.AXES_FAILURE_LIMIT = 3
    rose = make_user("rose", world["forestry"], Role.REVIEWER)
    cora = make_user("cora", world["city"], Role.REVIEWER)
    enter(world["organ"], "2023", {"grp_cases_filed": 3}, status="submitted")
    enter(world["park"], "2023", {"grp_cases_filed": 4}, status="approved")
    enter(world["forestry"], "2023", {"grp_cases_filed": 7}, status="approved")
    enter(world["organ"], "2022", {"grp_cases_filed": 2}, status="draft")
    template = template_create(organisation=world["forestry"], name="讲话", user=bob, text="立案215件，处分198人。")
    for _ in range(3):
        Client().post("/accounts/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    root = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    return {"alice": alice, "bob": bob, "rose": rose, "cora": cora, "root": root, "template": template, **world}


def _pages(hostile_world) -> list[tuple[str | None, str]]:
    pk = hostile_world["template"].pk
    return [
        (None, "/accounts/login/"),
        ("alice", "/"),
        ("alice", "/entry/"),
        ("alice", "/entry/forestry-organ/2022/"),
        ("alice", "/entry/forestry-park/2022/"),
        ("alice", "/entry/grid/forestry/2022/"),
        ("alice", "/entry/import/"),
        ("alice", "/accounts/password_change/"),
        ("rose", "/"),
        ("rose", "/entry/forestry-organ/2023/"),
        ("rose", "/entry/acceptance/forestry/2023/"),
        ("rose", "/accounts/lockouts/"),
        ("cora", "/entry/acceptance/"),
        ("bob", "/"),
        ("bob", "/reports/forestry/2023/"),
        ("bob", "/reports/forestry/2023/units/"),
        ("bob", "/reports/forestry/trend/"),
        ("bob", "/reports/forestry/2023/bulletin/"),
        ("bob", "/documents/new/"),
        ("bob", f"/documents/{pk}/"),
        ("bob", f"/documents/{pk}/bind/"),
        ("bob", "/documents/texts/forestry/"),
        ("bob", f"/documents/{pk}/forestry/2023/"),
        # The admin's own forms (figures inline, the period-type rule, an organisation's texts inline).
        (
            "root",
            f"/admin/entry/report/{Report.objects.get(year=2022, organisation__code='forestry-organ').pk}/change/",
        ),
        ("root", "/admin/entry/report/add/"),
        ("root", f"/admin/orgs/organisation/{hostile_world['forestry'].pk}/change/"),
        ("root", "/admin/entry/deadlineexception/add/"),
        ("root", "/admin/entry/deadline/add/"),
        ("root", f"/admin/auth/user/{hostile_world['alice'].pk}/change/"),
        ("root", "/admin/checks/rule/add/"),
    ]


def _login(client: Client, who: str | None, users: dict) -> None:
    client.logout()
    if who is not None:
        client.force_login(users[who])


def test_every_form_field_takes_hostile_values_without_a_500_or_a_cut(hostile_world, settings):
    settings.PERIOD_CLOSES_AFTER_DAYS = 0  # closed: the reviewer's reopening form shows
    client = Client(raise_request_exception=False)
    failures, reported, shapes = [], set(), set()
    for who, url in _pages(hostile_world):
        _login(client, who, hostile_world)
        page = client.get(url)
        assert page.status_code == 200, url
        for form in forms_of(page.content.decode()):
            action = form["action"] or url
            if action.endswith("/logout/"):
                continue
            # A form on every page (the language switch) is tried once.
            shape = (action, tuple(sorted({_pattern(name) for name in form["fields"]})))
            if shape in shapes:
                continue
            shapes.add(shape)
            base = {name: values for name, values in form["fields"].items() if values}
            if "password" in base and base["password"] == [""]:
                base["password"] = ["wrong"]  # so that the log-in form goes on to authenticate
            if form["buttons"]:
                name, value = form["buttons"][0]
                base.setdefault(name, [value])
            tried = set()
            for name in form["fields"]:
                if name == "csrfmiddlewaretoken" or _pattern(name) in tried:
                    continue
                tried.add(_pattern(name))
                for label, value in HOSTILE.items():
                    _login(client, who, hostile_world)
                    data = {**base, name: [value]}
                    if form["method"] == "post":
                        response = client.post(action, data)
                    else:
                        response = client.get(action, data)
                    if response.status_code >= 500:
                        failures.append(f"{who} {form['method']} {action} {name} ← {label}: {response.status_code}")
                    if label in CUT_CHECKED and (cut := _cut_values(value) - reported):
                        failures.append(f"{who} {action} {name} ← {label} stored cut: {sorted(cut)}")
                        reported |= cut
    # What was stored meanwhile is shown and exported without a 500.
    pk = hostile_world["template"].pk
    for who, url in [
        *_pages(hostile_world),
        ("bob", "/reports/forestry/2023/?_export=xlsx"),
        ("bob", "/reports/forestry/2023/bulletin.docx"),
        ("bob", f"/documents/{pk}/forestry/2023/document.docx"),
        ("bob", "/reports/forestry/2023/review/"),
        ("bob", "/reports/forestry/2023/review.docx"),
        ("alice", "/entry/forestry-organ/2023/history/"),
        ("alice", "/entry/forestry-organ/2023/template.xlsx"),
        ("alice", "/notifications/"),
    ]:
        _login(client, who, hostile_world)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{who} get {url} afterwards: {response.status_code}")
    assert not failures, "\n".join(failures)


# Every query parameter a page reads, beside those its GET forms carry (the driver posts those).
PARAMETERS = [
    ("bob", "/", ["indicator"]),
    ("bob", "/reports/", ["org", "year", "range", "page"]),
    ("bob", "/reports/forestry/2023/", ["through", "include_unapproved", "include_unaccepted", "sort", "_export"]),
    ("bob", "/reports/forestry/2023/units/", ["rank", "section", "sort", "page", "_export"]),
    ("bob", "/reports/forestry/trend/", ["through", "indicator", "section", "_export"]),
    ("bob", "/reports/forestry/2023/bulletin/", ["through", "include_unapproved"]),
    ("bob", "/reports/forestry/2023/bulletin.docx", ["through"]),
    ("bob", "/reports/forestry/2023/checks/", ["through", "_export"]),
    ("bob", "/reports/forestry/2023/completeness/", ["through", "sort"]),
    ("bob", "/reports/forestry/2023/review/", ["through", "fresh"]),
    ("bob", "/api/v1/summary/", ["org", "year", "through", "include_unapproved"]),
    ("alice", "/entry/", ["org", "year", "period"]),
    ("cora", "/entry/acceptance/", ["year"]),
    ("root", "/admin/entry/report/", ["q", "year", "status", "organisation__kind", "p", "o"]),
    ("root", "/admin/entry/deadlineexception/", ["organisation__id__exact", "year"]),
]


def test_every_query_parameter_takes_hostile_values_without_a_500(hostile_world):
    client = Client(raise_request_exception=False)
    failures = []
    for who, url, names in PARAMETERS:
        _login(client, who, hostile_world)
        for name in names:
            for label, value in HOSTILE.items():
                base = {"org": "forestry", "year": "2023"} if url == "/api/v1/summary/" else {}
                response = client.get(url, {**base, name: value})
                if response.status_code >= 500:
                    failures.append(f"{who} {url}?{name}= ← {label}: {response.status_code}")
    assert not failures, "\n".join(failures)
