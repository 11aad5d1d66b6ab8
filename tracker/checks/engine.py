"""Runs the validation rules and the year-over-year check over a set of figures.

Used by the entry page (next to the figures), by submission (errors block, warnings
need a note) and by the checks report for a whole subtree.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracker.checks.expressions import codes, evaluate, parse
from tracker.checks.models import COMPARE, Rule, Severity

# A figure more than this many times last year's, or less than its inverse, is suspicious…
YOY_FACTOR = 3
# …but only when last year's figure is big enough for the ratio to mean something.
YOY_MIN_LAST_YEAR = 5
# A figure ten times (or a tenth of) the previous period's or last year's, both non-zero, whatever
# their size, is most likely a typing error ("3,038" typed for 2, a digit too many or too few).
TYPO_FACTOR = 10

# How a rule's comparison reads in a finding ("…之和（8）应等于…（2）").
OPERATOR_WORDS = {
    "==": gettext_noop("should equal"),
    "<=": gettext_noop("should be at most"),
    ">=": gettext_noop("should be at least"),
    "<": gettext_noop("should be less than"),
    ">": gettext_noop("should be more than"),
    # Shown only when the two differ: a statement, not a demand (an `approx` breakdown's parts).
    "~=": gettext_noop("differs from"),
}


@dataclass(frozen=True)
class Finding:
    key: str
    severity: str
    message: str
    codes: tuple[str, ...]
    left: int | None = None
    right: int | None = None
    expression: str = ""
    # The comparison in words, with the indicators' names and values: "来信、来访…之和（8）应等于接收信访举报（2）".
    detail: str = ""
    # A warning a note on one of its figures explains (entry page, submission): shown as 已说明.
    explained: bool = False
    # (code, name) of each figure involved, for links to them.
    figures: tuple[tuple[str, str], ...] = ()

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


def _side(codes_: tuple[str, ...], value: int | None, names: Mapping[str, str]) -> str:
    label = "、".join(names.get(code, code) for code in codes_)
    if len(codes_) > 1:
        label = _("the sum of %(names)s") % {"names": label}
    return f"{label}（{value}）"


def rule_detail(rule: Rule, left: int | None, right: int | None, names: Mapping[str, str]) -> str:
    """A broken rule in words, with the figures' names and values."""
    left_codes = tuple(sorted(codes(list(_parsed(rule.left)))))
    right_codes = tuple(sorted(codes(list(_parsed(rule.right)))))
    operator = _(OPERATOR_WORDS.get(rule.operator, rule.operator))
    return f"{_side(left_codes, left, names)}{operator}{_side(right_codes, right, names)}"


def explained(result: CheckResult, noted: set[str]) -> CheckResult:
    """The result with each warning marked explained when one of its figures has a note."""
    result.violations = [replace(f, explained=not f.is_error and bool(noted & set(f.codes))) for f in result.violations]
    return result


def _named_figures(result: CheckResult, names: Mapping[str, str]) -> CheckResult:
    """Each violation with the names of its figures, for the links to them."""
    result.violations = [
        replace(f, figures=tuple((code, names.get(code, code)) for code in f.codes)) for f in result.violations
    ]
    return result


