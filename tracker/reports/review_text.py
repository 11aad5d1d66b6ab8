"""The year's review (工作回顾) of the leader's speech, regenerated with the real figures.

seeds/review-template.txt is the 2022 review word for word, with `{{ indicator_code }}` for
each figure and `{{ txt_* }}` for each name. `build_review()` fills it for any organisation
and year into a structure (paragraphs → runs of plain text, figures and gaps) that both the
review page and the .docx render, so the two always carry exactly the same text.

Figures come from the one aggregation (tracker.aggregation.yearly) and are printed the one way
figures are printed (format_figure); a figure or name that is not known prints `**`, as the
published speech does, and is listed with who should enter it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.aggregation.yearly import KIND_RANK, Aggregator, OrgFigures
from tracker.catalogue.models import Indicator
from tracker.catalogue.templatetags.figures import format_figure
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation, OrganisationText, OrgKind

TEMPLATE_PATH = Path(settings.BASE_DIR) / "seeds" / "review-template.txt"
# Only `{{ name }}` placeholders: the template is never run through a template engine.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")
TEXT_PREFIX = "txt_"
# The template is the 2022 review; its "2022年" follows the chosen year.
TEMPLATE_YEAR = "2022年"
# What the published speech prints for a redacted figure or name.
NOT_KNOWN = "**"
# How much of the template around a name the gap list quotes.
CONTEXT_CHARS = 8


class RunKind(StrEnum):
    PLAIN = "plain"
    FIGURE = "figure"
    MISSING = "missing"


class Role(StrEnum):
    TITLE = "title"  # "2022年工作回顾", the template's first line
    BYLINE = "byline"  # the organisation's name under the title
    BODY = "body"


@dataclass(frozen=True)
class Run:
    text: str
    kind: RunKind = RunKind.PLAIN
    code: str = ""  # the placeholder a figure or gap stands for
    label: str = ""  # what it is, for a tooltip

    @property
    def missing(self) -> bool:
        return self.kind == RunKind.MISSING


@dataclass(frozen=True)
class Paragraph:
    role: Role
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class EntryPoint:
    """An organisation that should enter (or approve) a figure, and its entry page for the year."""

    organisation: Organisation
    url: str


@dataclass
class Gap:
    """A placeholder the review could not fill (or filled from incomplete parts)."""

    code: str
    label: str  # the indicator's Chinese name, or where a name sits in the text
    enter_at: list[EntryPoint] = field(default_factory=list)
    is_text: bool = False
    note: str = ""  # why nobody can enter it here, when that is the reason


@dataclass
class Review:
    organisation: Organisation
    range: Range
    include_unapproved: bool
    paragraphs: list[Paragraph]
    missing: list[Gap]  # printed as **
    incomplete: list[Gap]  # printed, but some organisations below have not reported a part
    unapproved_reports: int

    @property
    def year(self) -> int:
        return self.range.year

    @property
    def title(self) -> str:
        return self.paragraphs[0].text

    @property
    def text(self) -> str:
        """The plain text, one paragraph a line (what a reader copies)."""
        return "\n".join(p.text for p in self.paragraphs)


# -- the template ---------------------------------------------------------------------------

Token = str | tuple[str]  # literal text, or (placeholder name,)


@cache
def template_paragraphs(path: Path = TEMPLATE_PATH) -> tuple[tuple[Token, ...], ...]:
    """The template's non-empty lines, each split into literals and placeholders."""
    paragraphs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        tokens: list[Token] = []
        for i, piece in enumerate(PLACEHOLDER.split(line)):
            # re.split with one group alternates literal, name, literal, …
            if i % 2:
                tokens.append((piece,))
            elif piece:
                tokens.append(piece)
        paragraphs.append(tuple(tokens))
    return tuple(paragraphs)


def placeholder_context(name: str) -> str:
    """Where a placeholder first sits in the template, e.g. "…作为**系统贯彻落实…"."""
    for tokens in template_paragraphs():
        for i, token in enumerate(tokens):
            if token == (name,):
                before = tokens[i - 1] if i > 0 and isinstance(tokens[i - 1], str) else ""
                after = tokens[i + 1] if i + 1 < len(tokens) and isinstance(tokens[i + 1], str) else ""
                return f"…{before[-CONTEXT_CHARS:]}{NOT_KNOWN}{after[:CONTEXT_CHARS]}…"
    return name


# -- figures and names ----------------------------------------------------------------------


