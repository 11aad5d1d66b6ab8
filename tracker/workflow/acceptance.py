"""A stationed group's figures for one period, reported to its commission and accepted or returned there.

    (not reported) ──report──▶ reported ──accept──▶ accepted
                                  │                    │
                                  └──return (reason)───┴──▶ returned ──report──▶ reported

The group's reviewer reports a period once the group's own reports and every one of its units'
reports for it are approved (a unit that reports by quarter under a group that reports by year:
its four quarters; by year under a group by quarter: its year); a reviewer of the commission
above the group accepts it or returns it with a reason. Accepting marks the reports the group's
accepted periods cover (Report.accepted): those, and the commission's own, are what the
commission's pages count. Returning leaves the reports approved: the group unlocks what needs
fixing, approves it again and reports again. While a period is reported or accepted, none of
its reports can be unlocked (`unlock_refusal`): what the commission counts cannot change under it.

Who may do what is the permission table's: REPORT_UP over the group, ACCEPT over the group's
commission; and each is its own people's act: the group's reviewers report (not a reviewer of the
commission above, whose role covers the group too), the reviewers of the group's own commission
accept or return (not those of a commission above it), and nobody accepts what they reported.
The commission's pages count a group's period once it is accepted (the stored totals are rebuilt
for the group and its units here, in the same transaction).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tracker.aggregation.totals import approved_totals_refresh, group_year_keys
from tracker.entry.models import AcceptanceStatus, GroupAcceptance, Report, Status
from tracker.entry.periods import MONTHS_PER_PERIOD, Period, PeriodType, period_end_month
from tracker.orgs.access import Permission, acts_at, can, require
from tracker.orgs.models import Organisation, OrgKind
from tracker.workflow import notifications
from tracker.workflow.models import AcceptanceAction, AcceptanceStep

# action → (statuses it starts from, None meaning never reported; status it ends in)
TRANSITIONS = {
    AcceptanceAction.REPORT: ((None, AcceptanceStatus.RETURNED), AcceptanceStatus.SUBMITTED),
    AcceptanceAction.ACCEPT: ((AcceptanceStatus.SUBMITTED,), AcceptanceStatus.ACCEPTED),
    AcceptanceAction.RETURN: ((AcceptanceStatus.SUBMITTED, AcceptanceStatus.ACCEPTED), AcceptanceStatus.RETURNED),
}
# The statuses in which the commission counts on the period as it is: its reports stay locked.
HELD = (AcceptanceStatus.SUBMITTED, AcceptanceStatus.ACCEPTED)


def months(period: Period) -> range:
    """The months of the year a period spans (Q2: 4–6)."""
    end = period_end_month(period.type, period.number)
    return range(end - MONTHS_PER_PERIOD[period.type] + 1, end + 1)


def overlaps(a: Period, b: Period) -> bool:
    return a.year == b.year and bool(set(months(a)) & set(months(b)))


@dataclass
class OrgState:
    """One organisation's reports for a group's period, and whether they are all there and approved."""

    organisation: Organisation | None
    reports: list[Report]
    period: Period

    @property
    def complete(self) -> bool:
        covered = {m for r in self.reports for m in months(r.period)}
        return covered >= set(months(self.period))

    @property
    def approved(self) -> bool:
        return self.complete and all(r.status == Status.APPROVED for r in self.reports)

    @property
    def label(self) -> str:
        if not self.reports:
            return _("no report")
        statuses = {r.status for r in self.reports}
        text = "、".join(str(Status(s).label) for s in Status.values if s in statuses)
        return text if self.complete else _("%(statuses)s; not every period entered") % {"statuses": text}


@dataclass
class GroupPeriod:
    """A group's period as the acceptance page shows it: every report it needs, and where it stands."""

    group: Organisation
    period: Period
    acceptance: GroupAcceptance | None
    # The group itself first, then its units, each with its reports overlapping the period.
    orgs: list[OrgState]

    @property
    def status(self) -> str | None:
        return self.acceptance.status if self.acceptance else None

    @property
    def status_label(self) -> str:
        return self.acceptance.get_status_display() if self.acceptance else _("Not reported to the commission")

    @property
    def of_the_groups_type(self) -> bool:
        """The period is one of those the group reports by this year (a group reporting by year has no
        quarters to report; one that has not reported yet, any)."""
        types = {report.period_type for report in self.orgs[0].reports}
        return not types or self.period.type in types

    @property
    def not_approved(self) -> list[OrgState]:
        return [state for state in self.orgs if not state.approved]

    @property
    def ready(self) -> bool:
        """Every report the period needs is there and approved."""
        return not self.not_approved

    @cached_property
    def steps(self) -> list[AcceptanceStep]:
        if self.acceptance is None:
            return []
        return list(self.acceptance.steps.select_related("user"))


