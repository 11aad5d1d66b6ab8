from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.catalogue.models import Indicator
from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, PeriodType
from tracker.entry.services import parse_figure


class FigureField(forms.CharField):
    """A text box that cleans to int or None with parse_figure's Chinese messages."""

    def to_python(self, value):
        return parse_figure(super().to_python(value))

    def validate(self, value):
        # parse_figure already refused everything invalid; None is "not known yet".
        pass


class ReportValuesForm(forms.Form):
    """One page of figures: a value and a note per indicator the organisation reports."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
            # The figure as the page showed it, to name what another person changed meanwhile.
            self.fields[f"o_{ind.code}"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def rows(self):
        for ind in self.indicators:
            yield ind, self[f"v_{ind.code}"], self[f"n_{ind.code}"], self[f"o_{ind.code}"]

    def opened_values(self) -> dict[str, int | None]:
        opened = {}
        for ind in self.indicators:
            raw = self.data.get(f"o_{ind.code}", "")
            opened[ind.code] = int(raw) if raw.isdigit() else None
        return opened


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
