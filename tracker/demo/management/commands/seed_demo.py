from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tracker.demo.world import EARLIEST_TODAY, build_world


class Command(BaseCommand):
    help = (
        "Build the demo world as it stands today (organisations, users, figures from 2021 to the last ended "
        "period, their approvals and acceptances) and print its logins. Idempotent on the same day; the "
        "password is DEMO_PASSWORD or tracker-demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Build the demo world even with DJANGO_ENV=production (it makes a superuser with a known password).",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Build the demo as it stands on this day instead of today (2025-01-01 or later).",
        )

    def handle(self, *args, allow_production: bool = False, today: str | None = None, **options) -> None:
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                _(
                    "This is a production server (DJANGO_ENV=production): the demo world would create users with a "
                    "published password, a superuser among them. Use --allow-production only on a demonstration server."
                )
            )
        day = self._day(today)
        result = build_world(today=day)
        self.stdout.write(
            _(
                "Demo world ready: %(orgs)d organisations, %(users)d users and %(reports)d reports created, "
                "%(values)d figures written."
            )
            % {
                "orgs": result.organisations_created,
                "users": result.users_created,
                "reports": result.reports_created,
                "values": result.values_written,
            }
        )
        self.stdout.write(_("The demo stands as on %(today)s.") % {"today": result.today.isoformat()})
        for skipped in result.skipped:
            self.stdout.write(self.style.WARNING(_("Left as it is: %(report)s") % {"report": skipped}))
        self.stdout.write(self.style.SUCCESS(_("Demo logins:")))
        width = max(len(spec.username) for spec, _org in result.logins)
        for spec, org in result.logins:
            self.stdout.write(
                _("  %(username)s  password: %(password)s  %(role)s · %(organisation)s · %(name)s")
                % {
                    "username": spec.username.ljust(width),
                    "password": result.password,
                    "role": spec.role.label,
                    "organisation": org.name,
                    "name": spec.last_name + spec.first_name,
                }
            )

    @staticmethod
    def _day(text: str | None) -> datetime.date | None:
        if text is None:
            return None
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise CommandError(_("--today must be a date written YYYY-MM-DD, such as 2026-12-03.")) from None
        if day < EARLIEST_TODAY:
            raise CommandError(
                _("--today must be %(earliest)s or later: the demo needs a whole year by quarter before it.")
                % {"earliest": EARLIEST_TODAY.isoformat()}
            )
        return day
