"""`manage.py accept_periods --through 2025 --user NAME`: record the commission's acceptance of past periods.

The commission's pages count only what it has accepted from the groups. Figures of the years before
the app kept acceptance were accepted outside it: this records, for every group and each of its
periods up to the year given, whose reports are all approved, the commission's acceptance in the
name of the user given (a reviewer of the commission), with the reason given. A period not ready
(a report not approved) is listed and left alone; running it again records nothing new.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tracker.entry.models import Report
from tracker.entry.periods import Period
from tracker.orgs.models import Organisation, OrgKind
from tracker.workflow.acceptance import accept_on_record, group_period


class Command(BaseCommand):
    help = (
        "Record the commission's acceptance of every group's periods up to --through whose reports are all "
        "approved (figures accepted before the app kept acceptance), in --user's name."
    )

    def add_arguments(self, parser):
        parser.add_argument("--through", type=int, required=True, help="The last year to accept (e.g. 2025).")
        parser.add_argument("--user", required=True, help="Whose acceptance it records (a commission reviewer).")
        parser.add_argument("--reason", default="应用启用前已接收的数据", help="The reason recorded with each step.")
        parser.add_argument("--dry-run", action="store_true", help="List what would be accepted; record nothing.")

    def handle(self, *args, through: int, user: str, reason: str, dry_run: bool, **options):
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No such user: {user}")
        accepted = 0
        for group in Organisation.objects.filter(kind=OrgKind.GROUP).order_by("path"):
            years = Report.objects.filter(organisation=group, year__lte=through).values_list("year", "period_type")
            for year, period_type in sorted(set(years)):
                for period in Period.all_in_year(year, period_type):
                    state = group_period(group, period)
                    if state.status is not None:
                        continue  # reported, accepted or returned: the commission has its say already
                    if not state.ready:
                        names = "、".join(s.organisation.name for s in state.not_approved)
                        self.stdout.write(f"{group.name} {period.label}: not ready ({names})")
                        continue
                    if dry_run or accept_on_record(group, period, person, reason):
                        accepted += 1
                        self.stdout.write(f"{group.name} {period.label}: accepted")
        done = "would be accepted" if dry_run else "accepted"
        self.stdout.write(f"{accepted} period(s) {done}.")
