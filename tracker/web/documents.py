"""The documents pages: the list, a template with its versions, binding, generating, names."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelformset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tracker.aggregation.yearly import years_with_data
from tracker.catalogue.models import Catalogue
from tracker.documents import services
from tracker.documents.bindings import Choice, binding_from_words, binding_label
from tracker.documents.bindings import choices as binding_choices
from tracker.documents.generate import generate, plain_paragraphs
from tracker.documents.wordfile import NotAWordFile, fill_docx
from tracker.entry.periods import MAX_YEAR, MIN_YEAR, Range
from tracker.orgs.access import Permission, can, get_org_for_user, orgs_where, require, within_reach
from tracker.orgs.models import OrganisationText, OrgKind, nearest_texts
from tracker.reports.docx import CONTENT_TYPE, official_document
from tracker.spreadsheets import attachment_header, safe_filename_part
from tracker.web.forms import SourceForm, TemplateForm
from tracker.web.scope import (
    INCLUDE_UNAPPROVED,
    ReportScope,
    org_code_from_query,
    parse_include_unapproved,
    range_choice_from_query,
    range_choices,
    through_for,
    year_from_query,
)

CONTEXT_CHARS = 16


def _may_manage(user, template) -> bool:
    return can(user, Permission.MANAGE_TEMPLATES, template.organisation)


@require_safe
def template_list(request):
    templates = services.templates_for(request.user).prefetch_related("versions")
    return render(
        request,
        "documents/list.html",
        {
            "templates": templates,
            "may_create": orgs_where(request.user, Permission.MANAGE_TEMPLATES).exists(),
            "text_orgs": _text_orgs(request.user),
        },
    )


def _creatable(user):
    """Where the user may create templates: commissions and groups they manage (units write none)."""
    return (
        orgs_where(user, Permission.MANAGE_TEMPLATES)
        .filter(kind__in=[OrgKind.COMMISSION, OrgKind.GROUP])
        .order_by("path")
    )


def _text_orgs(user):
    return _creatable(user)[:50]


def template_new(request):
    organisations = _creatable(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("Only leaders and administrators of a commission or group create templates."))
    form = TemplateForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                user=request.user,
                upload=form.cleaned_data["file"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Template created. Check what each figure is bound to."))
            return redirect("documents:bind", pk=template.pk)
    return render(request, "documents/new.html", {"form": form})


@require_safe
def template_detail(request, pk: int):
    template = services.template_for_user(request.user, pk)
    version = template.current
    orgs = list(services.generated_for(request.user, template)[:500])
    with_data = set(years_with_data(template.organisation))
    years = sorted(with_data | {timezone.localdate().year}, reverse=True)
    # The latest year with figures is the one a document is usually written about.
    chosen_year = max(with_data, default=years[0])
    bound = sum(1 for slot in version.bindings if slot["binding"]) if version else 0
    drafts = list(template.drafts.select_related("organisation", "created_by")[:20])
    for draft in drafts:
        draft.range = Range.through(draft.year, draft.through)
        scope = ReportScope(draft.organisation, draft.range, False, True)
        draft.url = (
            reverse("documents:generated", args=[template.pk, draft.organisation.code, draft.year]) + scope.query
        )
    return render(
        request,
        "documents/detail.html",
        {
            "template": template,
            "version": version,
            "versions": template.versions.select_related("created_by"),
            "drafts": drafts,
            "switch_param": INCLUDE_UNAPPROVED,
            "slots": len(version.bindings) if version else 0,
            "bound": bound,
            "orgs": orgs,
            "years": years,
            "chosen_year": chosen_year,
            "ranges": range_choices(years[0]),
            "may_manage": _may_manage(request.user, template),
            "source_form": SourceForm(),
        },
    )


@require_POST
def source_new(request, pk: int):
    template = services.template_for_user(request.user, pk)
    require(request.user, Permission.MANAGE_TEMPLATES, template.organisation)
    form = SourceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.source_replace(
                template, user=request.user, upload=form.cleaned_data["file"], text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("documents:detail", pk=pk)
        messages.success(request, _("New version saved. Check what each figure is bound to."))
        return redirect("documents:bind", pk=pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("documents:detail", pk=pk)


def _slot_rows(version, catalogue, texts: dict[str, str]) -> list[dict]:
    """Each place of the text with its context, its binding in words and the assistant's proposals."""
    text = version.text
    rows = []
    for slot in version.bindings:
        start, end = slot["start"], slot["end"]
        before = text[max(0, start - CONTEXT_CHARS) : start].split("\n")[-1]
        after = text[end : end + CONTEXT_CHARS].split("\n")[0]
        proposals = [Choice(code, binding_label(code, catalogue, texts)) for code in slot.get("proposals", [])]
        rows.append(
            slot
            | {
                "before": before,
                "after": after,
                "words": binding_label(slot["binding"], catalogue, texts) if slot["binding"] else "",
                "proposals": proposals,
            }
        )
    return rows


