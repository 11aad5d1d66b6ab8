"""Creating templates, saving their bindings and drafts: every write of the documents app.

Each is checked against the permission table here (MANAGE_TEMPLATES over the template's
organisation; a draft over the organisation it is for), whatever the caller.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from tracker.catalogue.models import Catalogue
from tracker.documents.assistant import NAMED, YEAR_BINDINGS, Assistant
from tracker.documents.models import DocumentTemplate, Draft, Kind, TemplateVersion
from tracker.documents.wordfile import NotAWordFile, docx_text
from tracker.entry.periods import Range
from tracker.exceptions import NotFound
from tracker.orgs.access import Permission, require, within_reach
from tracker.orgs.models import Organisation, OrganisationText, memberships_of, path_prefixes
from tracker.uploads import UploadRefused, check_size

MAX_TEXT_CHARS = 100_000
KEY = re.compile(r"^[a-z][a-z0-9_]*$")


# -- who sees which template ------------------------------------------------------------------


def templates_for(user):
    """The templates of the user's organisations, of those below them, and of those above them.

    A template is used by its organisation's subtree: a group sees the commission's bulletin
    template, never another group's speech.
    """
    above = {prefix for m in memberships_of(user) for prefix in path_prefixes(m.organisation.path)}
    visible = Organisation.objects.for_user(user)
    mine = Q(organisation__in=visible) | Q(organisation__path__in=above)
    return DocumentTemplate.objects.filter(mine).select_related("organisation")


def template_for_user(user, pk: int) -> DocumentTemplate:
    """One template by templates_for's rule, asked of the template read (a far simpler query to build)."""
    template = (
        DocumentTemplate.objects.select_related("organisation").filter(pk=pk).first() if user.is_authenticated else None
    )
    if template is None or not _usable_by(user, template):
        raise NotFound(_("No such document template."))
    return template


def template_and_version_for_user(user, pk: int) -> tuple[DocumentTemplate, TemplateVersion | None]:
    """template_for_user and its current version, read together (the generated document needs both)."""
    version = (
        TemplateVersion.objects.select_related("template__organisation")
        .filter(template_id=pk)
        .order_by("-number")
        .first()
        if user.is_authenticated
        else None
    )
    if version is None:
        return template_for_user(user, pk), None
    if not _usable_by(user, version.template):
        raise NotFound(_("No such document template."))
    return version.template, version


def _usable_by(user, template: DocumentTemplate) -> bool:
    """templates_for's rule: the template's organisation within the user's reach, or at or above one
    of their memberships."""
    return within_reach(user, template.organisation) or any(
        m.organisation.is_within(template.organisation) for m in memberships_of(user)
    )


def generated_for(user, template: DocumentTemplate):
    """The organisations a template may be generated for: its subtree, within the user's reach."""
    return Organisation.objects.for_user(user).filter(path__startswith=template.organisation.path).order_by("path")


# -- text and bindings ------------------------------------------------------------------------


