"""What an aggregation answers: a figure, a breakdown with its shares, and everything a page shows
for one organisation and range (`OrgFigures`). Built by the Aggregator (yearly.py); read by every
page, export, document and the JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from tracker.catalogue.figures import Change, PartShare, breakdown_shares, change
from tracker.catalogue.models import Breakdown, Catalogue, Indicator
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation, OrgKind

# Higher rank = further down the tree.
KIND_RANK = {OrgKind.COMMISSION: 0, OrgKind.GROUP: 1, OrgKind.UNIT: 2}


def indicators_for(org_kind: str, indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators an organisation's pages show: those entered at its level or below."""
    rank = KIND_RANK[org_kind]
    return [ind for ind in indicators if KIND_RANK[ind.reported_by] >= rank]


@dataclass
class Figure:
    value: int | Decimal | None
    # How many of the organisations that enter this figure have not entered all of the range.
    missing: int = 0
    reporters: int = 1

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def complete(self) -> bool:
        return self.missing == 0 and self.value is not None


@dataclass(frozen=True)
class BreakdownFigures:
    """A whole and its parts for one organisation and range, with every part's share."""

    breakdown: Breakdown
    whole: Indicator
    whole_figure: Figure
    parts: list[tuple[Indicator, Figure, PartShare]]
    # The catalogue has share indicators for its parts (the four forms): the speech prints these shares.
    featured: bool = False

    @property
    def missing(self) -> int:
        return max([self.whole_figure.missing] + [figure.missing for _, figure, _ in self.parts])

    @property
    def known(self) -> bool:
        return any(figure.known for _, figure, _ in self.parts)


@dataclass
class OrgFigures:
    """Everything the pages show for one organisation and range."""

    organisation: Organisation
    range: Range
    indicators: list[Indicator]
    figures: dict[str, Figure]
    catalogue: Catalogue
    unapproved_reports: int
    reports: int
    # On a commission's pages: approved reports of periods it has not accepted from their group…
    unaccepted_reports: int = 0
    # …and whether its figures leave those out (False: counted, or a group's page, where it does not apply).
    accepted_only: bool = False
    # Reporters in the subtree whose period type cannot make this range (yearly, for 前三季度)…
    unavailable: int = 0
    # …and whether the organisation itself is one of them.
    own_unavailable: bool = False
    # The notes of the organisation's own reports on a figure, read (one query for the whole
    # aggregation) only when a page asks for them: only the summary prints them.
    notes_of: Callable[[str], list[str]] | None = None

    @property
    def year(self) -> int:
        return self.range.year

    def value(self, code: str) -> int | Decimal | None:
        figure = self.figures.get(code)
        return figure.value if figure else None

    @property
    def values(self) -> dict[str, int | Decimal | None]:
        return {code: figure.value for code, figure in self.figures.items()}

    def notes(self, indicator: Indicator) -> list[str]:
        """The organisation's own notes on the figure, from its reports within the range."""
        if self.notes_of is None or indicator.reported_by != self.organisation.kind:
            return []
        return self.notes_of(indicator.code)

    def incomplete(self, indicator: Indicator) -> int:
        """How many reporters the "N个单位未报全" mark names for a figure (pages, exports, JSON).

        A sum over reporters below counts every incomplete one; the organisation's own figure is
        marked only when it was entered for some periods of the range: not entered at all, it is
        simply not known ("—", null).
        """
        figure = self.figures.get(indicator.code)
        if figure is None or not figure.missing:
            return 0
        if indicator.reported_by == self.organisation.kind and not figure.known:
            return 0
        return figure.missing

    def change(self, indicator: Indicator, last: OrgFigures) -> Change:
        """This figure against `last` (the same range last year): the one 同比 of every page, export,
        document and the start page, marked partial when either side is incomplete."""
        return change(
            self.value(indicator.code),
            last.value(indicator.code),
            is_share=indicator.is_share,
            partial=bool(self.incomplete(indicator) or last.incomplete(indicator)),
        )

    @cached_property
    def breakdowns(self) -> list[BreakdownFigures]:
        """Every breakdown of the catalogue whose whole and parts this organisation shows."""
        figures, catalogue = self.figures, self.catalogue
        values = self.values
        result = []
        for breakdown in catalogue.breakdowns:
            if breakdown.whole in figures and all(p in figures for p in breakdown.parts):
                result.append(
                    BreakdownFigures(
                        breakdown=breakdown,
                        whole=catalogue.by_code[breakdown.whole],
                        whole_figure=figures[breakdown.whole],
                        parts=[
                            (catalogue.by_code[share.code], figures[share.code], share)
                            for share in breakdown_shares(breakdown, values)
                        ],
                        featured=any(p in catalogue.share_indicator_of for p in breakdown.parts),
                    )
                )
        return result

    @property
    def share_breakdowns(self) -> list[BreakdownFigures]:
        """The breakdowns the catalogue gives shares for: exact ones."""
        return [b for b in self.breakdowns if b.breakdown.is_exact]
