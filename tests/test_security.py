import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.conftest import PASSWORD, make_user, set_status
from tracker.orgs.models import Role


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.usefixtures("lockout_after_three")
class TestLockout:
    def test_repeated_failures_lock_the_user_name_from_that_address(self, client, alice):
        for _ in range(3):
            login(client, "alice", "wrong")
        response = login(client, "alice", PASSWORD)
        assert response.status_code == 429
        assert "登录失败次数过多" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_a_colleague_behind_the_same_address_is_not_locked_out(self, client, alice, bob):
        for _ in range(3):
            login(client, "alice", "wrong")
        response = login(client, "bob", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(bob.pk)

    def test_the_same_user_from_another_address_is_not_locked_out(self, client, alice):
        for _ in range(3):
            login(client, "alice", "wrong", ip="10.0.0.1")
        assert login(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302

    def test_behind_the_proxy_the_forwarded_address_counts_not_a_forged_one(self, client, alice, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        proxy = "127.0.0.1"

        def via_proxy(password, client_addr, forged=""):
            header = f"{forged}, {client_addr}" if forged else client_addr
            return client.post(
                reverse("login"),
                {"username": "alice", "password": password},
                REMOTE_ADDR=proxy,
                HTTP_X_FORWARDED_FOR=header,
            )

        # An attacker at 203.0.113.9 forging addresses locks out only 203.0.113.9…
        for i in range(3):
            via_proxy("wrong", "203.0.113.9", forged=f"10.0.0.{i}")
        assert via_proxy(PASSWORD, "203.0.113.9").status_code == 429
        # …not alice at her own address behind the same proxy.
        assert via_proxy(PASSWORD, "198.51.100.7").status_code == 302

    def test_a_reviewer_can_lift_a_lockout_in_their_subtree(self, client, world, alice):
        reviewer = make_user("rose", world["forestry"], Role.REVIEWER)
        for _ in range(3):
            login(client, "alice", "wrong")
        client.force_login(reviewer)
        page = client.get(reverse("lockouts"))
        assert "alice" in page.content.decode()
        attempt = AccessAttempt.objects.get(username="alice")
        client.post(reverse("lockouts"), {"attempt": attempt.pk})
        assert not AccessAttempt.objects.filter(username="alice").exists()
        client.logout()
        assert login(client, "alice", PASSWORD).status_code == 302

    def test_a_clerk_cannot_lift_lockouts(self, client, alice):
        client.force_login(alice)
        assert client.get(reverse("lockouts")).status_code == 403

    def test_a_reviewer_does_not_see_another_groups_lockouts(self, client, world, charlie):
        reviewer = make_user("rose", world["forestry"], Role.REVIEWER)
        for _ in range(3):
            login(client, "charlie", "wrong")
        client.force_login(reviewer)
        assert "charlie" not in client.get(reverse("lockouts")).content.decode()
        attempt = AccessAttempt.objects.get(username="charlie")
        client.post(reverse("lockouts"), {"attempt": attempt.pk})
        assert AccessAttempt.objects.filter(username="charlie").exists()


class TestHeaders:
    def test_every_response_forbids_inline_script_and_framing(self, client, alice):
        client.force_login(alice)
        response = client.get(reverse("entry:choose"))
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"

    def test_pages_carry_no_inline_script(self, client, alice):
        client.force_login(alice)
        for name, args in [("entry:choose", []), ("entry:report", ["forestry-organ", "2022"]), ("home", [])]:
            html = client.get(reverse(name, args=args)).content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)", html)
            assert '<script src="/static/js/tracker.js" defer>' in html

    def test_sessions_expire_after_inactivity(self, settings):
        assert settings.SESSION_COOKIE_AGE <= 3600
        assert settings.SESSION_EXTEND_SECONDS <= 60

    def test_a_request_extends_the_session_at_most_once_a_minute(self, client, alice):
        from django.contrib.sessions.models import Session

        client.force_login(alice)
        client.get(reverse("home"))
        key = client.session.session_key
        first = Session.objects.get(session_key=key).expire_date
        client.get(reverse("home"))  # within the minute: no write
        assert Session.objects.get(session_key=key).expire_date == first
        session = client.session
        session["_extended"] -= 61  # as if the last extension was a minute ago
        session.save()
        saved = Session.objects.get(session_key=key).expire_date
        client.get(reverse("home"))
        assert Session.objects.get(session_key=key).expire_date > saved

    def test_password_validators_are_on(self, settings):
        names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
        assert "MinimumLengthValidator" in names and "CommonPasswordValidator" in names


class TestCompleteness:
    def test_it_shows_each_units_status_and_the_share_done(self, client, world, indicators, bob):
        from tracker.entry.models import Report
        from tracker.entry.periods import Period
        from tracker.entry.services import Entry, values_save_for_period

        report, _ = values_save_for_period(
            organisation=world["organ"], period=Period.parse("2022"), entries={indicators["grp_cases_filed"]: Entry(1)}
        )
        set_status(Report.objects.filter(pk=report.pk), "approved")
        for q in (1, 2):
            values_save_for_period(
                organisation=world["park"],
                period=Period.parse(f"2022Q{q}"),
                entries={indicators["grp_cases_filed"]: Entry(1)},
            )
        client.force_login(bob)
        response = client.get(reverse("completeness", args=["forestry", 2022]))
        table = response.context["table"]
        rows = {row.organisation.code: row for row in table.rows}
        assert [r.status if r else None for _, r in rows["forestry-organ"].cells] == ["approved"]
        assert [r.status if r else None for _, r in rows["forestry-park"].cells] == ["draft", "draft", None, None]
        assert [r for _, r in rows["forestry"].cells] == [None]  # the group's own work: not reported
        # 1 approved of 1 (organ) + 4 (park quarters) + 1 (group) expected.
        assert (table.done, table.expected) == (1, 6)
        html = response.content.decode()
        assert "16.7%" in html
        assert "未报" in html

    def test_another_groups_user_gets_404(self, client, world, charlie):
        client.force_login(charlie)
        assert client.get(reverse("completeness", args=["forestry", 2022])).status_code == 404
