from django.apps import AppConfig
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryConfig(AppConfig):
    name = "tracker.entry"
    verbose_name = _("Reports and values")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save, pre_save

        from tracker.catalogue.loader import catalogue_loaded
        from tracker.entry.models import Report
        from tracker.orgs.models import Organisation

        catalogue_loaded.connect(_derive_after_catalogue, dispatch_uid="entry-derived-figures")
        post_delete.connect(_report_deleted, sender=Report, dispatch_uid="entry-report-deleted")
        pre_save.connect(_organisation_moving, sender=Organisation, dispatch_uid="entry-organisation-moving")
        post_save.connect(_organisation_moved, sender=Organisation, dispatch_uid="entry-organisation-moved")
        post_migrate.connect(_fill_missing_totals, sender=self, dispatch_uid="entry-fill-totals")


def _organisation_moving(sender, instance, raw=False, **kwargs) -> None:
    # Where it was: the commission accepted its figures as part of that group, not of the next.
    if instance.pk and not raw:
        instance._parent_before = sender.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()


def _organisation_moved(sender, instance, created=False, raw=False, **kwargs) -> None:
    # A unit (or anything) moved to another parent: what the commission accepted of it was accepted
    # under its former group; under the new one nothing is, until that group reports it again.
    before = getattr(instance, "_parent_before", None)
    if created or raw or before is None or before == instance.parent_id:
        return
    from tracker.entry.models import Report
    from tracker.entry.totals import approved_totals_refresh

    reports = Report.objects.filter(organisation__path__startswith=instance.path)
    keys = set(reports.values_list("organisation_id", "year"))
    reports.filter(accepted=True).update(accepted=False, updated=models.F("updated"))
    approved_totals_refresh(keys)


def _fill_missing_totals(sender, using="default", **kwargs) -> None:
    # After migrating: the running totals of every organisation-year that has approved figures but none
    # (a database from before they were kept, or before they were kept twice), formed by the code of
    # now, whatever the migrations before it knew.
    from tracker.entry.models import ApprovedTotal, Report, Status, Value
    from tracker.entry.totals import approved_totals_refresh

    def pairs(queryset, org: str = "organisation_id", year: str = "year") -> set[tuple[int, int]]:
        return set(queryset.using(using).order_by().values_list(org, year).distinct())

    approved = pairs(
        Value.objects.filter(report__status=Status.APPROVED, value__isnull=False),
        "report__organisation_id",
        "report__year",
    )
    if not approved:
        return
    kept = pairs(ApprovedTotal.objects.filter(accepted=False))
    commissions = pairs(Report.objects.filter(organisation__kind="commission", status=Status.APPROVED))
    kept_accepted = pairs(ApprovedTotal.objects.filter(accepted=True))
    missing = (approved - kept) | ((approved & commissions) - kept_accepted)
    if missing:
        approved_totals_refresh(missing)


def _report_deleted(sender, instance, **kwargs) -> None:
    # A deleted approved report no longer counts (its values and derived sums went with it).
    from tracker.entry.totals import approved_totals_refresh

    approved_totals_refresh([(instance.organisation_id, instance.year)])


def _derive_after_catalogue(sender, using="default", result=None, **kwargs) -> None:
    # A catalogue load that added or changed indicators may change how sums are formed:
    # every report's derived sums are formed again, in the load's transaction.
    if result is not None and not (result.created or result.updated):
        return
    from tracker.entry.models import Report
    from tracker.entry.services import derived_figures_refresh
    from tracker.entry.totals import approved_totals_refresh_all

    derived_figures_refresh(Report.objects.using(using).values_list("pk", flat=True))
    approved_totals_refresh_all()
