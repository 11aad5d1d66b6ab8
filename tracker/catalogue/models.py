"""The indicator catalogue: what is counted, in which unit, and by whom."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracker.orgs.models import OrgKind


class Kind(models.TextChoices):
    COUNT = "count", _("Count")
    APPROX_OVER_N = "approx_over_n", _("Lower bound (printed “N余”)")
    DERIVED_SUM = "derived_sum", _("Derived sum")
    DERIVED_PCT = "derived_pct", _("Derived share")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum over periods")
    LATEST = "latest", _("Latest period (cumulative figure)")


class IndicatorQuerySet(models.QuerySet):
    def active(self) -> IndicatorQuerySet:
        return self.filter(active=True)

    def entered(self) -> IndicatorQuerySet:
        """Indicators people type in: counts, and the totals that may be entered when not split."""
        return self.filter(models.Q(kind__in=[Kind.COUNT, Kind.APPROX_OVER_N]) | models.Q(may_be_entered=True))

    def reported_by(self, kind: str) -> IndicatorQuerySet:
        return self.active().entered().filter(reported_by=kind)


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    unit = models.CharField(_("unit word"), max_length=10, blank=True)
    section = models.CharField(_("section"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNT)
    aggregation = models.CharField(
        _("aggregation across periods"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    reported_by = models.CharField(
        _("reported by"),
        max_length=20,
        choices=OrgKind.choices,
        help_text=_("The kind of organisation that enters this figure."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # A derived total that may also be typed in when its parts are not known separately
    # (the catalogue's "or enter directly if not split"): the parts' sum wins when they are.
    may_be_entered = models.BooleanField(_("may be entered when not split"), default=False)
    definition = models.TextField(_("definition"), blank=True)
    # The definition as last loaded from seeds/indicators.csv. When `definition`
    # differs from it an administrator has edited it, and the loader keeps the edit.
    seed_definition = models.TextField(editable=False, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def unit_word(self) -> str:
        """The measure word without the "余" prefix, which belongs to the figure."""
        return self.unit.removeprefix("余")

    @property
    def is_derived(self) -> bool:
        return self.kind in (Kind.DERIVED_SUM, Kind.DERIVED_PCT)

    @property
    def is_entered(self) -> bool:
        """Whether people type this figure in (always for counts; for some totals, optionally)."""
        return not self.is_derived or self.may_be_entered

    @property
    def is_approximate(self) -> bool:
        return self.kind == Kind.APPROX_OVER_N


# English labels for the catalogue's sections (the CSV's `group` column).
SECTION_EN = {
    "信访举报": "Petitions and reports",
    "问题线索": "Problem clues",
    "审查调查": "Cases and sanctions",
    "四种形态": "The four forms",
    "八项规定/四风": "Eight-point rules / four winds",
    "四风细分": "Four winds by type",
    "日常监督": "Daily supervision",
    "基层监督": "Grassroots supervision",
    "专题调研": "Thematic research",
    "全市数据": "City-wide figures",
}


def section_label(section: str) -> str:
    if (get_language() or "").startswith("en"):
        return SECTION_EN.get(section, section)
    return section
