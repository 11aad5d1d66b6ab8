"""The text of a document as the pages and the Word files render it, and the figures that fill it.

A text is paragraphs of runs: plain text, a figure, or a gap (`**`, a figure or name not known).
The documents' generator (tracker.documents.generate) and the standard bulletin
(tracker.reports.bulletin) build it; their pages highlight the figures, and tracker.reports.docx
lays the same paragraphs out as an official document, so page and file carry the same text.

`Filler` reads the figures: from the one aggregation (tracker.aggregation.yearly), the
organisation's own and the commission's city-wide ones (always approved: what the commission has
not approved is not published), and the names an organisation keeps (OrganisationText). A figure
or name that is not known prints `**` and is listed with who should enter it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.aggregation.results import KIND_RANK, OrgFigures
from tracker.aggregation.yearly import Aggregator
from tracker.catalogue.models import Indicator
from tracker.catalogue.templatetags.figures import format_figure
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation, OrgKind, nearest_texts

# What the published speech prints for a redacted figure or name.
NOT_KNOWN = "**"


class RunKind(StrEnum):
    PLAIN = "plain"
    FIGURE = "figure"
    MISSING = "missing"
    # A figure added up from incomplete reports (or a change or share formed from one): highlighted
    # on the page as a gap is, and printed with the pages' mark unless the leader chose otherwise.
    PARTIAL = "partial"


class Role(StrEnum):
    TITLE = "title"  # the document's first line, when it reads as a title
    BYLINE = "byline"  # the organisation's name under the title
    BODY = "body"


@dataclass(frozen=True)
class Run:
    text: str
    kind: RunKind = RunKind.PLAIN
    code: str = ""  # the placeholder a figure or gap stands for
    label: str = ""  # what it is, for a tooltip
    # A partial figure's mark ("（3个单位未报全）"), printed after the figure's measure word.
    mark: str = ""

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


# -- figures and names ----------------------------------------------------------------------


class Filler:
    """Fills one text: the organisation's figures, the commission's city-wide ones, the names."""

    def __init__(
        self, organisation: Organisation, rng: Range, *, include_unapproved: bool, include_unaccepted: bool = False
    ):
        self.organisation = organisation
        self.range = rng
        self.year = rng.year
        # The organisation and its ancestors, commission first: up its parents, which the pages' look-up
        # (get_org_for_user) has read with it, so that a group's chain costs no query.
        self.chain = [*organisation.ancestors(), organisation]
        self.by_kind = {org.kind: org for org in self.chain}

        # The same range last year too, for documents that print a figure's change (同比).
        ranges = [rng, rng.same_last_year()]
        self.aggregator = Aggregator(
            organisation, ranges, include_unapproved=include_unapproved, include_unaccepted=include_unaccepted
        )
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
            self.city_aggregator = Aggregator(
                commission, ranges, include_unapproved=False, subtree=False, catalogue=self.aggregator.catalogue
            )
            self.city_figures = self.city_aggregator.figures_for(commission, rng)

        self.texts = nearest_texts(organisation)

        self.missing: dict[str, Gap] = {}
        self.incomplete: dict[str, Gap] = {}
        self._runs: dict[str, Run] = {}
        self._entry_points: dict[int, EntryPoint] = {}

    # -- names

    def text_run(self, name: str) -> Run:
        label = name
        text = self.texts.get(name, "").strip()
        if text:
            return Run(text, RunKind.FIGURE, name, label)
        self.missing.setdefault(name, Gap(name, label, is_text=True))
        return Run(NOT_KNOWN, RunKind.MISSING, name, label)

    # -- figures

    def source(self, code: str) -> tuple[Aggregator, OrgFigures]:
        indicator = self.aggregator.by_code.get(code)
        if indicator is not None and indicator.reported_by == OrgKind.COMMISSION:
            return self.city_aggregator, self.city_figures
        return self.aggregator, self.figures

    def _not_entered(self, indicator: Indicator) -> list[Organisation]:
        """The organisations that should have entered `indicator` for this review and have not."""
        aggregator, org_year = self.source(indicator.code)
        org = org_year.organisation
        figure = org_year.figures.get(indicator.code)
        if figure is None:
            # Entered above this organisation (the group's own work, seen from a unit).
            above = self.by_kind.get(indicator.reported_by)
            return [above] if above else []
        if KIND_RANK[indicator.reported_by] == KIND_RANK[org.kind]:
            return [] if figure.complete else [org]
        if not figure.missing:
            return []  # every reporter below has entered the whole range: none to look for
        return [
            reporter
            for reporter in aggregator.reporters(org, indicator)
            if not aggregator.figure(reporter, self.range, indicator).complete
        ]

    def figure_run(self, code: str) -> Run:
        """The figure of `code` as a run (** when not known), its gaps recorded; once per code."""
        if code not in self._runs:
            self._runs[code] = self._figure_run(code)
        return self._runs[code]

    def _entry_point(self, aggregator: Aggregator, org: Organisation) -> EntryPoint:
        if org.pk not in self._entry_points:
            period = str(aggregator.entry_period(org, self.year))
            self._entry_points[org.pk] = EntryPoint(org, reverse("entry:report", args=[org.code, period]))
        return self._entry_points[org.pk]

    def _figure_run(self, code: str) -> Run:
        aggregator, org_year = self.source(code)
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
        points = [self._entry_point(aggregator, org) for org in ordered]

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
