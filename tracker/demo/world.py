"""The demo world: a fictional city (青岚市), two stationed groups, their units, users and three years of figures.

`build_world()` brings the database to this state and is idempotent: a second run finds
everything in place and writes nothing (no new audit rows, no new reports).

The figures are deterministic (hand-written tables plus a generator seeded by
organisation and year) and consistent: parts never exceed wholes, for every
organisation, report and year. The 2022 forestry figures match what the 2023 speech
prints: four forms 47 / 3 / 0 / 0 (94% and 6%), and 3038 for the city's four forms.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models, transaction

from tracker.catalogue.loader import load_catalogue
from tracker.catalogue.models import Indicator
from tracker.demo.documents import build_documents
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period, PeriodType
from tracker.entry.services import EDITABLE_STATUSES, Entry, Source, report_get, values_save_for_period
from tracker.orgs.models import Membership, Organisation, OrganisationText, OrgKind, Role
from tracker.workflow.acceptance import accept_on_record

DEFAULT_PASSWORD = "tracker-demo"
YEARS = (2021, 2022, 2023)
CITY = "青岚"  # fictional; the speech hides the real name as **


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


# ---------------------------------------------------------------------------
# Organisations and the review-text names
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    order: int
    texts: Mapping[str, str] = field(default_factory=dict)


ORGS: tuple[OrgSpec, ...] = (
    OrgSpec("city", f"{CITY}市纪委监委", "市纪委监委", OrgKind.COMMISSION, None, 0),
    OrgSpec("forestry", "派驻市林业和草原局纪检监察组", "林草局纪检监察组", OrgKind.GROUP, "city", 10),
    OrgSpec("forestry-organ", "市林业和草原局机关", "局机关", OrgKind.UNIT, "forestry", 10),
    OrgSpec("forestry-reserve", "翠屏山国家级自然保护区管理局", "保护区管理局", OrgKind.UNIT, "forestry", 20),
    OrgSpec("forestry-service", f"{CITY}市林业服务中心", "服务中心", OrgKind.UNIT, "forestry", 30),
    OrgSpec("forestry-institute", f"{CITY}市林业科学研究所", "研究所", OrgKind.UNIT, "forestry", 40),
    OrgSpec("forestry-botanical", f"{CITY}植物园", "植物园", OrgKind.UNIT, "forestry", 50),
    OrgSpec("forestry-forest-park", f"{CITY}市森林公园", "森林公园", OrgKind.UNIT, "forestry", 60),
    OrgSpec("forestry-wetland", f"{CITY}市湿地保护中心", "湿地保护中心", OrgKind.UNIT, "forestry", 70),
    OrgSpec("forestry-farm", f"{CITY}市国有林场", "国有林场", OrgKind.UNIT, "forestry", 80),
    OrgSpec("forestry-seedling", f"{CITY}市林木种苗站", "林木种苗站", OrgKind.UNIT, "forestry", 90),
    OrgSpec("forestry-nursery", f"{CITY}市苗圃", "苗圃", OrgKind.UNIT, "forestry", 100),
    OrgSpec("water", "派驻市水务局纪检监察组", "水务局纪检监察组", OrgKind.GROUP, "city", 20),
    OrgSpec("water-organ", "市水务局机关", "局机关", OrgKind.UNIT, "water", 10),
    OrgSpec("water-rivers", f"{CITY}市河湖管理中心", "河湖管理中心", OrgKind.UNIT, "water", 20),
)


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    username: str
    last_name: str
    first_name: str
    organisation: str
    role: str
    superuser: bool = False


USERS: tuple[UserSpec, ...] = (
    UserSpec("demo-clerk", "李", "晓娟", "forestry", Role.CLERK),
    UserSpec("demo-reviewer", "王", "建华", "forestry", Role.REVIEWER),
    UserSpec("demo-leader", "张", "志刚", "forestry", Role.LEADER),
    UserSpec("demo-water-clerk", "刘", "芳", "water", Role.CLERK),
    UserSpec("demo-city-leader", "陈", "国平", "city", Role.LEADER),
    UserSpec("demo-city-reviewer", "周", "立新", "city", Role.REVIEWER),
    UserSpec("demo-admin", "赵", "敏", "city", Role.ADMIN, superuser=True),
)

# Whose name the audit trail shows for each organisation's demo figures.
ENTERED_BY = {"forestry": "demo-clerk", "water": "demo-water-clerk", "city": "demo-admin"}


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

# The four forms (person-times) per unit and year. 2022 forestry adds up to what the
# speech prints: 47 first-form, 3 second-form, none of the third or fourth.
FOUR_FORMS: dict[str, dict[int, tuple[int, int, int, int]]] = {
    "forestry-organ": {2021: (7, 1, 0, 0), 2022: (9, 1, 0, 0), 2023: (11, 1, 0, 0)},
    "forestry-reserve": {2021: (6, 1, 1, 0), 2022: (7, 1, 0, 0), 2023: (6, 0, 1, 0)},
    "forestry-service": {2021: (3, 1, 0, 0), 2022: (4, 0, 0, 0), 2023: (5, 0, 0, 0)},
    "forestry-institute": {2021: (2, 0, 0, 0), 2022: (3, 0, 0, 0), 2023: (3, 0, 0, 0)},
    "forestry-forest-park": {2021: (5, 1, 0, 0), 2022: (5, 0, 0, 0), 2023: (7, 0, 0, 0)},
    "forestry-botanical": {2021: (4, 0, 0, 0), 2022: (6, 0, 0, 0), 2023: (5, 0, 0, 0)},
    "forestry-wetland": {2021: (2, 0, 0, 0), 2022: (3, 0, 0, 0), 2023: (4, 1, 0, 0)},
    "forestry-farm": {2021: (5, 1, 0, 0), 2022: (5, 1, 0, 0), 2023: (6, 0, 0, 1)},
    "forestry-seedling": {2021: (2, 0, 0, 0), 2022: (2, 0, 0, 0), 2023: (3, 0, 0, 0)},
    "forestry-nursery": {2021: (3, 0, 0, 0), 2022: (3, 0, 0, 0), 2023: (2, 0, 0, 0)},
    "water-organ": {2021: (8, 1, 0, 0), 2022: (6, 2, 0, 0), 2023: (9, 1, 1, 0)},
    "water-rivers": {2021: (4, 0, 0, 0), 2022: (5, 1, 0, 0), 2023: (4, 0, 0, 0)},
}

# How busy a unit is, relative to an average one (people, budget, projects).
UNIT_SCALE = {
    "forestry-organ": 1.6,
    "forestry-reserve": 1.3,
    "forestry-service": 0.8,
    "forestry-institute": 0.7,
    "forestry-forest-park": 1.0,
    "forestry-botanical": 0.9,
    "forestry-wetland": 0.7,
    "forestry-farm": 1.1,
    "forestry-seedling": 0.6,
    "forestry-nursery": 0.6,
    "water-organ": 1.5,
    "water-rivers": 1.0,
}
YEAR_TREND = {2021: 0.9, 2022: 1.0, 2023: 1.1}

# The group's own work. grp_rectification_items is cumulative (累计), so it never falls.
GROUP_FIGURES: dict[str, dict[int, dict[str, int]]] = {
    "forestry": {
        2021: {
            "grp_field_research_trips": 28,
            "grp_special_inspections": 9,
            "grp_reminder_letters": 6,
            "grp_discipline_proposals": 3,
            "grp_work_suggestions": 41,
            "grp_rectification_items": 18,
            "grp_integrity_reviews": 98,
            "grp_work_talks": 39,
            "grp_integrity_talks": 30,
            "grp_grassroots_orgs_guided": 30,
            "rsch_units_covered": 6,
            "rsch_symposiums": 7,
            "rsch_site_visits": 15,
            "rsch_group_interviews": 9,
            "rsch_individual_talks": 62,
            "rsch_questionnaires": 240,
            "rsch_documents_reviewed": 400,
        },
        2022: {
            "grp_field_research_trips": 36,
            "grp_special_inspections": 12,
            "grp_reminder_letters": 9,
            "grp_discipline_proposals": 4,
            "grp_work_suggestions": 58,
            "grp_rectification_items": 41,
            "grp_integrity_reviews": 126,
            "grp_work_talks": 48,
            "grp_integrity_talks": 35,
            "grp_grassroots_orgs_guided": 30,
            "rsch_units_covered": 9,
            "rsch_symposiums": 11,
            "rsch_site_visits": 23,
            "rsch_group_interviews": 14,
            "rsch_individual_talks": 87,
            "rsch_questionnaires": 350,
            "rsch_documents_reviewed": 600,
        },
        2023: {
            "grp_field_research_trips": 41,
            "grp_special_inspections": 10,
            "grp_reminder_letters": 11,
            "grp_discipline_proposals": 5,
            "grp_work_suggestions": 63,
            "grp_rectification_items": 57,
            "grp_integrity_reviews": 143,
            "grp_work_talks": 44,
            "grp_integrity_talks": 52,
            "grp_grassroots_orgs_guided": 35,
            "rsch_units_covered": 10,
            "rsch_symposiums": 12,
            "rsch_site_visits": 27,
            "rsch_group_interviews": 13,
            "rsch_individual_talks": 95,
            "rsch_questionnaires": 410,
            "rsch_documents_reviewed": 700,
        },
    },
    "water": {
        2021: {
            "grp_field_research_trips": 15,
            "grp_special_inspections": 5,
            "grp_reminder_letters": 3,
            "grp_discipline_proposals": 1,
            "grp_work_suggestions": 19,
            "grp_rectification_items": 7,
            "grp_integrity_reviews": 46,
            "grp_work_talks": 17,
            "grp_integrity_talks": 12,
            "grp_grassroots_orgs_guided": 10,
            "rsch_units_covered": 1,
            "rsch_symposiums": 3,
            "rsch_site_visits": 6,
            "rsch_group_interviews": 2,
            "rsch_individual_talks": 21,
            "rsch_questionnaires": 80,
            "rsch_documents_reviewed": 150,
        },
        2022: {
            "grp_field_research_trips": 18,
            "grp_special_inspections": 6,
            "grp_reminder_letters": 2,
            "grp_discipline_proposals": 2,
            "grp_work_suggestions": 24,
            "grp_rectification_items": 15,
            "grp_integrity_reviews": 52,
            "grp_work_talks": 15,
            "grp_integrity_talks": 16,
            "grp_grassroots_orgs_guided": 12,
            "rsch_units_covered": 2,
            "rsch_symposiums": 4,
            "rsch_site_visits": 9,
            "rsch_group_interviews": 3,
            "rsch_individual_talks": 30,
            "rsch_questionnaires": 120,
            "rsch_documents_reviewed": 200,
        },
        2023: {
            "grp_field_research_trips": 16,
            "grp_special_inspections": 7,
            "grp_reminder_letters": 4,
            "grp_discipline_proposals": 1,
            "grp_work_suggestions": 27,
            "grp_rectification_items": 22,
            "grp_integrity_reviews": 61,
            "grp_work_talks": 20,
            "grp_integrity_talks": 18,
            "grp_grassroots_orgs_guided": 12,
            "rsch_units_covered": 2,
            "rsch_symposiums": 3,
            "rsch_site_visits": 8,
            "rsch_group_interviews": 4,
            "rsch_individual_talks": 26,
            "rsch_questionnaires": 110,
            "rsch_documents_reviewed": 180,
        },
    },
}

# The commission's city-wide figures (quoted in the group's speech). 2022's four forms
# total, 3038, is one of the three numbers the speech leaves unredacted.
CITY_FIGURES: dict[int, dict[str, int]] = {
    2021: {
        "city_eco_env_issues": 86,
        "city_eco_env_persons": 121,
        "city_cases_filed": 1065,
        "city_sanctioned_persons": 986,
        "city_transferred_to_procuratorate": 64,
        "city_sanctioned_top_leaders": 37,
        "city_sanctioned_county_level": 58,
        "city_post80_cadres_investigated": 142,
        "city_four_forms_total": 2874,
        "city_four_winds_issues": 312,
        "city_four_winds_persons": 447,
        "city_lying_flat_issues": 95,
        "city_lying_flat_persons": 131,
        "city_micro_corruption_issues": 408,
        "city_micro_corruption_persons": 566,
    },
    2022: {
        "city_eco_env_issues": 104,
        "city_eco_env_persons": 153,
        "city_cases_filed": 1187,
        "city_sanctioned_persons": 1042,
        "city_transferred_to_procuratorate": 71,
        "city_sanctioned_top_leaders": 45,
        "city_sanctioned_county_level": 66,
        "city_post80_cadres_investigated": 168,
        "city_four_forms_total": 3038,
        "city_four_winds_issues": 287,
        "city_four_winds_persons": 402,
        "city_lying_flat_issues": 136,
        "city_lying_flat_persons": 189,
        "city_micro_corruption_issues": 452,
        "city_micro_corruption_persons": 611,
    },
    2023: {
        "city_eco_env_issues": 97,
        "city_eco_env_persons": 139,
        "city_cases_filed": 1236,
        "city_sanctioned_persons": 1105,
        "city_transferred_to_procuratorate": 83,
        "city_sanctioned_top_leaders": 41,
        "city_sanctioned_county_level": 72,
        "city_post80_cadres_investigated": 181,
        "city_four_forms_total": 3315,
        "city_four_winds_issues": 264,
        "city_four_winds_persons": 371,
        "city_lying_flat_issues": 118,
        "city_lying_flat_persons": 164,
        "city_micro_corruption_issues": 487,
        "city_micro_corruption_persons": 642,
    },
}

# One unit reports 2023 by quarter, so quarterly aggregation has something to add up.
QUARTERLY = {("forestry-organ", 2023)}

# Figures deliberately left empty ("not known yet", unlike 0) and one with a note.
GAPS = {("forestry-nursery", 2023): ("grp_petition_visits", "grp_petitions_accusation")}
NOTES = {("forestry-reserve", 2023, "grp_clues_accepted"): "含上级转办线索2件，已于次年初处置完毕"}

# 2021 and 2022 are approved; 2023 is under way (anything not listed stays a draft).
SUBMITTED_2023 = {
    ("forestry-organ", 1),
    ("forestry-organ", 2),
    ("forestry-reserve", 0),
    ("forestry-service", 0),
    ("forestry-forest-park", 0),
    ("forestry-wetland", 0),
    ("forestry-farm", 0),
    ("water-organ", 0),
    ("city", 0),
}


def _split(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """Deal `total` items into len(weights) parts, at random by weight; the parts add up to total."""
    if total <= 0:
        return [0] * len(weights)
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts[i] for i in range(len(weights))]


def unit_figures(rng: random.Random, scale: float, forms: tuple[int, int, int, int]) -> dict[str, int]:
    """One report's figures for a supervised unit, consistent with its four-forms counts."""
    f1, f2, f3, f4 = forms
    forms_total = f1 + f2 + f3 + f4
    received = max(1, round(scale * rng.uniform(4, 11)))
    accepted = max(1, round(scale * rng.uniform(2, 5)))
    # Clues handled this year may include some carried over, or leave some for next year.
    handled = max(0, accepted + rng.randint(-1, 1))
    # Sanctions are forms 2–4; now and then an organisational adjustment (form 2) comes without one.
    heavier = f2 + f3 + f4
    sanctioned = heavier - (1 if heavier >= 2 and rng.random() < 0.3 else 0)
    party = rng.randint((sanctioned + 1) // 2, sanctioned)
    admin = rng.randint(sanctioned - party, sanctioned)
    ranks = _split(rng, sanctioned, (0.03, 1, 3, 5, 1))
    talk, verify, shelved, closed = _split(rng, handled, (5, 3, 1, 2))
    # Eight-point violations are handled through the four forms, so they fit inside them.
    issue_budget = rng.randint(0, min(forms_total, max(1, round(scale * 2.5))))
    types = _split(rng, issue_budget, (0.2, 3, 1, 0.5, 1.5, 2, 0.5, 1.5, 0.5, 0.3))
    fb_types, he_types = types[:4], types[4:]
    fb_issues, he_issues = sum(fb_types), sum(he_types)
    spare = forms_total - issue_budget
    fb_persons = fb_issues + (rng.randint(0, min(spare, fb_issues)) if fb_issues else 0)
    spare -= fb_persons - fb_issues
    he_persons = he_issues + (rng.randint(0, min(spare, he_issues)) if he_issues else 0)
    eight_persons = fb_persons + he_persons
    # The channels get a generator of their own, so that adding them changed no other demo figure.
    letter, visit, phone, online = _split(random.Random(received), received, (3, 3, 1.5, 2.5))
    return {
        "grp_petitions_received": received,
        "grp_petitions_letter": letter,
        "grp_petitions_visit": visit,
        "grp_petitions_phone": phone,
        "grp_petitions_online": online,
        "grp_petitions_accusation": rng.randint(received // 3, (received * 2) // 3),
        "grp_petition_visits": max(0, round(received * rng.uniform(1.0, 2.2))),
        "grp_clues_accepted": accepted,
        "grp_clues_handled": handled,
        "grp_clues_talk_inquiry": talk,
        "grp_clues_initial_verification": verify,
        "grp_clues_shelved": shelved,
        "grp_clues_closed": closed,
        # Most cases end in a sanction within the year; now and then one is still open.
        "grp_cases_filed": min(accepted, sanctioned + (1 if rng.random() < 0.25 else 0)),
        "grp_sanctioned_persons": sanctioned,
        "grp_sanctioned_party": party,
        "grp_sanctioned_admin": admin,
        "grp_sanctioned_bureau_level": ranks[0],
        "grp_sanctioned_county_level": ranks[1],
        "grp_sanctioned_township_level": ranks[2],
        "grp_sanctioned_general_cadres": ranks[3],
        "grp_sanctioned_other": ranks[4],
        "grp_sanctioned_top_leaders": 1 if sanctioned and rng.random() < 0.4 else 0,
        "grp_transferred_to_procuratorate": min(sanctioned, f4),
        "grp_form1_person_times": f1,
        "grp_form2_person_times": f2,
        "grp_form3_person_times": f3,
        "grp_form4_person_times": f4,
        "grp_eight_rules_issues": fb_issues + he_issues,
        "grp_eight_rules_persons": eight_persons,
        "grp_eight_rules_sanctioned": rng.randint(0, min(eight_persons, sanctioned)),
        "grp_fb_issues": fb_issues,
        "grp_fb_persons": fb_persons,
        "grp_he_issues": he_issues,
        "grp_he_persons": he_persons,
        "grp_fb_t1_decisions": fb_types[0],
        "grp_fb_t2_duty": fb_types[1],
        "grp_fb_t3_masses": fb_types[2],
        "grp_fb_t4_burden": fb_types[3],
        "grp_he_t1_gifts": he_types[0],
        "grp_he_t2_dining": he_types[1],
        "grp_he_t3_weddings": he_types[2],
        "grp_he_t4_allowances": he_types[3],
        "grp_he_t5_travel": he_types[4],
        "grp_he_t6_other": he_types[5],
    }


@dataclass(frozen=True)
class PlannedReport:
    organisation: str
    period: Period
    figures: dict[str, int | None]
    notes: dict[str, str]
    status: str


def _status(code: str, period: Period) -> str:
    if period.year < 2023:
        return Status.APPROVED
    return Status.SUBMITTED if (code, period.number) in SUBMITTED_2023 else Status.DRAFT


def plan_reports() -> list[PlannedReport]:
    """Every demo report with its figures, computed without touching the database."""
    planned: list[PlannedReport] = []
    for spec in ORGS:
        for year in YEARS:
            # Seeded by organisation and year (a str seed is stable across runs and
            # processes), so changing one unit's table leaves the others' figures alone.
            rng = random.Random(f"demo/{spec.code}/{year}")
            if spec.kind == OrgKind.COMMISSION:
                per_period = [(Period(year, PeriodType.YEAR, 0), dict(CITY_FIGURES[year]))]
            elif spec.kind == OrgKind.GROUP:
                per_period = [(Period(year, PeriodType.YEAR, 0), dict(GROUP_FIGURES[spec.code][year]))]
            else:
                scale = UNIT_SCALE[spec.code] * YEAR_TREND[year]
                forms = FOUR_FORMS[spec.code][year]
                if (spec.code, year) in QUARTERLY:
                    # Each quarter is consistent on its own, so the year's sums are too.
                    by_quarter = list(zip(*(_split(rng, f, (1, 1, 1, 1)) for f in forms), strict=True))
                    per_period = [
                        (Period(year, PeriodType.QUARTER, q), unit_figures(rng, scale / 4, tuple(by_quarter[q - 1])))
                        for q in range(1, 5)
                    ]
                else:
                    per_period = [(Period(year, PeriodType.YEAR, 0), unit_figures(rng, scale, forms))]
            for period, figures in per_period:
                for code in GAPS.get((spec.code, year), ()):
                    figures[code] = None
                notes = {code: note for (org, y, code), note in NOTES.items() if (org, y) == (spec.code, year)}
                planned.append(PlannedReport(spec.code, period, figures, notes, _status(spec.code, period)))
    return planned


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


@dataclass
class BuildResult:
    organisations_created: int = 0
    users_created: int = 0
    reports_created: int = 0
    values_written: int = 0
    password: str = ""
    logins: list[tuple[UserSpec, Organisation]] = field(default_factory=list)


def _upsert(model: type[models.Model], lookup: dict, wanted: dict) -> tuple[models.Model, bool]:
    """get_or_create, then save only the fields that differ (a no-op run writes nothing)."""
    obj, created = model.objects.get_or_create(**lookup, defaults=wanted)
    if not created:
        changed = [name for name, value in wanted.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, wanted[name])
            obj.save()
    return obj, created


def _build_organisations(result: BuildResult) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for spec in ORGS:
        wanted = {
            "name": spec.name,
            "short_name": spec.short_name,
            "kind": spec.kind,
            "parent": orgs[spec.parent] if spec.parent else None,
            "order": spec.order,
        }
        org, created = _upsert(Organisation, {"code": spec.code}, wanted)
        result.organisations_created += created
        orgs[spec.code] = org
        for key, text in spec.texts.items():
            _upsert(OrganisationText, {"organisation": org, "key": key}, {"text": text})
    return orgs


def _build_users(result: BuildResult, orgs: Mapping[str, Organisation], password: str) -> dict[str, object]:
    user_model = get_user_model()
    users = {}
    for spec in USERS:
        wanted = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "is_active": True,
            "is_staff": spec.superuser,
            "is_superuser": spec.superuser,
        }
        user, created = _upsert(user_model, {"username": spec.username}, wanted)
        result.users_created += created
        # Checking first keeps a re-run from rewriting every hash (a new salt each time).
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        org = orgs[spec.organisation]
        Membership.objects.filter(user=user).exclude(organisation=org).delete()
        _upsert(Membership, {"user": user, "organisation": org}, {"role": spec.role})
        users[spec.username] = user
        result.logins.append((spec, org))
    return users


def _build_figures(result: BuildResult, orgs: Mapping[str, Organisation], users: Mapping[str, object]) -> None:
    reported = {
        kind: list(Indicator.objects.reported_by(kind)) for kind in (OrgKind.COMMISSION, OrgKind.GROUP, OrgKind.UNIT)
    }
    for plan in plan_reports():
        org = orgs[plan.organisation]
        group_code = org.code if org.kind != OrgKind.UNIT else org.parent.code
        user = users[ENTERED_BY[group_code]]
        # Every indicator the organisation enters; one missing from the plan is "not known".
        entries = {ind: Entry(plan.figures.get(ind.code), plan.notes.get(ind.code, "")) for ind in reported[org.kind]}
        report = report_get(organisation=org, period=plan.period)
        if report is not None and report.status not in EDITABLE_STATUSES:
            # Reopen an approved or submitted demo report so the demo figures go back in through
            # the service, which writes (and audits) only what differs; the status is restored below.
            Report.objects.filter(pk=report.pk).update(status=Status.DRAFT)
        created = report is None
        # The user only names who entered them in the audit trail; the system writes them (the
        # commission's figures are attributed to its administrator, who could not enter them).
        report, saved = values_save_for_period(
            organisation=org, period=plan.period, entries=entries, user=user, source=Source.DEMO, enforce_role=False
        )
        result.reports_created += created
        result.values_written += saved.created + saved.updated
        # Queryset update: the demo sets the workflow state directly, without transitions.
        Report.objects.filter(pk=report.pk).exclude(status=plan.status).update(status=plan.status)


# The years whose figures the commission has accepted from both groups (2023 is still being reported).
ACCEPTED_YEARS = (2021, 2022)


def _build_acceptances(orgs: Mapping[str, Organisation], users: Mapping[str, object]) -> None:
    """The commission accepted both groups' figures of the approved years (recorded as its reviewer's step)."""
    for org in orgs.values():
        if org.kind == OrgKind.GROUP:
            for year in ACCEPTED_YEARS:
                accept_on_record(org, Period(year, PeriodType.YEAR, 0), users["demo-city-reviewer"], "")


def build_world(password: str | None = None) -> BuildResult:
    """Create or bring up to date the whole demo world; idempotent."""
    password = password or demo_password()
    result = BuildResult(password=password)
    with transaction.atomic():
        load_catalogue()
        orgs = _build_organisations(result)
        users = _build_users(result, orgs, password)
        _build_figures(result, orgs, users)
        _build_acceptances(orgs, users)
        build_documents(orgs)
    return result
