"""The facts a verdict is decided on, gathered from two profiles (or one) and the registry.

Everything here is pure: profiles, notes and metadata in, an :class:`Evidence` value out. The
decisions (what weighs how much) are all in :mod:`scanner.verdict.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from scanner.behaviour.model import PackageProfile, Zone
from scanner.checks.release_history import semver_key
from scanner.pairing import ChangeKind
from scanner.tarball.risk import RiskNote
from scanner.verdict.compare import Placed, new_binaries, new_signals

RUN_ON_INSTALL = ("preinstall", "install", "postinstall")


class Bump(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"
    PRERELEASE = "prerelease"
    UNKNOWN = "unknown"


def bump_of(old: str | None, new: str) -> Bump:
    """Which part of the version an update changes (the highest one)."""
    before, after = (semver_key(old) if old else None), semver_key(new)
    if before is None or after is None:
        return Bump.UNKNOWN
    if before[0] != after[0]:
        return Bump.MAJOR
    if before[1] != after[1]:
        return Bump.MINOR
    if before[2] != after[2]:
        return Bump.PATCH
    return Bump.PRERELEASE


@dataclass(frozen=True, slots=True)
class PackageMetadata:
    """What the registry says about a package, for judging one that is new to the project."""

    created: datetime | None = None
    published: datetime | None = None
    """When this version was published."""
    version_count: int | None = None
    earlier_install_scripts: int | None = None
    """How many earlier versions ran an install script (None: unknown)."""
    earlier_versions: int | None = None
    similar_to: str | None = None
    """A popular package whose name this one is one or two edits away from."""
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScriptChange:
    name: str
    command: str
    previous: str | None
    """The old command; ``None`` when the script is new."""
    runs: tuple[str, ...] = ()
    """Package files the command runs (install zone roots)."""


# Inline shell that fetches or runs code without any file of the package being involved.
_INLINE_DOWNLOAD = re.compile(
    r"\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-Expression|iex|bitsadmin|certutil)\b"
    r"|\|\s*(?:ba|z)?sh\b|\bnode\s+(?:-e|--eval|-p|--print)\b|\bpowershell\b|\bbash\s+-c\b"
    r"|https?://",
    re.IGNORECASE,
)


def inline_download(command: str) -> bool:
    return _INLINE_DOWNLOAD.search(command) is not None


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: ChangeKind
    bump: Bump
    fresh: tuple[Placed, ...]
    """Signals standing for behaviour the old version did not have (all of them for a new
    package), test-zone and type-only files excluded."""
    scripts: tuple[ScriptChange, ...]
    """Install scripts added or changed (for a new package: every install script)."""
    new_binaries: tuple[str, ...]
    had_binaries: bool
    platform_package: bool
    notes: tuple[RiskNote, ...] = ()
    metadata: PackageMetadata | None = None
    unparsed: tuple[str, ...] = field(default=())
    """Files analysed with patterns only (the parser failed or the file was too big)."""

    def fresh_in(self, *zones: Zone) -> list[Placed]:
        return [p for p in self.fresh if p.zone in zones]


def gather(
    kind: ChangeKind,
    old_version: str | None,
    new_version: str,
    old: PackageProfile | None,
    new: PackageProfile,
    notes: Sequence[RiskNote] = (),
    metadata: PackageMetadata | None = None,
) -> Evidence:
    install_files = tuple(path for path, zone in sorted(new.zones.items()) if zone is Zone.INSTALL)
    old_scripts = old.manifest.install_scripts if old else {}
    scripts = tuple(
        ScriptChange(name, command, old_scripts.get(name), install_files)
        for name, command in sorted(new.manifest.install_scripts.items())
        if name in RUN_ON_INSTALL and old_scripts.get(name) != command
    )
    return Evidence(
        kind=kind,
        bump=bump_of(old_version, new_version) if kind is ChangeKind.UPDATE else Bump.UNKNOWN,
        fresh=tuple(new_signals(old, new)),
        scripts=scripts,
        new_binaries=tuple(new_binaries(old, new)),
        had_binaries=bool(old and old.binaries),
        platform_package=new.manifest.is_platform_package,
        notes=tuple(notes),
        metadata=metadata,
        unparsed=tuple(path for path, f in sorted(new.files.items()) if not f.parsed),
    )