def group_of(org: Organisation) -> Organisation | None:
    """The stationed group an organisation belongs to (itself, for a group); None for a commission."""
    if org.kind == OrgKind.GROUP:
        return org
    if org.kind == OrgKind.UNIT:
        return org.parent
    return None


def _members(group: Organisation) -> list[Organisation]:
    """The group and its units, the group first."""
    return [group, *Organisation.objects.filter(parent=group, kind=OrgKind.UNIT).order_by("order", "path")]


def group_period(group: Organisation, period: Period) -> GroupPeriod:
    """The group's and its units' reports of the period and the period's acceptance (three queries)."""
    orgs = _members(group)
    by_org: dict[int, list[Report]] = {org.pk: [] for org in orgs}
    for report in Report.objects.filter(organisation__in=orgs, year=period.year).order_by():
        if overlaps(report.period, period):
            by_org[report.organisation_id].append(report)
    acceptance = GroupAcceptance.objects.filter(
        organisation=group, year=period.year, period_type=period.type, period_number=period.number
    ).first()
    return GroupPeriod(group, period, acceptance, [OrgState(org, by_org[org.pk], period) for org in orgs])


def _permission(action: str) -> Permission:
    return Permission.REPORT_UP if action == AcceptanceAction.REPORT else Permission.ACCEPT


def _where(group: Organisation, action: str) -> Organisation:
    """Where the action's permission is asked: the group reports, its commission accepts and returns."""
    return group if action == AcceptanceAction.REPORT else group.parent


def may(user, action: str, group: Organisation) -> bool:
    """The permission, held by a membership at the organisation that takes the step (see the module)."""
    where = _where(group, action)
    return can(user, _permission(action), where) and acts_at(user, where)


def _require(user, action: str, group: Organisation) -> None:
    require(user, _permission(action), _where(group, action))
    if not may(user, action, group):
        raise PermissionDenied(
            _("Only the group's own reviewers report its figures, and only its commission's accept or return them.")
        )


def acceptance_actions(user, state: GroupPeriod) -> list[dict]:
    """The steps this user may take now (for the buttons; the service checks again)."""
    result = []
    for action, (sources, _target) in TRANSITIONS.items():
        if state.status in sources and may(user, action, state.group):
            result.append({"action": action, "label": action.label, "needs_reason": action == AcceptanceAction.RETURN})
    return result


