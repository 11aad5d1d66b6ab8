"""Apps depend one way: each may import only the apps below it (README, "Layout").

The test reads every module of every app with `ast` and fails on an import against the declared
direction. An exception, if ever needed, is listed with its reason, and the test also fails once
the exception is gone, so the list never outlives the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tracker

# From the bottom up: an app may import those before it, never those after it.
ORDER = ["orgs", "catalogue", "entry", "aggregation", "checks", "workflow", "reports", "documents", "demo"]

# (importer, imported) -> why it is still there.
PENDING: dict[tuple[str, str], str] = {}

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
