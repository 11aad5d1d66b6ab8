"""The forms of the pages: a document template's source, and the log-in pages."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.documents.models import Kind
from tracker.orgs.models import Organisation


class SourceForm(forms.Form):
    """A .docx file, or pasted text: last year's document with its figures as ** or numbers."""

    file = forms.FileField(label=_("Word file (.docx)"), required=False)
    text = forms.CharField(label=_("Or paste the text"), required=False, widget=forms.Textarea(attrs={"rows": 12}))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool((cleaned.get("text") or "").strip()):
            raise forms.ValidationError(_("Upload a .docx file or paste the text (one of the two)."))
        return cleaned


class TemplateForm(SourceForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 2023年度全面从严治党工作会议讲话"))
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.SPEECH)

    field_order = ["name", "organisation", "kind", "file", "text"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda org: org.name


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
                gettext("A user name has at most %(max)d characters; this one has %(length)d."),
                code="username_too_long",
                params={"max": longest, "length": len(username)},
            )
        return super().clean()


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's log-in page, with the same check (django-axes guards it too)."""