def acceptance_step(*, group: Organisation, period: Period, user, action: str, reason: str = "") -> AcceptanceStep:
    """Report, accept or return a group's period; refused (ValidationError, 403) with why, nothing half-done."""
    if group.kind != OrgKind.GROUP:
        raise ValidationError(_("Only a stationed group reports its figures to the commission."), code="not_group")
    action = AcceptanceAction(action)
    _require(user, action, group)
    reason = (reason or "").strip()
    if action == AcceptanceAction.RETURN and not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        # The group's row serialises every step of its periods (two reviewers at once, a report and an unlock).
        Organisation.objects.select_for_update().filter(pk=group.pk).first()
        state = group_period(group, period)
        if not state.of_the_groups_type:
            raise ValidationError(
                _("%(group)s does not report %(year)s by this period.") % {"group": group.name, "year": period.year},
                code="wrong_period",
            )
        if state.status not in sources:
            raise ValidationError(
                _("%(group)s's figures for %(period)s are %(status)s; that cannot be done now.")
                % {"group": group.name, "period": period.label, "status": state.status_label},
                code="wrong_status",
            )
        if action in (AcceptanceAction.REPORT, AcceptanceAction.ACCEPT) and not state.ready:
            missing = "、".join(f"{s.organisation.name}（{s.label}）" for s in state.not_approved)
            raise ValidationError(
                _("Every report of the period must be approved first. Not approved: %(list)s.") % {"list": missing},
                code="not_ready",
            )
        if action == AcceptanceAction.ACCEPT and state.steps and state.steps[-1].user_id == user.pk:
            raise ValidationError(_("You reported these figures: someone else accepts them."), code="same_person")
        acceptance = state.acceptance or GroupAcceptance(
            organisation=group, year=period.year, period_type=period.type, period_number=period.number
        )
        from_status = acceptance.status if state.acceptance else ""
        acceptance.status = target
        acceptance.save()
        step = AcceptanceStep.objects.create(
            acceptance=acceptance, action=action, from_status=from_status, to_status=target, user=user, reason=reason
        )
        if AcceptanceStatus.ACCEPTED in (from_status, target):
            # What the commission counts changed: mark the reports, add the group's and units' year up again.
            mark_accepted(group, period.year)
            approved_totals_refresh(group_year_keys(group, period.year))
        notifications.acceptance_event(group, period, action, user, reason)
    return step


def accept_on_record(group: Organisation, period: Period, user, reason: str) -> bool:
    """The commission's acceptance of a period it has already accepted outside the app (figures of the years
        before the app kept acceptance; the demo), recorded in `user`'s name with `reason`. Only a period whose
        reports are all approved and that the commission has not seen (reported, accepted or returned: its say
    stands); returns whether it was accepted."""
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=group.pk).first()
        state = group_period(group, period)
        if not state.ready or not state.of_the_groups_type or state.acceptance is not None:
            return False
        acceptance = GroupAcceptance.objects.create(
            organisation=group,
            year=period.year,
            period_type=period.type,
            period_number=period.number,
            status=AcceptanceStatus.ACCEPTED,
        )
        AcceptanceStep.objects.create(
            acceptance=acceptance,
            action=AcceptanceAction.ACCEPT,
            to_status=AcceptanceStatus.ACCEPTED,
            user=user,
            reason=reason,
        )
        mark_accepted(group, period.year)
        approved_totals_refresh(group_year_keys(group, period.year))
    return True


def mark_accepted(group: Organisation, year: int) -> None:
    """Mark the group's and its units' reports of the year that its accepted periods cover, and only those."""
    accepted_months = {
        month
        for acceptance in GroupAcceptance.objects.filter(
            organisation=group, year=year, status=AcceptanceStatus.ACCEPTED
        )
        for month in months(acceptance.period)
    }
    reports = Report.objects.filter(organisation__in=_members(group), year=year)
    covered = [r.pk for r in reports if set(months(r.period)) <= accepted_months]
    # Only the mark changes: `updated` stays what the figures' last change made it.
    reports.filter(pk__in=covered, accepted=False).update(accepted=True, updated=F("updated"))
    reports.exclude(pk__in=covered).filter(accepted=True).update(accepted=False, updated=F("updated"))


