"""The hashed lock files cover every dependency that pyproject.toml declares, and the layered
locks (build, demo, spark) pin exactly what dev.lock pins, so `make demo` and `make test` install
the same versions. A dependency added to pyproject.toml but not locked fails here, not on the next
fresh machine."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    assert match, f"cannot read a package name from {spec!r}"
    return _normalise(match.group(1))


def _lock(name: str) -> dict[str, set[str]]:
    """Package name -> its pinned versions (one per marker branch)."""
    pins: dict[str, set[str]] = {}
    for line in _lock_lines(REQUIREMENTS / name):
        pkg, _, rest = line.partition("==")
        pins.setdefault(_normalise(pkg), set()).add(rest.split(";")[0].strip())
    return pins


def _lock_lines(path: Path) -> list[str]:
    """The requirement lines of a lock (`name==version ; marker`), without their hashes."""
    return [line.split(" \\")[0] for line in path.read_text().splitlines() if line and line[0].isalnum()]


def _hashes(name: str) -> dict[str, set[str]]:
    """Requirement line -> its sha256 hashes."""
    out: dict[str, set[str]] = {}
    current = ""
    for line in (REQUIREMENTS / name).read_text().splitlines():
        if line and line[0].isalnum():
            current = line.split(" \\")[0]
        elif "--hash=sha256:" in line:
            out.setdefault(current, set()).add(line.split("sha256:")[1].split()[0])
    return out


DEV = _lock("dev.lock")


def _declared(group: str | None) -> list[str]:
    project = PYPROJECT["project"]
    specs = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [_requirement_name(spec) for spec in specs]


@pytest.mark.parametrize("group", [None, *sorted(PYPROJECT["project"]["optional-dependencies"])])
def test_every_declared_dependency_is_locked(group: str | None) -> None:
    missing = [name for name in _declared(group) if name not in DEV]
    assert not missing, (
        f"pyproject.toml declares {missing} ({group or 'dependencies'}) but requirements/dev.lock does "
        "not pin them: add them to requirements/*.in and run `make lock`"
    )


def test_build_backend_is_locked() -> None:
    build = _lock("build.lock")
    for spec in PYPROJECT["build-system"]["requires"]:
        assert _requirement_name(spec) in build, f"{spec} is not in requirements/build.lock"
    # What builds the one sdist in the test lock (pyspark) comes from the lock too.
    assert {"setuptools", "wheel"} <= build.keys()


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("demo.lock", [None, "mcp", "ocr"]), ("spark.lock", ["spark"])],
)
def test_layer_locks_cover_their_extras(lock: str, groups: list[str | None]) -> None:
    pins = _lock(lock)
    for group in groups:
        missing = [name for name in _declared(group) if name not in pins]
        missing = [name for name in missing if name != "tomli"]  # only below Python 3.11
        assert not missing, f"requirements/{lock} lacks {missing}: run `make lock`"


@pytest.mark.parametrize("lock", ["build.lock", "demo.lock", "spark.lock"])
def test_layer_locks_pin_what_dev_lock_pins(lock: str) -> None:
    dev = _hashes("dev.lock")
    for requirement, hashes in _hashes(lock).items():
        assert requirement in dev, f"requirements/{lock} pins {requirement!r}, dev.lock does not: `make lock`"
        assert hashes == dev[requirement], f"{requirement!r} has other hashes in {lock} than in dev.lock"


def test_every_lock_line_is_hashed() -> None:
    for path in sorted(REQUIREMENTS.glob("*.lock")):
        hashes = _hashes(path.name)
        unhashed = [req for req in _lock_lines(path) if not hashes.get(req)]
        assert not unhashed, f"{path.name}: {unhashed} have no --hash"
