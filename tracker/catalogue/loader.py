"""Loads seeds/indicators.csv into the catalogue.

Run through tracker.aggregation.services.catalogue_load (by `migrate` and `manage.py load_catalogue`),
which re-forms the derived sums and approved totals a changed catalogue affects. Idempotent: a second run
changes nothing. Every behaviour is an explicit column (see the README's table); nothing is
inferred from a code, a name or a section.

Who owns what:
- the CSV owns the structure (`Indicator.CATALOGUE_FIELDS`: unit, section, kind, who reports
  it, how it adds up, its breakdowns, order, source): every reload sets them, and the admin
  shows them read-only;
- an administrator owns the names and the definition (`Indicator.ADMIN_FIELDS`) and whether an
  indicator is active: a reload updates a name or definition only where the administrator has
  not edited it, and reports a changed seed value it did not apply as a warning; it never
  switches back on an indicator the administrator switched off;
- an indicator that left the CSV is deactivated, never deleted (values point at it).

A file with any error (an unknown kind, a part that is not in the catalogue, a share whose
count belongs to no exact breakdown, a breakdown whose parts are counted in another measure word
than the whole but not declared `approx`…) is refused whole, with every error listed.

After a load the `catalogue_loaded` signal is sent; the validation rules are generated from
the breakdowns on it (tracker.checks), so this app needs to know nothing about rules.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

from tracker.catalogue.models import (
    Aggregation,
    Breakdown,
    Indicator,
    Kind,
    Relation,
    split_parts,
    split_relations,
)
from tracker.orgs.models import OrgKind

CATALOGUE_CSV = Path(settings.BASE_DIR) / "seeds" / "indicators.csv"

COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "unit_zh",
    "section",
    "kind",
    "reported_by",
    "aggregation",
    "parts",
    "relation",
    "may_be_entered",
    "definition",
    "source",
)

YES_NO = {"yes": True, "no": False, "": False}

# Sent after every load, with `using` (the database alias) as an argument.
catalogue_loaded = Signal()


class CatalogueError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def read_rows(path: Path = CATALOGUE_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogueError([f"{path.name}: missing column(s) {', '.join(missing)}"])
        return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


def _choice(value: str, choices, what: str, line: int, errors: list[str]) -> str:
    if value not in choices.values:
        errors.append(f"line {line}: {what} “{value}” is not one of {', '.join(choices.values)}")
    return value


def parse_rows(rows: list[dict[str, str]]) -> list[dict]:
    """The CSV's rows as Indicator fields, checked together; CatalogueError lists every problem."""
    errors: list[str] = []
    parsed: list[dict] = []
    seen: set[str] = set()
    for position, row in enumerate(rows, start=1):
        line = position + 1  # the header is line 1
        code = row["code"]
        if not code:
            errors.append(f"line {line}: no code")
            continue
        if code in seen:
            errors.append(f"line {line}: {code} appears twice")
        seen.add(code)
        may = row["may_be_entered"].lower()
        if may not in YES_NO:
            errors.append(f"line {line}: may_be_entered must be yes or no, not “{row['may_be_entered']}”")
        parsed.append(
            {
                "code": code,
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "unit": row["unit_zh"],
                "section": row["section"],
                "kind": _choice(row["kind"], Kind, "kind", line, errors),
                "reported_by": _choice(row["reported_by"], OrgKind, "reported_by", line, errors),
                "aggregation": _choice(row["aggregation"] or Aggregation.SUM, Aggregation, "aggregation", line, errors),
                "parts": row["parts"],
                "relation": row["relation"],
                "may_be_entered": YES_NO.get(may, False),
                "definition": row["definition"],
                "source": row["source"],
                "order": position * 10,
                "_line": line,
            }
        )
    by_code = {p["code"]: p for p in parsed}
    units = {p["code"]: p["unit"] for p in parsed}
    exact_wholes: dict[str, list[str]] = {}
    for p in parsed:
        line, code = p["_line"], p["code"]
        groups, relations = split_parts(p["parts"]), split_relations(p["relation"])
        for part in (c for group in groups for c in group):
            if part not in by_code:
                errors.append(f"line {line}: part {part} of {code} is not in the catalogue")
            elif by_code[part]["reported_by"] != p["reported_by"]:
                errors.append(f"line {line}: part {part} is reported by another kind of organisation than {code}")
            elif part == code:
                errors.append(f"line {line}: {code} is a part of itself")
        if p["kind"] == Kind.DERIVED_PCT:
            if len(groups) != 1 or len(groups[0]) != 1 or relations:
                errors.append(f"line {line}: a derived_pct names exactly one count in parts and no relation")
            continue
        if len(groups) != len(relations):
            errors.append(f"line {line}: {len(groups)} group(s) of parts but {len(relations)} relation(s)")
        for relation in relations:
            if relation not in Relation.values:
                errors.append(f"line {line}: relation “{relation}” is not one of {', '.join(Relation.values)}")
        for group, relation in zip(groups, relations, strict=False):
            if relation == Relation.EXACT:
                for part in group:
                    exact_wholes.setdefault(part, []).append(code)
            if relation in Relation.values and all(part in by_code for part in group):
                errors += _measure_word_errors(Breakdown(code, relation, group), units, line)
        if p["kind"] == Kind.DERIVED_SUM and Relation.EXACT not in relations:
            errors.append(f"line {line}: a derived_sum needs an exact breakdown (its parts)")
        if p["may_be_entered"] and p["kind"] != Kind.DERIVED_SUM:
            errors.append(f"line {line}: only a derived_sum may be entered")
    for part, wholes in exact_wholes.items():
        if len(wholes) > 1:
            errors.append(f"{part} is a part of more than one exact breakdown ({', '.join(wholes)})")
    for p in parsed:
        if p["kind"] == Kind.DERIVED_PCT:
            count = (split_parts(p["parts"]) or [("",)])[0][0]
            if count in by_code and count not in exact_wholes:
                errors.append(f"line {p['_line']}: {p['code']} is a share of {count}, which is in no exact breakdown")
    if errors:
        raise CatalogueError(errors)
    for p in parsed:
        del p["_line"]
    return parsed


