"""The error pages (400, 403, 404, 500): the root URLconf's handlers.

In the site's layout and in the user's language, saying what happened and where to go; the
JSON API answers its errors in JSON.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

ERRORS = {
    400: (
        _("The request could not be understood"),
        _("It carried something this page cannot take, such as a malformed parameter. Go back and try again."),
    ),
    403: (
        _("You may not do this"),
        _("Your role does not allow this page or action. Ask your organisation's administrator if you need it."),
    ),
    404: (
        _("Page not found"),
        _("There is no such page, or it belongs to an organisation outside yours."),
    ),
    500: (
        _("Something went wrong on the server"),
        _(
            "The request could not be completed and the error was recorded. Try again later; if it keeps "
            "happening, tell your administrator."
        ),
    ),
}


def _error(request, status: int) -> HttpResponse:
    title, explanation = ERRORS[status]
    if request.path.startswith("/api/"):
        return JsonResponse({"error": str(title)}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "explanation": explanation}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    try:
        return _error(request, 500)
    except Exception:  # noqa: BLE001 - the error page itself failed: say it plainly
        return HttpResponse(str(ERRORS[500][0]), status=500, content_type="text/plain; charset=utf-8")
