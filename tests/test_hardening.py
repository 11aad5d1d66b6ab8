"""Issue 9's findings, each reproduced and now refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import PASSWORD, enter, make_user, set_status
from tracker.entry.models import Report, Status
from tracker.orgs.models import Role


def test_a_groups_review_never_shows_the_commissions_unapproved_city_wide_figures(client, world, charlie):
    """demo-water-clerk could read the commission's submitted city-wide figures with include_unapproved=1."""
    from tracker.documents.services import template_create

    enter(world["city"], "2023", {"city_cases_filed": 1236}, status=Status.SUBMITTED)
    water_leader = make_user("wang", world["water"], Role.LEADER)
    template_create(
        organisation=world["water"], name="讲话", user=water_leader, text="去年全市惩治腐败领域，立案**件。"
    )
    client.force_login(charlie)
    for url in (
        reverse("review", args=["water", 2023]) + "?include_unapproved=1",
        reverse("review", args=["water", 2023]),
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        assert "立案" in response.content.decode()
        assert "1236" not in response.content.decode()
    # Approved, it is published to every group's review.
    set_status(Report.objects.filter(organisation=world["city"]), Status.APPROVED)
    assert "1236" in client.get(reverse("review", args=["water", 2023]), follow=True).content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/summary/?org=%00&year=2023", "/reports/?org=%00", "/reports/forestry/2023/?through=%00"],
)
def test_a_nul_in_a_parameter_is_a_400_not_a_500(client, bob, url):
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "NUL" in response.json()["error"]


def test_an_admin_search_with_a_nul_is_a_400(admin_client):
    assert admin_client.get("/admin/entry/report/?q=%00").status_code == 400


@pytest.mark.parametrize("attempt", ["abc", "", "1.5", "%00"])
def test_lifting_a_lockout_with_a_bad_attempt_changes_nothing(client, world, attempt):
    make_user("rita", world["forestry"], Role.REVIEWER)
    client.login(username="rita", password=PASSWORD)
    response = client.post(reverse("lockouts"), {"attempt": attempt})
    assert response.status_code in (302, 400)


