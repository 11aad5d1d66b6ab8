"""Writes below this app that change approved figures, each with the rebuild of the totals it needs.

Used by `migrate` (tracker.aggregation.apps), `manage.py load_catalogue` and the demo.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from tracker.aggregation.totals import approved_totals_refresh_all
from tracker.catalogue.loader import CATALOGUE_CSV, LoadResult, load_catalogue
from tracker.entry.models import Report
from tracker.entry.services import derived_figures_refresh


def catalogue_load(*, path: Path = CATALOGUE_CSV, using: str = "default") -> LoadResult:
    """Load the catalogue (tracker.catalogue.loader); when it added or changed indicators, how sums are
    formed may have changed: every report's derived sums and the approved totals are formed again, in
    the load's transaction. A file refused (CatalogueError) changes nothing."""
    with transaction.atomic(using=using):
        result = load_catalogue(path, using=using)
        if result.created or result.updated:
            derived_figures_refresh(Report.objects.using(using).values_list("pk", flat=True))
            approved_totals_refresh_all()
    return result
