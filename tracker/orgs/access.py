"""Access helpers: every view looks organisations up through these.

An organisation outside the user's subtree answers 404, never 403, so that a URL
does not reveal whether another group's unit exists.
"""

from __future__ import annotations

from django.http import Http404

from tracker.orgs.models import Membership, Organisation, Role, memberships_of


def get_org_for_user(user, code: str) -> Organisation:
    org = Organisation.objects.for_user(user).filter(code=code).select_related("parent").first()
    if org is None:
        raise Http404("No such organisation.")
    return org


def role_for(user, org: Organisation) -> str | None:
    """The user's role over `org`: that of the nearest membership above or at it."""
    best: Membership | None = None
    for membership in memberships_of(user):
        if org.is_within(membership.organisation):
            if best is None or len(membership.organisation.path) > len(best.organisation.path):
                best = membership
    return best.role if best else None


def can_edit(user, org: Organisation) -> bool:
    return role_for(user, org) in (Role.CLERK, Role.REVIEWER)
