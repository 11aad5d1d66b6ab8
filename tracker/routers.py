"""An optional read replica for the report pages (`DATABASE_REPLICA_URL`).

Report pages only read, and at city or province scale they are most of the database's work:
with a replica configured, their reads of figures go there. Everything else stays on the
primary: every write, the entry and workflow pages (a clerk must see what they just saved),
the admin, and on every page the session, the user, the lockouts and the permissions (a
session read from a lagging replica would log the user out). A report page therefore sees
approved figures as the replica has them, normally a fraction of a second behind.

ReplicaMiddleware marks the report views (the `reports` and `api` namespaces, the checks and
completeness pages) for the length of the request, and only for GET and HEAD.
"""

from __future__ import annotations

from contextvars import ContextVar

REPLICA = "replica"
# Models always read from the primary, whatever the page.
PRIMARY_APPS = {"sessions", "auth", "axes", "contenttypes", "admin"}
REPORT_NAMESPACES = {"reports", "api"}
REPORT_URL_NAMES = {"checks", "completeness"}

_on_replica: ContextVar[bool] = ContextVar("tracker_on_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _on_replica.get() and model._meta.app_label not in PRIMARY_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"


class ReplicaMiddleware:
    """Sends the report views' reads to the replica (see ReplicaRouter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _on_replica.set(False)
        try:
            return self.get_response(request)
        finally:
            _on_replica.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method in ("GET", "HEAD") and (
            match.namespace in REPORT_NAMESPACES or match.url_name in REPORT_URL_NAMES
        ):
            _on_replica.set(True)
        return None


def reading_from_replica() -> bool:
    return _on_replica.get()