def read_source(*, upload=None, text: str = "") -> tuple[str, str, bytes | None]:
    """(text, source file name, .docx bytes) from an upload or pasted text; ValidationError in Chinese."""
    if upload is not None:
        try:
            check_size(upload.size)  # before the file is read into memory
        except UploadRefused as refused:
            raise ValidationError(refused.message, code="too_large") from refused
        data = upload.read()
        try:
            text = docx_text(data)
        except NotAWordFile as exc:
            if exc.reason:  # a limit, or a damaged file: what it is
                raise ValidationError(
                    _("“%(name)s” cannot be read: %(reason)s") % {"name": upload.name, "reason": exc.reason},
                    code="unreadable",
                ) from exc
            raise ValidationError(
                _("“%(name)s” is not a Word (.docx) file. Save it as .docx in Word, or paste its text.")
                % {"name": upload.name},
                code="not_docx",
            ) from exc
        name = upload.name
    else:
        data, name = None, ""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ValidationError(_("The text holds a character that cannot be stored."), code="nul")
    if not text.strip():
        raise ValidationError(_("The document has no text."), code="empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(_("The text is longer than 100,000 characters."), code="too_long")
    return text, name, data


def proposed_bindings(text: str, owner: Organisation | None = None) -> list[dict]:
    """Every slot of the text with the assistant's first choice (and its ranked alternatives)."""
    assistant = Assistant(owner_kind=owner.kind) if owner is not None else Assistant()
    return [
        {
            "start": c.slot.start,
            "end": c.slot.end,
            "found": c.slot.found,
            "binding": c.best,
            "proposals": [p.binding for p in c.proposals],
        }
        for c in assistant.propose(text)
    ]


def binding_problem(binding: str, catalogue: Catalogue) -> str | None:
    """Why a binding cannot be used, in Chinese; None when it can."""
    if not binding or binding in YEAR_BINDINGS or binding in NAMED:
        return None
    if binding.startswith("text:"):
        key = binding.removeprefix("text:")
        longest = OrganisationText._meta.get_field("key").max_length
        if len(key) > longest:
            # No text can have such a key: refused, not kept to be filled by nothing ever.
            return _("A text key has at most %(max)d characters; this one has %(length)d.") % {
                "max": longest,
                "length": len(key),
            }
        if KEY.match(key):
            return None
        return _("A text key is lower-case letters, digits and _.")
    if binding.startswith("share:"):
        part = binding.removeprefix("share:")
        if part in catalogue.exact_of:
            return None
        return _("“%(code)s” is not a part of an exact breakdown.") % {"code": part}
    code, _colon, what = binding.partition(":")
    code, at, previous = code.partition("@")
    if at and previous != "previous":
        return _("Write code@previous for the same range last year.")
    if what and what not in ("change", "change_pct"):
        return _("Write code:change or code:change_pct for a change.")
    if code not in catalogue.by_code:
        return _("No indicator “%(code)s” in the catalogue.") % {"code": code}
    return None


def template_create(
    *, organisation: Organisation, name: str, user, upload=None, text: str = "", kind: str = Kind.SPEECH
) -> DocumentTemplate:
    require(user, Permission.MANAGE_TEMPLATES, organisation)
    text, source_name, data = read_source(upload=upload, text=text)
    with transaction.atomic():
        template = DocumentTemplate.objects.create(organisation=organisation, name=name, kind=kind, created_by=user)
        TemplateVersion.objects.create(
            template=template,
            number=1,
            source_name=source_name,
            source=data,
            text=text,
            bindings=proposed_bindings(text, organisation),
            change=_("Uploaded") if data is not None else _("Pasted"),
            created_by=user,
        )
    return template


def version_add(template: DocumentTemplate, *, user, change: str, **fields) -> TemplateVersion:
    """A new version of the template (numbers taken under a lock on the template)."""
    require(user, Permission.MANAGE_TEMPLATES, template.organisation)
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().get(pk=template.pk)
        number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return TemplateVersion.objects.create(
            template=template, number=number, change=change, created_by=user, **fields
        )


def source_replace(template: DocumentTemplate, *, user, upload=None, text: str = "") -> TemplateVersion:
    text, source_name, data = read_source(upload=upload, text=text)
    return version_add(
        template,
        user=user,
        change=_("New file") if data is not None else _("New text"),
        source_name=source_name,
        source=data,
        text=text,
        bindings=proposed_bindings(text, template.organisation),
    )


def bindings_save(version: TemplateVersion, *, user, chosen: dict[int, str]) -> TemplateVersion:
    """A new version with the person's bindings (by slot start); refuses unknown ones, naming each."""
    catalogue = Catalogue.active()
    problems, bindings = [], []
    for slot in version.bindings:
        binding = chosen.get(slot["start"], slot["binding"]).strip()
        problem = binding_problem(binding, catalogue)
        if problem:
            problems.append(
                _("“%(found)s” at %(position)d: %(problem)s")
                % {
                    "found": slot["found"],
                    "position": slot["start"],
                    "problem": problem,
                }
            )
        bindings.append(slot | {"binding": binding})
    if problems:
        raise ValidationError(problems, code="bad_binding")
    changed = sum(1 for old, new in zip(version.bindings, bindings, strict=True) if old["binding"] != new["binding"])
    return version_add(
        version.template,
        user=user,
        change=_("Bindings confirmed (%(n)d changed)") % {"n": changed},
        source_name=version.source_name,
        source=version.source,
        text=version.text,
        bindings=bindings,
    )


def draft_save(
    template: DocumentTemplate,
    *,
    organisation: Organisation,
    rng: Range,
    user,
    text: str,
    generated,
    as_they_stand: bool = False,
) -> Draft:
    """Keep a person's edit of a generated text (a new version each time).

    `as_they_stand`: the figures formed from incomplete reports are printed without their marks; the
    marks `generated` printed are taken out of the text (a person's own words stay as they are).
    """
    require(user, Permission.MANAGE_TEMPLATES, organisation)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if as_they_stand:
        for mark in generated.marks:
            text = text.replace(mark, "")
    if "\x00" in text:
        raise ValidationError(_("The text holds a character that cannot be stored."), code="nul")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(_("The text is longer than 100,000 characters."), code="too_long")
    return Draft.objects.create(
        template=template,
        organisation=organisation,
        year=rng.year,
        through=rng.through_text,
        text=text,
        generated=generated.text,
        figures=generated.figures,
        as_they_stand=as_they_stand,
        created_by=user,
    )


def latest_draft(template: DocumentTemplate, organisation: Organisation, rng: Range) -> Draft | None:
    return (
        Draft.objects.filter(template=template, organisation=organisation, year=rng.year, through=rng.through_text)
        .select_related("created_by")
        .first()
    )
