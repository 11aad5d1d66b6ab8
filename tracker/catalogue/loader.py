"""Loads seeds/indicators.csv into the catalogue.

Run by `migrate` (post_migrate) and by `manage.py load_catalogue`. Idempotent:
a second run changes nothing. A later version of the CSV updates names, units,
sections and order in place (values point at indicators by key, so none is lost),
marks indicators that left the CSV inactive instead of deleting them, and leaves an
administrator's edited definition alone, reporting it as a warning. Whether an
indicator is active is the administrator's to decide: a load never switches one back on.

Who reports an indicator is decided here from its section (see `reported_by_for`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tracker.catalogue.models import Aggregation, Indicator, Kind
from tracker.orgs.models import OrgKind

CATALOGUE_CSV = Path(settings.BASE_DIR) / "seeds" / "indicators.csv"

# The group's own supervision work: entered once for the whole group.
GROUP_SECTIONS = {"日常监督", "基层监督", "专题调研"}


def reported_by_for(code: str, section: str) -> str:
    """Which kind of organisation enters an indicator.

    - city-wide figures (city_*) are the commission's own;
    - the group's own work (daily supervision, grassroots guidance, research) is the group's;
    - everything counted about people and cases (petitions, clues, cases, sanctions,
      the four forms, eight-point rules) is entered per supervised unit, where the
      person or problem belongs, so a group's figure is the sum over its units.
    """
    if code.startswith("city_"):
        return OrgKind.COMMISSION
    if section in GROUP_SECTIONS:
        return OrgKind.GROUP
    return OrgKind.UNIT


def aggregation_for(name_zh: str) -> str:
    # 累计/累积 figures are running totals: a year shows the last one, not a sum.
    return Aggregation.LATEST if ("累计" in name_zh or "累积" in name_zh) else Aggregation.SUM


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
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_catalogue(path: Path = CATALOGUE_CSV, using: str = "default") -> LoadResult:
    result = LoadResult()
    rows = read_rows(path)
    existing = {ind.code: ind for ind in Indicator.objects.using(using).all()}
    with transaction.atomic(using=using):
        for position, row in enumerate(rows, start=1):
            code = row["code"].strip()
            wanted = {
                "name_zh": row["name_zh"].strip(),
                "name_en": row["name_en"].strip(),
                "unit": row["unit_zh"].strip(),
                "section": row["group"].strip(),
                "kind": Kind(row["kind"].strip()),
                "aggregation": aggregation_for(row["name_zh"]),
                "reported_by": reported_by_for(code, row["group"].strip()),
                "order": position * 10,
                "may_be_entered": row["kind"].strip() == Kind.DERIVED_SUM and "enter directly" in row["rule"],
            }
            seed_definition = row["rule"].strip()
            indicator = existing.get(code)
            if indicator is None:
                Indicator.objects.using(using).create(
                    code=code, definition=seed_definition, seed_definition=seed_definition, **wanted
                )
                result.created.append(code)
                continue
            changed = [name for name, value in wanted.items() if getattr(indicator, name) != value]
            for name in changed:
                setattr(indicator, name, wanted[name])
            if indicator.seed_definition != seed_definition:
                if indicator.definition == indicator.seed_definition:
                    indicator.definition = seed_definition
                else:
                    result.warnings.append(
                        f"{code}: the catalogue's definition changed, but an administrator edited it; "
                        "the edited definition is kept."
                    )
                indicator.seed_definition = seed_definition
                changed.append("seed_definition")
            if changed:
                indicator.save(using=using)
                result.updated.append(code)
        seeded = {row["code"].strip() for row in rows}
        for code, indicator in existing.items():
            if code not in seeded and indicator.active:
                indicator.active = False
                indicator.save(using=using, update_fields=["active"])
                result.deactivated.append(code)
    return result
