import pytest
from django.urls import reverse

from tests.conftest import set_status
from tracker.entry.models import Report, Status, Value
from tracker.entry.periods import Period
from tracker.entry.services import Entry, values_save_for_period
from tracker.workflow.models import ReportTransition


@pytest.fixture
def report(world, indicators):
    report, _ = values_save_for_period(
        organisation=world["organ"],
        period=Period.parse("2022"),
        entries={indicators["grp_cases_filed"]: Entry(2), indicators["grp_clues_accepted"]: Entry(5)},
    )
    return report


def act(client, user, action, reason="", org="forestry-organ", period="2022"):
    client.force_login(user)
    return client.post(reverse("entry:transition", args=[org, period, action]), {"reason": reason}, follow=True)


def status(report):
    report.refresh_from_db()
    return report.status


class TestTransitions:
    def test_the_whole_round_trip(self, client, report, alice, reviewer):
        act(client, alice, "submit")
        assert status(report) == Status.SUBMITTED
        act(client, reviewer, "return", reason="立案数请核对")
        assert status(report) == Status.RETURNED
        act(client, alice, "submit")
        assert status(report) == Status.SUBMITTED
        act(client, reviewer, "approve")
        assert status(report) == Status.APPROVED
        act(client, reviewer, "unlock", reason="发现录入错误")
        assert status(report) == Status.DRAFT
        log = list(
            ReportTransition.objects.values_list("action", "from_status", "to_status", "user__username", "reason")
        )
        assert log == [
            ("submit", "draft", "submitted", "alice", ""),
            ("return", "submitted", "returned", "rose", "立案数请核对"),
            ("submit", "returned", "submitted", "alice", ""),
            ("approve", "submitted", "approved", "rose", ""),
            ("unlock", "approved", "draft", "rose", "发现录入错误"),
        ]

    def test_transitions_are_shown_on_the_report(self, client, report, alice, reviewer):
        act(client, alice, "submit")
        act(client, reviewer, "return", reason="请补充备注")
        html = client.get(reverse("entry:report", args=["forestry-organ", "2022"])).content.decode()
        assert "请补充备注" in html
        assert "已提交 → 已退回" in html

    @pytest.mark.parametrize("action", ["return", "approve", "unlock"])
    def test_a_clerk_may_only_submit(self, client, report, alice, action):
        set_status(Report.objects.filter(pk=report.pk), Status.APPROVED if action == "unlock" else Status.SUBMITTED)
        before = status(report)
        assert act(client, alice, action, reason="x").status_code == 403
        assert status(report) == before

    @pytest.mark.parametrize("action", ["submit", "return", "approve", "unlock"])
    def test_a_leader_may_do_nothing(self, client, report, bob, action):
        assert act(client, bob, action, reason="x").status_code == 403
        assert status(report) == Status.DRAFT

    def test_another_groups_user_gets_404(self, client, report, charlie):
        assert act(client, charlie, "submit").status_code == 404
        assert status(report) == Status.DRAFT

    @pytest.mark.parametrize("action", ["return", "unlock"])
    def test_a_reason_is_required(self, client, report, reviewer, action):
        set_status(Report.objects.filter(pk=report.pk), Status.APPROVED if action == "unlock" else Status.SUBMITTED)
        before = status(report)
        response = act(client, reviewer, action, reason="  ")
        assert "请填写理由" in response.content.decode()
        assert status(report) == before

    def test_a_wrong_status_is_refused(self, client, report, reviewer):
        response = act(client, reviewer, "approve")
        assert "不能这样变更" in response.content.decode()
        assert status(report) == Status.DRAFT

    def test_approved_figures_are_locked(self, client, report, alice, reviewer):
        act(client, alice, "submit")
        act(client, reviewer, "approve")
        client.force_login(alice)
        url = reverse("entry:report", args=["forestry-organ", "2022"])
        page = client.get(url)
        assert page.context["editable"] is False
        response = client.post(url, {"v_grp_cases_filed": "9", "revision": page.context["report"].revision})
        assert "不能修改" in response.content.decode()
        assert Value.objects.get(indicator__code="grp_cases_filed").value == 2

    def test_a_submitted_report_cannot_be_edited_by_the_clerk(self, client, report, alice):
        act(client, alice, "submit")
        client.force_login(alice)
        assert client.get(reverse("entry:report", args=["forestry-organ", "2022"])).context["editable"] is False


class TestSubmissionChecks:
    def test_an_error_blocks_submission(self, client, world, indicators, alice):
        values_save_for_period(
            organisation=world["organ"],
            period=Period.parse("2022"),
            entries={
                indicators["grp_sanctioned_persons"]: Entry(3),
                indicators["grp_sanctioned_party"]: Entry(5),
                indicators["grp_sanctioned_admin"]: Entry(1),
            },
        )
        response = act(client, alice, "submit")
        assert "“其中：党纪处分”不能超过“处分（党纪、政务）”" in response.content.decode()
        assert Report.objects.get().status == Status.DRAFT

    def test_a_warning_needs_a_note(self, client, world, indicators, alice):
        def save(note):
            values_save_for_period(
                organisation=world["organ"],
                period=Period.parse("2022"),
                entries={indicators["grp_cases_filed"]: Entry(6, note), indicators["grp_clues_accepted"]: Entry(4)},
            )

        save("")
        response = act(client, alice, "submit")
        assert "请在备注中说明" in response.content.decode()
        assert Report.objects.get().status == Status.DRAFT
        save("含2021年受理线索2件")
        act(client, alice, "submit")
        assert Report.objects.get().status == Status.SUBMITTED
