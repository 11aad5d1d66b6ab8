"""A figure typed into a form: the admin's and the entry page's (tracker.web.forms)."""

from __future__ import annotations

from django import forms

from tracker.entry.services import parse_figure


class FigureField(forms.CharField):
    """A text box that cleans to int or None with parse_figure's Chinese messages."""

    def to_python(self, value):
        return parse_figure(super().to_python(value))

    def validate(self, value):
        # parse_figure already refused everything invalid; None is "not known yet".
        pass