def bind(request, pk: int):
    """What each ** and number of the text is: shown and chosen in words (names, 上年同期, 同比增减, 占比,
    年度, 名称), searched by name from the list the field offers; the codes are a secondary detail."""
    template = services.template_for_user(request.user, pk)
    require(request.user, Permission.MANAGE_TEMPLATES, template.organisation)
    version = template.current
    catalogue = Catalogue.active()
    texts = nearest_texts(template.organisation)
    offered = binding_choices(catalogue, texts)
    if request.method == "POST":
        chosen = {}
        for slot in version.bindings:
            key = f"b_{slot['start']}"
            if key in request.POST:
                chosen[slot["start"]] = binding_from_words(request.POST[key], offered)
        try:
            services.bindings_save(version, user=request.user, chosen=chosen)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Bindings saved as a new version."))
            return redirect("documents:detail", pk=pk)
    return render(
        request,
        "documents/bind.html",
        {"template": template, "version": version, "rows": _slot_rows(version, catalogue, texts), "choices": offered},
    )


@require_safe
def choose(request, pk: int):
    """The detail page's GET form: organisation, year and range → the generated document."""
    template = services.template_for_user(request.user, pk)
    code = org_code_from_query(request)
    year = year_from_query(request)
    choice = range_choice_from_query(request) or "year"
    include_unapproved = parse_include_unapproved(request)
    organisation = get_org_for_user(request.user, code)
    if not organisation.path.startswith(template.organisation.path):
        raise Http404(_("This template is not used by that organisation."))
    rng = Range.through(year, through_for(year, choice))
    scope = ReportScope(organisation, rng, include_unapproved, True)
    return redirect(reverse("documents:generated", args=[pk, organisation.code, year]) + scope.query)


def _generated(request, pk: int, org: str, year: int):
    """The template, scope, version, the latest drafts and the one shown (None when asked for the text
    afresh), and the text generated: with the marks of partial figures unless that draft printed them
    as they stand."""
    template, version = services.template_and_version_for_user(request.user, pk)
    scope = ReportScope.from_request(request, org, year)
    if not scope.organisation.path.startswith(template.organisation.path):
        raise Http404(_("This template is not used by that organisation."))
    fresh = request.method != "POST" and request.GET.get("fresh") == "1"
    # The latest draft is the first of the list of drafts (services.latest_draft's filter and order).
    drafts = list(
        template.drafts.filter(
            organisation=scope.organisation, year=scope.year, through=scope.range.through_text
        ).select_related("created_by")[:10]
    )
    draft = None if fresh or not drafts else drafts[0]
    marked = request.method == "POST" or draft is None or not draft.as_they_stand
    result = generate(version, scope.organisation, scope.range, marked=marked, **scope.counting)
    return template, scope, version, drafts, draft, result


