"""The rules the catalogue's `rule` column states, loaded by migrate (idempotent).

An administrator may change a seeded rule's severity, message or switch it off: a
later load leaves existing rules alone and only adds missing ones.
"""

from __future__ import annotations

from tracker.checks.models import Rule, Severity

E, W = Severity.ERROR, Severity.WARNING

SEEDED_RULES: list[tuple[str, str, str, str, str, str]] = [
    # key, left, operator, right, severity, message
    (
        "clues-disposal-sum",
        "grp_clues_talk_inquiry + grp_clues_initial_verification + grp_clues_shelved + grp_clues_closed",
        "==",
        "grp_clues_handled",
        W,
        "谈话函询、初步核实、暂存待查、予以了结四类处置之和应等于处置问题线索总数。",
    ),
    (
        "sanctions-party-le-total",
        "grp_sanctioned_party",
        "<=",
        "grp_sanctioned_persons",
        E,
        "党纪处分人数不能超过处分总人数。",
    ),
    (
        "sanctions-admin-le-total",
        "grp_sanctioned_admin",
        "<=",
        "grp_sanctioned_persons",
        E,
        "政务处分人数不能超过处分总人数。",
    ),
    (
        "sanctions-total-le-party-plus-admin",
        "grp_sanctioned_persons",
        "<=",
        "grp_sanctioned_party + grp_sanctioned_admin",
        E,
        "处分总人数不能超过党纪处分与政务处分人数之和。",
    ),
    (
        "sanctions-rank-sum",
        "grp_sanctioned_bureau_level + grp_sanctioned_county_level + grp_sanctioned_township_level"
        " + grp_sanctioned_general_cadres + grp_sanctioned_other",
        "==",
        "grp_sanctioned_persons",
        E,
        "厅局级、县处级、乡科级、一般干部和其他人员之和应等于处分总人数。",
    ),
    (
        "sanctions-top-leaders-le-total",
        "grp_sanctioned_top_leaders",
        "<=",
        "grp_sanctioned_persons",
        E,
        "处分“一把手”人数不能超过处分总人数。",
    ),
    (
        "sanctions-county-le-total",
        "grp_sanctioned_county_level",
        "<=",
        "grp_sanctioned_persons",
        E,
        "处分县处级干部人数不能超过处分总人数。",
    ),
    (
        "letters-plus-proposals",
        "grp_reminder_letters + grp_discipline_proposals",
        "==",
        "grp_reminder_letters_proposals",
        E,
        "《工作提醒函》与《纪检监察建议书》之和应等于合计份数。",
    ),
    (
        "eight-rules-issues-sum",
        "grp_fb_issues + grp_he_issues",
        "==",
        "grp_eight_rules_issues",
        E,
        "形式主义官僚主义与享乐主义奢靡之风问题之和应等于违反八项规定精神问题总数。",
    ),
    (
        "eight-rules-persons-sum",
        "grp_fb_persons + grp_he_persons",
        "==",
        "grp_eight_rules_persons",
        E,
        "两类问题处理人数之和应等于批评教育帮助和处理总人数。",
    ),
    (
        "eight-rules-sanctioned-le-persons",
        "grp_eight_rules_sanctioned",
        "<=",
        "grp_eight_rules_persons",
        E,
        "党纪政务处分人数不能超过批评教育帮助和处理人数。",
    ),
    (
        "fb-types-sum",
        "grp_fb_t1_decisions + grp_fb_t2_duty + grp_fb_t3_masses + grp_fb_t4_burden",
        "==",
        "grp_fb_issues",
        E,
        "形式主义、官僚主义四类问题之和应等于该类问题总数。",
    ),
    (
        "he-types-sum",
        "grp_he_t1_gifts + grp_he_t2_dining + grp_he_t3_weddings + grp_he_t4_allowances + grp_he_t5_travel"
        " + grp_he_t6_other",
        "==",
        "grp_he_issues",
        E,
        "享乐主义、奢靡之风六类问题之和应等于该类问题总数。",
    ),
    (
        "petitions-accusation-le-received",
        "grp_petitions_accusation",
        "<=",
        "grp_petitions_received",
        E,
        "检举控告类不能超过接收信访举报总数。",
    ),
    (
        "cases-le-clues",
        "grp_cases_filed",
        "<=",
        "grp_clues_accepted",
        W,
        "立案数多于受理问题线索数（可能含往年线索），请在备注中说明。",
    ),
    (
        "transferred-le-sanctioned",
        "grp_transferred_to_procuratorate",
        "<=",
        "grp_sanctioned_persons",
        W,
        "移送检察机关人数多于处分人数，请核实。",
    ),
    (
        "sanctioned-le-forms-2-4",
        "grp_sanctioned_persons",
        "<=",
        "grp_form2_person_times + grp_form3_person_times + grp_form4_person_times",
        W,
        "处分人数多于第二、三、四种形态人次之和，请核实。",
    ),
    (
        "city-top-leaders-le-sanctioned",
        "city_sanctioned_top_leaders",
        "<=",
        "city_sanctioned_persons",
        E,
        "全市处分“一把手”人数不能超过全市处分人数。",
    ),
    (
        "city-county-le-sanctioned",
        "city_sanctioned_county_level",
        "<=",
        "city_sanctioned_persons",
        E,
        "全市处分县处级干部人数不能超过全市处分人数。",
    ),
    (
        "city-transferred-le-sanctioned",
        "city_transferred_to_procuratorate",
        "<=",
        "city_sanctioned_persons",
        W,
        "全市移送检察机关人数多于全市处分人数，请核实。",
    ),
    (
        "city-sanctioned-le-four-forms",
        "city_sanctioned_persons",
        "<=",
        "city_four_forms_total",
        W,
        "全市处分人数多于运用“四种形态”总人次，请核实。",
    ),
]


def load_rules(using: str = "default") -> int:
    """Add the seeded rules that are missing; returns how many were added."""
    existing = set(Rule.objects.using(using).values_list("key", flat=True))
    new = [
        Rule(key=key, left=left, operator=op, right=right, severity=severity, message=message)
        for key, left, op, right, severity, message in SEEDED_RULES
        if key not in existing
    ]
    Rule.objects.using(using).bulk_create(new)
    return len(new)
