from django import template

from tracker.documents.review import has_speech as _has_speech

register = template.Library()


@register.simple_tag
def has_speech(organisation) -> bool:
    """Whether the organisation has a speech (its own or an ancestor's): the report pages' tabs
    (templates/reports/_page.html) offer the review's Word download only then, never a link to a 404."""
    return _has_speech(organisation)
