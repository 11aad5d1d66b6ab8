"""Filters of the report tables (the per-unit breakdown and the trend)."""

from __future__ import annotations

from collections.abc import Iterable

import django_filters
from django.utils.translation import gettext_lazy as _

from tracker.catalogue.models import Indicator, section_label


class SectionFilter(django_filters.FilterSet):
    """Show one section of the catalogue; the choices are the sections the page has rows in."""

    section = django_filters.ChoiceFilter(label=_("Section"), empty_label=_("All sections"))

    class Meta:
        model = Indicator
        fields = ["section"]

    def __init__(self, data=None, queryset=None, *, sections: Iterable[str] = (), **kwargs):
        super().__init__(data, queryset if queryset is not None else Indicator.objects.active(), **kwargs)
        self.filters["section"].extra["choices"] = [(section, section_label(section)) for section in sections]
