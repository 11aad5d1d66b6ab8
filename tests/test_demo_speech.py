"""The demo's forestry speech regenerated for 2022 is the seed speech with its `**` filled.

seeds/speech-2023.txt is the group's published speech: its 2022 figures and the names of its
units, sector and city hidden as `**`. The demo enters the 2022 figures the speech printed and
keeps a whole name for each hidden one, so the demo's speech generated for 2022 must give back
the seed text with every figure (seeds/placeholders.csv) and every name (seeds/name_redactions.csv)
filled in, and nothing else changed.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import demo_seeded
from tracker.demo.world import ORGS, plan_reports
from tracker.documents.generate import generate
from tracker.documents.models import DocumentTemplate
from tracker.entry.periods import Range
from tracker.orgs.models import Organisation, OrgKind

SEEDS = Path(settings.BASE_DIR) / "seeds"
YEAR = 2022  # the year the seed speech reviews

# What the demo prints for each name the seed speech hides: (the name redactions' star_index of
# each `**` in the fragment, the fragment as the seed writes it, as the demo prints it). The demo
# keeps each name whole ("青岚市林业服务中心"), so a fragment's fixed words around its `**`
# ("市服务中心") are part of what is replaced. City 青岚 and its units are the demo world's.
NAMES: tuple[tuple[tuple[int, ...], str, str], ...] = (
    ((1,), "**草原", "林业和草原"),
    ((2,), "**系统", "林草系统"),
    ((3,), "清廉**", "清廉园林"),
    ((4,), "**系统", "林草系统"),
    ((5,), "清廉**", "清廉园林"),
    ((41,), "**国家级自然保护区管理局", "翠屏山国家级自然保护区管理局"),
    ((42,), "**市服务中心", "青岚市林业服务中心"),
    ((43,), "**市研究所", "青岚市林业科学研究所"),
    ((44,), "**园", "青岚植物园"),
    ((45,), "**市园", "青岚市森林公园"),
    ((46,), "清廉**", "清廉园林"),
    ((47,), "**市中心", "青岚市湿地保护中心"),
    ((48,), "**市", "青岚市国有林场"),
    ((49, 50), "**市**站", "青岚市林木种苗站"),
    ((51,), "**", "林业和草原"),
    ((52,), "**", "青岚"),
    ((53,), "清廉**", "清廉园林"),
    ((54,), "**草原", "林业和草原"),
    ((55,), "**", "省委"),
    ((56,), "**", "青岚"),
    ((57,), "**", "市委"),
    ((58,), "**", "青岚"),
    ((59,), "**草原", "林业和草原"),
    ((60,), "**草原", "林业和草原"),
    ((61,), "**", "林草"),
)


@dataclass(frozen=True)
class Slot:
    """A place of the seed speech the demo fills: a figure or a hidden name."""

    start: int  # in the seed text
    written: str  # as the seed writes it
    expected: str  # as the demo's speech should print it
    label: str
    is_name: bool


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def demo_figures(year: int) -> dict[str, int]:
    """The forestry group's figures for the year as the demo plans them, added up here by hand:
    the group's own, its units' summed, the commission's, and the derived sums from their parts."""
    sources = {spec.code for spec in ORGS if spec.parent == "forestry"} | {"forestry", "city"}
    figures: Counter[str] = Counter()
    for plan in plan_reports():
        if plan.organisation in sources and plan.period.year == year:
            figures.update({code: value for code, value in plan.figures.items() if value is not None})
    for row in _rows("indicators.csv"):
        if row["kind"] == "derived_sum" and all(part in figures for part in row["parts"].split("+")):
            figures[row["code"]] = sum(figures[part] for part in row["parts"].split("+"))
    return dict(figures)


