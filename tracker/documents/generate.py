"""A template's text regenerated for one organisation, year and range, from its bindings.

Every bound slot is replaced by what its binding gives (tracker.documents.assistant lists the
kinds); everything else, fixed numbers included, stays as written. Figures come from the one
aggregation through the review's Filler (tracker.reports.review_text), so a figure the
organisation has not entered prints `**` and is listed with where to enter it, exactly as the
review does, and city-wide figures are always the commission's approved ones. Shares and changes
come from tracker.catalogue.figures, printed in the document's own style: a share written with
one decimal ("66.0%") is printed with one, a figure written with thousands separators
("1,236") is printed with them, a change's direction word follows its sign (上升/下降, or 持平).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from tracker.catalogue.figures import breakdown_shares, change
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation
from tracker.reports.docx import HEADING
from tracker.reports.review_text import NOT_KNOWN, Filler, Gap, Paragraph, Role, Run, RunKind
from tracker.reports.tables import incomplete_mark, partial_mark

# A change's words, rising first: the word written in the template picks the family.
DIRECTION_FAMILIES = (("上升", "下降"), ("增长", "下降"), ("增加", "减少"), ("升高", "降低"))
FLAT = "持平"
YEAR_OFFSETS = {"year": 0, "year+1": 1, "year-1": -1}
TEXT_PREFIX = "text:"
SHARE_PREFIX = "share:"


@dataclass
class Generated:
    organisation: Organisation
    range: Range
    include_unapproved: bool
    paragraphs: list[Paragraph]
    missing: list[Gap]
    # Figures added up from incomplete reports, with who has not entered every period of the range.
    incomplete: list[Gap]
    unapproved_reports: int
    unaccepted_reports: int
    # Each bound slot's printed text, by its start in the template: what a saved draft compares.
    figures: dict[str, str]
    # (start, end, printed) for every bound slot: what the .docx replaces in place.
    replacements: list[tuple[int, int, str]]
    # What each bound slot is, by its start (for the list of figures changed since a draft).
    labels: dict[str, str]
    # Whether partial figures carry their mark (False: the leader chose to print them as they stand).
    marked: bool = True
    # The marks of its partial figures (printed when `marked`), to take out of a draft when the leader
    # chooses to print the figures as they stand.
    marks: frozenset[str] = frozenset()
    # An exact breakdown's share is printed: rounded by the largest remainder (the page says so).
    shares_printed: bool = False

    @property
    def partial(self) -> bool:
        """Some figure, change or share of the text was formed from incomplete reports."""
        return bool(self.marks) or bool(self.incomplete)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


def _decimals(found: str) -> int:
    match = re.search(r"\d[.．](\d+)", found)
    return len(match.group(1)) if match else 0


def _number(value: int | Decimal, found: str) -> str:
    """A number printed the way the template wrote its own: separators and decimals kept."""
    decimals = _decimals(found)
    if decimals:
        text = f"{Decimal(value):,.{decimals}f}"
    elif isinstance(value, Decimal) and value != value.to_integral_value():
        text = f"{value:,f}"
    else:
        text = f"{int(value):,}"
    return text if re.search(r"\d[,，]\d{3}", found) else text.replace(",", "")


class _Evaluator:
    def __init__(self, organisation: Organisation, rng: Range, include_unapproved: bool, include_unaccepted: bool):
        self.organisation = organisation
        self.range = rng
        self.filler = Filler(
            organisation, rng, include_unapproved=include_unapproved, include_unaccepted=include_unaccepted
        )
        self.catalogue = self.filler.aggregator.catalogue
        # The measure words a figure's mark goes after ("12件次（3个单位未报全）"), longest first.
        # Whether an exact breakdown's share was printed (the page then says how shares are rounded).
        self.shares_printed = False
        self.unit_words = sorted(
            {ind.unit_word for ind in self.catalogue.indicators if ind.unit_word}, key=len, reverse=True
        )

    def unit_after(self, following: str) -> str:
        """The measure word the template writes right after a figure, if any."""
        return next((word for word in self.unit_words if following.startswith(word)), "")

    def _figures(self, code: str, previous: bool = False):
        aggregator, org_year = self.filler.source(code)
        if previous:
            return aggregator.figures_for(org_year.organisation, self.range.same_last_year())
        return org_year

    def run(self, slot: dict) -> Run:
        binding, found = slot["binding"], slot["found"]
        if not binding:
            return Run(found)
        if binding in YEAR_OFFSETS:
            rest = re.sub(r"^\d{4}年", "", found)
            return Run(f"{self.range.year + YEAR_OFFSETS[binding]}年{rest}", RunKind.FIGURE, binding)
        if binding == "range":
            return Run(self.range.heading, RunKind.FIGURE, binding)
        if binding == "org_name":
            return Run(self.organisation.name, RunKind.FIGURE, binding)
        if binding.startswith(TEXT_PREFIX):
            return self.filler.text_run(binding.removeprefix(TEXT_PREFIX))
        if binding.startswith(SHARE_PREFIX):
            return self._share(binding.removeprefix(SHARE_PREFIX), found, binding)
        code, _, what = binding.partition(":")
        code, at, _previous = code.partition("@")
        indicator = self.catalogue.by_code.get(code)
        if indicator is not None and indicator.is_share and indicator.share_of and not what:
            return self._share(indicator.share_of, found, binding, label=indicator.name_zh)
        if what in ("change", "change_pct"):
            return self._change(code, found, what == "change_pct", binding)
        if at:
            return self._plain(code, found, binding, previous=True)
        return self._plain(code, found, binding)

    def _missing(self, code: str, found: str, binding: str) -> Run:
        run = self.filler.figure_run(code)  # records the gap, with where to enter it
        prefix = re.match(r"^\D*", found).group() if found[:1] not in ("*",) else ""
        suffix = "%" if found.endswith(("%", "％")) else ("余" if found.endswith("余") else "")
        return Run(f"{prefix}{NOT_KNOWN}{suffix}", RunKind.MISSING, binding, run.label)

    def _plain(self, code: str, found: str, binding: str, previous: bool = False) -> Run:
        indicator = self.catalogue.by_code.get(code)
        if previous:
            org_year = self._figures(code, previous=True)
            value = org_year.value(code)
            if value is None:
                return Run(NOT_KNOWN, RunKind.MISSING, binding, indicator.name_zh if indicator else code)
        else:
            run = self.filler.figure_run(code)
            if run.missing:
                return self._missing(code, found, binding)
            org_year = self._figures(code)
            value = org_year.value(code)
        text = _number(value, found)
        if found.endswith("余") or (indicator is not None and indicator.is_approximate):
            text += "余"
        if found.endswith(("%", "％")):
            text += found[-1]
        label = indicator.name_zh if indicator else code
        missing = org_year.incomplete(indicator) if indicator is not None else 0
        if missing:
            return Run(text, RunKind.PARTIAL, binding, label, mark=incomplete_mark(missing))
        return Run(text, RunKind.FIGURE, binding, label)

    def _share(self, part: str, found: str, binding: str, label: str = "") -> Run:
        breakdown = self.catalogue.exact_of.get(part)
        indicator = self.catalogue.by_code.get(part)
        label = label or (f"{indicator.name_zh}占比" if indicator else part)
        if breakdown is None:
            return Run(NOT_KNOWN + "%", RunKind.MISSING, binding, label)
        org_year = self._figures(part)
        share = next((s for s in breakdown_shares(breakdown, org_year.values) if s.code == part), None)
        value = None if share is None else (share.one_decimal if _decimals(found) else share.whole)
        if value is None:
            for code in breakdown.parts:
                self.filler.figure_run(code)  # lists the parts still to enter
            return Run(NOT_KNOWN + "%", RunKind.MISSING, binding, label)
        text = _number(value, found) + "%"
        self.shares_printed = True
        counted = [self.catalogue.by_code.get(code) for code in (breakdown.whole, *breakdown.parts)]
        if any(org_year.incomplete(ind) for ind in counted if ind is not None):
            for code in breakdown.parts:
                self.filler.figure_run(code)  # lists who has not entered every period
            return Run(text, RunKind.PARTIAL, binding, label, mark=partial_mark())
        return Run(text, RunKind.FIGURE, binding, label)

    def _change(self, code: str, found: str, pct: bool, binding: str) -> Run:
        indicator = self.catalogue.by_code.get(code)
        label = f"{indicator.name_zh if indicator else code}同比"
        if indicator is None:
            result = change(None, None)
        else:
            result = self._figures(code).change(indicator, self._figures(code, previous=True))
            if result.partial:
                self.filler.figure_run(code)  # lists who has not entered every period
        amount = result.percent if pct else result.absolute
        word = re.match(r"^[^\d*]*", found).group()
        tail = re.search(r"[^\d.,，*]*$", found).group()  # "%", or the unit word: "增加12人"
        if amount is None:
            # Not known: nor is its direction, so the word goes too ("同比**%").
            return Run(f"{NOT_KNOWN}{tail}", RunKind.MISSING, binding, label)
        kind, mark = (RunKind.PARTIAL, partial_mark()) if result.partial else (RunKind.FIGURE, "")
        if amount == 0:
            return Run(FLAT, kind, binding, label, mark=mark)
        family = next((f for f in DIRECTION_FAMILIES if word in f), None)
        if family is None:
            text = ("+" if amount > 0 else "-") + _number(abs(amount), found)
        else:
            text = family[0 if amount > 0 else 1] + _number(abs(amount), found)
        return Run(text + tail, kind, binding, label, mark=mark)


def generate(
    version,
    organisation: Organisation,
    rng: Range,
    *,
    include_unapproved: bool = False,
    include_unaccepted: bool = False,
    marked: bool = True,
) -> Generated:
    """The version's text for this organisation and range (approved figures unless asked; a commission's:
    those it accepted from the groups).

    A figure added up from incomplete reports, and a change or share formed from one, prints its
    mark after the figure's measure word ("共接收信访举报12件次（3个单位未报全）"), as the standard
    bulletin does, unless `marked` is False: the leader saw the list and chose to print them as they
    stand (Draft.as_they_stand). Either way they are highlighted on the page and listed.
    """
    evaluator = _Evaluator(organisation, rng, include_unapproved, include_unaccepted)
    slots = sorted((s for s in version.bindings if s.get("binding")), key=lambda s: s["start"])
    text = version.text
    paragraphs, figures, replacements, labels, marks = [], {}, [], {}, set()
    position, index = 0, 0
    for number, line in enumerate(text.split("\n")):
        line_end = position + len(line)
        runs, cursor = [], position
        while index < len(slots) and slots[index]["start"] < line_end:
            slot = slots[index]
            if slot["start"] > cursor:
                runs.append(Run(text[cursor : slot["start"]]))
            run = evaluator.run(slot)
            end, printed = slot["end"], run.text
            if run.mark:
                marks.add(run.mark)
            if run.mark and marked:
                # The mark goes after the measure word the template writes after the figure.
                # (A change or share writes its own tail, "%" or "人", inside the slot.)
                unit = evaluator.unit_after(text[end:line_end]) if run.mark != partial_mark() else ""
                runs.append(replace(run, mark=""))
                if unit:
                    runs.append(Run(unit))
                runs.append(Run(run.mark, RunKind.PARTIAL, run.code, run.label))
                end, printed = end + len(unit), run.text + unit + run.mark
            else:
                runs.append(run)
            figures[str(slot["start"])] = printed
            labels[str(slot["start"])] = run.label or slot["binding"]
            replacements.append((slot["start"], end, printed))
            cursor = end
            index += 1
        if cursor < line_end:
            runs.append(Run(text[cursor:line_end]))
        paragraphs.append(Paragraph(_role(number, line), tuple(runs)))
        position = line_end + 1
    filler = evaluator.filler
    return Generated(
        organisation=organisation,
        range=rng,
        include_unapproved=include_unapproved,
        paragraphs=paragraphs,
        missing=list(filler.missing.values()),
        incomplete=list(filler.incomplete.values()),
        unapproved_reports=filler.figures.unapproved_reports,
        unaccepted_reports=filler.figures.unaccepted_reports,
        figures=figures,
        replacements=replacements,
        labels=labels,
        marked=marked,
        marks=frozenset(marks),
        shares_printed=evaluator.shares_printed,
    )


def _role(number: int, line: str) -> str:
    return Role.TITLE if number == 0 and _is_title(line) else HEADING if _is_heading(line) else Role.BODY


def plain_paragraphs(text: str) -> list[Paragraph]:
    """A person's text (a draft) as paragraphs, read the way a generated text is: title, headings, body."""
    return [Paragraph(_role(number, line), (Run(line),)) for number, line in enumerate(text.split("\n"))]


def _is_heading(line: str) -> bool:
    """A short line without a sentence's punctuation ("2022年工作回顾") reads as a heading."""
    return 0 < len(line.strip()) <= 20 and not re.search(r"[。；，：！？、]", line)


def _is_title(line: str) -> bool:
    """A short first line without a sentence's punctuation reads as the document's title."""
    return 0 < len(line.strip()) <= 40 and not re.search(r"[。；，：]", line)
