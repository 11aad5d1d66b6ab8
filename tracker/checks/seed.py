"""The seeded validation rules: generated from the catalogue's breakdowns, plus seeds/rules.csv.

- an `exact` breakdown gives "the parts add up to the whole" (not for a derived sum that
  cannot be typed: it is its parts' sum by construction);
- `within` gives "each part is at most the whole";
- `overlap` gives both "each part is at most the whole" and "the whole is at most the parts' sum";
- `approx` (parts counted in another measure word) gives "the parts add up to about the whole",
  a warning naming the measure words: a difference needs a note, never blocks;
- seeds/rules.csv holds the other rules (soft relations between indicators of different
  breakdowns), as data.

Loaded after every catalogue load (the `catalogue_loaded` signal, so also by `migrate`).
The same ownership as the catalogue: a seeded rule follows its seed until an administrator
edits it; an edited rule is kept and a changed seed is reported; a rule that is no longer
seeded is switched off, and on again if it comes back; rules an administrator added are
never touched.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tracker.catalogue.models import Breakdown, Catalogue, Indicator, Relation
from tracker.checks.models import Operator, Rule, Severity

RULES_CSV = Path(settings.BASE_DIR) / "seeds" / "rules.csv"
SEEDED_FIELDS = ("left", "operator", "right", "severity", "message")


def _name(catalogue: Catalogue, code: str) -> str:
    indicator = catalogue.by_code.get(code)
    if indicator is None:
        return code
    # A name that has quotes of its own (处分“一把手”) reads best without another pair.
    return indicator.name_zh if "“" in indicator.name_zh else f"“{indicator.name_zh}”"


def _unit(catalogue: Catalogue, code: str) -> str:
    indicator = catalogue.by_code.get(code)
    return indicator.unit_word if indicator is not None else ""


def _names(catalogue: Catalogue, codes: tuple[str, ...]) -> str:
    return "、".join(_name(catalogue, code) for code in codes)


def _rule(key: str, left: str, operator: str, right: str, message: str, severity=Severity.ERROR) -> dict:
    # The model's column widths: a catalogue with very long names still loads.
    return {
        "key": key[:150],
        "left": left[:500],
        "operator": operator,
        "right": right[:500],
        "severity": severity,
        "message": message[:300],
    }


def breakdown_rules(catalogue: Catalogue, breakdown: Breakdown) -> list[dict]:
    whole = catalogue.by_code[breakdown.whole]
    parts_sum = " + ".join(breakdown.parts)
    rules = []
    if breakdown.relation == Relation.EXACT:
        if whole.sum_parts and not whole.may_be_entered:
            return []
        rules.append(
            _rule(
                f"sum-{whole.code}",
                parts_sum,
                Operator.EQ,
                whole.code,
                f"{_names(catalogue, breakdown.parts)}之和应等于{_name(catalogue, whole.code)}。",
            )
        )
        return rules
    if breakdown.is_approx:
        # Parts in another measure word (谈话函询 in 件次 under 处置问题线索 in 件): their sum is compared
        # with the whole, but a difference is a warning that names the measure words, never an error.
        parts = "、".join(f"{_name(catalogue, code)}（{_unit(catalogue, code)}）" for code in breakdown.parts)
        rules.append(
            _rule(
                f"approx-{whole.code}",
                parts_sum,
                Operator.ABOUT,
                whole.code,
                f"{parts}之和与{_name(catalogue, whole.code)}（{_unit(catalogue, whole.code)}）不一致："
                "计量单位不同，二者不一定相等，仅供核对；请核实后在备注中说明。",
                Severity.WARNING,
            )
        )
        return rules
    for part in breakdown.parts:
        rules.append(
            _rule(
                f"part-{part}-le-{whole.code}",
                part,
                Operator.LE,
                whole.code,
                f"{_name(catalogue, part)}不能超过{_name(catalogue, whole.code)}。",
            )
        )
    if breakdown.relation == Relation.OVERLAP:
        rules.append(
            _rule(
                f"whole-{whole.code}-le-parts",
                whole.code,
                Operator.LE,
                parts_sum,
                f"{_name(catalogue, whole.code)}不能超过{_names(catalogue, breakdown.parts)}之和。",
            )
        )
    return rules


def file_rules(path: Path = RULES_CSV) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            _rule(
                row["key"].strip(),
                row["left"].strip(),
                Operator(row["operator"].strip()),
                row["right"].strip(),
                row["message"].strip(),
                Severity(row["severity"].strip()),
            )
            for row in csv.DictReader(fh)
        ]


def seeded_rules(catalogue: Catalogue, path: Path = RULES_CSV) -> list[dict]:
    rules = [rule for breakdown in catalogue.breakdowns for rule in breakdown_rules(catalogue, breakdown)]
    return rules + file_rules(path)


def load_rules(using: str = "default", path: Path = RULES_CSV) -> list[str]:
    """Bring the seeded rules in line with the catalogue and rules.csv; returns warnings."""
    catalogue = Catalogue(Indicator.objects.using(using).filter(active=True))
    wanted = {rule["key"]: rule for rule in seeded_rules(catalogue, path)}
    warnings: list[str] = []
    with transaction.atomic(using=using):
        existing = {rule.key: rule for rule in Rule.objects.using(using).all()}
        for key, fields in wanted.items():
            seed = {name: str(fields[name]) for name in SEEDED_FIELDS}
            rule = existing.get(key)
            if rule is None:
                Rule.objects.using(using).create(key=key, seed=seed, **{n: fields[n] for n in SEEDED_FIELDS})
                continue
            if rule.seed is None:
                warnings.append(f"rule {key}: an administrator's rule has this key; the seeded rule is not loaded.")
                continue
            old = rule.seed
            if {name: old.get(name) for name in SEEDED_FIELDS} != seed:
                if any(str(getattr(rule, name)) != old.get(name) for name in SEEDED_FIELDS):
                    warnings.append(f"rule {key}: the seeded rule changed, but an administrator edited it; kept.")
                else:
                    for name in SEEDED_FIELDS:
                        setattr(rule, name, fields[name])
            if old.get("retired"):
                rule.active = True
            if old != seed:  # also true for a retired rule, whose seed carries the mark
                rule.seed = seed
                rule.save(using=using)
        for key, rule in existing.items():
            if rule.seed is not None and key not in wanted and not rule.seed.get("retired"):
                rule.active = False
                rule.seed = {**rule.seed, "retired": True}
                rule.save(using=using, update_fields=["active", "seed"])
    return warnings
