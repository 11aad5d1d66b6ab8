"""Apps depend one way: each may import only the apps below it (README, "Layout").

The test reads every module of every app with `ast` and fails on an import against the declared
direction, on a cycle between apps or between modules, and on a domain app that speaks HTTP (only
the web layer, tracker.web, imports django.http or django.shortcuts). An exception, if ever needed,
is listed with its reason, and the test also fails once the exception is gone, so the list never
outlives the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tracker

# From the bottom up: an app may import those before it, never those after it.
ORDER = ["orgs", "catalogue", "entry", "aggregation", "checks", "workflow", "reports", "documents", "web", "demo"]

# The apps below the web layer: they know nothing of requests and responses.
DOMAIN = ORDER[: ORDER.index("web")]
HTTP_MODULES = ("django.http", "django.shortcuts")
# The modules of the tracker package itself that stand between the server and the pages.
HTTP_HELPERS = {"middleware.py", "routers.py", "wsgi.py", "settings.py"}

# (importer, imported) -> why it is still there.
PENDING: dict[tuple[str, str], str] = {}

# Module cycles (as a sorted tuple of the modules in the cycle) -> why it is still there.
PENDING_CYCLES: dict[tuple[str, ...], str] = {}

ROOT = Path(tracker.__file__).parent


def imports_between_apps() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for app in ORDER:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "tracker" and len(parts) > 1 and parts[1] in ORDER and parts[1] != app:
                        edges.setdefault((app, parts[1]), []).append(str(path.relative_to(ROOT)))
    return edges


def imported_names(path: Path) -> list[str]:
    """Every module named by an import in the file, `from a.b import c` giving both a.b and a.b.c."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def modules() -> dict[str, Path]:
    """Every module of the tracker package but the migrations, by dotted name."""
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ("tracker", *path.relative_to(ROOT).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def module_graph() -> dict[str, set[str]]:
    """Module -> the modules it imports (packages' __init__ left out: importing a module runs them)."""
    found = modules()
    return {
        name: {
            other
            for other in imported_names(path)
            if other in found and other != name and found[other].name != "__init__.py"
        }
        for name, path in found.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """The strongly connected components of more than one node (Tarjan), each as a sorted tuple."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_app_imports_only_the_apps_below_it():
    edges = imports_between_apps()
    against = {
        edge: files
        for edge, files in edges.items()
        if ORDER.index(edge[1]) > ORDER.index(edge[0]) and edge not in PENDING
    }
    assert not against, "imports against the direction (importer, imported): " + repr(against)


def test_the_listed_exceptions_still_exist():
    edges = imports_between_apps()
    gone = [edge for edge in PENDING if edge not in edges]
    assert not gone, f"no longer imported, remove from PENDING: {gone}"


def test_the_enumeration_sees_imports():
    edges = imports_between_apps()
    assert ("reports", "aggregation") in edges and ("entry", "catalogue") in edges


def test_no_two_apps_import_each_other():
    graph: dict[str, set[str]] = {}
    for importer, imported in imports_between_apps():
        graph.setdefault(importer, set()).add(imported)
    assert not cycles(graph), "apps importing each other, directly or through others"


def test_no_module_imports_itself_through_others():
    found = [cycle for cycle in cycles(module_graph()) if cycle not in PENDING_CYCLES]
    assert not found, f"module import cycles: {found}"


def test_the_listed_module_cycles_still_exist():
    gone = [cycle for cycle in PENDING_CYCLES if cycle not in cycles(module_graph())]
    assert not gone, f"no longer a cycle, remove from PENDING_CYCLES: {gone}"


def test_the_cycle_search_sees_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [("a", "b", "c")]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_module_graph_sees_imports():
    graph = module_graph()
    assert "tracker.web.scope" in graph["tracker.web.reports"]
    assert "tracker.orgs.models" in graph["tracker.orgs.access"]


def test_no_domain_app_speaks_http():
    """Requests and responses are the web layer's: a domain app raises tracker.exceptions.NotFound, not Http404."""
    paths = [path for app in DOMAIN for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]
    # The helpers any app may use too (spreadsheets, uploads …), but the middleware, which answers requests.
    paths += [path for path in ROOT.glob("*.py") if path.name not in HTTP_HELPERS]
    found = {
        str(path.relative_to(ROOT)): name
        for path in paths
        for name in imported_names(path)
        if name.startswith(HTTP_MODULES)
    }
    assert not found, f"domain modules importing HTTP: {found}"


def test_the_http_search_sees_the_web_layer():
    assert any(name.startswith(HTTP_MODULES) for name in imported_names(ROOT / "web" / "errors.py"))
