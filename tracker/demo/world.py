"""The demo world: a fictional city (青岚市), two stationed groups, their units, users and figures up to today.

`build_world(today=…)` brings the database to the state of the demo on that day (by default the
real one) and is idempotent: a second run on the same day finds everything in place and writes
nothing (no new audit rows, no new reports). Run on a later day, it moves the world on: the new
periods' reports, the statuses, the steps and the commission's acceptances of that day.

The years: 2021–2023 are fixed, hand-written years (by year; the forestry organ 2023 by quarter).
The seed speech (seeds/speech-2023.txt) reviews 2022: those figures never change, whatever the
day. From 2024 every organisation reports by quarter and two forestry units by month, up to the
last period that has ended; so the demo always holds the last three full years and the current
year through its last ended quarter (and month, for the two that report by month).

The figures are deterministic (hand-written tables plus a generator seeded by organisation and
year, never by the day) and consistent: parts never exceed wholes, for every organisation,
report and year. The 2022 forestry figures match what the 2023 speech prints: four forms
47 / 3 / 0 / 0 (94% and 6%), and 3038 for the city's four forms.

The workflow follows the day (`Story`): every report due long enough ago was submitted, mostly on
time (a few days late now and then, sometimes returned once and fixed) and approved, with its
steps dated; the commission accepted every group period before the one now being settled. Of
that one, the forestry group's reports are all approved and wait for its reviewer to report them
(a unit's correction was approved two days ago); the water group reported its own and waits for
the commission. The latest month: the forestry organ's report came back with a reason, the
reserve's waits for review. In the first month of a quarter, the quarter just ended is being
filled in as its due day comes (the nursery's is late). Nothing is overdue by more than the
days since the latest quarter's due day.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import os
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from tracker.aggregation.services import catalogue_load
from tracker.aggregation.totals import approved_totals_refresh, group_year_keys
from tracker.catalogue.models import Indicator
from tracker.demo.documents import build_documents
from tracker.entry.deadlines import DEFAULTS
from tracker.entry.models import AcceptanceStatus, GroupAcceptance, Report, Status, Value
from tracker.entry.periods import Period, PeriodType, period_end_month
from tracker.entry.services import EDITABLE_STATUSES, Entry, Source, values_save_for_period
from tracker.orgs.models import Membership, Organisation, OrganisationText, OrgKind, Role
from tracker.workflow.acceptance import mark_accepted
from tracker.workflow.models import AcceptanceAction, AcceptanceStep, Action, ReportTransition

DEFAULT_PASSWORD = "tracker-demo"
# The hand-written years; 2022 is the year the seed speech reviews.
FIXED_YEARS = (2021, 2022, 2023)
# From this year every organisation reports by quarter, the MONTHLY units by month.
BY_QUARTER_FROM = 2024
MONTHLY = ("forestry-organ", "forestry-reserve")
# The demo needs a whole year by quarter before its "today" (its settling and working periods).
EARLIEST_TODAY = datetime.date(BY_QUARTER_FROM + 1, 1, 1)
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
    UserSpec("demo-water-reviewer", "黄", "海涛", "water", Role.REVIEWER),
    UserSpec("demo-water-leader", "吴", "秀英", "water", Role.LEADER),
    UserSpec("demo-city-clerk", "孙", "丽萍", "city", Role.CLERK),
    UserSpec("demo-city-leader", "陈", "国平", "city", Role.LEADER),
    UserSpec("demo-city-reviewer", "周", "立新", "city", Role.REVIEWER),
    UserSpec("demo-admin", "赵", "敏", "city", Role.ADMIN, superuser=True),
)

# Who enters and submits each organisation's figures, and who returns or approves them: the group's
# (or the commission's) clerk and reviewer. The group's reviewer reports its periods to the commission,
# whose reviewer accepts them.
PEOPLE = {
    "forestry": ("demo-clerk", "demo-reviewer"),
    "water": ("demo-water-clerk", "demo-water-reviewer"),
    "city": ("demo-city-clerk", "demo-city-reviewer"),
}
ACCEPTED_BY = "demo-city-reviewer"


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

# What reviewers write when they return a report (the demo's returns of the past, each fixed within days).
RETURN_REASONS = (
    "信访举报分类合计与受理总数不一致，请核对后重新提交",
    "立案数与问题线索台账不符，请核对",
    "八项规定精神问题数与处理人数不匹配，请补充说明",
)
# Why the forestry organ's latest monthly report is back with the clerk today.
TODAYS_RETURN = "第一种形态人次较上期变化较大，请在备注中说明原因后重新提交"

# How a year's figures fall into its quarters (a little more towards the year's end).
QUARTER_WEIGHTS = (0.9, 1.0, 1.0, 1.1)


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


def _trend(year: int) -> float:
    """How busy a year is (2022 = 1): the fixed years' table, then about 3% a year more."""
    if year in YEAR_TREND:
        return YEAR_TREND[year]
    return YEAR_TREND[FIXED_YEARS[-1]] * 1.03 ** (year - FIXED_YEARS[-1])


