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

from tracker.catalogue.models import Breakdown, Catalogue, Indicator

Number = int | Decimal | Fraction | float


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
    if all(type(c) is int for c in counts):
        return _int_shares(counts, decimals)
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


def _int_shares(counts: Sequence[int], decimals: int) -> list[Decimal | None]:
    """`shares` for whole counts in integer arithmetic (the common case, and many times faster):
    every quota c·100·10^d / total has the same denominator, so its floor and remainder are
    integer division and modulo, and remainders compare as integers."""
    total = sum(counts)
    if total <= 0:
        return [None] * len(counts)
    scale = 10**decimals
    scaled = [c * 100 * scale for c in counts]
    floors = [n // total for n in scaled]
    remainders = [n % total for n in scaled]
    missing = 100 * scale - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (remainders[i], i), reverse=True)
    for i in by_remainder[:missing]:
        floors[i] += 1
    quantum = Decimal(1).scaleb(-decimals)
    return [(Decimal(f) / scale).quantize(quantum) for f in floors]


def derive_period(values: Mapping[str, int | None], catalogue: Catalogue) -> dict[str, int | Decimal | None]:
    """One reporter's figures for one period, with its derived figures formed.

    `values` maps the entered indicators' codes to figures (None or absent = not known). A
    derived sum is the typed total where one was typed (Indicator.may_be_entered), else the
    sum of its parts when every part is known, else not known; sums of sums work in any
    order. Shares are left to `share_values`, since a share is taken after adding up.
    """
    result: dict[str, int | Decimal | None] = dict(values)
    pending = [ind for ind in catalogue.indicators if ind.sum_parts]

    def resolve(indicator: Indicator, seen: frozenset[str]) -> int | None:
        if indicator.code in result and (indicator.may_be_entered and result[indicator.code] is not None):
            return result[indicator.code]
        parts = []
        for code in indicator.sum_parts:
            part = catalogue.by_code.get(code)
            if part is not None and part.sum_parts and code not in seen:
                parts.append(resolve(part, seen | {code}))
            else:
                parts.append(result.get(code))
        return None if any(p is None for p in parts) else sum(parts)

    for indicator in pending:
        result[indicator.code] = resolve(indicator, frozenset({indicator.code}))
    return result


def share_values(values: Mapping[str, int | Decimal | None], catalogue: Catalogue) -> dict[str, Decimal | None]:
    """Every derived share (whole percent) from added-up figures: its count's share of its breakdown."""
    result: dict[str, Decimal | None] = {}
    by_breakdown: dict[Breakdown, dict[str, PartShare]] = {}
    for indicator in catalogue.shares:
        breakdown = catalogue.share_breakdown(indicator)
        if breakdown is None:
            result[indicator.code] = None
            continue
        if breakdown not in by_breakdown:
            # Once per breakdown: the four forms' four shares come from one division of 100.
            by_breakdown[breakdown] = {share.code: share for share in breakdown_shares(breakdown, values)}
        result[indicator.code] = by_breakdown[breakdown][indicator.share_of].whole
    return result


def report_figures(values: Mapping[str, int | None], catalogue: Catalogue) -> dict[str, int | Decimal | None]:
    """One report's entered figures with all its derived ones: sums, then shares (entry page, checks)."""
    result = derive_period(values, catalogue)
    result.update(share_values(result, catalogue))
    return result


@dataclass(frozen=True)
class PartShare:
    code: str
    value: int | Decimal | None
    whole: Decimal | None  # whole percent (an exact breakdown's add up to 100)
    one_decimal: Decimal | None


def breakdown_shares(breakdown: Breakdown, values: Mapping[str, int | Decimal | None]) -> list[PartShare]:
    """Each part's share of the whole.

    An exact breakdown's parts share out 100 by largest remainder (`shares`, over the parts, so
    they add up to 100 even where a total was typed); a `within` or `overlap` part is its own
    percentage of the whole, not forced to add up to anything. An `approx` part has no share: it is
    counted in another measure word than the whole (件次 of 件), and a percentage of that is no share.
    """
    counts = [values.get(code) for code in breakdown.parts]
    if breakdown.is_exact:
        whole_pcts, one_decimals = shares(counts, 0), shares(counts, 1)
    elif breakdown.is_approx:
        whole_pcts = one_decimals = [None] * len(counts)
    else:
        total = values.get(breakdown.whole)
        whole_pcts = [None if c is None or total is None else percent(c, total, 0) for c in counts]
        one_decimals = [None if c is None or total is None else percent(c, total, 1) for c in counts]
    return [
        PartShare(code, count, w, d)
        for code, count, w, d in zip(breakdown.parts, counts, whole_pcts, one_decimals, strict=True)
    ]


@dataclass(frozen=True)
class Change:
    absolute: int | None
    percent: Decimal | None  # one decimal; None where last year is empty or zero
    # Either side was added up from incomplete reports (a reporter missing periods of the range, a
    # group not yet accepted): the change is printed only with a mark that says so.
    partial: bool = False


def change(current: int | None, previous: int | None, *, is_share: bool = False, partial: bool = False) -> Change:
    """Year-over-year change: absolute, and percent of last year's figure.

    A share's change is in percentage points; a percent of a percent would read wrongly,
    so shares get none. `partial`: either figure is incomplete (OrgFigures.change knows).
    """
    if current is None or previous is None:
        return Change(None, None)
    absolute = current - previous
    if previous == 0 or is_share:
        return Change(absolute, None, partial)
    return Change(absolute, percent(absolute, previous), partial)


def sum_known(values: Sequence[int | None]) -> tuple[int | None, int]:
    """Sum of the known values and how many were unknown; None when none is known."""
    known = [v for v in values if v is not None]
    return (sum(known) if known else None), len(values) - len(known)


def percent(part: int, whole: int, decimals: int = 1) -> Decimal | None:
    """`part` as a percentage of `whole` (e.g. the share of reports done); None for a zero whole.

    Rounded as offices and calculators round (四舍五入, half away from zero): 1 of 16 is 6.3 %,
    −1 of 16 is −6.3 %, not Decimal's default half-to-even 6.2 %. Exact, whatever the figures'
    size: the quotient of two integers is a Fraction until it is rounded.
    """
    if not whole:
        return None
    quotient = Fraction(part * 100, whole)
    quantum = Decimal(1).scaleb(-decimals)
    scale = 10**decimals
    # Half away from zero on the exact quotient: floor(|q|·10^d + 1/2), with the sign put back.
    magnitude = abs(quotient) * scale + Fraction(1, 2)
    rounded = Decimal(magnitude.numerator // magnitude.denominator) / scale
    if quotient < 0 and rounded:  # a change that rounds to nothing is 0.0, never −0.0
        rounded = -rounded
    return rounded.quantize(quantum)
