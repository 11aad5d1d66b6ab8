from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LoginForm(AuthenticationForm):
    """Django's log-in form, refusing a user name no account can have before anything is looked up.

    Django sets the field's max_length after the field is made, so it is never checked: a 300-character
    name went on to django-axes, whose record of the failure holds 255 (a 500 on PostgreSQL).
    """

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        longest = self.fields["username"].max_length
        if len(username) > longest:
            raise ValidationError(
                _("A user name has at most %(max)d characters; this one has %(length)d."),
                code="username_too_long",
                params={"max": longest, "length": len(username)},
            )
        return super().clean()


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's log-in page, with the same check (django-axes guards it too)."""
