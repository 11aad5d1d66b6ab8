"""The lock files pin what requirements*.txt ask for, every entry with its hashes (README, "Dependencies").

`make setup` installs requirements-dev.lock with --require-hashes; a pin changed in a requirements
file without `make lock` would silently not be installed, so this fails until the lock is rewritten.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """The `name==version` lines of a requirements file and of the files it includes with -r."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif match := PIN.match(line):
            found[normalised(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """Each locked package: its version and how many hashes it lists."""
    entries: dict[str, tuple[str, int]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            name = normalised(match[1])
            entries[name] = (match[2], 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = entries[name]
            entries[name] = (version, hashes + 1)
        elif not line.startswith(" "):
            name = None
    return entries


@pytest.mark.parametrize(
    "source, lock", [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_every_pin_is_locked_at_its_version(source, lock):
    wanted, have = pins(BASE_DIR / source), locked(BASE_DIR / lock)
    assert wanted
    versions = {name: version for name, (version, _hashes) in have.items()}
    stale = {name: (version, versions.get(name)) for name, version in wanted.items() if versions.get(name) != version}
    assert not stale, f"{source} and {lock} disagree (wanted, locked); run `make lock`: {stale}"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_has_its_hashes(lock):
    entries = locked(BASE_DIR / lock)
    assert len(entries) > len(pins(BASE_DIR / "requirements.txt"))  # the transitive ones too
    assert not [name for name, (_version, hashes) in entries.items() if hashes == 0]


def test_the_app_and_the_tests_lock_the_same_versions():
    app, dev = locked(BASE_DIR / "requirements.lock"), locked(BASE_DIR / "requirements-dev.lock")
    app_versions = {name: version for name, (version, _hashes) in app.items()}
    dev_versions = {name: version for name, (version, _hashes) in dev.items()}
    assert {name: dev_versions.get(name) for name in app_versions} == app_versions