class Filler:
    """Fills one review: the organisation's figures, the commission's city-wide ones, the names."""

    def __init__(self, organisation: Organisation, rng: Range, *, include_unapproved: bool):
        self.organisation = organisation
        self.range = rng
        self.year = rng.year
        # The organisation and its ancestors, commission first (one query).
        codes = organisation.path.strip("/").split("/")
        self.chain = sorted(Organisation.objects.filter(code__in=codes), key=lambda o: len(o.path))
        self.by_kind = {org.kind: org for org in self.chain}

        # The same range last year too, for documents that print a figure's change (同比).
        ranges = [rng, rng.same_last_year()]
        self.aggregator = Aggregator(organisation, ranges, include_unapproved=include_unapproved)
        self.figures: OrgFigures = self.aggregator.figures_for(organisation, rng)
        commission = self.by_kind.get(OrgKind.COMMISSION)
        if commission is None or commission.pk == organisation.pk:
            self.city_aggregator, self.city_figures = self.aggregator, self.figures
        else:
            # City-wide figures are the commission's own reports, read outside the user's subtree on
            # purpose: the commission publishes them to its groups and every group's speech prints
            # them. subtree=False reads the commission's reports only, never another group's; and
            # only approved ones, whatever the switch: what the commission has not yet approved is
            # not published, and a group's users may not see it.
            self.city_aggregator = Aggregator(commission, ranges, include_unapproved=False, subtree=False)
            self.city_figures = self.city_aggregator.figures_for(commission, rng)

        # The nearest organisation's text wins: the chain is ordered from the root down.
        self.texts: dict[str, str] = {}
        rank = {org.pk: depth for depth, org in enumerate(self.chain)}
        rows = OrganisationText.objects.filter(organisation__in=[o.pk for o in self.chain])
        for row in sorted(rows, key=lambda r: rank[r.organisation_id]):
            self.texts[row.key] = row.text

        self.missing: dict[str, Gap] = {}
        self.incomplete: dict[str, Gap] = {}

    # -- names

    def text_run(self, name: str) -> Run:
        label = placeholder_context(name)
        text = self.texts.get(name, "").strip()
        if text:
            return Run(text, RunKind.FIGURE, name, label)
        self.missing.setdefault(name, Gap(name, label, is_text=True))
        return Run(NOT_KNOWN, RunKind.MISSING, name, label)

    # -- figures

    def _source(self, code: str) -> tuple[Aggregator, OrgFigures]:
        indicator = self.aggregator.by_code.get(code)
        if indicator is not None and indicator.reported_by == OrgKind.COMMISSION:
            return self.city_aggregator, self.city_figures
        return self.aggregator, self.figures

    def _not_entered(self, indicator: Indicator) -> list[Organisation]:
        """The organisations that should have entered `indicator` for this review and have not."""
        aggregator, org_year = self._source(indicator.code)
        org = org_year.organisation
        figure = org_year.figures.get(indicator.code)
        if figure is None:
            # Entered above this organisation (the group's own work, seen from a unit).
            above = self.by_kind.get(indicator.reported_by)
            return [above] if above else []
        if KIND_RANK[indicator.reported_by] == KIND_RANK[org.kind]:
            return [] if figure.complete else [org]
        return [
            reporter
            for reporter in aggregator.reporters(org, indicator)
            if not aggregator.figure(reporter, self.range, indicator).complete
        ]

    def figure_run(self, code: str) -> Run:
        aggregator, org_year = self._source(code)
        indicator = aggregator.by_code.get(code)
        label = indicator.name_zh if indicator else code
        value = org_year.value(code)

        enter_at: dict[int, Organisation] = {}
        for part in aggregator.catalogue.sources_of(indicator) if indicator else ():
            part_indicator = aggregator.by_code.get(part)
            if part_indicator is not None:
                for org in self._not_entered(part_indicator):
                    enter_at.setdefault(org.pk, org)
        # Upper levels first, then in the tree's own order.
        ordered = sorted(enter_at.values(), key=lambda o: (KIND_RANK[o.kind], o.order, o.path))
        points = [
            EntryPoint(org, reverse("entry:report", args=[org.code, str(aggregator.entry_period(org, self.year))]))
            for org in ordered
        ]

        if value is not None:
            if points:
                self.incomplete.setdefault(code, Gap(code, label, points))
            return Run(format_figure(value), RunKind.FIGURE, code, label)

        note = ""
        if indicator is None:
            note = _("Not in the indicator catalogue (or no longer active).")
        elif code not in org_year.figures:
            note = _("Counted for the whole group, not per unit.")
        elif indicator.is_share and not points:
            # Every part is known and they add up to 0: a share of nothing.
            note = _("The parts add up to 0, so there is no share.")
        self.missing.setdefault(code, Gap(code, label, points, note=note))
        return Run(NOT_KNOWN, RunKind.MISSING, code, label)

    def run(self, name: str) -> Run:
        return self.text_run(name) if name.startswith(TEXT_PREFIX) else self.figure_run(name)


def build_review(
    organisation: Organisation, year: int, *, include_unapproved: bool = False, rng: Range | None = None
) -> Review:
    """The review for one organisation and range (the whole year unless given; approved reports unless asked)."""
    rng = rng or Range.full(year)
    filler = Filler(organisation, rng, include_unapproved=include_unapproved)
    # The template's "2022年" becomes the range: "2023年" or "2023年前三季度".
    year_text = rng.heading
    paragraphs = []
    for index, tokens in enumerate(template_paragraphs()):
        runs = []
        for token in tokens:
            if isinstance(token, str):
                runs.append(Run(token.replace(TEMPLATE_YEAR, year_text)))
            else:
                runs.append(filler.run(token[0]))
        if index == 0:
            paragraphs.append(Paragraph(Role.TITLE, tuple(runs)))
            paragraphs.append(Paragraph(Role.BYLINE, (Run(organisation.name),)))
        else:
            paragraphs.append(Paragraph(Role.BODY, tuple(runs)))
    return Review(
        organisation=organisation,
        range=rng,
        include_unapproved=include_unapproved,
        paragraphs=paragraphs,
        missing=list(filler.missing.values()),
        incomplete=list(filler.incomplete.values()),
        unapproved_reports=filler.figures.unapproved_reports,
    )
