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
from dataclasses import dataclass
from decimal import Decimal

from tracker.catalogue.figures import breakdown_shares, change
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation
from tracker.reports.docx import HEADING
from tracker.reports.review_text import NOT_KNOWN, Filler, Gap, Paragraph, Role, Run, RunKind

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
    incomplete: list[Gap]
    unapproved_reports: int
    unaccepted_reports: int
    # Each bound slot's printed text, by its start in the template: what a saved draft compares.
    figures: dict[str, str]
    # (start, end, printed) for every bound slot: what the .docx replaces in place.
    replacements: list[tuple[int, int, str]]
    # What each bound slot is, by its start (for the list of figures changed since a draft).
    labels: dict[str, str]

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
            value = self._figures(code, previous=True).value(code)
            if value is None:
                return Run(NOT_KNOWN, RunKind.MISSING, binding, indicator.name_zh if indicator else code)
        else:
            run = self.filler.figure_run(code)
            if run.missing:
                return self._missing(code, found, binding)
            value = self._figures(code).value(code)
        text = _number(value, found)
        if found.endswith("余") or (indicator is not None and indicator.is_approximate):
            text += "余"
        if found.endswith(("%", "％")):
            text += found[-1]
        return Run(text, RunKind.FIGURE, binding, indicator.name_zh if indicator else code)

    def _share(self, part: str, found: str, binding: str, label: str = "") -> Run:
        breakdown = self.catalogue.exact_of.get(part)
        indicator = self.catalogue.by_code.get(part)
        label = label or (f"{indicator.name_zh}占比" if indicator else part)
        if breakdown is None:
            return Run(NOT_KNOWN + "%", RunKind.MISSING, binding, label)
        values = self._figures(part).values
        share = next((s for s in breakdown_shares(breakdown, values) if s.code == part), None)
        value = None if share is None else (share.one_decimal if _decimals(found) else share.whole)
        if value is None:
            for code in breakdown.parts:
                self.filler.figure_run(code)  # lists the parts still to enter
            return Run(NOT_KNOWN + "%", RunKind.MISSING, binding, label)
        return Run(_number(value, found) + "%", RunKind.FIGURE, binding, label)

    def _change(self, code: str, found: str, pct: bool, binding: str) -> Run:
        indicator = self.catalogue.by_code.get(code)
        label = f"{indicator.name_zh if indicator else code}同比"
        this = self._figures(code).value(code)
        last = self._figures(code, previous=True).value(code)
        result = change(this, last, is_share=bool(indicator and indicator.is_share))
        amount = result.percent if pct else result.absolute
        word = re.match(r"^[^\d*]*", found).group()
        tail = re.search(r"[^\d.,，*]*$", found).group()  # "%", or the unit word: "增加12人"
        if amount is None:
            # Not known: nor is its direction, so the word goes too ("同比**%").
            return Run(f"{NOT_KNOWN}{tail}", RunKind.MISSING, binding, label)
        if amount == 0:
            return Run(FLAT, RunKind.FIGURE, binding, label)
        family = next((f for f in DIRECTION_FAMILIES if word in f), None)
        if family is None:
            text = ("+" if amount > 0 else "-") + _number(abs(amount), found)
        else:
            text = family[0 if amount > 0 else 1] + _number(abs(amount), found)
        return Run(text + tail, RunKind.FIGURE, binding, label)


def generate(
    version,
    organisation: Organisation,
    rng: Range,
    *,
    include_unapproved: bool = False,
    include_unaccepted: bool = False,
) -> Generated:
    """The version's text for this organisation and range (approved figures unless asked; a commission's:
    those it accepted from the groups)."""
    evaluator = _Evaluator(organisation, rng, include_unapproved, include_unaccepted)
    slots = sorted((s for s in version.bindings if s.get("binding")), key=lambda s: s["start"])
    text = version.text
    paragraphs, figures, replacements, labels = [], {}, [], {}
    position, index = 0, 0
    for number, line in enumerate(text.split("\n")):
        line_end = position + len(line)
        runs, cursor = [], position
        while index < len(slots) and slots[index]["start"] < line_end:
            slot = slots[index]
            if slot["start"] > cursor:
                runs.append(Run(text[cursor : slot["start"]]))
            run = evaluator.run(slot)
            runs.append(run)
            figures[str(slot["start"])] = run.text
            labels[str(slot["start"])] = run.label or slot["binding"]
            replacements.append((slot["start"], slot["end"], run.text))
            cursor = slot["end"]
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