def _measure_word_errors(breakdown: Breakdown, units: dict[str, str], line: int) -> list[str]:
    """A whole and its parts in different measure words (件 against 件次) cannot be compared, so only
    an `approx` relation may join them; an `approx` one whose parts all share the whole's word is a
    relation that should have been stated exactly. `units`: code → measure word column."""
    foreign = breakdown.foreign_parts(units)
    whole = f"{breakdown.whole} ({units[breakdown.whole] or 'no measure word'})"
    if foreign and not Relation(breakdown.relation).mixes_measure_words:
        counted = ", ".join(f"{part} ({units[part] or 'no measure word'})" for part in foreign)
        return [
            f"line {line}: the {breakdown.relation} breakdown of {whole} has parts counted in another measure "
            f"word: {counted}. Figures in different measure words cannot be compared exactly: count them in "
            f"one measure word, or declare the breakdown {Relation.APPROX.value} (the parts add up to about "
            "the whole; a difference is a warning, not an error) and say why in the definitions."
        ]
    if not foreign and Relation(breakdown.relation).mixes_measure_words:
        return [
            f"line {line}: the {breakdown.relation} breakdown of {whole} has every part in the whole's measure "
            f"word; declare it {Relation.EXACT.value}, {Relation.WITHIN.value} or {Relation.OVERLAP.value}: "
            f"{Relation.APPROX.value} is only for parts counted in another measure word."
        ]
    return []


def load_catalogue(path: Path = CATALOGUE_CSV, using: str = "default") -> LoadResult:
    result = LoadResult()
    rows = parse_rows(read_rows(path))
    existing = {ind.code: ind for ind in Indicator.objects.using(using).all()}
    with transaction.atomic(using=using):
        for row in rows:
            code = row["code"]
            seed = {name: row[name] for name in Indicator.ADMIN_FIELDS}
            wanted = {name: row[name] for name in Indicator.CATALOGUE_FIELDS}
            indicator = existing.get(code)
            if indicator is None:
                Indicator.objects.using(using).create(seed=seed, **seed, **wanted)
                result.created.append(code)
                continue
            changed = [name for name, value in wanted.items() if getattr(indicator, name) != value]
            for name in changed:
                setattr(indicator, name, wanted[name])
            old_seed = indicator.seed or {}
            for name, value in seed.items():
                if old_seed.get(name) == value:
                    continue
                current = getattr(indicator, name)
                if name not in old_seed or current == old_seed.get(name) or current == value:
                    # Not edited by an administrator (or edited to what the CSV now says): follow the CSV.
                    if current != value:
                        setattr(indicator, name, value)
                        changed.append(name)
                else:
                    result.warnings.append(
                        f"{code}: the catalogue's {name} changed to “{value}”, but an administrator edited it "
                        f"(“{current}”); the edit is kept."
                    )
            if old_seed != seed:
                indicator.seed = seed
                changed.append("seed")
            if changed:
                indicator.save(using=using)
                result.updated.append(code)
        seeded = {row["code"] for row in rows}
        for code, indicator in existing.items():
            if code not in seeded and indicator.active:
                indicator.active = False
                indicator.save(using=using, update_fields=["active", "updated"])
                result.deactivated.append(code)
        catalogue_loaded.send(sender=Indicator, using=using, result=result)
    return result