def organisation_moved(organisation: Organisation) -> None:
    """An organisation (and what is under it) now sits under another parent: what the commission accepted of
    it was accepted under its former group; under the new one nothing is, until that group reports it again.

    Called when an organisation is saved with another parent (tracker.workflow.apps): the tree is edited in
    the orgs admin, below every app that knows of acceptance, so this one reaction is a signal's.
    """
    with transaction.atomic():
        reports = Report.objects.filter(organisation__path__startswith=organisation.path)
        keys = set(reports.values_list("organisation_id", "year"))
        reports.filter(accepted=True).update(accepted=False, updated=F("updated"))
        approved_totals_refresh(keys)


def acceptances_of(organisation: Organisation, period: Period, statuses=None) -> list[GroupAcceptance]:
    """The acceptances of the organisation's group whose periods overlap this one (one or two queries)."""
    group = group_of(organisation)
    if group is None:
        return []
    found = GroupAcceptance.objects.filter(organisation=group, year=period.year).select_related("organisation")
    if statuses is not None:
        found = found.filter(status__in=statuses)
    return [a for a in found if overlaps(a.period, period)]


def unlock_refusal(report: Report) -> str | None:
    """Why an approved report cannot be unlocked now (its group's period is with the commission), or None."""
    held = acceptances_of(report.organisation, report.period, HELD)
    if not held:
        return None
    group = held[0].organisation
    return _(
        "%(group)s's figures for %(period)s are %(status)s: the commission must return them before "
        "a report of that period can be unlocked."
    ) % {"group": group.name, "period": held[0].period.label, "status": held[0].get_status_display()}


@dataclass
class AcceptanceCell:
    """One group's period in an overview: its acceptance, and how many of its reports are approved."""

    group: Organisation
    period: Period
    status: str | None
    approved: int
    needed: int
    reason: str = ""  # the commission's, when returned

    @property
    def ready(self) -> bool:
        return self.approved == self.needed

    @property
    def status_label(self) -> str:
        return AcceptanceStatus(self.status).label if self.status else _("Not reported to the commission")


@dataclass
class GroupRow:
    group: Organisation
    cells: list[AcceptanceCell]

    def count(self, status: str) -> int:
        return sum(1 for cell in self.cells if cell.status == status)

    @property
    def accepted(self) -> int:
        return self.count(AcceptanceStatus.ACCEPTED)

    @property
    def reported(self) -> int:
        return self.count(AcceptanceStatus.SUBMITTED)

    @property
    def returned(self) -> int:
        return self.count(AcceptanceStatus.RETURNED)


def acceptance_overview(groups, year: int) -> list[GroupRow]:
    """Each group's periods of the year (of the period type the group reports by) with their acceptance.

    Four queries whatever the number of groups: the groups' units, the reports, the acceptances
    and the reasons of the returned ones.
    """
    return _overviews(groups, [year]).get(year, [])