def run_checks(
    values: Mapping[str, int | None],
    *,
    applicable: Iterable[str],
    rules: list[Rule],
    last_year: Mapping[str, int | None] | None = None,
    yoy_codes: Iterable[str] = (),
    previous_period: Mapping[str, int | None] | None = None,
    names: Mapping[str, str] | None = None,
) -> CheckResult:
    """Check `values` (entered and derived figures by code).

    Only rules all of whose codes are in `applicable` (what this organisation reports)
    are run; a rule naming a figure that is not known is skipped, and listed as skipped.
    `last_year` is the same period last year (like with like), `previous_period` the period
    before; `names` the indicators' names for the findings' words.
    """
    names = names or {}
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
            detail = rule_detail(rule, left, right, names)
            result.violations.append(
                Finding(rule.key, rule.severity, rule.message, named, left, right, expression=expression, detail=detail)
            )
    yoy_codes = list(yoy_codes)
    typos = _typos(values, yoy_codes, names, previous_period, last_year)
    result.violations += typos
    if last_year is not None:
        flagged = {f.codes[0] for f in typos}
        for code in yoy_codes:
            now, before = values.get(code), last_year.get(code)
            if code in flagged or now is None or before is None or before < YOY_MIN_LAST_YEAR:
                continue
            if now > YOY_FACTOR * before or now * YOY_FACTOR < before:
                result.violations.append(
                    Finding(
                        f"yoy-{code}",
                        Severity.WARNING,
                        _(
                            "%(name)s: %(now)d against %(before)d in the same period last year, more than three "
                            "times or less than a third. Check it, and explain it in the note."
                        )
                        % {"name": names.get(code, code), "now": now, "before": before},
                        (code,),
                        now,
                        before,
                    )
                )
    return _named_figures(result, names)


# A unit's figure far from its sibling units' (modified z-score, Iglewicz and Hoaglin) is suspicious,
# when enough units have the figure for their spread to mean something.
OUTLIER_Z = 3.5
OUTLIER_MIN_UNITS = 5


def outliers(
    values, siblings: Mapping[int, Mapping[str, int | None]], codes_, names, *, show_median: bool = True
) -> list[Finding]:
    """Figures far from the same figure of the sibling units (the other units of the group).

    `show_median` False for a reader who may not see the siblings' figures (a unit's own clerk):
    the warning says the figure stands out, without any number of theirs.
    """
    findings = []
    for code in codes_:
        now = values.get(code)
        if now is None:
            continue
        others = [figures.get(code) for figures in siblings.values()]
        population = [v for v in others if v is not None] + [now]
        if len(population) < OUTLIER_MIN_UNITS:
            continue
        median = statistics.median(population)
        mad = statistics.median([abs(v - median) for v in population])
        if mad == 0:
            continue
        score = 0.6745 * (now - median) / mad
        if abs(score) > OUTLIER_Z:
            if show_median:
                message = _(
                    "%(name)s: %(now)s is far from the other units of the group (their median: %(median)s). "
                    "Check it, and explain it in the note if it is right."
                ) % {"name": names.get(code, code), "now": f"{now:,}", "median": f"{median:,}"}
            else:
                message = _(
                    "%(name)s: %(now)s is far from the same figure of the other units of the group. "
                    "Check it, and explain it in the note if it is right."
                ) % {"name": names.get(code, code), "now": f"{now:,}"}
            findings.append(
                Finding(
                    f"outlier-{code}",
                    Severity.WARNING,
                    message,
                    (code,),
                    now,
                    None,
                    figures=((code, names.get(code, code)),),
                )
            )
    return findings


def _typos(values, codes_, names, previous_period, last_year) -> list[Finding]:
    """A figure ten times, or a tenth, of the previous period's or last year's: likely mistyped."""
    findings = []
    references = [
        (previous_period, _("the previous period")),
        (last_year, _("the same period last year")),
    ]
    for code in codes_:
        now = values.get(code)
        if not now:
            continue
        for reference, when in references:
            before = reference.get(code) if reference is not None else None
            if not before:
                continue
            if now >= TYPO_FACTOR * before or now * TYPO_FACTOR <= before:
                findings.append(
                    Finding(
                        f"typo-{code}",
                        Severity.WARNING,
                        _(
                            "%(name)s: %(now)s against %(before)s in %(when)s, ten times more or less. "
                            "A typing error? Check it, and explain it in the note if it is right."
                        )
                        % {"name": names.get(code, code), "now": f"{now:,}", "before": f"{before:,}", "when": when},
                        (code,),
                        now,
                        before,
                    )
                )
                break
    return findings
