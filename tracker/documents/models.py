"""Document templates (an organisation's own speech or bulletin, with its figures bound) and drafts.

A template belongs to an organisation and is used by that organisation's subtree. Each change
(an upload, pasted text, new bindings) is a new TemplateVersion, so the history is kept; the
latest version is the one generated from. A Draft is a person's edit of a generated text for one
organisation, year and range; each save is a new row, so drafts are versioned too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.orgs.models import Organisation


class Kind(models.TextChoices):
    SPEECH = "speech", _("Speech (its review is the organisation's 工作回顾)")
    BULLETIN = "bulletin", _("Bulletin")
    OTHER = "other", _("Other document")


class DocumentTemplate(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="document_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SPEECH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["organisation__path", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.name}"

    @property
    def current(self) -> TemplateVersion | None:
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """The text of a template as it was at one point, with its bindings.

    `text` is the document's paragraphs, one a line. For an uploaded .docx, `source` keeps the
    file, and its paragraphs are those lines in order; generating replaces the text of its runs
    in place. `bindings` is a list of {"start", "end", "found", "binding"}: the slot's place in
    `text`, what was written there, and what it stands for ("" = fixed text, kept as written).
    """

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    source = models.BinaryField(_("source .docx"), null=True, blank=True)
    text = models.TextField(_("text"))
    bindings = models.JSONField(_("bindings"), default=list)
    change = models.CharField(_("change"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="templateversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_docx(self) -> bool:
        return self.source is not None


class Draft(models.Model):
    """An edited generated text for one organisation, year and range (`through` as in the URLs)."""

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="drafts"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    through = models.CharField(_("range"), max_length=10)
    text = models.TextField(_("text"))
    # What the generated text and its figures were when the edit was saved: generating again from
    # changed figures shows what changed instead of replacing the edit.
    generated = models.TextField(_("generated text"))
    figures = models.JSONField(_("figures"), default=dict)
    # The leader saw which figures are formed from incomplete reports and chose to print them as they
    # stand, without the mark "（N个单位未报全）" (tracker.documents.generate); shown on the page.
    as_they_stand = models.BooleanField(_("incomplete figures printed as they stand"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["template", "organisation", "year", "through"], name="draft_lookup")]

    def __str__(self) -> str:
        return f"{self.template} · {self.organisation.name} · {self.through}"