def _overviews(groups, years: list[int] | None) -> dict[int, list[GroupRow]]:
    """acceptance_overview for several years at once, in the same four queries: {year: rows}.

    `years=None`: every year in which a report of the groups or their units is not accepted yet (a year
    the commission accepted whole waits for nobody), found within the reports' query.
    """
    groups = sorted(groups, key=lambda g: g.path)
    if not groups:
        return {}
    members: dict[int, list[int]] = {g.pk: [g.pk] for g in groups}
    for pk, parent_id in Organisation.objects.filter(parent__in=groups, kind=OrgKind.UNIT).values_list(
        "pk", "parent_id"
    ):
        members[parent_id].append(pk)
    owner = {pk: group_id for group_id, pks in members.items() for pk in pks}
    found = Report.objects.filter(organisation_id__in=list(owner))
    if years is None:
        unaccepted = Report.objects.filter(organisation_id__in=list(owner), accepted=False).values("year")
        found = found.filter(year__in=unaccepted)
    else:
        found = found.filter(year__in=years)
    reports: dict[tuple[int, int], list[Report]] = defaultdict(list)  # (organisation, year) -> reports
    # A group's period type is that of its own reports (else its units', else yearly).
    types: dict[tuple[int, int], str] = {}
    seen_years = set()
    for report in found.only("organisation_id", "year", "period_type", "period_number", "status").order_by():
        group_id = owner[report.organisation_id]
        key = (group_id, report.year)
        if report.organisation_id == group_id or key not in types:
            types[key] = report.period_type
        reports[(report.organisation_id, report.year)].append(report)
        seen_years.add(report.year)
    years = sorted(seen_years) if years is None else years
    acceptances = {
        (a.organisation_id, a.period): a
        for a in GroupAcceptance.objects.filter(organisation__in=groups, year__in=years)
    }
    returned = [a.pk for a in acceptances.values() if a.status == AcceptanceStatus.RETURNED]
    reasons = dict(
        AcceptanceStep.objects.filter(acceptance_id__in=returned, action=AcceptanceAction.RETURN)
        .order_by("at", "pk")
        .values_list("acceptance_id", "reason")
    )  # the latest return wins
    overviews = {}
    for year in years:
        rows = []
        for group in groups:
            cells = []
            for period in Period.all_in_year(year, types.get((group.pk, year), PeriodType.YEAR)):
                acceptance = acceptances.get((group.pk, period))
                approved = sum(
                    OrgState(None, [r for r in reports[(pk, year)] if overlaps(r.period, period)], period).approved
                    for pk in members[group.pk]
                )
                cells.append(
                    AcceptanceCell(
                        group,
                        period,
                        acceptance.status if acceptance else None,
                        approved,
                        len(members[group.pk]),
                        reasons.get(acceptance.pk, "") if acceptance else "",
                    )
                )
            rows.append(GroupRow(group, cells))
        overviews[year] = rows
    return overviews


@dataclass
class AcceptanceWork:
    """The groups' periods that wait for one user."""

    to_accept: list[AcceptanceCell]  # reported by a group, for the user to accept or return
    to_report: list[AcceptanceCell]  # every report approved, never reported: for the user to report
    # Returned by the commission, for the user to have corrected and report again (ready or not yet).
    returned: list[AcceptanceCell] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.to_accept or self.to_report or self.returned)

    @property
    def oldest_year(self) -> int | None:
        """The year of the oldest period waiting (the acceptance page opens on it)."""
        return min((c.period.year for c in [*self.to_accept, *self.to_report, *self.returned]), default=None)

    def first(self, count: int) -> AcceptanceWork:
        """The first `count` of each list (the start page's)."""
        return AcceptanceWork(self.to_accept[:count], self.to_report[:count], self.returned[:count])


def groups_of(user) -> list[Organisation]:
    """The stationed groups the user sees, with their commissions."""
    return list(Organisation.objects.for_user(user).filter(kind=OrgKind.GROUP).select_related("parent"))


def acceptance_work(user, rows: list[GroupRow]) -> AcceptanceWork:
    """Of these groups' periods (acceptance_overview), those that wait for the user: to accept, to report, or
    returned by the commission to report again; each list oldest first."""
    to_accept, to_report, returned = [], [], []
    for row in rows:
        for cell in row.cells:
            if cell.status == AcceptanceStatus.SUBMITTED and may(user, AcceptanceAction.ACCEPT, cell.group):
                to_accept.append(cell)
            elif cell.status == AcceptanceStatus.RETURNED and may(user, AcceptanceAction.REPORT, cell.group):
                returned.append(cell)
            elif cell.status is None and cell.ready and may(user, AcceptanceAction.REPORT, cell.group):
                to_report.append(cell)
    for cells in (to_accept, to_report, returned):
        cells.sort(key=lambda c: (c.period, c.group.path))
    return AcceptanceWork(to_accept, to_report, returned)


def waiting_for(user) -> AcceptanceWork:
    """Every group's period, of any year, that waits for the user (acceptance_work): the years in which
    something is not accepted yet, read in acceptance_overview's four queries however many years there are."""
    return acceptance_work(user, [row for rows in _overviews(groups_of(user), None).values() for row in rows])
