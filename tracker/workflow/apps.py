from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "tracker.workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from tracker.orgs.models import Organisation

        pre_save.connect(_organisation_moving, sender=Organisation, dispatch_uid="workflow-organisation-moving")
        post_save.connect(_organisation_moved, sender=Organisation, dispatch_uid="workflow-organisation-moved")


def _organisation_moving(sender, instance, raw=False, **kwargs) -> None:
    # Where it was, read before the save writes where it goes.
    if instance.pk and not raw:
        instance._parent_before = sender.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()


def _organisation_moved(sender, instance, created=False, raw=False, **kwargs) -> None:
    before = getattr(instance, "_parent_before", None)
    if created or raw or before is None or before == instance.parent_id:
        return
    from tracker.workflow.acceptance import organisation_moved

    organisation_moved(instance)
