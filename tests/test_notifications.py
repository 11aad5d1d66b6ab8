"""Reminders (催报) and workflow notifications (issue 12, point 3)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import enter, make_user
from tracker.orgs.models import Role
from tracker.workflow.models import Notification


def sent() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_send_reminders_twice_sends_once_and_only_to_the_organisations_clerks(world, alice, charlie, mailoutbox):
    alice.email = "alice@example.org"
    alice.save()
    assert not sent().startswith("0 ")
    first = Notification.objects.filter(user=alice).count()
    assert first > 0
    assert sent().startswith("0 ")
    assert Notification.objects.filter(user=alice).count() == first
    # charlie (water) is reminded of water's reports only.
    for note in Notification.objects.filter(user=charlie):
        assert "水务" in note.text or "water" in note.url


def test_a_return_tells_the_clerk_and_nobody_outside(client, world, alice, charlie, reviewer, indicators):
    year = timezone.localdate().year - 1
    enter(world["organ"], str(year), {"grp_cases_filed": 2, "grp_clues_accepted": 5}, status=None)
    client.force_login(alice)
    client.post(f"/entry/forestry-organ/{year}/submit/")
    assert Notification.objects.filter(user=reviewer).count() == 1  # submitted: the reviewer is told
    client.force_login(reviewer)
    client.post(f"/entry/forestry-organ/{year}/return/", {"reason": "请核对立案数"})
    [note] = Notification.objects.filter(user=alice)
    assert "请核对立案数" in note.text and note.url == f"/entry/forestry-organ/{year}/"
    assert not Notification.objects.filter(user=charlie).exists()


def test_a_reviewer_reminds_a_unit_and_the_clerk_reads_it(client, world, alice, reviewer, charlie):
    year = timezone.localdate().year - 1
    client.force_login(reviewer)
    response = client.post("/notifications/remind/", {"report": [f"forestry-park:{year}"], "next": "/"})
    assert response.status_code == 302
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert 'class="badge"' in home
    page = client.get("/notifications/").content.decode()
    assert "森林公园" in page
    assert not Notification.objects.filter(user=alice, read=False).exists()
    # Another group's clerk may not remind forestry's units.
    client.force_login(charlie)
    assert client.post("/notifications/remind/", {"report": [f"forestry-park:{year}"]}).status_code == 403


@pytest.mark.browser
def test_a_reviewer_reminds_the_clerk_submits_and_the_workbench_updates(page, live_server, world, alice, indicators):
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD

    make_user("rose", world["forestry"], Role.REVIEWER)
    year = timezone.localdate().year - 1
    enter(world["park"], str(year), {"grp_cases_filed": 1, "grp_clues_accepted": 2}, status=None)

    def log_in(username: str) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("section.login button[type=submit]").click()
        expect(page).to_have_url(f"{live_server.url}/")

    # The reviewer sees the park overdue and reminds its clerk.
    log_in("rose")
    remind = page.locator("#remind")
    expect(remind).to_contain_text("森林公园")
    remind.locator("input[type=checkbox]").evaluate_all(
        "boxes => boxes.forEach(b => { b.checked = b.value.startsWith('forestry-park:'); })"
    )
    remind.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("1")

    # The clerk sees it, follows it and submits.
    log_in("alice")
    expect(page.locator(".notifications-link .badge")).to_be_visible()
    page.locator(".notifications-link").click()
    page.locator(".notifications a", has_text="森林公园").click()
    expect(page).to_have_url(f"{live_server.url}/entry/forestry-park/{year}/")
    page.locator("form.transition button[value=submit]").click()
    expect(page.locator(".status")).to_contain_text("已提交")

    # The reviewer's workbench now lists it as waiting for review.
    log_in("rose")
    expect(page.locator("#to-review")).to_contain_text("森林公园")
