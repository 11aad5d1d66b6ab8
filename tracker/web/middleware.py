"""The web layer's own middleware: the domain's exceptions answered as HTTP."""

from django.http import Http404

from tracker.exceptions import NotFound


class NotFoundMiddleware:
    """A domain look-up that found nothing the user may see (tracker.exceptions.NotFound) is a 404.

    Raised again as Http404, it gets the site's 404 page (or the JSON's) through the URLconf's handler.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        return None
