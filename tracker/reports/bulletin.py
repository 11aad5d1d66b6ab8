"""The standard bulletin (监督检查审查调查情况通报) of an organisation for a range, written without a template.

Published city bulletins word their figures the same way every quarter: a total leads
("共接收信访举报1,236件次，同比上升8.2%。"), its parts follow with their shares ("其中，来信312件次，
占25.2%；…"). `build_bulletin()` writes those sentences from the catalogue alone: the sections
are catalogue sections (BULLETIN_SECTIONS), each indicator that is not part of another leads a
paragraph, and the breakdowns the catalogue gives it follow, nested ones too (the four winds'
types under each of the two kinds). No indicator is named here.

Figures come from the one aggregation (this range and the same range last year), shares from
figures.breakdown_shares, changes from figures.change; numbers are printed by format_figure.
What is not known is left out, never printed as 0: a part that is not known is left out of its
sentence, a sentence with no known figure is left out, and so is a section with none. A change
is said only against a known, non-zero figure of last year, and only where both years are
complete (a change between partial sums is no change of the figure) and exact (not "N余").
An incomplete figure carries the pages' mark ("（2个单位未报全）").

The result is the review's structure (review_text.Paragraph and Run), so the page and the
Word file (docx.official_document) render the same text; section headings use docx.HEADING.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tracker.aggregation.results import OrgFigures
from tracker.aggregation.yearly import Aggregator
from tracker.catalogue.figures import breakdown_shares, change
from tracker.catalogue.models import Breakdown, Indicator
from tracker.catalogue.templatetags.figures import format_figure
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation
from tracker.reports.docx import HEADING
from tracker.reports.review_text import Paragraph, Role, Run, RunKind
from tracker.reports.tables import incomplete_mark, shares_rounding_note

# The catalogue sections a bulletin reports, in its order, with the bulletin's heading for each.
# Indicators of other sections appear where they are parts of these sections' wholes (the
# four winds' types under 八项规定/四风).
BULLETIN_SECTIONS = (
    ("信访举报", gettext_lazy("Petitions and reports")),
    ("问题线索", gettext_lazy("Disposal of problem clues")),
    ("审查调查", gettext_lazy("Cases filed and sanctions")),
    ("四种形态", gettext_lazy("Use of the “four forms”")),
    ("八项规定/四风", gettext_lazy("Violations of the central Eight-point Rules")),
)

CHINESE_NUMERALS = "一二三四五六七八九十"
# What a table prints before a "within" part ("其中：党纪处分"); in a sentence "其中，" already says it.
WITHIN_PREFIXES = ("其中：", "of which: ")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
LEADING_DIGITS = re.compile(r"^\d{4,}")


@dataclass
class Bulletin:
    organisation: Organisation
    range: Range
    include_unapproved: bool
    paragraphs: list[Paragraph]
    unapproved_reports: int
    # Whether any figure made it into the text.
    known: bool
    # The range's figures the text was written from (the page's notices read them).
    figures: OrgFigures

    @property
    def year(self) -> int:
        return self.range.year

    @property
    def title(self) -> str:
        return self.paragraphs[0].text

    @property
    def text(self) -> str:
        """The plain text, one paragraph a line."""
        return "\n".join(p.text for p in self.paragraphs)


# -- printing -------------------------------------------------------------------------------


def bulletin_figure(value: int | Decimal | None, indicator: Indicator | None = None) -> str:
    """A figure as format_figure prints it, with thousands separators (1,236) as bulletins print them."""
    return LEADING_DIGITS.sub(lambda m: f"{int(m.group()):,}", format_figure(value, indicator), count=1)


def percent_text(value: Decimal) -> str:
    return format_figure(value) + "%"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def section_number(n: int) -> str:
    """ "一" … "十" in Chinese, "1" … in English."""
    if _english() or n > len(CHINESE_NUMERALS):
        return str(n)
    return CHINESE_NUMERALS[n - 1]


def sentence_gap() -> str:
    """What separates two sentences: nothing after a Chinese full stop, a space after an English one."""
    return " " if _english() else ""


def part_name(indicator: Indicator) -> str:
    name = indicator.name
    for prefix in WITHIN_PREFIXES:
        name = name.removeprefix(prefix)
    return name


def compose(pattern: str, **pieces: str | Run | Sequence[Run]) -> list[Run]:
    """A translated sentence pattern with its `%(name)s` places filled by text or runs.

    The translation decides the word order ("共%(name)s%(quantity)s" against "%(name)s: %(quantity)s");
    figures stay runs of their own, so the page can highlight them.
    """
    runs: list[Run] = []
    for i, piece in enumerate(PLACEHOLDER.split(pattern)):
        value: str | Run | Sequence[Run] = pieces[piece] if i % 2 else piece
        if isinstance(value, Run):
            runs.append(value)
        elif isinstance(value, str):
            if value:
                runs.append(Run(value))
        else:
            runs.extend(value)
    return runs


def merged(runs: Sequence[Run]) -> tuple[Run, ...]:
    """Adjacent plain runs as one (what a reader copies is the same; the markup is smaller)."""
    out: list[Run] = []
    for run in runs:
        if out and run.kind == RunKind.PLAIN and out[-1].kind == RunKind.PLAIN:
            out[-1] = Run(out[-1].text + run.text)
        else:
            out.append(run)
    return tuple(out)


def joined(items: Sequence[list[Run]], separator: str) -> list[Run]:
    runs: list[Run] = []
    for n, item in enumerate(items):
        if n:
            runs.append(Run(separator))
        runs.extend(item)
    return runs


# -- the sentences --------------------------------------------------------------------------


class _Writer:
    """Writes one bulletin's sentences from this range's figures and the same range last year's."""

    def __init__(self, this: OrgFigures, last: OrgFigures):
        self.this, self.last = this, last
        self.catalogue = this.catalogue
        self.sections = {section for section, _heading in BULLETIN_SECTIONS}
        self.known = False
        # Whether an exact breakdown's shares were printed: the bulletin then says how they are rounded.
        self.shares_printed = False

    def quantity(self, indicator: Indicator, *, mark_unless: int | None = None) -> list[Run]:
        """ "1,236件次" with the incomplete mark, unless the sentence's total already carries the same one."""
        figure = self.this.figures[indicator.code]
        number = Run(bulletin_figure(figure.value, indicator), RunKind.FIGURE, indicator.code, indicator.name)
        unit = indicator.unit_word
        runs = compose(_("%(figure)s %(unit)s"), figure=number, unit=unit) if unit else [number]
        missing = self.this.incomplete(indicator)
        if missing and missing != mark_unless:
            runs.append(Run(incomplete_mark(missing)))
        return runs

    def change(self, indicator: Indicator) -> list[Run]:
        """ "，同比上升8.2%" against the same range last year; nothing where that is not a like-for-like figure."""
        if indicator.is_approximate or indicator.is_share or indicator.code not in self.last.figures:
            return []
        # A change between partial sums is no change of the figure: said only when both years are complete.
        if self.this.incomplete(indicator) or self.last.incomplete(indicator):
            return []
        previous = self.last.value(indicator.code)
        delta = change(self.this.value(indicator.code), previous)
        if delta.absolute is None:
            return []
        if delta.absolute == 0:
            text = _(", level with the same period last year")
        elif delta.percent is None:
            # Last year's figure is 0: a percent of nothing is not a figure.
            return []
        elif delta.percent == 0:
            text = _(", about level with the same period last year")
        elif delta.percent > 0:
            text = _(", up %(percent)s on the same period last year") % {"percent": percent_text(delta.percent)}
        else:
            text = _(", down %(percent)s on the same period last year") % {"percent": percent_text(-delta.percent)}
        label = _("%(range)s: %(figure)s") % {
            "range": self.last.range.heading,
            "figure": bulletin_figure(previous, indicator) + indicator.unit_word,
        }
        return [Run(text, RunKind.FIGURE, indicator.code, label)]

    def lead(self, indicator: Indicator) -> list[Run]:
        if self.this.value(indicator.code) is None:
            return []
        self.known = True
        return compose(
            _("%(name)s: %(quantity)s%(change)s."),
            name=indicator.name,
            quantity=self.quantity(indicator),
            change=self.change(indicator),
        )

    def items(self, breakdown: Breakdown, *, whole_known: bool) -> list[list[Run]]:
        """Each known part of a breakdown: "来信312件次，占25.2%" (an exact breakdown's with its share)."""
        whole = self.catalogue.by_code[breakdown.whole]
        whole_mark = self.this.incomplete(whole) if whole_known else None
        items = []
        for share in breakdown_shares(breakdown, self.this.values):
            if share.value is None:
                continue
            indicator = self.catalogue.by_code[share.code]
            quantity = self.quantity(indicator, mark_unless=whole_mark)
            if breakdown.is_exact and share.one_decimal is not None:
                label = _("Share of %(whole)s") % {"whole": whole.name}
                percent = Run(percent_text(share.one_decimal), RunKind.FIGURE, share.code, label)
                self.shares_printed = True
                pattern = _("%(name)s %(quantity)s (%(share)s)")
                items.append(compose(pattern, name=part_name(indicator), quantity=quantity, share=percent))
            else:
                items.append(compose(_("%(name)s %(quantity)s"), name=part_name(indicator), quantity=quantity))
        return items

    def sentence(self, whole: Indicator, items: list[list[Run]], *, exact: bool, nested: bool) -> list[Run]:
        """ "其中，来信312件次，占25.2%；来访…。", or "享乐主义、奢靡之风问题中，…。" under a part already named."""
        if not items:
            return []
        self.known = True
        listed = joined(items, _("; ") if exact else _(", "))
        if nested:
            return compose(_("Of %(whole)s: %(parts)s."), whole=part_name(whole), parts=listed)
        if self.this.value(whole.code) is not None:
            return compose(_("Of these: %(parts)s."), parts=listed)
        # The whole is not known: its parts stand on their own.
        return compose(_("%(parts)s."), parts=listed)

    def breakdown_sentences(self, indicator: Indicator, *, nested: bool) -> tuple[list[list[Run]], list[Indicator]]:
        """The sentences of the breakdowns of `indicator`, and its parts that break down further.

        Each exact breakdown is a sentence of parts with their shares; the parts of the others
        (其中 rows: within, overlap; approx parts, in their own measure words and without shares)
        make one sentence together, where the first of them stands.
        """
        whole_known = self.this.value(indicator.code) is not None
        sentences: list[list[Run]] = []
        others: list[list[Run]] = []
        others_at: int | None = None
        further: list[Indicator] = []
        for breakdown in indicator.breakdowns:
            if not all(code in self.this.figures for code in breakdown.parts):
                continue
            items = self.items(breakdown, whole_known=whole_known)
            if breakdown.is_exact:
                sentences.append(self.sentence(indicator, items, exact=True, nested=nested))
            else:
                if others_at is None:
                    others_at = len(sentences)
                    sentences.append([])
                others += items
            parts = [self.catalogue.by_code[code] for code in breakdown.parts]
            further += [part for part in parts if part.breakdowns]
        if others_at is not None:
            sentences[others_at] = self.sentence(indicator, others, exact=False, nested=nested)
        return sentences, further

    def paragraphs(self, indicator: Indicator, *, nested: bool = False) -> list[Paragraph]:
        """A lead's paragraph (its figure, then its breakdowns), then one for each part that breaks down
        further ("享乐主义、奢靡之风问题中，…"): a long list of types reads better on its own."""
        sentences, further = self.breakdown_sentences(indicator, nested=nested)
        if not nested:
            sentences.insert(0, self.lead(indicator))
        sentences = [sentence for sentence in sentences if sentence]
        paragraphs = [Paragraph(Role.BODY, merged(joined(sentences, sentence_gap())))] if sentences else []
        for part in further:
            paragraphs += self.paragraphs(part, nested=True)
        return paragraphs

    def covered(self, indicator: Indicator) -> bool:
        """Whether a whole this bulletin reports already lists `indicator` among its parts."""
        for code in self.catalogue.wholes_of.get(indicator.code, ()):
            whole = self.catalogue.by_code.get(code)
            if (
                whole is not None
                and code in self.this.figures
                and (whole.section in self.sections or self.covered(whole))
            ):
                return True
        return False

    def section(self, section: str) -> list[Paragraph]:
        paragraphs = []
        for indicator in self.this.indicators:
            if indicator.section != section or indicator.is_share or self.covered(indicator):
                continue
            paragraphs += self.paragraphs(indicator)
        return paragraphs


