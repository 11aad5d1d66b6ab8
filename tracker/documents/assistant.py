"""The binding assistant: every `**` and number of a document, and what each one probably is.

A speech or bulletin is last year's text with its figures written as `**` or as real numbers.
`find_slots` finds them; `propose` ranks what each is from the words around it, the way a
person reading it would:

- the phrase before the figure, matched against the catalogue's Chinese names (character
  pairs of the name found in the phrase, the nearest words counting most); a figure right
  after another ("**件，**人") continues the same phrase;
- the unit word after it (件, 人次, 余个 …), against the indicator's unit;
- in a group's document, "全市" earlier in the paragraph means the commission's city-wide
  figures, until "我们" or "纪检监察组" brings the text back to the group's own work;
- "占…%" after a part of a breakdown is that part's share; "同比上升/下降…%" or "增长…" after a
  figure is its change against the same range last year;
- "2022年" is the year, "2022年一季度" the range.

A binding is a string: an indicator code (its figure for the range), `code@previous` (the same
range last year), `code:change` / `code:change_pct`, a share (a derived share's code, or
`share:<part>`), `year` (`year+1`, `year-1` for the years either side), `range`, `org_name`,
or `text:<key>` (a text the organisation keeps). An empty binding means fixed text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from tracker.catalogue.models import Catalogue, Indicator
from tracker.orgs.models import OrgKind

# What a figure is written as: a redaction, or a number (with thousands separators, decimals).
FIGURE = re.compile(r"\*\*|\d+(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# A year, and the range that may follow it: "2022年", "2023年一季度", "2023年1—9月".
YEAR = re.compile(
    r"(?P<year>(?:19|20)\d\d)年(?P<range>第?[一二三四]季度|上半年|前三季度|1[—–\-~～至]\d{1,2}月|\d{1,2}月)?"
)
# Words of a change, written right before its figure ("同比上升12.5%").
DIRECTION = re.compile(r"(上升|下降|增长|减少|增加|降低)了?$")
# Measure words, longest first so that 人次 wins over 人.
UNITS = "件次 人次 余个 余份 余人 余件 件 人 次 份 条 个 处 起 家 项 名 户 篇"
UNIT_WORDS = sorted(UNITS.split(), key=len, reverse=True)
CLAUSE_BREAKS = "。；;，,：:！？!?\n（）()"
# Words that set whose figures the text is about, and the scope they set.
CITY_MARKERS = ("全市",)
OWN_MARKERS = ("我们", "纪检监察组", "我组", "本组", "派驻")
# Filler at the start of a clause that says nothing about the figure.
FILLER = re.compile(r"^(其中|共|累计|全年|去年|今年|合计|总计|分别|和|及|并|处理|涉及|共计)+")
# Binding kinds that are not an indicator.
YEAR_BINDINGS = ("year", "year+1", "year-1")
NAMED = ("range", "org_name")


@dataclass
class Slot:
    """A place in the text that holds a figure (or a year): where it is, and what was written."""

    start: int
    end: int
    found: str  # the text as written, e.g. "**", "94%", "上升12.5%", "2022年"
    prefix: str = ""  # a change's direction word, part of the slot
    number: str = ""  # "**" or the digits
    suffix: str = ""  # "%" or "余"
    is_year: bool = False
    range_text: str = ""  # "一季度" after a year


@dataclass
class Proposal:
    binding: str
    score: float
    why: str = ""


@dataclass
class Candidate:
    slot: Slot
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def best(self) -> str:
        return self.proposals[0].binding if self.proposals else ""


def find_slots(text: str) -> list[Slot]:
    """Every year and every figure (`**` or a number) of the text, in order."""
    slots: list[Slot] = []
    taken: list[tuple[int, int]] = []
    for match in YEAR.finditer(text):
        slots.append(
            Slot(
                match.start(),
                match.end(),
                match.group(),
                number=match.group("year"),
                is_year=True,
                range_text=match.group("range") or "",
            )
        )
        taken.append((match.start(), match.end()))
    for match in FIGURE.finditer(text):
        start, end = match.span()
        if any(a <= start < b for a, b in taken):
            continue
        if start > 0 and text[start - 1].isdigit():
            continue
        suffix = ""
        if text[end : end + 1] in ("%", "％"):
            suffix, end = text[end], end + 1
        elif text[end : end + 1] == "余":
            suffix, end = "余", end + 1
        prefix = ""
        direction = DIRECTION.search(text[max(0, start - 4) : start])
        if direction:
            prefix = direction.group()
            start -= len(prefix)
            if not suffix:
                # "增加12人": a change's unit belongs to it ("持平" has none).
                unit = next((w for w in UNIT_WORDS if text.startswith(w, end)), "")
                end += len(unit)
        slots.append(Slot(start, end, text[start:end], prefix=prefix, number=match.group(), suffix=suffix))
    slots.sort(key=lambda s: s.start)
    return slots


def _pairs(text: str) -> set[str]:
    text = re.sub(r"\s", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


QUALIFIER = re.compile(r"（[^）]*）|\([^)]*\)")


def _plain_name(indicator: Indicator) -> tuple[str, str]:
    """The name to match, and its qualifier: "处分（党纪、政务）" → ("处分", "党纪、政务")."""
    name = indicator.name_zh.removeprefix("其中：").removeprefix("全市")
    qualifier = "".join(q.strip("（）()") for q in QUALIFIER.findall(name))
    return QUALIFIER.sub("", name), qualifier


class Assistant:
    """Proposes bindings for every slot of one text, against the active catalogue."""

    def __init__(self, catalogue: Catalogue | None = None, *, owner_kind: str = OrgKind.GROUP):
        """`owner_kind`: whose document it is. For a group's, "全市" means the commission's figures;
        the commission's own document is all its own, so the scope decides nothing there."""
        self.catalogue = catalogue or Catalogue.active()
        self.owner_kind = owner_kind
        self.names, self.qualifiers = {}, {}
        for ind in self.catalogue.indicators:
            core, qualifier = _plain_name(ind)
            self.names[ind.code], self.qualifiers[ind.code] = _pairs(core), _pairs(qualifier)
        # A pair that few names share tells more ("第一" of the first form) than one most share
        # ("形态" of all four forms and their total): each pair weighs by its rarity.
        counts: dict[str, int] = {}
        for code, pairs in self.names.items():
            for pair in pairs | self.qualifiers[code]:
                counts[pair] = counts.get(pair, 0) + 1
        total = len(self.names) + 1
        self.weight = {pair: math.log(total / n) for pair, n in counts.items()}

    def propose(self, text: str) -> list[Candidate]:
        candidates = self._propose(text)
        self._years(candidates)
        return candidates

    def _years(self, candidates: list[Candidate]) -> None:
        """Years relative to the figures' year: the year written before most figures.

        "2022年工作回顾 … 2023年工作安排": the figures are 2022's, so 2022 is `year` and 2023
        `year+1`; a year further off stays as written.
        """
        votes: dict[str, int] = {}
        latest = None
        for candidate in candidates:
            if candidate.slot.is_year:
                latest = candidate.slot.number
            elif latest and candidate.proposals:
                votes[latest] = votes.get(latest, 0) + 1
        if not votes:
            return
        data_year = int(max(votes, key=votes.get))
        for candidate in candidates:
            slot = candidate.slot
            if not slot.is_year:
                continue
            offset = int(slot.number) - data_year
            if slot.range_text and offset == 0:
                continue
            binding = {0: "year", 1: "year+1", -1: "year-1"}.get(offset)
            others = [p for p in candidate.proposals if p.binding != binding]
            candidate.proposals = ([Proposal(binding, 1.0, "year")] if binding else []) + (others if binding else [])

    def _propose(self, text: str) -> list[Candidate]:
        candidates = []
        previous: Candidate | None = None
        previous_phrase = ""
        for slot in find_slots(text):
            candidate = Candidate(slot)
            if slot.is_year:
                candidate.proposals = self._year(slot, text)
            else:
                phrase = self._phrase(text, slot, previous)
                candidate.proposals = self._figure(text, slot, phrase, previous_phrase, previous)
                if candidate.proposals:
                    previous, previous_phrase = candidate, phrase or previous_phrase
            candidates.append(candidate)
        return candidates

    # -- years

    def _year(self, slot: Slot, text: str) -> list[Proposal]:
        if slot.range_text:
            return [Proposal("range", 1.0, "year and range"), Proposal("year", 0.5, "year")]
        return [Proposal("year", 1.0, "year"), Proposal("year+1", 0.4), Proposal("year-1", 0.4)]

    # -- figures

    def _phrase(self, text: str, slot: Slot, previous: Candidate | None) -> str:
        """The words before the figure, back to the clause's start or the previous figure."""
        begin = slot.start
        while begin > 0 and text[begin - 1] not in CLAUSE_BREAKS:
            begin -= 1
        if previous is not None and previous.slot.end > begin:
            begin = previous.slot.end
            # The previous figure's unit word is not part of this one's phrase ("170人、政务处分").
            begin += len(self._unit(text, previous.slot).removeprefix("余"))
        return FILLER.sub("", text[begin : slot.start].lstrip("、"))

    def _scope(self, text: str, slot: Slot) -> str:
        begin = text.rfind("\n", 0, slot.start) + 1
        before = text[begin : slot.start]
        city = max(before.rfind(m) for m in CITY_MARKERS)
        own = max(before.rfind(m) for m in OWN_MARKERS)
        return "city" if city > own else "own"

    def _unit(self, text: str, slot: Slot) -> str:
        after = text[slot.end : slot.end + 3]
        for word in UNIT_WORDS:
            if after.startswith(word):
                return ("余" if slot.suffix == "余" else "") + word
        return ""

    def _figure(self, text, slot, phrase, previous_phrase, previous) -> list[Proposal]:
        before = text[max(0, slot.start - 3) : slot.start]
        if slot.suffix in ("%", "％"):
            if slot.prefix and previous:
                return [Proposal(f"{_count_of(previous.best)}:change_pct", 1.0, "同比…%")]
            if "占" in before and previous:
                share = self._share_of(_count_of(previous.best))
                if share:
                    return [Proposal(share, 1.0, "占…%")]
        elif slot.prefix and previous:
            return [Proposal(f"{_count_of(previous.best)}:change", 1.0, "同比…")]
        unit = self._unit(text, slot)
        if not unit and slot.suffix not in ("%", "％"):
            # A figure has its measure word; a ** without one hides a name (清廉**, **系统).
            return []
        # A figure right after another continues its phrase ("问题**件，**人").
        inherited = "" if phrase else previous_phrase
        end = slot.end + len(unit.removeprefix("余"))
        stop = end
        while stop < len(text) and text[stop] not in CLAUSE_BREAKS and stop - end < 30:
            stop += 1
        after = text[end:stop]
        earlier_start = text.rfind("，", 0, max(0, slot.start - len(phrase) - 1))
        earlier = text[earlier_start + 1 : max(0, slot.start - len(phrase))] if earlier_start >= 0 else ""
        weighted = [(_pairs(phrase), 1.0), (_pairs(inherited), 0.8), (_pairs(after), 0.5), (_pairs(earlier), 0.3)]
        scope = self._scope(text, slot)
        phrase_pairs = _pairs(phrase)
        proposals = []
        for indicator in self.catalogue.indicators:
            if indicator.is_share != (slot.suffix in ("%", "％")):
                continue
            name = self.names[indicator.code]
            if not name:
                continue
            weight = self.weight
            matched = sum(weight[pair] * max((w for pairs, w in weighted if pair in pairs), default=0) for pair in name)
            if not matched:
                continue
            # How much of the name the words cover, and how much of the phrase the name explains:
            # "党纪、政务处分" is the sanctions total, not only its 政务处分 part.
            recall = matched / sum(weight[pair] for pair in name)
            qualifier = self.qualifiers[indicator.code]
            explained = sum(weight.get(pair, 0) for pair in name & phrase_pairs)
            explained += 0.5 * sum(weight.get(pair, 0) for pair in (qualifier - name) & phrase_pairs)
            phrase_weight = sum(weight.get(pair, 0) for pair in phrase_pairs)
            precision = explained / phrase_weight if phrase_weight else recall
            score = 2 * recall * precision / (recall + precision) if recall + precision else 0
            score += 0.01 * len(name & (phrase_pairs | _pairs(inherited)))
            if qualifier:
                # The qualifier's words nearby ("惩治腐败领域，立案") confirm it.
                seen = set().union(*(pairs for pairs, _w in weighted))
                score += 0.2 * len(qualifier & seen) / len(qualifier)
            if unit:
                if unit == indicator.unit:
                    score += 0.5
                elif unit.removeprefix("余") == indicator.unit_word:
                    score += 0.3
                elif unit[-1:] == indicator.unit_word[:1] or unit[:1] == indicator.unit_word[:1]:
                    score += 0.15
            city_wide = indicator.reported_by == OrgKind.COMMISSION
            # The scope decides between twins (全市处分 and a group's 处分): it moves a score in
            # proportion to how well the words match, so it never makes a poor match win.
            if self.owner_kind == OrgKind.COMMISSION:
                pass
            elif scope == "city":
                score *= 1.4 if city_wide else 0.8
            elif city_wide:
                score *= 0.6
            proposals.append(Proposal(indicator.code, round(score, 3), indicator.name_zh))
        proposals.sort(key=lambda p: -p.score)
        return [p for p in proposals[:5] if p.score >= 0.35]

    def _share_of(self, code: str) -> str:
        share = self.catalogue.share_indicator_of.get(code)
        if share is not None:
            return share.code
        if code in self.catalogue.exact_of:
            return f"share:{code}"
        return ""


def _count_of(binding: str) -> str:
    """The indicator a binding is about ("x@previous" → "x"); "" for a year, a name or a share of a part."""
    if not binding or binding.startswith(("share:", "text:")) or binding in YEAR_BINDINGS + NAMED:
        return ""
    return binding.split("@")[0].split(":")[0]
