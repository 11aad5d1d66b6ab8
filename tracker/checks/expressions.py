"""Rule expressions: sums and differences of indicator codes and integers.

Parsed by a tokenizer, never evaluated by Python: "a_count + b_count - 2" becomes
[(+1, "a_count"), (+1, "b_count"), (-1, 2)]. Anything else is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

_TOKEN = re.compile(r"\s*(?:(?P<int>\d+)|(?P<code>[a-z][a-z0-9_]*)|(?P<op>[+-]))")


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    sign: int
    operand: str | int


def parse(text: str) -> list[Term]:
    text = (text or "").strip()
    if not text:
        raise ExpressionError(_("The expression is empty."))
    terms: list[Term] = []
    sign, expect_operand, pos = 1, True, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(
                _("“%(text)s” is not allowed: use indicator codes, whole numbers, + and - only.")
                % {"text": text[pos:].strip()[:30]}
            )
        pos = match.end()
        if match.group("op"):
            if expect_operand:
                # A leading or doubled sign: "-a" or "a - -b".
                sign = -sign if match.group("op") == "-" else sign
            else:
                sign = -1 if match.group("op") == "-" else 1
                expect_operand = True
            continue
        if not expect_operand:
            raise ExpressionError(_("Put + or - between two terms."))
        operand: str | int = int(match.group("int")) if match.group("int") else match.group("code")
        terms.append(Term(sign, operand))
        sign, expect_operand = 1, False
    if expect_operand:
        raise ExpressionError(_("The expression ends with an operator."))
    return terms


def codes(terms: list[Term]) -> set[str]:
    return {t.operand for t in terms if isinstance(t.operand, str)}


def evaluate(terms: list[Term], values: Mapping[str, int | None]) -> int | None:
    """The expression's value, or None when any figure it names is not known."""
    total = 0
    for term in terms:
        if isinstance(term.operand, int):
            total += term.sign * term.operand
            continue
        value = values.get(term.operand)
        if value is None:
            return None
        total += term.sign * int(value)
    return total
