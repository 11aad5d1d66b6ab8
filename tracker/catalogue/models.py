"""The indicator catalogue: what is counted, in which unit, by whom, how it adds up and what it breaks into.

Everything an indicator does is a column here, loaded from seeds/indicators.csv: nothing is
guessed from a code, a name or a section. `Catalogue` answers the questions the rest of the
app asks about breakdowns (which whole a part belongs to, which count a share is of).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from django.db import connections, models
from django.utils import timezone
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


class Relation(models.TextChoices):
    """How the parts of a breakdown relate to their whole.

    Every relation but `approx` compares the parts with the whole, so they must be counted in the
    whole's measure word (the loader refuses a breakdown that mixes 件 and 件次 otherwise). `approx`
    is for parts the offices list under a whole although they are counted otherwise: 谈话函询 in 件次
    under 处置问题线索 in 件. Their sum is compared with the whole, and a difference is a warning
    naming the measure words; nothing is derived from them (no sum, no shares).
    """

    EXACT = "exact", _("Parts add up to the whole")
    WITHIN = "within", _("Each part is at most the whole")
    OVERLAP = "overlap", _("Each part is at most the whole, the whole at most their sum")
    APPROX = "approx", _("Parts add up to about the whole; measure words differ")

    @property
    def mixes_measure_words(self) -> bool:
        """Whether the parts may be counted in other measure words than the whole (only `approx`)."""
        return self == Relation.APPROX


def measure_word(unit: str) -> str:
    """The measure word of a unit column: "余个" counts in 个 (the 余 belongs to the figure, "N余")."""
    return (unit or "").removeprefix("余")


# Separates two breakdowns of one whole in the `parts` and `relation` columns
# ("a+b+c;d" with "exact;within"), and the parts of one breakdown.
BREAKDOWN_SEPARATOR = ";"
PART_SEPARATOR = "+"


@dataclass(frozen=True)
class Breakdown:
    """A whole and the parts it breaks into, e.g. the four forms of 运用“四种形态”."""

    whole: str
    relation: str
    parts: tuple[str, ...]

    @property
    def is_exact(self) -> bool:
        return self.relation == Relation.EXACT

    @property
    def is_approx(self) -> bool:
        """Parts in other measure words than the whole: their sum is only about the whole."""
        return self.relation == Relation.APPROX

    def foreign_parts(self, units: Mapping[str, str]) -> tuple[str, ...]:
        """The parts counted in another measure word than the whole (`units`: code → unit column).

        The measure-word rule is a property of a whole and its parts: only an `approx` relation
        may have any (tracker.catalogue.loader refuses the others).
        """
        word = measure_word(units.get(self.whole, ""))
        return tuple(part for part in self.parts if measure_word(units.get(part, "")) != word)


def split_parts(text: str) -> list[tuple[str, ...]]:
    """ "a+b;c" → [("a", "b"), ("c",)]."""
    return [
        tuple(code.strip() for code in group.split(PART_SEPARATOR) if code.strip())
        for group in (text or "").split(BREAKDOWN_SEPARATOR)
        if group.strip()
    ]


def split_relations(text: str) -> list[str]:
    return [rel.strip() for rel in (text or "").split(BREAKDOWN_SEPARATOR) if rel.strip()]


class IndicatorQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        # Every write moves the stamp Catalogue.active() checks, `.update()` included.
        kwargs.setdefault("updated", timezone.now())
        return super().update(**kwargs)

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
    # Breakdowns: the codes this whole breaks into ("a+b+c", several separated by ";")
    # and how each group relates to the whole ("exact", "within", "overlap", "approx"). A derived
    # sum is an exact whole computed from its parts; a derived share names its one count.
    parts = models.CharField(_("parts"), max_length=1000, blank=True)
    relation = models.CharField(_("relation of the parts"), max_length=100, blank=True)
    # A derived total that may also be typed in when its parts are not known separately.
    # In a period where it is typed, the typed total stands; else the parts' sum does.
    may_be_entered = models.BooleanField(_("may be entered when not split"), default=False)
    definition = models.TextField(_("definition (口径)"), blank=True)
    source = models.TextField(_("source"), blank=True)
    # What seeds/indicators.csv last said for the fields an administrator owns (names and
    # definition). A field that differs from its seed was edited, and a reload keeps it.
    seed = models.JSONField(default=dict, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Moved by every write (IndicatorQuerySet.update too): Catalogue.active() rebuilds when it moves.
    updated = models.DateTimeField(auto_now=True, editable=False)

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
        return measure_word(self.unit)

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

    @property
    def is_share(self) -> bool:
        return self.kind == Kind.DERIVED_PCT

    @cached_property
    def breakdowns(self) -> list[Breakdown]:
        """The breakdowns this indicator is the whole of (a share has none: it names its count)."""
        if self.is_share:
            return []
        groups, relations = split_parts(self.parts), split_relations(self.relation)
        return [
            Breakdown(self.code, relation, parts) for parts, relation in zip(groups, relations, strict=False) if parts
        ]

    @cached_property
    def sum_parts(self) -> tuple[str, ...]:
        """For a derived sum, the codes it adds up; else ()."""
        if self.kind != Kind.DERIVED_SUM:
            return ()
        exact = [b for b in self.breakdowns if b.is_exact]
        return exact[0].parts if exact else ()

    @cached_property
    def share_of(self) -> str:
        """For a derived share, the count it is the share of; else ""."""
        if not self.is_share:
            return ""
        groups = split_parts(self.parts)
        return groups[0][0] if groups and groups[0] else ""

    # The fields seeds/indicators.csv owns: read-only in the admin, replaced by every reload.
    CATALOGUE_FIELDS = (
        "code",
        "unit",
        "section",
        "kind",
        "reported_by",
        "aggregation",
        "parts",
        "relation",
        "may_be_entered",
        "order",
        "source",
    )
    # The fields an administrator owns: seeded once, then kept through every reload.
    ADMIN_FIELDS = ("name_zh", "name_en", "definition")


class Catalogue:
    """The active indicators with their breakdowns, read once and asked many times.

    Used by the aggregation, the rules, the entry page and every report: it is how code finds
    "the four forms" or "the shares of clue disposal" without naming an indicator.
    """

    def __init__(self, indicators: Iterable[Indicator]):
        self.indicators = list(indicators)
        self.by_code = {ind.code: ind for ind in self.indicators}
        self.breakdowns: list[Breakdown] = [b for ind in self.indicators for b in ind.breakdowns]
        # part code → the exact breakdown it belongs to (a part belongs to at most one).
        self.exact_of: dict[str, Breakdown] = {}
        for breakdown in self.breakdowns:
            if breakdown.is_exact:
                for part in breakdown.parts:
                    self.exact_of.setdefault(part, breakdown)
        # part code → the wholes it is listed under, for indenting sub-items.
        self.wholes_of: dict[str, list[str]] = {}
        for breakdown in self.breakdowns:
            for part in breakdown.parts:
                self.wholes_of.setdefault(part, []).append(breakdown.whole)
        # count code → the derived share indicator of it, if the catalogue has one.
        self.share_indicator_of: dict[str, Indicator] = {
            ind.share_of: ind for ind in self.indicators if ind.is_share and ind.share_of
        }
        self.shares: list[Indicator] = [ind for ind in self.indicators if ind.is_share]
        self._names: dict[str, dict[str, str]] = {}

    def names(self) -> dict[str, str]:
        """Every indicator's name in the active language, by code (made once per language)."""
        language = get_language() or ""
        if language not in self._names:
            self._names[language] = {ind.code: ind.name for ind in self.indicators}
        return self._names[language]

    @classmethod
    def active(cls) -> Catalogue:
        """The active catalogue, built once per process and rebuilt when any indicator changed.

        A page reads the catalogue on every request; building it (84 indicators, their
        breakdowns) cost more than the figures on a small organisation's page. One cheap query
        (the number of indicators and their latest change) says whether the built one still holds.
        """
        return cls._built("active")

    @classmethod
    def complete(cls) -> Catalogue:
        """Every indicator, switched off or not (how stored derived sums are formed); cached alike."""
        return cls._built("complete")

    @classmethod
    def _built(cls, which: str) -> Catalogue:
        connection = connections[Indicator.objects.db]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), MAX({updated}) FROM {table}".format(  # noqa: S608 - names from the model
                    updated=connection.ops.quote_name("updated"),
                    table=connection.ops.quote_name(Indicator._meta.db_table),
                )
            )
            stamp = (connection.alias, *cursor.fetchone())
        cached = _cached.get(which)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        indicators = Indicator.objects.active() if which == "active" else Indicator.objects.all()
        catalogue = cls(indicators.defer("seed"))
        _cached[which] = (stamp, catalogue)
        return catalogue

    def search(self, words: str) -> list[Indicator]:
        """The indicators whose names (either language), measure word, section or 口径 hold every word.

        Words are separated by spaces; case is ignored. No words: every indicator, in catalogue order.
        """
        needles = [word.casefold() for word in (words or "").split()]
        found = []
        for indicator in self.indicators:
            haystack = " ".join(
                (
                    indicator.name_zh,
                    indicator.name_en,
                    indicator.unit,
                    indicator.section,
                    SECTION_EN.get(indicator.section, ""),
                    indicator.definition,
                )
            ).casefold()
            if all(needle in haystack for needle in needles):
                found.append(indicator)
        return found

    def share_breakdown(self, share: Indicator) -> Breakdown | None:
        """The exact breakdown a derived share is computed over."""
        return self.exact_of.get(share.share_of)

    def is_sub_item(self, indicator: Indicator) -> bool:
        """A part listed after its whole (a 其中 row, a method under its total): indented on pages."""
        return any(
            whole in self.by_code and self.by_code[whole].order < indicator.order
            for whole in self.wholes_of.get(indicator.code, ())
        )

    def sources_of(self, indicator: Indicator) -> tuple[str, ...]:
        """The entered indicators a figure is made of: a sum's parts, a share's breakdown, else itself."""
        if indicator.sum_parts:
            return indicator.sum_parts + ((indicator.code,) if indicator.may_be_entered else ())
        if indicator.is_share:
            breakdown = self.share_breakdown(indicator)
            return breakdown.parts if breakdown else ()
        return (indicator.code,)


# "active" / "complete" -> (the stamp it was built at, the catalogue)
_cached: dict[str, tuple[tuple, Catalogue]] = {}


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
