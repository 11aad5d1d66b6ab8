"""The review (工作回顾) of a report page: the organisation's own speech, generated.

The speech is the nearest speech template at or above the organisation (a unit reads its
group's speech with its own figures), the newest where there are several. An organisation
without one is told so, with its other documents and the standard bulletin; it is never shown
another organisation's text.
"""

from __future__ import annotations

from django.db.models.functions import Length
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.aggregation.scope import ReportScope
from tracker.documents.models import DocumentTemplate, Kind
from tracker.orgs.access import Permission, can
from tracker.orgs.models import Organisation, path_prefixes


def speech_for(organisation: Organisation) -> DocumentTemplate | None:
    return (
        DocumentTemplate.objects.filter(kind=Kind.SPEECH, organisation__path__in=path_prefixes(organisation.path))
        .order_by(Length("organisation__path").desc(), "-pk")
        .first()
    )


def has_speech(organisation: Organisation) -> bool:
    """Whether `speech_for` finds one (one EXISTS query): the report pages offer 述评（Word） only then."""
    return DocumentTemplate.objects.filter(
        kind=Kind.SPEECH, organisation__path__in=path_prefixes(organisation.path)
    ).exists()


@require_safe
def review(request, org: str, year: int):
    scope = ReportScope.from_request(request, org, year)
    template = speech_for(scope.organisation)
    if template is not None:
        url = reverse("documents:generated", args=[template.pk, scope.organisation.code, scope.year])
        return redirect(url + scope.query)
    others = DocumentTemplate.objects.filter(organisation__path__in=path_prefixes(scope.organisation.path))
    return render(
        request,
        "documents/no_review.html",
        {
            "organisation": scope.organisation,
            "scope": scope,
            "year": scope.year,
            "others": others.select_related("organisation"),
            "may_create": can(request.user, Permission.MANAGE_TEMPLATES, scope.organisation),
        },
    )


@require_safe
def review_docx(request, org: str, year: int):
    scope = ReportScope.from_request(request, org, year)
    template = speech_for(scope.organisation)
    if template is None:
        raise Http404(_("This organisation has no speech template yet."))
    url = reverse("documents:docx", args=[template.pk, scope.organisation.code, scope.year])
    return redirect(url + scope.query)
