"""The start page of each role: what is left to do, and for a leader what the figures say.

- Whoever enters figures: the reports to fill, first those a reviewer returned or unlocked, of any
  year, with the reviewer's reason; then by due date, with the days left or overdue.
- A reviewer: the reports awaiting review, the units overdue, the lockouts to lift.
- A leader (or an administrator): the organisation's headline figures for the current range
  against 同期, the four forms with their shares, the largest changes, and its units (or groups)
  ranked by a chosen indicator.
- A group's reviewer: the periods ready to report to the commission, and those it returned, with why;
  the commission's reviewer: the groups' periods waiting for acceptance. Of every year, not only
  this one and the last: what waits from two years ago waits still.
- A commission's people: each group's timeliness and acceptance at a glance.

Every figure comes from the one aggregation, every change from tracker.catalogue.figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from tracker.aggregation.yearly import Aggregator, years_with_data
from tracker.catalogue.figures import Change, percent
from tracker.catalogue.models import Indicator
from tracker.entry.deadlines import Timeliness
from tracker.entry.models import Report, Status
from tracker.entry.periods import Period, Range
from tracker.orgs.access import Permission, can, orgs_where
from tracker.orgs.models import Organisation, OrgKind, memberships_of
from tracker.reports.tables import incomplete_mark, partial_mark
from tracker.workflow.acceptance import AcceptanceWork, acceptance_overview, waiting_for
from tracker.workflow.models import Action, ReportTransition
from tracker.workflow.selectors import completeness

# How far ahead a report not yet due is listed as something to fill.
DUE_SOON_DAYS = 45
MAX_TASKS = 50
LARGEST_CHANGES = 5
MIN_FOR_A_CHANGE = 5  # a change of 1 to 3 is +200 %: only figures at least this large are compared


@dataclass
class Task:
    organisation: Organisation
    period: Period
    report: Report | None
    due: datetime.date | None  # None for a report to correct: its due date passed when it was first submitted
    days: int | None  # days left (negative: overdue); None for a report to correct
    reason: str = ""  # the reviewer's, for a returned or unlocked report
    # A report to correct: what the reviewer did to it (Action.RETURN or Action.UNLOCK), when, and who.
    action: str = ""
    since: datetime.datetime | None = None
    by: object | None = None

    @property
    def overdue(self) -> bool:
        return self.days is not None and self.days < 0

    @property
    def days_overdue(self) -> int:
        return -self.days if self.days is not None else 0

    @property
    def to_correct(self) -> bool:
        return bool(self.action)

    @property
    def unlocked(self) -> bool:
        return self.action == Action.UNLOCK


def _roots(user, permission: str) -> list[Organisation]:
    """The topmost organisations where the user may do `permission` (each a subtree to look through)."""
    roots = [m.organisation for m in memberships_of(user) if can(user, permission, m.organisation)]
    return [r for r in roots if not any(r.path != o.path and r.path.startswith(o.path) for o in roots)]


def _cells(user, permission: str, today: datetime.date):
    """(organisation, cell) of every report period of this year and last in the user's subtrees."""
    for root in _roots(user, permission):
        for year in (today.year - 1, today.year):
            for row in completeness(root, year).rows:
                for cell in row.cells:
                    yield row.organisation, cell


def reports_to_correct(user) -> list[Task]:
    """Reports of any year the user may enter that a reviewer returned, or unlocked after approving them, with
    the reviewer's reason, when and who: they wait to be corrected and submitted again. Oldest period first.

    Two queries however many years and reports: the reports with their latest step, and its users.
    """
    latest = ReportTransition.objects.filter(report=OuterRef("pk")).order_by("-at", "-pk")
    found = list(
        Report.objects.filter(organisation__in=orgs_where(user, Permission.ENTER))
        .annotate(
            last_action=Subquery(latest.values("action")[:1]),
            last_reason=Subquery(latest.values("reason")[:1]),
            last_at=Subquery(latest.values("at")[:1]),
            last_by=Subquery(latest.values("user_id")[:1]),
        )
        # A draft was approved once only if its latest step is an unlock (a new report has no step).
        .filter(Q(status=Status.RETURNED) | Q(status=Status.DRAFT, last_action=Action.UNLOCK))
        .select_related("organisation")
        .order_by("year", "period_number", "organisation__path")[:MAX_TASKS]
    )
    users = get_user_model().objects.in_bulk({r.last_by for r in found if r.last_by})
    return [
        Task(
            r.organisation,
            r.period,
            r,
            None,
            None,
            r.last_reason or "",
            Action.UNLOCK if r.status == Status.DRAFT else Action.RETURN,
            r.last_at,
            users.get(r.last_by),
        )
        for r in found
    ]


