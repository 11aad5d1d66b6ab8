"""The demo's document templates: each organisation its own, bound, with its names kept whole.

- The forestry group: its 2023 speech (seeds/speech-2023.txt), whose 2022 review the figures
  of the demo world reproduce. The speech hides names as `**` next to fragments ("**市服务中心");
  the demo's copy writes each hidden name as one `**` bound to a whole text the group keeps
  (`unit_service_center` = 青岚市林业服务中心), as a group would when preparing its template.
- The water group: a short speech of its own.
- The commission: a quarterly bulletin written the way published city bulletins are.

The demo's texts write a name as `{key}` (the OrganisationText it prints), which becomes a `**`
bound to `text:key` at exactly that place; every other `**` and number is bound by the
assistant's first choice. A name's place is never guessed from what the assistant left over:
"我们**人" reads to it as a count of people ("**人"), and was once printed as one.

tests/test_demo_speech.py regenerates the forestry speech for 2022 and compares it with the
seed speech, every figure and name filled in.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from tracker.documents.models import DocumentTemplate, Kind, TemplateVersion
from tracker.documents.services import proposed_bindings
from tracker.orgs.models import Organisation, OrganisationText

SEEDS = Path(settings.BASE_DIR) / "seeds"
CITY = "青岚"

# Hidden names of the speech (seeds/name_redactions.csv), each rewritten as one whole name:
# (as the speech writes it, as the demo's template writes it). 我们林草人: people of the sector.
NAME_REWRITES = [
    ("为我市**草原工作", "为我市{sector_full}工作"),
    ("作为**系统", "作为{sector_system}"),
    ("“清廉**”", "“{qinglian_brand}”"),
    ("在**系统落实", "在{sector_system}落实"),
    ("如，**国家级自然保护区管理局，", "如，{unit_reserve}，"),
    ("**市服务中心，", "{unit_service_center}，"),
    ("**市研究所，", "{unit_institute}，"),
    ("**园、**市园，", "{unit_botanical}、{unit_forest_park}，"),
    ("以及**市中心、**市、**市**站，", "以及{unit_wetland}、{unit_farm}、{unit_seedling}，"),
    ("契合**工作", "契合{sector_full}工作"),
    ("幸福美好新**", "幸福美好新{city_short}"),
    ("保障**草原工作", "保障{sector_full}工作"),
    ("\n**书记在省纪委", "\n{province_party}书记在省纪委"),
    ("。**书记在十四届市纪委", "。{city_party}书记在十四届市纪委"),
    ("政治生态“**蓝”", "政治生态“{city_short}蓝”"),
    ("推动**草原工作", "推动{sector_full}工作"),
    ("推动我市**草原工作", "推动我市{sector_full}工作"),
    ("我们**人的", "我们{sector_short}人的"),
]
NAME = re.compile(r"\{([a-z][a-z0-9_]*)\}")

FORESTRY_TEXTS = {
    "sector_full": "林业和草原",
    "sector_system": "林草系统",
    "sector_short": "林草",
    "qinglian_brand": "清廉园林",
    "unit_reserve": "翠屏山国家级自然保护区管理局",
    "unit_service_center": f"{CITY}市林业服务中心",
    "unit_institute": f"{CITY}市林业科学研究所",
    "unit_botanical": f"{CITY}植物园",
    "unit_forest_park": f"{CITY}市森林公园",
    "unit_wetland": f"{CITY}市湿地保护中心",
    "unit_farm": f"{CITY}市国有林场",
    "unit_seedling": f"{CITY}市林木种苗站",
}
WATER_TEXTS = {"bureau": "市水务局", "qinglian_brand": "清廉水务"}
CITY_TEXTS = {"city_short": CITY, "province_party": "省委", "city_party": "市委"}

WATER_SPEECH = """2022年工作回顾
2022年，在市纪委监委有力领导下，在{bureau}党组支持下，驻局纪检监察组聚焦主责主业，推动“{qinglian_brand}”建设走深走实。
全年受理问题线索**件，立案**件，党纪、政务处分**人。运用“四种形态”中的第一种形态**人次、占**%，第二种形态**人次、占**%。
去年以来我们纪检监察组赴一线调研**次，开展专项监督检查**次，提出工作建议**条，开展工作约谈、廉政约谈**人次。
2023年，我们将紧盯河湖管理、水利工程建设等重点领域，持续深化“{qinglian_brand}”建设。"""

CITY_BULLETIN = """2023年一季度全市纪检监察机关监督检查审查调查情况通报
2023年一季度，全市纪检监察机关共接收信访举报1,236件次，同比上升8.2%。其中，来信312件次，来访140件次，来电201件次，网络举报583件次。
全市纪检监察机关处置问题线索860件，其中谈话函询310件次、初步核实402件、暂存待查48件、予以了结100件。立案215件，同比下降3.1%，处分198人，其中党纪处分170人、政务处分95人。
全市纪检监察机关运用“四种形态”批评教育帮助和处理共1005人次。其中，运用第一种形态663人次，占66.0%；第二种形态251人次，占25.0%；第三种形态50人次，占5.0%；第四种形态41人次，占4.1%。
全市查处违反中央八项规定精神问题56起，批评教育帮助和处理73人，其中党纪政务处分48人。"""


def _names(marked: str) -> tuple[str, list[dict]]:
    """The text with each `{key}` written as `**`, and those `**` bound to their text keys."""
    parts = NAME.split(marked)  # text, key, text, key, …, text
    text, slots = parts[0], []
    for key, after in zip(parts[1::2], parts[2::2], strict=True):
        start = len(text)
        slots.append({"start": start, "end": start + 2, "found": "**", "binding": f"text:{key}", "proposals": []})
        text += "**" + after
    return text, slots


def forestry_speech() -> str:
    """The seed speech with each hidden name as `{key}`: one whole name the group keeps."""
    text = (SEEDS / "speech-2023.txt").read_text(encoding="utf-8")
    for before, after in NAME_REWRITES:
        if before not in text:
            raise ValueError(f"The seed speech no longer says {before!r}.")
        text = text.replace(before, after)
    return text


def _template(org: Organisation, name: str, text: str, bindings: list[dict], kind=Kind.SPEECH) -> DocumentTemplate:
    template, _created = DocumentTemplate.objects.update_or_create(organisation=org, name=name, defaults={"kind": kind})
    current = template.current
    if current is None or current.text != text or current.bindings != bindings:
        TemplateVersion.objects.create(
            template=template,
            number=(current.number + 1) if current else 1,
            text=text,
            bindings=bindings,
            change="演示数据",
        )
    return template


def _bound(marked: str, owner: Organisation) -> tuple[str, list[dict]]:
    """The template's text and bindings: the names where the text marks them, the assistant's first
    choices for the figures (none where a name is)."""
    text, names = _names(marked)
    taken = [(slot["start"], slot["end"]) for slot in names]
    figures = [
        slot
        for slot in proposed_bindings(text, owner)
        if not any(slot["start"] < end and start < slot["end"] for start, end in taken)
    ]
    return text, sorted(figures + names, key=lambda s: s["start"])


FORESTRY_SPEECH_NAME = "2023年度全面从严治党暨党风廉政建设工作会议讲话"
WATER_SPEECH_NAME = "2023年度党风廉政建设工作会议讲话"
CITY_BULLETIN_NAME = "季度监督检查审查调查情况通报"


def build_documents(orgs: dict[str, Organisation]) -> None:
    for code, texts in (("forestry", FORESTRY_TEXTS), ("water", WATER_TEXTS), ("city", CITY_TEXTS)):
        for key, value in texts.items():
            OrganisationText.objects.update_or_create(organisation=orgs[code], key=key, defaults={"text": value})
    forestry, water, city = orgs["forestry"], orgs["water"], orgs["city"]
    _template(forestry, FORESTRY_SPEECH_NAME, *_bound(forestry_speech(), forestry))
    _template(water, WATER_SPEECH_NAME, *_bound(WATER_SPEECH, water))
    _template(city, CITY_BULLETIN_NAME, *_bound(CITY_BULLETIN, city), kind=Kind.BULLETIN)
