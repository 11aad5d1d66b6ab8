from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.catalogue.models import Indicator
from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, PeriodType
from tracker.entry.services import Entry, parse_figure
from tracker.inputs import parse_whole


class FigureField(forms.CharField):
    """A text box that cleans to int or None with parse_figure's Chinese messages."""

    def to_python(self, value):
        return parse_figure(super().to_python(value))

    def validate(self, value):
        # parse_figure already refused everything invalid; None is "not known yet".
        pass


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