def tasks_to_fill(user, today: datetime.date | None = None) -> list[Task]:
    """What the user may enter that waits: first the reports to correct, of any year (reports_to_correct), then
    those of this year and last not submitted yet that are due soon or overdue."""
    today = today or timezone.localdate()
    corrections = reports_to_correct(user)
    following = {t.report.pk for t in corrections}
    tasks = []
    for org, cell in _cells(user, Permission.ENTER, today):
        report = cell.report
        if not can(user, Permission.ENTER, org) or (report is not None and report.pk in following):
            continue
        open_ = report is None or report.status == Status.DRAFT
        days = (cell.due - today).days
        if open_ and days <= DUE_SOON_DAYS:
            tasks.append(Task(org, cell.period, report, cell.due, days))
    tasks.sort(key=lambda t: (t.due, t.organisation.path))
    return (corrections + tasks)[:MAX_TASKS]


@dataclass
class ReviewWork:
    awaiting: list[Report]
    overdue: list[Task]


def review_work(user, today: datetime.date | None = None) -> ReviewWork:
    today = today or timezone.localdate()
    reviewed = orgs_where(user, Permission.APPROVE)
    awaiting = list(
        Report.objects.filter(organisation__in=reviewed, status=Status.SUBMITTED)
        .select_related("organisation")
        .order_by("updated")[:MAX_TASKS]
    )
    overdue = [
        Task(org, cell.period, cell.report, cell.due, (cell.due - today).days)
        for org, cell in _cells(user, Permission.APPROVE, today)
        if cell.state == Timeliness.OVERDUE
    ]
    overdue.sort(key=lambda t: (t.due, t.organisation.path))
    return ReviewWork(awaiting, overdue[:MAX_TASKS])


@dataclass
class Headline:
    indicator: Indicator
    now: int | Decimal | None
    before: int | Decimal | None
    change: Change  # partial when either side is incomplete
    # Reporters that have not entered every period of the range, this year and last ("N个单位未报全").
    now_missing: int = 0
    before_missing: int = 0

    @property
    def now_mark(self) -> str:
        return incomplete_mark(self.now_missing) if self.now_missing else ""

    @property
    def before_mark(self) -> str:
        return incomplete_mark(self.before_missing) if self.before_missing else ""

    @property
    def change_mark(self) -> str:
        return partial_mark() if self.change.partial else ""


@dataclass
class Ranked:
    organisation: Organisation
    value: int | Decimal | None
    mark: str = ""  # "（2个单位未报全）" for an incomplete figure


@dataclass
class LeaderView:
    organisation: Organisation
    range: Range
    headlines: list[Headline]
    four_forms: object | None  # BreakdownFigures
    largest: list[Headline]
    ranking_indicator: Indicator | None
    ranking: list[Ranked]
    indicators: list[Indicator]
    fallback: Range | None = None  # the current range, when it had nothing approved yet
    # The four forms formed from incomplete reports: the whole's mark, which its shares share.
    four_forms_mark: str = ""


