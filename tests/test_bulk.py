"""Bulk review and submission (issue 21, point 1): several reports through the one transition at once.

rose reviews the forestry group; alice is its clerk. Each report still passes through the workflow's one
step (permission, row lock, status and revision, audit row, notification); the approved totals are rebuilt
once per organisation-year, at the end of the one transaction, and a refused report leaves the others done.
"""

from __future__ import annotations

from unittest import mock

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import enter, make_user
from tracker.aggregation.models import ApprovedTotal
from tracker.aggregation.totals import approved_totals_refresh, approved_totals_refresh_all
from tracker.entry.models import Report, Status
from tracker.orgs.models import Membership, Role
from tracker.workflow import bulk
from tracker.workflow.models import Notification, ReportTransition

BULK = "/entry/bulk/"


def ticked(*reports) -> list[str]:
    return [f"{r.pk}:{r.revision}" for r in reports]


def messages_of(response) -> list[str]:
    tree = lxml.html.fromstring(response.content.decode())
    return [li.text_content().strip() for li in tree.xpath("//ul[contains(@class, 'messages')]/li")]


def totals_rows() -> set[tuple]:
    return set(
        ApprovedTotal.objects.values_list(
            "organisation_id", "year", "indicator_id", "end_month", "total", "known", "latest", "accepted"
        )
    )


@pytest.fixture
def submitted(world, indicators):
    """Three submitted quarters of the forestry organ and one of the park, all of 2023."""
    return {
        "organ_q1": enter(
            world["organ"], "2023Q1", {"grp_cases_filed": 1, "grp_clues_accepted": 2}, status="submitted"
        ),
        "organ_q2": enter(
            world["organ"], "2023Q2", {"grp_cases_filed": 2, "grp_clues_accepted": 2}, status="submitted"
        ),
        "organ_q3": enter(
            world["organ"], "2023Q3", {"grp_cases_filed": 3, "grp_clues_accepted": 4}, status="submitted"
        ),
        "park_q1": enter(world["park"], "2023Q1", {"grp_cases_filed": 4, "grp_clues_accepted": 5}, status="submitted"),
    }


def statuses() -> dict[tuple[str, str], str]:
    return {(r.organisation.code, str(r.period)): r.status for r in Report.objects.select_related("organisation")}


