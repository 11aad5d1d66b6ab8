import ipaddress

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
    """The address a lockout is keyed on, together with the user name (AXES_CLIENT_IP_CALLABLE).

    With TRUSTED_PROXY_COUNT = 0 the app is reached directly: the socket's address, and
    X-Forwarded-For is ignored (anyone can send one, a new address for every guess). Behind N
    proxies, each appends the address it saw: the client is the N-th entry from the right, the one
    the outermost trusted proxy saw; anything to its left was sent by the client itself. A header
    with fewer entries, or an entry that is not an address, did not come through the proxies.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
