from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins through the web.

    Logins without a request (the test client's login(), the shell) have no address to
    key a lockout on and are not attacks from the network, so they pass to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The address a lockout is keyed on, together with the user name.

    Behind TRUSTED_PROXY_COUNT proxies, X-Forwarded-For ends with the addresses they
    appended: the client is the one the outermost proxy saw. Anything to the left of it
    was sent by the client itself and is not trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