class TestBulkApprove:
    def test_it_approves_each_with_its_audit_row_and_notification(self, client, submitted, alice, reviewer):
        client.force_login(reviewer)
        response = client.post(
            BULK, {"action": "approve", "report": ticked(*submitted.values()), "next": "/"}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/"
        assert set(statuses().values()) == {Status.APPROVED}
        steps = ReportTransition.objects.filter(action="approve", user=reviewer)
        assert sorted(steps.values_list("report_id", flat=True)) == sorted(r.pk for r in submitted.values())
        assert all(step.from_status == Status.SUBMITTED and step.to_status == Status.APPROVED for step in steps)
        # The clerk is told of each, as by a single approval.
        assert Notification.objects.filter(user=alice, text__contains="审核通过").count() == 4
        (message,) = messages_of(response)
        assert message.startswith("已审核通过 4 份报表")
        assert "局机关 · 2023年第1季度" in message and "森林公园 · 2023年第1季度" in message
        # The stored totals count them, exactly as a rebuild from nothing would.
        after = totals_rows()
        assert after
        approved_totals_refresh_all()
        assert totals_rows() == after

    def test_the_totals_are_rebuilt_once_per_organisation_year(self, world, submitted, reviewer):
        reports = [(r, r.revision) for r in submitted.values()]
        with (
            mock.patch.object(bulk, "approved_totals_refresh", wraps=approved_totals_refresh) as refresh,
            CaptureQueriesContext(connection) as queries,
        ):
            outcome = bulk.reports_transition(reports=reports, user=reviewer, action="approve")
        assert len(outcome.done) == 4 and not outcome.refused
        # One call for the whole list, with each organisation-year once: organ 2023 (three quarters), park 2023.
        refresh.assert_called_once()
        assert set(refresh.call_args.args[0]) == {(world["organ"].pk, 2023), (world["park"].pk, 2023)}
        # …and through the real service: its one DELETE of the stored totals, not one per report.
        table = ApprovedTotal._meta.db_table
        deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE") and table in q["sql"]]
        assert len(deletes) == 1
        assert ApprovedTotal.objects.filter(organisation=world["organ"], year=2023).exists()


class TestRefusals:
    def test_a_refused_report_leaves_the_others_done(self, client, world, submitted, reviewer, indicators):
        # A reviewer of the group who is only a clerk of the park: there her nearest membership says clerk.
        both = make_user("clerk-and-reviewer", world["forestry"], Role.REVIEWER)
        Membership.objects.create(user=both, organisation=world["park"], role=Role.CLERK)
        already = submitted["organ_q3"]
        Report.objects.filter(pk=already.pk).update(status=Status.RETURNED)  # returned meanwhile by someone else
        stale = submitted["organ_q2"]
        client.force_login(both)
        response = client.post(
            BULK,
            {
                "action": "approve",
                "report": [
                    *ticked(submitted["organ_q1"], submitted["park_q1"], already),
                    f"{stale.pk}:{stale.revision + 1}",  # the page showed another revision
                ],
                "next": reverse("home"),
            },
            follow=True,
        )
        assert statuses() == {
            ("forestry-organ", "2023Q1"): Status.APPROVED,
            ("forestry-organ", "2023Q2"): Status.SUBMITTED,
            ("forestry-organ", "2023Q3"): Status.RETURNED,
            ("forestry-park", "2023Q1"): Status.SUBMITTED,
        }
        assert ReportTransition.objects.filter(action="approve").count() == 1
        listed = messages_of(response)
        assert listed[0].startswith("已审核通过 1 份报表") and "局机关 · 2023年第1季度" in listed[0]
        refused = {line.split("：")[0]: line for line in listed[1:]}
        assert len(refused) == 3
        assert "无权执行此操作" in refused["未完成（审核通过）— 森林公园 · 2023年第1季度"]
        assert "已退回" in refused["未完成（审核通过）— 局机关 · 2023年第3季度"]
        assert "打开页面后" in refused["未完成（审核通过）— 局机关 · 2023年第2季度"]
        # The approved one is in the stored totals, the others not.
        assert set(ApprovedTotal.objects.values_list("organisation_id", flat=True)) == {world["organ"].pk}

    def test_another_groups_report_is_not_found_and_a_leader_may_not_post(
        self, client, world, submitted, reviewer, bob
    ):
        elsewhere = enter(world["water_unit"], "2023Q1", {"grp_cases_filed": 1}, status="submitted")
        client.force_login(reviewer)
        response = client.post(
            BULK, {"action": "approve", "report": ticked(elsewhere, submitted["park_q1"])}, follow=True
        )
        assert Report.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED
        assert Report.objects.get(pk=submitted["park_q1"].pk).status == Status.APPROVED
        assert any("1 份所选报表" in line for line in messages_of(response))
        client.force_login(bob)
        assert client.post(BULK, {"action": "approve", "report": ticked(submitted["organ_q1"])}).status_code == 403
        assert client.post(BULK, {"action": "unlock", "report": ticked(submitted["organ_q1"])}).status_code == 403
        assert Report.objects.get(pk=submitted["organ_q1"].pk).status == Status.SUBMITTED

    def test_a_get_is_refused(self, client, reviewer):
        client.force_login(reviewer)
        assert client.get(BULK).status_code == 405


class TestBulkReturn:
    def test_the_reason_is_required_and_nothing_is_done_without_it(self, client, submitted, reviewer):
        client.force_login(reviewer)
        response = client.post(
            BULK, {"action": "return", "reason": "  ", "report": ticked(*submitted.values())}, follow=True
        )
        assert set(statuses().values()) == {Status.SUBMITTED}
        assert not ReportTransition.objects.exists()
        assert messages_of(response) == ["未作任何处理：请填写理由。"]

    def test_the_reason_is_recorded_on_each_and_told_to_the_clerk(self, client, submitted, alice, reviewer):
        client.force_login(reviewer)
        client.post(
            BULK,
            {
                "action": "return",
                "reason": "立案数与台账不符",
                "report": ticked(submitted["organ_q1"], submitted["park_q1"]),
            },
        )
        steps = ReportTransition.objects.filter(action="return")
        assert sorted(steps.values_list("report_id", "reason", "user_id")) == sorted(
            (r.pk, "立案数与台账不符", reviewer.pk) for r in (submitted["organ_q1"], submitted["park_q1"])
        )
        assert statuses()[("forestry-park", "2023Q1")] == Status.RETURNED
        assert statuses()[("forestry-organ", "2023Q2")] == Status.SUBMITTED
        assert Notification.objects.filter(user=alice, text__contains="立案数与台账不符").count() == 2

    def test_in_closed_periods_the_reviewer_is_told_to_reopen_them(self, client, submitted, reviewer, settings):
        """2023's quarters are long closed once the tests' far-off closing is set back: each returned report's
        clerks could not correct it, so the page names them all for reopening (their notices say it too)."""
        settings.PERIOD_CLOSES_AFTER_DAYS = 30
        client.force_login(reviewer)
        response = client.post(
            BULK,
            {"action": "return", "reason": "再核", "report": ticked(submitted["organ_q1"], submitted["park_q1"])},
            follow=True,
        )
        assert messages_of(response)[1] == (
            "以下期间已截止录入，请在各报表页为相应单位重新开放，否则录入员无法修改："
            "局机关 · 2023年第1季度、森林公园 · 2023年第1季度。"
        )
        assert all("重新开放" in note.text for note in Notification.objects.filter(text__contains="再核"))


class TestWhereTheListsAre:
    def test_the_start_pages_review_list_ticks_each_waiting_report(self, client, submitted, reviewer, alice):
        client.force_login(reviewer)
        tree = lxml.html.fromstring(client.get("/").content.decode())
        (form,) = tree.xpath("//section[@id='to-review']//form[@id='bulk-review']")
        assert form.get("action") == BULK and form.get("method") == "post"
        assert form.xpath(".//input[@name='csrfmiddlewaretoken']")
        assert sorted(i.get("value") for i in form.xpath(".//input[@name='report']")) == sorted(
            ticked(*submitted.values())
        )
        assert {b.get("value") for b in form.xpath(".//button[@name='action']")} == {"approve", "return"}
        client.force_login(alice)
        assert not lxml.html.fromstring(client.get("/").content.decode()).xpath("//form[@id='bulk-review']")

    def test_the_completeness_page_ticks_the_submitted_reports_of_a_reviewer(self, client, submitted, reviewer, alice):
        url = reverse("completeness", args=["forestry", 2023])
        client.force_login(reviewer)
        tree = lxml.html.fromstring(client.get(url).content.decode())
        (form,) = tree.xpath("//form[@id='bulk-review']")
        assert sorted(i.get("value") for i in form.xpath(".//input[@name='report']")) == sorted(
            ticked(*submitted.values())
        )
        response = client.post(
            BULK,
            {
                "action": "approve",
                "report": ticked(submitted["park_q1"]),
                "next": form.xpath(".//*[@name='next']")[0].get("value"),
            },
        )
        assert response.status_code == 302 and response["Location"] == url
        assert statuses()[("forestry-park", "2023Q1")] == Status.APPROVED
        client.force_login(alice)
        assert not lxml.html.fromstring(client.get(url).content.decode()).xpath("//form[@id='bulk-review']")

    def test_a_next_elsewhere_goes_home(self, client, submitted, reviewer):
        client.force_login(reviewer)
        response = client.post(
            BULK, {"action": "approve", "report": ticked(submitted["park_q1"]), "next": "//evil.example/"}
        )
        assert response["Location"] == "/"
