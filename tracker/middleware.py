import time

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in).

    The app serves every asset itself and uses no inline script, so the policy can forbid
    both; inline style attributes stay allowed for the server-drawn SVG charts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class SessionExtendMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request; a request extends the session,
    at most once every SESSION_EXTEND_SECONDS.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) made every page view a write
    on the primary database, report pages on a read replica included, and cost as much as half
    the login page. The idle timeout stays within that many seconds of exact.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get("_extended", 0) >= settings.SESSION_EXTEND_SECONDS:
                session["_extended"] = now  # modified: SessionMiddleware saves it, with a new expiry
        return response
