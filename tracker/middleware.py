import re
import time

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has none built in).

    The app serves every asset itself and uses no inline script or style, so the policy forbids
    both; the admin alone allows inline styles (see CONTENT_SECURITY_POLICY_ADMIN).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith("/admin/")
        policy = settings.CONTENT_SECURITY_POLICY_ADMIN if admin else settings.CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
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


# The characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return, and two
# non-characters): PostgreSQL refuses NUL, and a Word file or spreadsheet with any of them is refused.
_NOT_STORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class RejectControlCharactersMiddleware:
    """A control character in a parameter is refused with 400 before any view sees it.

    NUL made a lookup by `?org=%00` a database error (a 500) on PostgreSQL; the others were stored
    (a note, a reason, a draft) and then broke the Word file generated from them. No form or link
    of the app carries one, so the whole request is refused, saying which character it was.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            params.append(request.POST)
        found = next(
            (
                match.group()
                for p in params
                for key, values in p.lists()
                for text in (key, *values)
                if (match := _NOT_STORABLE.search(text))
            ),
            None,
        )
        if found is not None:
            name = "NUL" if found == "\x00" else f"U+{ord(found):04X}"
            message = _(
                "The request contains a control character (%(char)s) that cannot be stored. "
                "Remove it (it may have come in with pasted text) and try again; nothing was changed."
            ) % {"char": name}
            if request.path.startswith("/api/"):
                return JsonResponse({"error": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivateCacheMiddleware:
    """No cache may keep a signed-in user's pages, exports and JSON (they carry figures), nor any
    error or lockout answer: a 404 or a 429 kept by a proxy would be served to the next person.

    First in MIDDLEWARE, so that it also sees the answers other middleware gives (a refused
    parameter, a host not allowed).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code >= 400 or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


class PasswordChangeRequiredMiddleware:
    """Someone an administrator asked for a new password sees only the password change page
    (and may log out) until they have chosen one."""

    allowed = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from tracker.orgs.apps import MUST_CHANGE_PASSWORD

        session = getattr(request, "session", None)
        if session is None or not session.get(MUST_CHANGE_PASSWORD):
            return None
        if request.resolver_match.url_name in self.allowed or request.path.startswith(settings.STATIC_URL):
            return None
        return redirect("password_change")
