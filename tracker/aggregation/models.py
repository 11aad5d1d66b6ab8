"""The stored approved running totals, beside the aggregation that reads them (tracker.aggregation.yearly).

Written only by tracker.aggregation.totals, called explicitly by the services that change what is
approved or accepted (see that module).
"""

from __future__ import annotations

from django.db import models

from tracker.catalogue.models import Indicator
from tracker.orgs.models import Organisation


class ApprovedTotal(models.Model):
    """One reporter's approved figure for one indicator, from January to the end of one period.

    The pages add up approved figures far more often than figures are approved, so each
    reporter's running totals are kept here: for every period of the year (of the period type
    the organisation uses), the sum of its approved values from January to that period's end,
    how many of those periods have one, and the last one known (for `latest`, cumulative,
    indicators). A page then adds up one row per reporter and indicator, whatever the number
    of periods, instead of every value. Only reporter × indicator × period with at least one
    known figure has a row; figures of unapproved reports are added up live (Aggregator with
    include_unapproved). Rebuilt by tracker.aggregation.totals.approved_totals_refresh, in the
    transaction of every service that changes which figures are approved or accepted.

    Each such row exists twice: counting every approved figure (`accepted=False`, the groups'
    and units' pages) and counting only the reports the commission has accepted from the
    reporter's group (`Report.accepted`, or a commission's own: `accepted=True`, the
    commission's pages).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    end_month = models.PositiveSmallIntegerField()
    # The reporter's periods from January to end_month: all of them must be known for a complete sum.
    periods = models.PositiveSmallIntegerField()
    total = models.BigIntegerField()
    known = models.PositiveSmallIntegerField()
    latest = models.BigIntegerField()
    # The period ending at end_month itself has a figure (a `latest` figure is complete).
    latest_current = models.BooleanField()
    # False: every approved figure; True: only those the commission has accepted (GroupAcceptance) — a
    # commission's pages count these. A commission's own figures need no acceptance: both rows alike.
    accepted = models.BooleanField(default=False)

    class Meta:
        # The table it had when it lived in entry: moved in the state only, no rows copied.
        db_table = "entry_approvedtotal"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "end_month", "indicator", "accepted"], name="approvedtotal_unique"
            ),
        ]
        indexes = [models.Index(fields=["year", "end_month", "accepted"], name="approvedtotal_year_month")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}/{self.end_month} {self.indicator_id} = {self.total}"
