"""`manage.py send_reminders`: remind clerks of reports due soon or overdue (run daily; idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.workflow.notifications import due_reminders


class Command(BaseCommand):
    help = (
        "Remind the clerks of every report not yet submitted that is due in --before days, or overdue by --after "
        "days or more. Each report is reminded at most once a day, so running it twice sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", type=int, default=3, help="Days before the due date (default 3).")
        parser.add_argument(
            "--after", type=int, default=1, help="Days after the due date, and every day on (default 1)."
        )

    def handle(self, *args, before: int, after: int, **options):
        sent = due_reminders(timezone.localdate(), before, after)
        self.stdout.write(f"{sent} reminder(s) sent.")
