"""Where a form sends its user back to: a page of this site only (the `next` field of a POST)."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str | None:
    """The page to go back to, if it is on this site: a leading "/" is not enough ("//other.example")."""
    target = request.POST.get("next", "")
    # A path of this site only: redirect() would take anything else for the name of a view.
    allowed = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else None
