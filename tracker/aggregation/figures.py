"""Every derived figure is computed here, and only here.

Entry pages, summaries, the review text, exports and the JSON all call these
functions: a share, a sum or a year-over-year change has exactly one definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Rational

# Derived sums: the indicator and the entered indicators it adds up. A derived sum is
# the total typed in directly where that is allowed (Indicator.may_be_entered: the
# parts are not known separately), else the sum of its parts when every part is
# known, else "not known" (None). When both are entered, a validation rule compares them.
DERIVED_SUMS: dict[str, tuple[str, ...]] = {
    "grp_four_forms_total": (
        "grp_form1_person_times",
        "grp_form2_person_times",
        "grp_form3_person_times",
        "grp_form4_person_times",
    ),
    "grp_reminder_letters_proposals": ("grp_reminder_letters", "grp_discipline_proposals"),
    "grp_admonition_talks": ("grp_work_talks", "grp_integrity_talks"),
}

FOUR_FORMS = DERIVED_SUMS["grp_four_forms_total"]
# Share indicator → the form count it is the share of, in form order.
FOUR_FORM_SHARES: dict[str, str] = {
    "grp_form1_pct": "grp_form1_person_times",
    "grp_form2_pct": "grp_form2_person_times",
    "grp_form3_pct": "grp_form3_person_times",
    "grp_form4_pct": "grp_form4_person_times",
}

Number = int | Decimal | Fraction | float


def derived_parts(code: str) -> tuple[str, ...]:
    """The entered indicators a figure is made of: its parts if it is derived, else itself."""
    if code in DERIVED_SUMS:
        return DERIVED_SUMS[code]
    if code in FOUR_FORM_SHARES:
        return FOUR_FORMS
    return (code,)


def shares(counts: Sequence[Number | None], decimals: int = 0) -> list[Decimal | None]:
    """Percent shares of `counts` that add up to exactly 100, by largest remainder.

    Each share is first cut down to `decimals` places; the units of the last place
    still missing to reach 100 go to the largest remainders. Ties go to the later
    position, so 1, 1, 1 gives 33, 33, 34 every time.

    A total of zero (or any part unknown) gives no shares at all: [None, …].

    >>> shares([47, 3])
    [Decimal('94'), Decimal('6')]
    """
    if any(c is None for c in counts):
        return [None] * len(counts)
    exact = [Fraction(str(c)) if not isinstance(c, Rational) else Fraction(c) for c in counts]
    total = sum(exact)
    if total <= 0:
        return [None] * len(counts)
    scale = 10**decimals
    quotas = [c * 100 * scale / total for c in exact]
    floors = [q.numerator // q.denominator for q in quotas]
    missing = 100 * scale - sum(floors)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (quotas[i] - floors[i], i), reverse=True)
    for i in by_remainder[:missing]:
        floors[i] += 1
    quantum = Decimal(1).scaleb(-decimals)
    return [(Decimal(f) / scale).quantize(quantum) for f in floors]


@dataclass(frozen=True)
class FormShare:
    code: str  # the form's count indicator
    count: int | None
    whole: Decimal | None
    one_decimal: Decimal | None


def four_forms(values: Mapping[str, int | None]) -> list[FormShare]:
    """The four forms' counts with their shares, whole and to one decimal."""
    counts = [values.get(code) for code in FOUR_FORMS]
    whole = shares(counts, 0)
    one_decimal = shares(counts, 1)
    return [FormShare(code, c, w, d) for code, c, w, d in zip(FOUR_FORMS, counts, whole, one_decimal, strict=True)]


def derive(values: Mapping[str, int | None]) -> dict[str, int | Decimal | None]:
    """The derived figures (sums and whole-percent shares) of a set of entered values.

    `values` maps indicator codes to entered figures (None = not known). The result
    maps each derived indicator code to its figure, or None where it is not known.
    """
    derived: dict[str, int | Decimal | None] = {}
    for code, parts in DERIVED_SUMS.items():
        part_values = [values.get(p) for p in parts]
        if values.get(code) is not None:
            derived[code] = values[code]
        else:
            derived[code] = None if any(v is None for v in part_values) else sum(part_values)
    for share_code, form in zip(FOUR_FORM_SHARES, four_forms(values), strict=True):
        derived[share_code] = form.whole
    return derived


@dataclass(frozen=True)
class Change:
    absolute: int | None
    percent: Decimal | None  # one decimal; None where last year is empty or zero


def change(current: int | None, previous: int | None, *, is_share: bool = False) -> Change:
    """Year-over-year change: absolute, and percent of last year's figure.

    A share's change is in percentage points; a percent of a percent would read wrongly,
    so shares get none.
    """
    if current is None or previous is None:
        return Change(None, None)
    absolute = current - previous
    if previous == 0 or is_share:
        return Change(absolute, None)
    return Change(absolute, percent(absolute, previous))


def sum_known(values: Sequence[int | None]) -> tuple[int | None, int]:
    """Sum of the known values and how many were unknown; None when none is known."""
    known = [v for v in values if v is not None]
    return (sum(known) if known else None), len(values) - len(known)


def percent(part: int, whole: int, decimals: int = 1) -> Decimal | None:
    """`part` as a percentage of `whole` (e.g. the share of reports done); None for a zero whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-decimals))
