"""When each report is due, and whether it came in on time.

A report is due on a day of a month after its period ends (tracker.workflow.models.Deadline, by
period type; DEFAULTS where an administrator has set none), unless an exception names another
date for that organisation and period. It is on time when it was first submitted by that day,
late when submitted after it, overdue when not yet submitted once the day has passed.

PERIOD_CLOSES_AFTER_DAYS after it is due, a period closes for clerks' entry (reviewers still
enter, and may reopen it for one organisation with a reason, for REOPENING_DAYS days).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from enum import StrEnum

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.entry.models import Deadline, DeadlineException, PeriodReopening
from tracker.entry.periods import Period, PeriodType, period_end_month

# (months after the period ends, day of that month): a month or a quarter on the 10th of the month
# after it, a year on 20 January.
DEFAULTS = {PeriodType.MONTH: (1, 10), PeriodType.QUARTER: (1, 10), PeriodType.YEAR: (1, 20)}


class Timeliness(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    OPEN = "open"  # not due yet, and not submitted
    UNRECORDED = "unrecorded"  # submitted, but when is not recorded (a status set without the workflow)

    @property
    def label(self) -> str:
        return {
            Timeliness.ON_TIME: _("on time"),
            Timeliness.LATE: _("late"),
            Timeliness.OVERDUE: _("overdue"),
            Timeliness.OPEN: _("not due yet"),
            Timeliness.UNRECORDED: _("submitted, time not recorded"),
        }[self]


class Deadlines:
    """The rules and the exceptions for a set of organisations and a year, read once (two queries)."""

    def __init__(self, organisations: Iterable, year: int):
        self.rules = {d.period_type: (d.months_after, d.day) for d in Deadline.objects.all()}
        self.exceptions = {
            (e.organisation_id, e.period): e.due
            for e in DeadlineException.objects.filter(organisation__in=list(organisations), year=year)
        }

    def due(self, organisation, period: Period) -> datetime.date:
        exception = self.exceptions.get((organisation.pk, period))
        if exception is not None:
            return exception
        months_after, day = self.rules.get(period.type, DEFAULTS[period.type])
        month_index = period.year * 12 + period_end_month(period.type, period.number) - 1 + months_after
        year, month = divmod(month_index, 12)
        month += 1
        return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def timeliness(
    due: datetime.date, submitted: datetime.date | None, today: datetime.date, *, was_submitted: bool = False
) -> Timeliness:
    """`was_submitted`: the report is past draft (submitted, returned or approved) whether or not it was recorded."""
    if submitted is None and was_submitted:
        return Timeliness.UNRECORDED
    if submitted is not None:
        return Timeliness.ON_TIME if submitted <= due else Timeliness.LATE
    return Timeliness.OVERDUE if today > due else Timeliness.OPEN


def closes(organisation, period: Period, deadlines: Deadlines | None = None) -> datetime.date:
    """The first day the period is closed for clerks' entry: PERIOD_CLOSES_AFTER_DAYS after it is due."""
    deadlines = deadlines or Deadlines([organisation], period.year)
    return deadlines.due(organisation, period) + datetime.timedelta(days=settings.PERIOD_CLOSES_AFTER_DAYS + 1)


def reopening(organisation, period: Period):
    """The reopening that keeps the period open for the organisation now, if any."""
    return (
        PeriodReopening.objects.filter(
            organisation=organisation,
            year=period.year,
            period_type=period.type,
            period_number=period.number,
            until__gt=timezone.now(),
        )
        .select_related("by")
        .first()
    )


def is_closed(organisation, period: Period) -> bool:
    """Closed for clerks: past its closing day, and not reopened for this organisation now."""
    return timezone.localdate() >= closes(organisation, period) and reopening(organisation, period) is None
