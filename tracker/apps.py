"""App configurations the project sets for third-party apps."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes, named for the admin in the user's language (its own name is "Axes")."""

    verbose_name = _("Login protection")
