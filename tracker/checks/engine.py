"""Runs the validation rules and the year-over-year check over a set of figures.

Used by the entry page (next to the figures), by submission (errors block, warnings
need a note) and by the checks report for a whole subtree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

from tracker.checks.expressions import codes, evaluate, parse
from tracker.checks.models import COMPARE, Rule, Severity

# A figure more than this many times last year's, or less than its inverse, is suspicious…
YOY_FACTOR = 3
# …but only when last year's figure is big enough for the ratio to mean something.
YOY_MIN_LAST_YEAR = 5


@dataclass(frozen=True)
class Finding:
    key: str
    severity: str
    message: str
    codes: tuple[str, ...]
    left: int | None = None
    right: int | None = None
    expression: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass
class CheckResult:
    violations: list[Finding] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    passed: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.violations if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.violations if not f.is_error]

    def by_code(self) -> dict[str, list[Finding]]:
        """Violations listed under each figure they involve (for the entry page)."""
        result: dict[str, list[Finding]] = {}
        for finding in self.violations:
            for code in finding.codes:
                result.setdefault(code, []).append(finding)
        return result


@lru_cache(maxsize=1024)
def _parsed(text: str) -> tuple:
    """A rule side parsed once per process (the checks page runs every rule on every organisation)."""
    return tuple(parse(text))


@lru_cache(maxsize=1024)
def _named(left: str, right: str) -> tuple[str, ...]:
    """The indicator codes a rule names, sorted."""
    return tuple(sorted(codes(list(_parsed(left))) | codes(list(_parsed(right)))))


def active_rules() -> list[Rule]:
    return list(Rule.objects.active())


def run_checks(
    values: Mapping[str, int | None],
    *,
    applicable: Iterable[str],
    rules: list[Rule],
    last_year: Mapping[str, int | None] | None = None,
    yoy_codes: Iterable[str] = (),
) -> CheckResult:
    """Check `values` (entered and derived figures by code).

    Only rules all of whose codes are in `applicable` (what this organisation reports)
    are run; a rule naming a figure that is not known is skipped, and listed as skipped.
    """
    applicable = set(applicable)
    result = CheckResult()
    for rule in rules:
        named = _named(rule.left, rule.right)
        if not set(named) <= applicable:
            continue
        left_terms, right_terms = _parsed(rule.left), _parsed(rule.right)
        left, right = evaluate(left_terms, values), evaluate(right_terms, values)
        expression = f"{rule.left} {rule.operator} {rule.right}"
        if left is None or right is None:
            result.skipped.append(Finding(rule.key, rule.severity, rule.message, named, expression=expression))
        elif COMPARE[rule.operator](left, right):
            result.passed += 1
        else:
            result.violations.append(
                Finding(rule.key, rule.severity, rule.message, named, left, right, expression=expression)
            )
    if last_year is not None:
        for code in yoy_codes:
            now, before = values.get(code), last_year.get(code)
            if now is None or before is None or before < YOY_MIN_LAST_YEAR:
                continue
            if now > YOY_FACTOR * before or now * YOY_FACTOR < before:
                result.violations.append(
                    Finding(
                        f"yoy-{code}",
                        Severity.WARNING,
                        _(
                            "%(now)d against %(before)d a year earlier: more than three times or less than a third. "
                            "Check it, and explain it in the note."
                        )
                        % {"now": now, "before": before},
                        (code,),
                        now,
                        before,
                    )
                )
    return result
