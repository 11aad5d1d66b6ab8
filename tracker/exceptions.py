"""The exceptions the domain apps raise for the web layer to answer.

The domain apps know nothing of HTTP (tests/test_architecture.py holds it); a look-up that finds
nothing the user may see raises NotFound, which tracker.web.middleware turns into the 404 page.
"""


class NotFound(Exception):
    """There is no such thing, or it lies outside the user's organisations: the same answer for both."""
