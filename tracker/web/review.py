"""The review (工作回顾) of a report page: the organisation's own speech, generated.

Which speech that is, is tracker.documents.review's; these pages send the reader to it, or say
there is none.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.documents.models import DocumentTemplate
from tracker.documents.review import speech_for
from tracker.orgs.access import Permission, can
from tracker.orgs.models import path_prefixes
from tracker.web.scope import ReportScope


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
