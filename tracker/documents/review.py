"""Which speech is an organisation's review (工作回顾): the page is tracker.web.review.

The speech is the nearest speech template at or above the organisation (a unit reads its
group's speech with its own figures), the newest where there are several. An organisation
without one is told so, with its other documents and the standard bulletin; it is never shown
another organisation's text.
"""

from __future__ import annotations

from django.db.models.functions import Length

from tracker.documents.models import DocumentTemplate, Kind
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
