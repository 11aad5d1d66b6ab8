from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "tracker.orgs"
    verbose_name = _("Organisations and users")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_remember_password_change, dispatch_uid="orgs-password-change-required")


MUST_CHANGE_PASSWORD = "must_change_password"


def _remember_password_change(sender, request, user, **kwargs) -> None:
    # Asked once per log-in; PasswordChangeRequiredMiddleware reads the session, not the database.
    from tracker.orgs.models import PasswordChangeRequired

    if request is not None and PasswordChangeRequired.objects.filter(user=user).exists():
        request.session[MUST_CHANGE_PASSWORD] = True
