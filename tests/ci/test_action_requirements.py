"""action-requirements.txt, the Action's hashed install, stays in step with pyproject.toml:
every runtime dependency, every dependency of those (as the installed distributions declare them)
and the build backend are pinned to one version with sha256 hashes, inside pyproject's ranges.

Regenerate it (pip-tools in a throwaway virtual environment; see docs/ci.md):

    pip-compile --generate-hashes --allow-unsafe --strip-extras \\
      --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --pip-args="--isolated" \\
      --output-file=action-requirements.txt pyproject.toml action-requirements.in
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from dataclasses import dataclass, field

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.ci.gitrepo import REPO

REQUIREMENTS = REPO / "action-requirements.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)\s*\\?$")
HASH = re.compile(r"^\s+--hash=sha256:([0-9a-f]{64})\s*\\?$")
VIA = re.compile(r"^\s+#\s+(?:via\s+)?(\S.*)$")
# The runners the Action supports: Linux, macOS and Windows, with Python 3.11 to 3.13.
TARGETS = [
    {"python_version": minor, "python_full_version": f"{minor}.0", "sys_platform": platform,
     "platform_system": system, "os_name": os_name, "platform_python_implementation": "CPython",
     "implementation_name": "cpython", "extra": ""}
    for minor in ("3.11", "3.12", "3.13")
    for platform, system, os_name in (
        ("linux", "Linux", "posix"), ("darwin", "Darwin", "posix"), ("win32", "Windows", "nt"),
    )
]


@dataclass
class Pinned:
    version: Version
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def _parse(text: str) -> dict[str, Pinned]:
    pinned: dict[str, Pinned] = {}
    current: Pinned | None = None
    for line in text.splitlines():
        if not line.strip() or (line.startswith("#") and current is None):
            continue
        if (match := PIN.match(line)) is not None:
            current = pinned.setdefault(canonicalize_name(match.group(1)),
                                        Pinned(Version(match.group(2))))
        elif (match := HASH.match(line)) is not None and current is not None:
            current.hashes.append(match.group(1))
        elif (match := VIA.match(line)) is not None and current is not None:
            current.via.append(match.group(1).strip())
        elif not line.startswith("#"):
            pytest.fail(f"unexpected line in {REQUIREMENTS.name}: {line!r}")
    return pinned


@pytest.fixture(scope="module")
def pinned() -> dict[str, Pinned]:
    return _parse(REQUIREMENTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def project() -> dict[str, object]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _applies(requirement: Requirement) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate(dict(env)) for env in TARGETS)


def _assert_pinned_within(requirement: Requirement, pinned: dict[str, Pinned], why: str) -> None:
    name = canonicalize_name(requirement.name)
    assert name in pinned, f"{requirement.name} ({why}) is not pinned in {REQUIREMENTS.name}"
    assert requirement.specifier.contains(pinned[name].version, prereleases=True), (
        f"{name}=={pinned[name].version} is outside {requirement.specifier} ({why})"
    )


def test_every_pin_has_sha256_hashes_and_the_file_names_no_index(
    pinned: dict[str, Pinned],
) -> None:
    assert pinned
    for name, pin in pinned.items():
        assert pin.hashes, f"{name} has no --hash"
    text = REQUIREMENTS.read_text(encoding="utf-8")
    assert "--index-url" not in text and "--extra-index-url" not in text
    assert "--find-links" not in text and "--trusted-host" not in text


def test_runtime_dependencies_are_pinned_inside_pyprojects_ranges(
    pinned: dict[str, Pinned], project: dict[str, object],
) -> None:
    table = project["project"]
    assert isinstance(table, dict)
    for line in table["dependencies"]:
        requirement = Requirement(line)
        if _applies(requirement):
            _assert_pinned_within(requirement, pinned, "pyproject.toml dependencies")


def test_the_build_backend_is_pinned_too(
    pinned: dict[str, Pinned], project: dict[str, object],
) -> None:
    # The Action installs depscan with --no-build-isolation: hatchling comes from this file.
    build = project["build-system"]
    assert isinstance(build, dict)
    for line in build["requires"]:
        _assert_pinned_within(Requirement(line), pinned, "build-system requires")


def test_every_transitive_runtime_dependency_is_pinned(
    pinned: dict[str, Pinned], project: dict[str, object],
) -> None:
    table = project["project"]
    assert isinstance(table, dict)
    queue = [Requirement(line) for line in table["dependencies"]]
    seen: set[str] = set()
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        if name in seen or not _applies(requirement):
            continue
        seen.add(name)
        _assert_pinned_within(requirement, pinned, "a runtime dependency")
        # What the distribution declares, read from the one installed in this environment; one
        # only other runners need (colorama, on Windows) is not installed here to be read.
        try:
            declared_list = importlib.metadata.requires(requirement.name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        # A dependency of an extra (`extra == "..."`) does not apply: no extra is installed.
        queue.extend(Requirement(declared) for declared in declared_list)
    assert len(seen) >= len(table["dependencies"])


def test_nothing_is_pinned_that_nothing_needs(pinned: dict[str, Pinned]) -> None:
    roots = ("depscan-npm (pyproject.toml)", "-r action-requirements.in")
    for name, pin in pinned.items():
        assert pin.via, f"{name} says nothing about why it is pinned"
        for reason in pin.via:
            assert reason in roots or canonicalize_name(reason) in pinned, (name, reason)


def test_marker_evaluation_covers_windows() -> None:
    # cffi is only for CPython, colorama-style deps only on Windows: both must be judged.
    assert _applies(Requirement("x; sys_platform == 'win32'"))
    assert not _applies(Requirement("x; platform_python_implementation == 'PyPy'"))
    assert Marker("python_version < '3.11'").evaluate(dict(TARGETS[0])) is False
