"""The facts a verdict is decided on, gathered from two profiles (or one) and the registry.

Everything here is pure: profiles, notes and metadata in, an :class:`Evidence` value out. The
decisions (what weighs how much) are all in :mod:`scanner.verdict.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from scanner.behaviour.model import Capability, ManifestFacts, PackageProfile, Zone
from scanner.checks.release_history import semver_key
from scanner.pairing import ChangeKind
from scanner.verdict.compare import RUNTIME_ZONES, Placed, new_binaries, new_signals, weighs
from scanner.verdict.notes import Note

RUN_ON_INSTALL = ("preinstall", "install", "postinstall")
GYP_COMMAND = "node-gyp rebuild"


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
    downloads: bool = False
    """The command itself fetches or pipes code into a shell (curl, wget, ``| sh``)."""


# Shell that fetches or runs code with no file of the package involved (inline ``node -e``
# code is analysed as install-time code instead, see scanner.behaviour.install_commands).
_INLINE_DOWNLOAD = re.compile(
    r"\b(?:curl|wget|Invoke-WebRequest|iwr|Invoke-RestMethod|irm|Invoke-Expression|iex"
    r"|bitsadmin|certutil|DownloadString|DownloadFile|urlopen|urlretrieve|LWP::Simple"
    r"|Net::HTTP|open-uri)\b"
    # Inline Python, Perl or Ruby that imports an HTTP client: the one-liner droppers of
    # install scripts that avoid node so a JavaScript-only scanner reads nothing.
    r"|\b(?:urllib|requests|http\.client)\.\w"
    r"|\|\s*(?:ba|z)?sh\b|\bpowershell\b",
    re.IGNORECASE,
)


def _downloads(facts: ManifestFacts, script: str, command: str) -> bool:
    kinds = {c.kind for c in facts.install_commands if c.script == script}
    return "download" in kinds or _INLINE_DOWNLOAD.search(command) is not None


def run_on_install(facts: ManifestFacts) -> dict[str, str]:
    """The scripts npm runs when it installs the package from the registry: preinstall, install
    and postinstall (``prepare`` runs for git installs only), plus the ``node-gyp rebuild``
    npm adds for a package with a binding.gyp and neither install nor preinstall script."""
    scripts = {k: v for k, v in facts.install_scripts.items() if k in RUN_ON_INSTALL}
    implicit = any(
        c.script == "install" and c.command == GYP_COMMAND for c in facts.install_commands
    )
    if implicit and "install" not in scripts and "preinstall" not in scripts:
        scripts["install"] = GYP_COMMAND
    return scripts


def _files_run_by(facts: ManifestFacts, script: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            path
            for command in facts.install_commands
            if command.script == script
            for path in command.files
        )
    )


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
    notes: tuple[Note, ...] = ()
    metadata: PackageMetadata | None = None
    unparsed: tuple[str, ...] = field(default=())
    """Files analysed with patterns only (the parser failed or the file was too big)."""
    file_capabilities: Mapping[str, frozenset[Capability]] = field(default_factory=dict)
    """Every capability of each shipped file of the new version (tests and type declarations
    left out), fresh or not: whether something in a file can run what a new blob holds does not
    depend on when that something arrived."""
    method_changed: frozenset[str] = field(default=frozenset())
    """Files the old version's analysis parsed and the new one read with patterns only (a bundle
    that grew past the parse-size cap): their signals were found by another method, so a
    difference there may be the method's, not the code's."""

    def fresh_in(self, *zones: Zone) -> list[Placed]:
        """The fresh signals in ``zones`` that weigh in a verdict (:func:`weighs`)."""
        return [p for p in self.fresh if p.zone in zones and weighs(p.signal)]


def gather(
    kind: ChangeKind,
    old_version: str | None,
    new_version: str,
    old: PackageProfile | None,
    new: PackageProfile,
    notes: Sequence[Note] = (),
    metadata: PackageMetadata | None = None,
) -> Evidence:
    old_scripts = run_on_install(old.manifest) if old else {}
    scripts = tuple(
        ScriptChange(
            name,
            command,
            old_scripts.get(name),
            _files_run_by(new.manifest, name),
            _downloads(new.manifest, name, command),
        )
        for name, command in sorted(run_on_install(new.manifest).items())
        if old_scripts.get(name) != command
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
        file_capabilities={
            path: frozenset(signal.capability for signal in f.signals)
            for path, f in new.files.items()
            if new.zones.get(path, Zone.OTHER) in (Zone.INSTALL, *RUNTIME_ZONES)
        },
        method_changed=frozenset(
            path
            for path, f in new.files.items()
            if not f.parsed and old is not None and path in old.files and old.files[path].parsed
        ),
    )
