"""Who may do what, and where: the one permission table, and the lookups every view uses.

A user's role over an organisation is that of their nearest membership at or above it
(`role_for`). What each role may do is `PERMISSIONS`, and nothing else decides it: the
services refuse with it, the views ask it before showing a button or a form, the templates
get its answers (never a role name), and the authorisation test reads it.

A superuser is treated the same way everywhere: as an administrator of every tree (see
`memberships_of`). Being a superuser opens the Django admin; it does not let anyone enter,
submit or approve figures without a clerk's or reviewer's membership.

An organisation outside the user's subtree answers 404, never 403, so that a URL does not
reveal whether another group's unit exists.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.exceptions import NotFound
from tracker.orgs.models import (
    Membership,
    Organisation,
    Role,
    memberships_of,
    organisations_with_parents,
    path_prefixes,
)


class Permission(models.TextChoices):
    """Everything a role may be allowed to do over an organisation's subtree."""

    VIEW = "view", gettext_lazy("view figures and reports")
    ENTER = "enter", gettext_lazy("enter figures")
    ENTER_CLOSED = "enter_closed", gettext_lazy("enter figures of a closed period, and reopen it")
    SUBMIT = "submit", gettext_lazy("submit for review")
    RETURN = "return", gettext_lazy("return to the clerk")
    APPROVE = "approve", gettext_lazy("approve")
    UNLOCK = "unlock", gettext_lazy("unlock an approved report")
    LIFT_LOCKOUT = "lift_lockout", gettext_lazy("lift a log-in lockout")
    IMPORT = "import", gettext_lazy("import figures from a file")
    REPORT_UP = "report_up", gettext_lazy("report a group's figures to the commission")
    ACCEPT = "accept", gettext_lazy("accept or return a group's figures")
    MANAGE_TEMPLATES = "manage_templates", gettext_lazy("manage document templates")
    OVERVIEW = "overview", gettext_lazy("see the organisation's headline figures on the start page")


P = Permission
PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CLERK: frozenset({P.VIEW, P.ENTER, P.SUBMIT, P.IMPORT}),
    Role.REVIEWER: frozenset(
        {
            P.VIEW,
            P.ENTER,
            P.ENTER_CLOSED,
            P.SUBMIT,
            P.RETURN,
            P.APPROVE,
            P.UNLOCK,
            P.IMPORT,
            P.LIFT_LOCKOUT,
            P.REPORT_UP,
            P.ACCEPT,
        }
    ),
    Role.LEADER: frozenset({P.VIEW, P.MANAGE_TEMPLATES, P.OVERVIEW}),
    Role.ADMIN: frozenset({P.VIEW, P.LIFT_LOCKOUT, P.MANAGE_TEMPLATES, P.OVERVIEW}),
}
# Actions that are refused without a written reason (the form asks for one; the service refuses).
NEEDS_REASON = frozenset({P.RETURN, P.UNLOCK})


def _nearest(user, org: Organisation) -> Membership | None:
    best: Membership | None = None
    for membership in memberships_of(user):
        if org.is_within(membership.organisation):
            if best is None or len(membership.organisation.path) > len(best.organisation.path):
                best = membership
    return best


def acts_at(user, org: Organisation) -> bool:
    """Whether the user's nearest membership over `org` is at `org` itself (its own people, not those above)."""
    best = _nearest(user, org)
    return best is not None and best.organisation_id == org.pk


def role_for(user, org: Organisation) -> str | None:
    """The user's role over `org`: that of the nearest membership at or above it."""
    best = _nearest(user, org)
    return best.role if best else None


def can(user, permission: str, org: Organisation) -> bool:
    """Whether the user may do `permission` over `org` (by the table, nothing else)."""
    return Permission(permission) in PERMISSIONS.get(role_for(user, org), frozenset())


def people_who_can(
    organisation: Organisation, permission: str, *, own: bool = False, within: Organisation | None = None
) -> list:
    """The active users who may do `permission` over `organisation`, as can() decides for each: by their
    nearest membership at or above it, a superuser without one as an administrator. Who is told of an
    event is asked here (tracker.workflow.notifications), never chosen by role name.

    `own`: only those whose nearest membership is at `organisation` itself (acts_at: its own people, not
    those of an organisation above it whose role covers it too).
    `within`: only those whose nearest membership is at `within` or below it (a unit's report: the people
    of its group, not those of the commission above, whose role covers the unit too).
    """
    permission = Permission(permission)
    if own:
        within = organisation
    nearest: dict[int, tuple[str, str]] = {}  # user id -> (path of the nearest membership, role)
    for user_id, path, role in Membership.objects.filter(
        organisation__path__in=path_prefixes(organisation.path)
    ).values_list("user_id", "organisation__path", "role"):
        if user_id not in nearest or len(path) > len(nearest[user_id][0]):
            nearest[user_id] = (path, role)
    ids = [
        user_id
        for user_id, (path, role) in nearest.items()
        if permission in PERMISSIONS[role] and (within is None or path.startswith(within.path))
    ]
    who = Q(pk__in=ids)
    # A superuser without a membership is an administrator at every root.
    if permission in PERMISSIONS[Role.ADMIN] and (within is None or within.parent_id is None):
        who |= Q(is_superuser=True) & ~Q(pk__in=list(nearest))
    return list(get_user_model().objects.filter(who, is_active=True).order_by("pk"))


def require(user, permission: str, org: Organisation) -> None:
    """Refuse (403) what the table does not allow; every service calls this before it writes."""
    if not can(user, permission, org):
        raise PermissionDenied(_("Your role may not do this: %(action)s.") % {"action": Permission(permission).label})


def allowed(user, org: Organisation) -> frozenset[Permission]:
    """Everything the user may do over `org`: what views hand to templates."""
    return PERMISSIONS.get(role_for(user, org), frozenset())


def orgs_where(user, permission: str):
    """Every organisation over which the user may do `permission`, as a queryset.

    The subtrees of the memberships that allow it; where the user also has a membership
    below one of those (a group's reviewer who is only a clerk of one unit), each organisation
    is decided by its nearest membership, as everywhere else.
    """
    memberships = memberships_of(user)
    granting = [m.organisation for m in memberships if Permission(permission) in PERMISSIONS[m.role]]
    orgs = Organisation.objects.subtree_of(granting)
    nested = any(m.organisation.is_within(g) and m.organisation.pk != g.pk for m in memberships for g in granting)
    if nested:
        return Organisation.objects.filter(pk__in=[o.pk for o in orgs if can(user, permission, o)])
    return orgs


def within_reach(user, org: Organisation) -> bool:
    """Whether `org` is one of Organisation.objects.for_user(user): in the subtree of a membership.

    The same rule asked of organisations already read: the pages look an organisation up by its
    code and check it here, a far simpler query to build than one filtered by every membership.
    """
    return user.is_authenticated and any(org.is_within(m.organisation) for m in memberships_of(user))


def get_org_for_user(user, code: str) -> Organisation:
    """The organisation of `code` with its parent, if the user may see it; else 404.

    A page of one of the user's own organisations (a leader's usual page) needs no query: the
    memberships are read with their organisations and parents.
    """
    if not user.is_authenticated:
        raise NotFound(_("No such organisation."))
    for membership in memberships_of(user):
        if membership.organisation.code == code:
            return membership.organisation
    found = organisations_with_parents("WHERE o.code = %s", [code])
    org = found[0][1] if found else None
    if org is None or not within_reach(user, org):
        raise NotFound(_("No such organisation."))
    return org