def seed_slots(text: str, figures: dict[str, int]) -> list[Slot]:
    """Every figure and hidden name of the seed speech, with what the demo should print there."""
    slots = []
    for row in _rows("placeholders.csv"):
        start, written = int(row["char_offset"]), row["raw_token"]
        assert text[start : start + len(written)] == written, row
        # The numbers the speech left unredacted (94%, 6%, 3038) are the demo's too; a "**余个"
        # figure stores its lower bound N, and the seed's 余 stays after it.
        expected = written if written != "**" else str(figures[row["code"]])
        slots.append(Slot(start, written, expected, f"{row['idx']} {row['code']}", is_name=False))
    offsets = {int(row["star_index"]): int(row["char_offset"]) for row in _rows("name_redactions.csv")}
    assert sorted(i for stars, _w, _e in NAMES for i in stars) == sorted(offsets), "every hidden name is in NAMES"
    for stars, written, expected in NAMES:
        start = offsets[stars[0]] - written.index("**")
        assert text[start : start + len(written)] == written, (stars, written)
        # A fragment of two `**` covers both of its stars.
        assert [start + i for i in range(len(written) - 1) if written.startswith("**", i)] == [
            offsets[s] for s in stars
        ]
        around = text[max(start - 3, 0) : start + len(written) + 3]
        slots.append(Slot(start, written, expected, f"★{'+'.join(map(str, stars))} {around}", is_name=True))
    slots.sort(key=lambda slot: slot.start)
    assert text.count("**") == sum(slot.written.count("**") for slot in slots), "every ** of the seed is a slot"
    return slots


def expected_text(text: str, slots: list[Slot]) -> str:
    out, cursor = [], 0
    for slot in slots:
        out += [text[cursor : slot.start], slot.expected]
        cursor = slot.start + len(slot.written)
    return "".join([*out, text[cursor:]])


def printed(generated: str, text: str, slots: list[Slot]) -> dict[str, str]:
    """What the generated text prints in each slot, found between the seed's fixed words around it
    (a slot's fixed words that do not follow are left for the whole-text comparison)."""
    found, cursor, seed_cursor = {}, 0, 0
    for index, slot in enumerate(slots):
        before = text[seed_cursor : slot.start]
        if not generated.startswith(before, cursor):
            break
        cursor += len(before)
        seed_cursor = slot.start + len(slot.written)
        following = text[seed_cursor : slots[index + 1].start] if index + 1 < len(slots) else text[seed_cursor:]
        end = generated.find(following, cursor) if following else cursor
        if end < 0:
            break
        found[slot.label] = generated[cursor:end]
        cursor = end
    return found


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world, seeded once for this module (see conftest.demo_seeded)."""
    with demo_seeded(django_db_blocker):
        yield


@pytest.fixture
def seeded(demo_world, db) -> None:
    return None


@pytest.fixture
def seed_text() -> str:
    return (SEEDS / "speech-2023.txt").read_text(encoding="utf-8")


def regenerated() -> str:
    forestry = Organisation.objects.get(code="forestry", kind=OrgKind.GROUP)
    template = DocumentTemplate.objects.get(organisation=forestry)
    return generate(template.current, forestry, Range.full(YEAR)).text


class TestTheSeedSpeech:
    def test_every_hidden_name_prints_a_name(self, seeded, seed_text):
        slots = seed_slots(seed_text, demo_figures(YEAR))
        found = printed(regenerated(), seed_text, slots)
        names = {slot.label: found.get(slot.label) for slot in slots if slot.is_name}
        assert len(names) == 25  # 26 hidden names, "**市**站" one of them written as two **
        not_names = {label: name for label, name in names.items() if not name or any(c.isdigit() for c in name)}
        assert not_names == {}, "hidden names printed as figures (or not found)"
        assert names == {slot.label: slot.expected for slot in slots if slot.is_name}

    def test_every_figure_prints_the_demos_figure(self, seeded, seed_text):
        slots = seed_slots(seed_text, demo_figures(YEAR))
        found = printed(regenerated(), seed_text, slots)
        figures = {slot.label: slot.expected for slot in slots if not slot.is_name}
        assert len(figures) == 38
        assert {label: found.get(label) for label in figures} == figures

    def test_it_is_the_seed_text_with_its_places_filled(self, seeded, seed_text):
        generated = regenerated()
        expected = expected_text(seed_text, seed_slots(seed_text, demo_figures(YEAR)))
        assert "**" not in generated
        first = next((i for i, (a, b) in enumerate(zip(generated, expected, strict=False)) if a != b), None)
        if first is not None:
            around = slice(max(first - 20, 0), first + 20)
            pytest.fail(f"they differ at {first}: {generated[around]!r} is not {expected[around]!r}")
        assert generated == expected

    def test_its_figures_are_those_the_speech_printed(self):
        figures = demo_figures(YEAR)
        # The shares the speech left unredacted (94%, 6%) follow from these, and 3038 is printed as is.
        assert (figures["grp_form1_person_times"], figures["grp_form2_person_times"]) == (47, 3)
        assert figures["city_four_forms_total"] == 3038
