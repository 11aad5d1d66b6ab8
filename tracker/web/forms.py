"""The forms of the pages: a report's figures and the entry chooser, a document template's source, the log-in pages."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.catalogue.models import Indicator
from tracker.documents.models import Kind
from tracker.entry.forms import FigureField
from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, PeriodType
from tracker.entry.services import Entry
from tracker.inputs import parse_whole
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


class ReportValuesForm(forms.Form):
    """One page of figures: a value and a note per indicator the organisation reports."""

    # Written by the page in ASCII digits; Django's IntegerField would also read "𝟏" as 1.
    revision = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for ind in indicators:
            self.fields[f"v_{ind.code}"] = FigureField(
                label=ind.name,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "figure", "autocomplete": "off"}),
            )
            self.fields[f"n_{ind.code}"] = forms.CharField(
                label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "note"})
            )
            # The figure and note as the page showed them, to tell what another person changed meanwhile.
            self.fields[f"o_{ind.code}"] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.fields[f"q_{ind.code}"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_revision(self) -> int | None:
        return parse_whole(self.cleaned_data["revision"])

    def clean(self):
        cleaned = super().clean()
        # The revision the page was opened at is what protects against lost updates: a save
        # without one (an old page, a hand-made request) is refused rather than let through.
        if cleaned.get("revision") is None or not self._opened_figures_are_whole():
            raise forms.ValidationError(_("This page is out of date: reload it and enter the figures again."))
        return cleaned

    def _opened_figures_are_whole(self) -> bool:
        # The page writes each figure as it showed it: empty or digits. Anything else ("²", 5,000
        # nines) did not come from the page and is refused rather than read as "was empty".
        return all(
            raw == "" or parse_whole(raw) is not None
            for raw in (str(self.data.get(f"o_{ind.code}", "")).strip() for ind in self.indicators)
        )

    def rows(self):
        for ind in self.indicators:
            hidden = self[f"o_{ind.code}"].as_widget() + self[f"q_{ind.code}"].as_widget()
            yield ind, self[f"v_{ind.code}"], self[f"n_{ind.code}"], hidden

    def opened_entries(self) -> dict[str, Entry]:
        opened = {}
        for ind in self.indicators:
            raw = self.data.get(f"o_{ind.code}", "")
            opened[ind.code] = Entry(parse_whole(raw), str(self.data.get(f"q_{ind.code}", "")))
        return opened

    @staticmethod
    def opened_initial(code: str, entry: Entry | None) -> dict[str, object]:
        """The hidden fields recording what the page shows for one figure."""
        value = entry.value if entry else None
        return {f"o_{code}": "" if value is None else value, f"q_{code}": entry.note if entry else ""}


class PeriodChoiceForm(forms.Form):
    """The entry page's chooser: organisation, year and period."""

    org = forms.ChoiceField(label=_("Organisation"))
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.code, ("　" * (o.path.count("/") - 1)) + o.name) for o in orgs]
        choices = [("year", PeriodType.YEAR.label)]
        choices += [(f"Q{n}", _("Quarter %(n)d") % {"n": n}) for n in range(1, 5)]
        choices += [(f"M{n:02d}", _("Month %(n)d") % {"n": n}) for n in range(1, 13)]
        self.fields["period"].choices = choices

    def period_value(self) -> Period:
        year, choice = self.cleaned_data["year"], self.cleaned_data["period"]
        text = str(year) if choice == "year" else (f"{year}{choice}" if choice[0] == "Q" else f"{year}-{choice[1:]}")
        try:
            return Period.parse(text)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