def test_pages_exports_and_the_json_are_never_cached(client, world, bob):
    enter(world["organ"], "2022", {"grp_cases_filed": 3})
    client.force_login(bob)
    for url in (
        reverse("reports:summary", args=["forestry", 2022]),
        reverse("reports:summary", args=["forestry", 2022]) + "?_export=xlsx",
        reverse("reports:bulletin_docx", args=["forestry", 2022]),
        f"{reverse('api:summary')}?org=forestry&year=2022",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url


def test_seed_demo_refuses_on_a_production_server(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo")


def test_the_admin_cannot_delete_a_submitted_or_approved_report(admin_client, world):
    for status in (Status.SUBMITTED, Status.APPROVED):
        report = enter(world["organ"], "2022", {"grp_cases_filed": 3}, status=status)
        response = admin_client.post(reverse("admin:entry_report_delete", args=[report.pk]), {"post": "yes"})
        assert response.status_code == 403
        assert Report.objects.filter(pk=report.pk).exists()
        set_status(Report.objects.filter(pk=report.pk), Status.DRAFT)
    # A draft may go; its values' deletions are in the audit.
    response = admin_client.post(reverse("admin:entry_report_delete", args=[report.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Report.objects.filter(pk=report.pk).exists()


def test_the_home_page_indents_the_tree_by_depth(client, world, bob):
    make_user("lena", world["city"], Role.LEADER)
    client.login(username="lena", password=PASSWORD)
    html = client.get(reverse("home")).content.decode()
    assert '<td class="depth-0">市纪委监委</td>' in html
    assert '<td class="depth-1">派驻市林业和草原局纪检监察组</td>' in html
    assert '<td class="depth-2">局机关</td>' in html


def test_a_reports_updated_time_moves_with_its_figures_and_status(world):
    from tracker.workflow.services import report_transition

    report = enter(world["organ"], "2022", {"grp_cases_filed": 3}, status=None)
    created = Report.objects.get(pk=report.pk).updated
    enter(world["organ"], "2022", {"grp_cases_filed": 4}, status=None)
    saved = Report.objects.get(pk=report.pk).updated
    assert saved > created
    report_transition(report=report, user=make_user("alma", world["forestry"], Role.CLERK), action="submit")
    assert Report.objects.get(pk=report.pk).updated > saved


class TestErrorPages:
    def test_a_missing_page_says_so_in_chinese_in_the_sites_layout(self, client, bob):
        client.force_login(bob)
        response = client.get("/reports/no-such-org/2023/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "找不到该页面" in html and "返回首页" in html
        assert 'class="topbar' in html  # the site's layout, not Django's bare page

    def test_a_bad_parameter_is_a_400_page_in_chinese(self, client, bob):
        client.force_login(bob)
        response = client.get("/reports/forestry/2022/?include_unapproved=maybe")
        assert response.status_code == 400
        assert "请求有误" in response.content.decode()

    def test_the_api_answers_errors_in_json(self, client, bob):
        client.force_login(bob)
        response = client.get("/api/v1/summary/?org=no-such-org&year=2023")
        assert response.status_code == 404
        assert response.json()["error"]

    def test_a_server_error_page_in_chinese(self, rf):
        from django.utils import translation

        from tracker.web.errors import server_error

        with translation.override("zh-hans"):
            response = server_error(rf.get("/reports/"))
        assert response.status_code == 500
        assert "服务器出错" in response.content.decode()


class TestOwnAccount:
    def test_it_shows_the_users_organisations_and_roles(self, client, bob):
        client.force_login(bob)
        html = client.get(reverse("account")).content.decode()
        assert "派驻市林业和草原局纪检监察组" in html and "领导" in html
        assert reverse("password_change") in html

    def test_a_user_changes_their_own_password(self, client, bob):
        client.force_login(bob)
        page = client.get(reverse("password_change"))
        assert page.status_code == 200 and "修改密码" in page.content.decode()
        refused = client.post(
            reverse("password_change"),
            {"old_password": "wrong", "new_password1": "Xq7-new-secret-42", "new_password2": "Xq7-new-secret-42"},
        )
        assert refused.status_code == 200  # the form again, with the error
        done = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "Xq7-new-secret-42", "new_password2": "Xq7-new-secret-42"},
        )
        assert done.status_code == 302 and done.url == reverse("password_change_done")
        bob.refresh_from_db()
        assert bob.check_password("Xq7-new-secret-42")


def test_no_page_but_the_admin_allows_inline_styles(client, admin_client, bob):
    client.force_login(bob)
    for url in (reverse("home"), reverse("reports:summary", args=["forestry", 2022])):
        assert "unsafe-inline" not in client.get(url)["Content-Security-Policy"], url
    assert "style-src 'self' 'unsafe-inline'" in admin_client.get("/admin/entry/report/")["Content-Security-Policy"]


def test_charts_are_drawn_by_a_template_that_escapes_every_text(settings):
    from django.utils import translation

    from tracker.reports import charts

    settings.USE_THOUSAND_SEPARATOR = True
    bars = [charts.Bar(label='<script>alert("x")</script>', value=12345, caption="12345人次 · 100%")]
    with translation.override("en"):
        svg = charts.horizontal_bars(bars, title="四种形态 & <b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "四种形态 &amp; &lt;b&gt;" in svg
    assert 'width="12,345' not in svg and "," not in svg.split("<text")[0]  # geometry is never localised
    column = charts.column_chart(bars, title="x", unit="件")
    assert column.startswith("<svg") and "&lt;script&gt;" in column


def test_an_administrator_can_require_a_new_password_at_the_next_log_in(client, admin_client, world, bob):
    from tracker.orgs.models import PasswordChangeRequired

    admin_client.post(
        "/admin/auth/user/", {"action": "require_password_change", "_selected_action": [bob.pk]}, follow=True
    )
    assert PasswordChangeRequired.objects.filter(user=bob).exists()
    client.login(username="bob", password=PASSWORD)
    response = client.get(reverse("reports:summary", args=["forestry", 2022]))
    assert response.status_code == 302 and response.url == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "管理员要求您先修改密码" in page
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xq7-new-secret-42", "new_password2": "Xq7-new-secret-42"},
    )
    assert not PasswordChangeRequired.objects.filter(user=bob).exists()
    assert client.get(reverse("reports:summary", args=["forestry", 2022])).status_code == 200