def generated(request, pk: int, org: str, year: int):
    template, scope, version, drafts, draft, result = _generated(request, pk, org, year)
    if request.method == "POST":
        try:
            services.draft_save(
                template,
                organisation=scope.organisation,
                rng=scope.range,
                user=request.user,
                text=request.POST.get("text", ""),
                generated=result,
                as_they_stand=request.POST.get("as_they_stand") == "1",
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Draft saved."))
        return redirect(request.path + scope.query)
    fresh = request.GET.get("fresh") == "1"
    changes = []
    if draft is not None:
        for start, printed in result.figures.items():
            before = draft.figures.get(start)
            if before is not None and before != printed:
                changes.append({"label": result.labels.get(start, ""), "before": before, "after": printed})
    missing = _grouped(result.missing)
    incomplete = _grouped(result.incomplete)
    docx_url = reverse("documents:docx", args=[pk, scope.organisation.code, scope.year]) + scope.query
    years = {}
    for label, year in (("previous_url", scope.year - 1), ("next_url", scope.year + 1)):
        if MIN_YEAR <= year <= MAX_YEAR:
            other = replace(scope, range=scope.range.in_other_year(year))
            years[label] = reverse("documents:generated", args=[pk, scope.organisation.code, year]) + other.query
    return render(
        request,
        "documents/generated.html",
        {
            "template": template,
            "version": version,
            "scope": scope,
            "organisation": scope.organisation,
            "result": result,
            "draft": draft,
            "drafts": drafts,
            "changes": changes,
            "missing": missing,
            "incomplete": incomplete,
            "visible": _visible(request.user, missing + incomplete),
            "editor_text": draft.text if draft else result.text,
            "paragraphs": plain_paragraphs(draft.text) if draft else result.paragraphs,
            "docx_url": docx_url + (("&" if scope.query else "?") + "fresh=1" if fresh else ""),
            "fresh_url": request.path + scope.query + ("&" if scope.query else "?") + "fresh=1",
            "may_edit": can(request.user, Permission.MANAGE_TEMPLATES, scope.organisation),
            **years,
            "ranges": [
                (Range.through(scope.year, through_for(scope.year, value)).through_text, label)
                for value, label in range_choices(scope.year)
            ],
        },
    )


def _visible(user, missing: list[dict]) -> set[int]:
    """The organisations listed to enter a figure that the user may open (entry links only for those):
    asked of the few organisations listed rather than by reading the whole subtree from the database."""
    return {
        point.organisation.pk for row in missing for point in row["points"] if within_reach(user, point.organisation)
    }


def _grouped(gaps) -> list[dict]:
    """Figures not known, those that the same organisations should enter in one row.

    A commission's document early in the year misses most figures, each from every unit: one row
    ("立案、处分、… — 12 units") reads better than the same twelve units under each figure.
    """
    rows: dict[tuple, dict] = {}
    for gap in gaps:
        key = (tuple(point.organisation.pk for point in gap.enter_at), gap.note, gap.is_text)
        row = rows.setdefault(key, {"labels": [], "points": gap.enter_at, "note": gap.note, "is_text": gap.is_text})
        row["labels"].append(gap.label)
    return list(rows.values())


@require_safe
def generated_docx(request, pk: int, org: str, year: int):
    template, scope, version, _drafts, draft, result = _generated(request, pk, org, year)
    text = draft.text if draft else result.text
    lines, generated_lines = text.split("\n"), result.text.split("\n")
    if version.is_docx and len(lines) == len(generated_lines):
        edited = {i: new for i, (new, old) in enumerate(zip(lines, generated_lines, strict=True)) if new != old}
        try:
            content = fill_docx(bytes(version.source), version.text, result.replacements, edited)
        except NotAWordFile as exc:
            # A Word file kept before the upload limits were set or lowered (tracker.uploads).
            reason = exc.reason or _("It is not a Word (.docx) file.")
            messages.error(request, _("The template's Word file cannot be read: %(reason)s") % {"reason": reason})
            generated_url = reverse("documents:generated", args=[pk, scope.organisation.code, scope.year])
            return redirect(generated_url + scope.query)
    elif draft is None:
        content = official_document(result.paragraphs[0].text, scope.organisation.name, result.paragraphs)
    else:
        paragraphs = plain_paragraphs(text)
        content = official_document(paragraphs[0].text if paragraphs else "", scope.organisation.name, paragraphs)
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    name = f"{scope.organisation.name}-{scope.range.heading}-{template.name}.docx"
    fallback = f"{scope.organisation.code}-{scope.range.through_text}-document-{template.pk}.docx"
    response["Content-Disposition"] = attachment_header(safe_filename_part(name), fallback)
    return response


class TextForm(forms.ModelForm):
    class Meta:
        model = OrganisationText
        fields = ["key", "text"]


class BaseTextFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        keys = [
            form.cleaned_data.get("key")
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not form.cleaned_data.get("DELETE") and form.cleaned_data.get("key")
        ]
        if len(keys) != len(set(keys)):
            raise ValidationError(_("Each key may be used once."))


def texts(request, org: str):
    """An organisation's named texts (its names, its bureau's, brands, units the speech names)."""
    organisation = get_org_for_user(request.user, org)
    require(request.user, Permission.MANAGE_TEMPLATES, organisation)
    TextFormSet = modelformset_factory(
        OrganisationText, form=TextForm, formset=BaseTextFormSet, extra=3, can_delete=True
    )
    queryset = OrganisationText.objects.filter(organisation=organisation)
    formset = TextFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                # Deleted first: a key given up and taken by another row in one save is no clash.
                for form in formset.deleted_forms:
                    if form.instance.pk is not None:
                        form.instance.delete()
                for form in formset.forms:
                    form.instance.organisation = organisation
                formset.save()
        except IntegrityError:
            # The database's unique key decides between two leaders saving the same key at once.
            messages.error(
                request,
                _(
                    "A key is already used by this organisation (someone may just have saved it): "
                    "nothing was saved. Reload the page."
                ),
            )
        else:
            messages.success(request, _("Texts saved."))
            return redirect("documents:texts", org=org)
    inherited = OrganisationText.objects.filter(
        organisation__in=[a.pk for a in organisation.ancestors()]
    ).select_related("organisation")
    return render(
        request,
        "documents/texts.html",
        {"organisation": organisation, "formset": formset, "inherited": inherited},
    )