def leader_view(organisation: Organisation, indicator_code: str | None = None) -> LeaderView:
    """Approved figures of the current range (this year so far) against the same range last year.

    Where nothing of the current range is approved yet, the latest year with figures, whole
    (`fallback` says so on the page).
    """
    today = timezone.localdate()
    rng = Range.default(today.year, today)
    aggregator = Aggregator(organisation, [rng, rng.same_last_year()])
    now = aggregator.figures_for(organisation, rng)
    fallback = None
    if not any(figure.value is not None for figure in now.figures.values()):
        # The latest of the last few years with anything approved (each try: one aggregation).
        for year in sorted((y for y in years_with_data(organisation) if y < today.year), reverse=True)[:3]:
            earlier = Range.full(year)
            tried = Aggregator(organisation, [earlier, earlier.same_last_year()])
            figures = tried.figures_for(organisation, earlier)
            if any(figure.value is not None for figure in figures.figures.values()):
                fallback, rng, aggregator, now = rng, earlier, tried, figures
                break
    last = rng.same_last_year()
    before = aggregator.figures_for(organisation, last)
    shown = [ind for ind in now.indicators if not ind.is_share]
    rows = [
        Headline(
            ind,
            now.value(ind.code),
            before.value(ind.code),
            now.change(ind, before),
            now.incomplete(ind),
            before.incomplete(ind),
        )
        for ind in shown
    ]
    # Each section's first figure that is known: the lines a leader reads first.
    headlines, sections = [], set()
    for row in rows:
        if row.indicator.section not in sections and row.now is not None:
            sections.add(row.indicator.section)
            headlines.append(row)
    # A change with an incomplete side is no change of the figure: not among the largest.
    comparable = [
        r
        for r in rows
        if r.change.percent is not None
        and not r.change.partial
        and r.before is not None
        and r.before >= MIN_FOR_A_CHANGE
    ]
    largest = sorted(comparable, key=lambda r: abs(r.change.percent), reverse=True)[:LARGEST_CHANGES]
    four_forms = next((b for b in now.share_breakdowns if b.featured and b.whole_figure.value is not None), None)
    by_code = {ind.code: ind for ind in shown}
    chosen = by_code.get(indicator_code or "") or (headlines[0].indicator if headlines else None)
    ranking = []
    if chosen is not None:
        for child in sorted(aggregator.orgs, key=lambda o: o.path):
            if child.parent_id == organisation.pk:
                figures = aggregator.figures_for(child, rng)
                missing = figures.incomplete(chosen)
                mark = incomplete_mark(missing) if missing else ""
                ranking.append(Ranked(child, figures.value(chosen.code), mark))
        ranking.sort(key=lambda r: (r.value is None, -(r.value or 0), r.organisation.path))
    four_forms_mark = incomplete_mark(four_forms.missing) if four_forms is not None and four_forms.missing else ""
    return LeaderView(
        organisation, rng, headlines, four_forms, largest, chosen, ranking, shown, fallback, four_forms_mark
    )


def acceptance_work(user) -> AcceptanceWork:
    """The groups' periods of any year that wait for the user: to accept, to report, or to report again after
    the commission returned them (tracker.workflow.acceptance.waiting_for: bounded whatever the years)."""
    return waiting_for(user).first(MAX_TASKS)


@dataclass
class GroupTimeliness:
    group: Organisation
    due: int  # reports due by now
    on_time: int
    late: int
    overdue: int
    # The group's periods of the year, and where they stand with the commission.
    periods: int = 0
    accepted: int = 0
    awaiting: int = 0
    returned: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.due) if self.due else None


def commission_overview(commission: Organisation, year: int) -> list[GroupTimeliness]:
    """Each group of the commission with its units' timeliness this year, and its periods' acceptance."""
    table = completeness(commission, year)
    groups: dict[int, GroupTimeliness] = {}
    by_pk = {row.organisation.pk: row.organisation for row in table.rows}
    for row in table.rows:
        org = row.organisation
        group = org if org.kind == OrgKind.GROUP else by_pk.get(org.parent_id)
        if group is None or group.kind != OrgKind.GROUP:
            continue
        entry = groups.setdefault(group.pk, GroupTimeliness(group, 0, 0, 0, 0))
        for cell in row.cells:
            if cell.state in (Timeliness.OPEN, Timeliness.UNRECORDED):
                continue
            entry.due += 1
            entry.on_time += cell.state == Timeliness.ON_TIME
            entry.late += cell.state == Timeliness.LATE
            entry.overdue += cell.state == Timeliness.OVERDUE
    for row in acceptance_overview([g.group for g in groups.values()], year):
        entry = groups[row.group.pk]
        entry.periods, entry.accepted = len(row.cells), row.accepted
        entry.awaiting, entry.returned = row.reported, row.returned
    return sorted(groups.values(), key=lambda g: g.group.path)


def is_leader(user, organisation: Organisation) -> bool:
    """Whether the start page shows the user the organisation's headline figures (leader_view)."""
    return can(user, Permission.OVERVIEW, organisation)