def build_bulletin(
    organisation: Organisation, rng: Range, *, include_unapproved: bool = False, include_unaccepted: bool = False
) -> Bulletin:
    """The bulletin of an organisation for a range (approved reports only unless asked; a commission's:
    those it accepted)."""
    previous = rng.same_last_year()
    aggregator = Aggregator(
        organisation, [rng, previous], include_unapproved=include_unapproved, include_unaccepted=include_unaccepted
    )
    this = aggregator.figures_for(organisation, rng)
    writer = _Writer(this, aggregator.figures_for(organisation, previous))
    names = {"organisation": organisation.name, "range": rng.heading}
    title = _("%(organisation)s %(range)s: supervision, inspection, examination and investigation bulletin") % names
    if include_unapproved:
        byline = _("(Including reports not yet approved: provisional figures)")
    elif aggregator.accepted_only:
        byline = _("(From the groups' figures accepted by the commission)")
    elif aggregator.acceptance_applies:
        byline = _("(From approved reports, including figures the commission has not accepted yet: provisional)")
    else:
        byline = _("(From approved reports)")
    paragraphs = [
        Paragraph(Role.TITLE, (Run(title),)),
        Paragraph(Role.BYLINE, (Run(byline),)),
        Paragraph(
            Role.BODY,
            (Run(_("The main figures of %(organisation)s for %(range)s are reported as follows.") % names),),
        ),
    ]
    number = 0
    for section, heading in BULLETIN_SECTIONS:
        body = writer.section(section)
        if body:
            number += 1
            text = _("%(number)s. %(heading)s") % {"number": section_number(number), "heading": heading}
            paragraphs += [Paragraph(HEADING, (Run(text),)), *body]
    if not writer.known:
        paragraphs.append(Paragraph(Role.BODY, (Run(_("No figures to report for this range yet.")),)))
    if writer.shares_printed:
        paragraphs.append(Paragraph(Role.BODY, (Run(shares_rounding_note()),)))
    return Bulletin(
        organisation=organisation,
        range=rng,
        include_unapproved=include_unapproved,
        paragraphs=paragraphs,
        unapproved_reports=this.unapproved_reports,
        known=writer.known,
        figures=this,
    )
