"""使用说明: a month's work in order for each role, and the 口径 of every indicator, searchable by name.

The guides are templates, one per role and language (`templates/help/<role>.<language>.html`):
they are prose with links into the app, easier to keep as whole pages than as hundreds of
translated sentences. The indicator page reads the catalogue (`Catalogue.search`), so a name or a
口径 an administrator edits is found at once.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from tracker.catalogue.models import Aggregation, Catalogue, Relation, section_label
from tracker.orgs.access import Permission, orgs_where
from tracker.orgs.models import OrgKind, Role, memberships_of

ROLES = [Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN]


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


@require_safe
def guide(request, role: str | None = None):
    """The guide for one role; without one, for the user's own role (the first of their memberships)."""
    own = [m.role for m in memberships_of(request.user)]
    if role is None:
        role = next((r for r in ROLES if r in own), Role.CLERK)
    if role not in Role.values:
        raise Http404
    user = request.user
    # A guide names every step of its role, but links only to the pages this user may open.
    may = {
        "import": orgs_where(user, Permission.IMPORT).exists(),
        "lockouts": orgs_where(user, Permission.LIFT_LOCKOUT).exists(),
        "acceptance": orgs_where(user, Permission.REPORT_UP).exists() or orgs_where(user, Permission.ACCEPT).exists(),
        "admin": user.is_staff,
    }
    context = {
        "may": may,
        "role": Role(role),
        "roles": [(r, r in own) for r in ROLES],
        "guide": f"help/{role}.{_language()}.html",
    }
    return render(request, "help/guide.html", context)


@require_safe
def indicators(request):
    """Every indicator's 口径 with who enters it, how it adds up over periods and what it breaks into."""
    catalogue = Catalogue.active()
    words = request.GET.get("q", "").strip()[:100]
    sections: list[tuple[str, list[dict]]] = []
    for indicator in catalogue.search(words):
        breakdowns = [
            {
                "relation": Relation(b.relation).label if b.relation in Relation.values else b.relation,
                "parts": [catalogue.by_code[p].name for p in b.parts if p in catalogue.by_code],
            }
            for b in indicator.breakdowns
        ]
        share_of = catalogue.by_code.get(indicator.share_of)
        row = {
            "indicator": indicator,
            "reported_by": OrgKind(indicator.reported_by).label,
            "aggregation": Aggregation(indicator.aggregation).label,
            "breakdowns": breakdowns,
            "share_of": share_of.name if share_of else "",
            "sum_of": [catalogue.by_code[p].name for p in indicator.sum_parts if p in catalogue.by_code],
        }
        label = section_label(indicator.section)
        if not sections or sections[-1][0] != label:
            sections.append((label, []))
        sections[-1][1].append(row)
    count = sum(len(rows) for _, rows in sections)
    return render(request, "help/indicators.html", {"sections": sections, "q": words, "count": count})
