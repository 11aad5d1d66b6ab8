from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tracker.demo.world import build_world


class Command(BaseCommand):
    help = (
        "Build the demo world (organisations, users, figures for 2021-2023) and print its logins. "
        "Idempotent; the password is DEMO_PASSWORD or tracker-demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Build the demo world even with DJANGO_ENV=production (it makes a superuser with a known password).",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                _(
                    "This is a production server (DJANGO_ENV=production): the demo world would create users with a "
                    "published password, a superuser among them. Use --allow-production only on a demonstration server."
                )
            )
        result = build_world()
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