def _four_forms(code: str, year: int) -> tuple[int, int, int, int]:
    """A unit's four forms of a year: the fixed years' table, then around the unit's usual first form."""
    if year in FOUR_FORMS[code]:
        return FOUR_FORMS[code][year]
    rng = random.Random(f"demo/{code}/{year}/forms")
    usual = sum(forms[0] for forms in FOUR_FORMS[code].values()) / len(FOUR_FORMS[code])
    first = max(1, round(usual * _trend(year) * rng.uniform(0.8, 1.2)))
    second = rng.choices((0, 1, 2), weights=(5, 4, 1))[0]
    return first, second, int(rng.random() < 0.12), int(rng.random() < 0.06)


def group_year_figures(code: str, year: int) -> dict[str, int]:
    """A group's own figures of a year: the fixed years' table, then around its last fixed year."""
    if year in GROUP_FIGURES[code]:
        return dict(GROUP_FIGURES[code][year])
    rng = random.Random(f"demo/{code}/{year}/year")
    last = GROUP_FIGURES[code][FIXED_YEARS[-1]]
    growth = _trend(year) / _trend(FIXED_YEARS[-1])
    figures = {name: max(0, round(value * growth * rng.uniform(0.88, 1.12))) for name, value in last.items()}
    # Cumulative (累计): the items of the years before and about as many again as in a usual year.
    usual = last["grp_rectification_items"] - GROUP_FIGURES[code][FIXED_YEARS[-2]]["grp_rectification_items"]
    before = group_year_figures(code, year - 1)["grp_rectification_items"]
    figures["grp_rectification_items"] = before + max(1, round(usual * rng.uniform(0.7, 1.3)))
    units = sum(1 for spec in ORGS if spec.parent == code)
    figures["rsch_units_covered"] = rng.randint(max(1, units // 2), units)
    return figures


def city_year_figures(year: int) -> dict[str, int]:
    """The commission's own figures of a year: the fixed years' table, then around its last fixed year."""
    if year in CITY_FIGURES:
        return dict(CITY_FIGURES[year])
    rng = random.Random(f"demo/city/{year}/year")
    growth = _trend(year) / _trend(FIXED_YEARS[-1])
    return {
        name: round(value * growth * rng.uniform(0.9, 1.1)) for name, value in CITY_FIGURES[FIXED_YEARS[-1]].items()
    }


def _by_quarter(rng: random.Random, yearly: Mapping[str, int], before: Mapping[str, int]) -> list[dict[str, int]]:
    """A year's figures dealt into its four quarters. A cumulative figure (in `before`, with its value at
    the end of the year before) grows quarter by quarter to the year's."""
    quarters: list[dict[str, int]] = [{} for _ in QUARTER_WEIGHTS]
    for name, total in yearly.items():
        if name in before:
            running = before[name]
            for quarter, step in zip(quarters, _split(rng, total - before[name], QUARTER_WEIGHTS), strict=True):
                running += step
                quarter[name] = running
        else:
            for quarter, part in zip(quarters, _split(rng, total, QUARTER_WEIGHTS), strict=True):
                quarter[name] = part
    return quarters


def period_type_of(code: str, year: int) -> str:
    """How an organisation reports a year: by year until 2023 (the organ's 2023 by quarter), then by
    quarter, the MONTHLY units by month. Fixed per year, so a later run never meets another type."""
    if year < BY_QUARTER_FROM:
        return PeriodType.QUARTER if (code, year) in QUARTERLY else PeriodType.YEAR
    return PeriodType.MONTH if code in MONTHLY else PeriodType.QUARTER


def _figures(spec: OrgSpec, year: int) -> list[tuple[Period, dict[str, int | None]]]:
    """An organisation's figures of every period of a year, whichever of them have ended."""
    # Seeded by organisation and year (a str seed is stable across runs and processes), so changing
    # one unit's table leaves the others' figures alone, and the day of the run changes none.
    rng = random.Random(f"demo/{spec.code}/{year}")
    periods = Period.all_in_year(year, period_type_of(spec.code, year))
    if spec.kind == OrgKind.COMMISSION:
        if year < BY_QUARTER_FROM:
            return [(periods[0], city_year_figures(year))]
        return list(zip(periods, _by_quarter(rng, city_year_figures(year), {}), strict=True))
    if spec.kind == OrgKind.GROUP:
        if year < BY_QUARTER_FROM:
            return [(periods[0], group_year_figures(spec.code, year))]
        cumulative = "grp_rectification_items"
        before = {cumulative: group_year_figures(spec.code, year - 1)[cumulative]}
        return list(zip(periods, _by_quarter(rng, group_year_figures(spec.code, year), before), strict=True))
    scale = UNIT_SCALE[spec.code] * _trend(year)
    forms = _four_forms(spec.code, year)
    if len(periods) == 1:
        return [(periods[0], unit_figures(rng, scale, forms))]
    # Each period is consistent on its own, so the year's sums are too.
    by_period = list(zip(*(_split(rng, f, (1,) * len(periods)) for f in forms), strict=True))
    return [
        (period, unit_figures(rng, scale / len(periods), tuple(forms_of_period)))
        for period, forms_of_period in zip(periods, by_period, strict=True)
    ]


# ---------------------------------------------------------------------------
# The day: what has been submitted, approved, reported and accepted by then
# ---------------------------------------------------------------------------


def last_day(period: Period) -> datetime.date:
    month = period_end_month(period.type, period.number)
    return datetime.date(period.year, month, calendar.monthrange(period.year, month)[1])


def due_day(period: Period) -> datetime.date:
    """When the period's reports are due under the default rules (tracker.entry.deadlines.DEFAULTS): the
    demo's dates assume no deadline of an administrator's, and are planned without the database."""
    months_after, day = DEFAULTS[period.type]
    year, month = divmod(period.year * 12 + period_end_month(period.type, period.number) - 1 + months_after, 12)
    return datetime.date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def group_period(period: Period) -> Period:
    """The group period (what a group reports to the commission) a report's period falls in: the year
    until 2023, then its quarter."""
    if period.year < BY_QUARTER_FROM:
        return Period(period.year, PeriodType.YEAR, 0)
    if period.type == PeriodType.MONTH:
        return Period(period.year, PeriodType.QUARTER, (period.number - 1) // 3 + 1)
    return period


def _chronological(period: Period) -> tuple[int, int]:
    return period.year, period_end_month(period.type, period.number)


def _group_code(code: str) -> str:
    spec = next(spec for spec in ORGS if spec.code == code)
    return spec.parent if spec.kind == OrgKind.UNIT else spec.code


@dataclass(frozen=True)
class PlannedStep:
    """A step of a report's workflow (ReportTransition) or of a group period's with the commission
    (AcceptanceStep), and when it was taken."""

    action: str
    from_status: str
    to_status: str
    user: str  # a demo username
    at: datetime.datetime
    reason: str = ""


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _during_the_day(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return _at(day, rng.randint(9, 16), rng.randint(0, 59))


def _step(action: str, from_to: tuple[str, str], user: str, at: datetime.datetime, reason: str = "") -> PlannedStep:
    return PlannedStep(action, from_to[0], from_to[1], user, at, reason)


SUBMIT = (Status.DRAFT, Status.SUBMITTED)
RESUBMIT = (Status.RETURNED, Status.SUBMITTED)
RETURN = (Status.SUBMITTED, Status.RETURNED)
APPROVE = (Status.SUBMITTED, Status.APPROVED)


@functools.cache
def _usual_steps(code: str, period: Period, clerk: str, reviewer: str) -> tuple[PlannedStep, ...]:
    """How a report went once its period ended: submitted by its due day (one in ten a few days late),
    now and then returned once and fixed, approved within days. Dated from the period alone."""
    rng = random.Random(f"demo/{code}/{period}/steps")
    due, ended = due_day(period), last_day(period)
    if rng.random() < 0.1:
        day = due + datetime.timedelta(days=rng.randint(1, 6))
    else:
        day = max(ended + datetime.timedelta(days=1), due - datetime.timedelta(days=rng.randint(0, 8)))
    steps = [_step(Action.SUBMIT, SUBMIT, clerk, _during_the_day(rng, day))]
    if rng.random() < 0.08:
        day += datetime.timedelta(days=rng.randint(1, 3))
        steps.append(_step(Action.RETURN, RETURN, reviewer, _during_the_day(rng, day), rng.choice(RETURN_REASONS)))
        day += datetime.timedelta(days=rng.randint(1, 3))
        steps.append(_step(Action.SUBMIT, RESUBMIT, clerk, _during_the_day(rng, day)))
    day += datetime.timedelta(days=rng.randint(1, 5))
    steps.append(_step(Action.APPROVE, APPROVE, reviewer, _during_the_day(rng, day)))
    return tuple(steps)


def _fit(steps: Sequence[PlannedStep], latest: datetime.datetime) -> tuple[PlannedStep, ...]:
    """The steps, each moved back where needed so that all were taken by `latest`, in their order."""
    fitted = list(steps)
    for i in reversed(range(len(fitted))):
        if fitted[i].at > latest:
            fitted[i] = replace(fitted[i], at=latest)
        latest = fitted[i].at - datetime.timedelta(minutes=30)
    return tuple(fitted)


# Units whose report of the settling period was returned, fixed and approved only days ago (so that
# the group has only just become ready), and how many days before today it was approved.
FIXED_LATELY = {"forestry-farm": 2, "water-rivers": 7}
# The water group reported the settling period to the commission this many days ago.
WATER_REPORTED_DAYS_AGO = 5
OVERDUE_UNIT = "forestry-nursery"  # its report of a quarter just ended comes in late


@dataclass(frozen=True)
class Story:
    """Where the demo's work stands on a day.

    - `settling`: the latest quarter (group period) whose reports are all in: the forestry group's
      all approved, for its reviewer to report; the water group's reported, for the commission to accept.
      Every group period before it is accepted.
    - `working`: in a quarter's first month, the quarter just ended, being filled in as its due day
      (the 10th) comes; `settling` is then the quarter before it.
    - `latest_month`: the month just ended; the forestry organ's report of it was returned, the
      reserve's waits for review.
    """

    today: datetime.date
    settling: Period
    working: Period | None
    latest_month: Period
    # Every step was taken by then: yesterday, at the end of the working day.
    latest: datetime.datetime

    @classmethod
    def of(cls, today: datetime.date) -> Story:
        if today < EARLIEST_TODAY:
            raise ValueError(f"The demo's today must be {EARLIEST_TODAY.isoformat()} or later.")
        ended_quarters = (today.month - 1) // 3
        ended = (
            Period(today.year, PeriodType.QUARTER, ended_quarters)
            if ended_quarters
            else Period(today.year - 1, PeriodType.QUARTER, 4)
        )
        first_month = (today.month - 1) % 3 == 0
        latest_month = (
            Period(today.year, PeriodType.MONTH, today.month - 1)
            if today.month > 1
            else Period(today.year - 1, PeriodType.MONTH, 12)
        )
        latest = _at(today - datetime.timedelta(days=1), 17, 30)
        return cls(
            today, ended.previous() if first_month else ended, ended if first_month else None, latest_month, latest
        )

    @property
    def years(self) -> range:
        return range(FIXED_YEARS[0], self.today.year + 1)

    def has_ended(self, period: Period) -> bool:
        return last_day(period) < self.today

    def _days_ago(self, days: int, hour: int) -> datetime.datetime:
        return _at(self.latest.date() - datetime.timedelta(days=days - 1), hour, 0)

    def report_steps(self, code: str, period: Period) -> tuple[PlannedStep, ...]:
        clerk, reviewer = PEOPLE[_group_code(code)]
        usual = _usual_steps(code, period, clerk, reviewer)
        in_group_period = group_period(period)
        if period == self.latest_month and code == MONTHLY[0]:
            # Submitted two days after the month ended and returned the next day, both by yesterday.
            submitted = _at(last_day(period) + datetime.timedelta(days=2), 10, 20)
            return _fit(
                [
                    _step(Action.SUBMIT, SUBMIT, clerk, submitted),
                    _step(
                        Action.RETURN, RETURN, reviewer, submitted + datetime.timedelta(days=1, hours=5), TODAYS_RETURN
                    ),
                ],
                self.latest,
            )
        if period == self.latest_month and code == MONTHLY[1]:
            return _fit(
                [_step(Action.SUBMIT, SUBMIT, clerk, _at(last_day(period) + datetime.timedelta(days=3), 11, 5))],
                self.latest,
            )
        if in_group_period == self.working and code == OVERDUE_UNIT:
            return ()
        if in_group_period == self.settling and code in FIXED_LATELY:
            days = FIXED_LATELY[code]
            first = usual[0]
            returned = first.at + datetime.timedelta(days=2)
            return _fit(
                [
                    first,
                    _step(Action.RETURN, RETURN, reviewer, returned, RETURN_REASONS[1]),
                    _step(
                        Action.SUBMIT,
                        RESUBMIT,
                        clerk,
                        max(returned + datetime.timedelta(days=1), self._days_ago(days + 1, 10)),
                    ),
                    _step(
                        Action.APPROVE,
                        APPROVE,
                        reviewer,
                        max(returned + datetime.timedelta(days=2), self._days_ago(days, 15)),
                    ),
                ],
                self.latest,
            )
        if _chronological(in_group_period) <= _chronological(self.settling):
            return _fit(usual, self.latest)
        # The periods after it, as far as they have got by now.
        return tuple(step for step in usual if step.at <= self.latest)

    def entered(self, period: Period, steps: Sequence[PlannedStep]) -> datetime.datetime:
        """The day before the report was first submitted, or for a draft a few days after its period ended."""
        ended = _at(last_day(period), 9, 0)
        if steps:
            return max(steps[0].at - datetime.timedelta(hours=20), ended)
        return max(ended, min(ended + datetime.timedelta(days=3, hours=6), self.latest))

    def acceptance_steps(
        self, group: str, period: Period, approved: Sequence[datetime.datetime]
    ) -> tuple[PlannedStep, ...]:
        """A group period's steps with the commission; `approved`: when each of its reports was approved."""
        reviewer = PEOPLE[group][1]
        if _chronological(period) < _chronological(self.settling):
            rng = random.Random(f"demo/{group}/{period}/acceptance")
            reported = _during_the_day(rng, max(approved).date() + datetime.timedelta(days=rng.randint(1, 3)))
            accepted = _during_the_day(rng, reported.date() + datetime.timedelta(days=rng.randint(2, 6)))
            steps = [
                _step(AcceptanceAction.REPORT, ("", AcceptanceStatus.SUBMITTED), reviewer, reported),
                _step(
                    AcceptanceAction.ACCEPT,
                    (AcceptanceStatus.SUBMITTED, AcceptanceStatus.ACCEPTED),
                    ACCEPTED_BY,
                    accepted,
                ),
            ]
            return _fit(steps, self.latest)
        if period == self.settling and group == "water":
            reported = max(max(approved) + datetime.timedelta(hours=1), self._days_ago(WATER_REPORTED_DAYS_AGO, 11))
            return _fit(
                [_step(AcceptanceAction.REPORT, ("", AcceptanceStatus.SUBMITTED), reviewer, reported)], self.latest
            )
        return ()


@dataclass(frozen=True)
class PlannedReport:
    organisation: str
    period: Period
    figures: dict[str, int | None]
    notes: dict[str, str]
    steps: tuple[PlannedStep, ...] = ()
    # When its figures were entered, as the audit trail dates them.
    entered: datetime.datetime | None = None

    @property
    def status(self) -> str:
        return self.steps[-1].to_status if self.steps else Status.DRAFT


@dataclass(frozen=True)
class PlannedAcceptance:
    group: str
    period: Period
    steps: tuple[PlannedStep, ...]


def plan_reports(today: datetime.date | None = None) -> list[PlannedReport]:
    """Every demo report of the periods ended by `today` (by default the real one), with its figures and
    its steps, computed without touching the database."""
    story = Story.of(today or timezone.localdate())
    planned: list[PlannedReport] = []
    for spec in ORGS:
        for year in story.years:
            for period, figures in _figures(spec, year):
                if not story.has_ended(period):
                    continue
                for code in GAPS.get((spec.code, year), ()):
                    figures[code] = None
                notes = {code: note for (org, y, code), note in NOTES.items() if (org, y) == (spec.code, year)}
                steps = story.report_steps(spec.code, period)
                planned.append(PlannedReport(spec.code, period, figures, notes, steps, story.entered(period, steps)))
    return planned


def plan_acceptances(reports: Sequence[PlannedReport], today: datetime.date | None = None) -> list[PlannedAcceptance]:
    """Every ended group period of the demo's groups with its steps with the commission (none: not reported)."""
    story = Story.of(today or timezone.localdate())
    approved: dict[tuple[str, Period], list[datetime.datetime]] = defaultdict(list)
    for plan in reports:
        spec = next(spec for spec in ORGS if spec.code == plan.organisation)
        if spec.kind != OrgKind.COMMISSION:
            approved[(_group_code(spec.code), group_period(plan.period))].append(
                plan.steps[-1].at if plan.status == Status.APPROVED else story.latest
            )
    return [
        PlannedAcceptance(group, period, story.acceptance_steps(group, period, times))
        for (group, period), times in sorted(
            approved.items(), key=lambda item: (item[0][0], _chronological(item[0][1]))
        )
    ]


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
    today: datetime.date | None = None
    logins: list[tuple[UserSpec, Organisation]] = field(default_factory=list)
    # Planned reports left out: the organisation reports that year by another period type here.
    skipped: list[str] = field(default_factory=list)


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
    # One hash for every demo user: checking a password costs most of a second at full strength, and
    # every demo user has the same published one anyway.
    encoded = None
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
        if encoded is None:
            # Checking first keeps a re-run from rewriting every hash (a new salt each time).
            if created or not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            encoded = user.password
        elif user.password != encoded:
            user.password = encoded
            user.save(update_fields=["password"])
        org = orgs[spec.organisation]
        Membership.objects.filter(user=user).exclude(organisation=org).delete()
        _upsert(Membership, {"user": user, "organisation": org}, {"role": spec.role})
        users[spec.username] = user
        result.logins.append((spec, org))
    return users


def _build_figures(
    result: BuildResult, orgs: Mapping[str, Organisation], users: Mapping[str, object], plans: Sequence[PlannedReport]
) -> dict[tuple[str, Period], Report]:
    """Every planned report with its figures (statuses: _build_statuses); the reports by (organisation, period)."""
    reported = {
        kind: list(Indicator.objects.reported_by(kind)) for kind in (OrgKind.COMMISSION, OrgKind.GROUP, OrgKind.UNIT)
    }
    by_pk = {org.pk: org for org in orgs.values()}
    existing = {(by_pk[r.organisation_id].code, r.period): r for r in Report.objects.filter(organisation__in=by_pk)}
    stored: dict[int, dict[int, tuple]] = defaultdict(dict)
    for report_id, indicator_id, value, note in Value.objects.filter(report__in=existing.values()).values_list(
        "report_id", "indicator_id", "value", "note"
    ):
        if value is not None or note:
            stored[report_id][indicator_id] = (value, note)
    reports: dict[tuple[str, Period], Report] = {}
    for plan in plans:
        org = orgs[plan.organisation]
        # Every indicator the organisation enters; one missing from the plan is "not known".
        entries = {ind: Entry(plan.figures.get(ind.code), plan.notes.get(ind.code, "")) for ind in reported[org.kind]}
        wanted = {ind.pk: (e.value, e.note) for ind, e in entries.items() if e.value is not None or e.note}
        report = existing.get((org.code, plan.period))
        if report is None or stored[report.pk] != wanted:
            if report is not None and report.status not in EDITABLE_STATUSES:
                # Reopen an approved or submitted demo report so the demo figures go back in through
                # the service, which writes (and audits) only what differs; the status is set below.
                Report.objects.filter(pk=report.pk).update(status=Status.DRAFT)
                if report.status == Status.APPROVED:
                    approved_totals_refresh([(report.organisation_id, report.year)])
            try:
                # The clerk only names who entered them in the audit trail; the system writes them.
                report, saved = values_save_for_period(
                    organisation=org,
                    period=plan.period,
                    entries=entries,
                    user=users[PEOPLE[_group_code(org.code)][0]],
                    source=Source.DEMO,
                    enforce_role=False,
                )
            except ValidationError as error:
                # Someone entered the year by another period type in this database: theirs stays.
                result.skipped.append(f"{org.code} {plan.period}: {' '.join(error.messages)}")
                continue
            if (org.code, plan.period) not in existing:
                result.reports_created += 1
                # Its audit rows dated when the demo says the figures were entered, not today.
                Value.history.model.objects.filter(report_id=report.pk).update(history_date=plan.entered)
            result.values_written += saved.created + saved.updated
        reports[(org.code, plan.period)] = report
    return reports


def _build_statuses(
    reports: Mapping[tuple[str, Period], Report], plans: Sequence[PlannedReport], refresh: set[tuple[int, int]]
) -> None:
    """Each report's status as planned, and the approved totals of `refresh` (organisation id, year) too.

    Queryset updates, one per status: the demo sets the workflow state directly (its steps are
    records of their own); the approved totals of what changed are rebuilt with `refresh`, each
    organisation-year once.
    """
    statuses: dict[str, list[int]] = defaultdict(list)
    for plan in plans:
        report = reports.get((plan.organisation, plan.period))
        if report is not None:
            statuses[plan.status].append(report.pk)
    for status, pks in statuses.items():
        changed = Report.objects.filter(pk__in=pks).exclude(status=status)
        refresh |= set(changed.values_list("organisation_id", "year"))
        changed.update(status=status)
    approved_totals_refresh(refresh)


def _step_rows(steps, users: Mapping[str, object]) -> list[tuple]:
    return [(s.action, s.from_status, s.to_status, users[s.user].pk, s.at, s.reason) for s in steps]


def _build_steps(
    reports: Mapping[tuple[str, Period], Report], plans: Sequence[PlannedReport], users: Mapping[str, object]
) -> None:
    """Each report's steps (ReportTransition) as planned: a report whose record differs gets the planned one."""
    have: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        ReportTransition.objects.filter(report__in=reports.values())
        .order_by("report_id", "at", "pk")
        .values_list("report_id", "action", "from_status", "to_status", "user_id", "at", "reason")
    ):
        have[row[0]].append(row[1:])
    renewed, created = [], []
    for plan in plans:
        report = reports.get((plan.organisation, plan.period))
        if report is None or have[report.pk] == _step_rows(plan.steps, users):
            continue
        renewed.append(report.pk)
        created += [
            (
                ReportTransition(
                    report=report,
                    action=s.action,
                    from_status=s.from_status,
                    to_status=s.to_status,
                    user=users[s.user],
                    reason=s.reason,
                ),
                s.at,
            )
            for s in plan.steps
        ]
    _replace_steps(ReportTransition.objects.filter(report_id__in=renewed), created)


def _replace_steps(old: models.QuerySet, created: list[tuple[models.Model, datetime.datetime]]) -> None:
    """Delete the old steps and write the new ones with the times planned (`at` is auto_now_add, which
    bulk_create overrides with now; bulk_update writes what it is given)."""
    old.delete()
    if not created:
        return
    objects = [obj for obj, _at in created]
    type(objects[0]).objects.bulk_create(objects, batch_size=500)
    for obj, at in created:
        obj.at = at
    type(objects[0]).objects.bulk_update(objects, ["at"], batch_size=500)


def _build_acceptances(
    orgs: Mapping[str, Organisation], users: Mapping[str, object], acceptances: Sequence[PlannedAcceptance]
) -> set[tuple[int, int]]:
    """Each ended group period with the commission as planned: reported, accepted, or not yet reported.
    Returns the (organisation id, year) pairs whose approved totals must be added up again."""
    groups = {orgs[plan.group].pk: orgs[plan.group] for plan in acceptances}
    existing = {
        (a.organisation_id, a.period): a for a in GroupAcceptance.objects.filter(organisation__in=groups.values())
    }
    have: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        AcceptanceStep.objects.filter(acceptance__in=existing.values())
        .order_by("acceptance_id", "at", "pk")
        .values_list("acceptance_id", "action", "from_status", "to_status", "user_id", "at", "reason")
    ):
        have[row[0]].append(row[1:])
    changed: set[tuple[Organisation, int]] = set()
    stale, created = [], []
    for plan in acceptances:
        group = orgs[plan.group]
        acceptance = existing.get((group.pk, plan.period))
        if (have[acceptance.pk] if acceptance else []) == _step_rows(plan.steps, users):
            continue
        changed.add((group, plan.period.year))
        if acceptance is not None:
            stale.append(acceptance.pk)
        if plan.steps:
            acceptance = GroupAcceptance(
                organisation=group,
                year=plan.period.year,
                period_type=plan.period.type,
                period_number=plan.period.number,
                status=plan.steps[-1].to_status,
            )
            created.append((acceptance, plan.steps))
    GroupAcceptance.objects.filter(pk__in=stale).delete()  # their steps with them
    GroupAcceptance.objects.bulk_create([acceptance for acceptance, _steps in created])
    _replace_steps(
        AcceptanceStep.objects.none(),
        [
            (
                AcceptanceStep(
                    acceptance=acceptance,
                    action=s.action,
                    from_status=s.from_status,
                    to_status=s.to_status,
                    user=users[s.user],
                    reason=s.reason,
                ),
                s.at,
            )
            for acceptance, steps in created
            for s in steps
        ],
    )
    # What the commission counts changed: mark the reports; their years are added up again with the statuses.
    keys: set[tuple[int, int]] = set()
    for group, year in sorted(changed, key=lambda item: (item[0].path, item[1])):
        mark_accepted(group, year)
        keys.update(group_year_keys(group, year))
    return keys


def build_world(password: str | None = None, today: datetime.date | None = None) -> BuildResult:
    """Create or bring up to date the whole demo world as it stands on `today` (by default the real
    day); idempotent."""
    password = password or demo_password()
    today = today or timezone.localdate()
    result = BuildResult(password=password, today=today)
    plans = plan_reports(today)
    acceptances = plan_acceptances(plans, today)
    with transaction.atomic():
        catalogue_load()
        orgs = _build_organisations(result)
        users = _build_users(result, orgs, password)
        reports = _build_figures(result, orgs, users, plans)
        _build_steps(reports, plans, users)
        refresh = _build_acceptances(orgs, users, acceptances)
        _build_statuses(reports, plans, refresh)
        build_documents(orgs)
    return result
