"""From package archives to a verdict: profiles, manifest notes and registry metadata gathered.

This is the one path every caller takes (``depscan lockfile`` for each incoming package,
``depscan diff``, ``depscan inspect``, the detection benchmark), so they all judge alike. It reads
no network: archives and registry documents come in, already fetched and verified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scanner.behaviour.model import PackageProfile
from scanner.checks.release_history import semver_key
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.registry.packument import Packument, VersionInfo
from scanner.tarball.archive import PackageArchive
from scanner.timestamps import parse_time
from scanner.verdict import PackageMetadata, Verdict, downgrade, judge
from scanner.verdict.dependencies import AdvisoryLookup, PackumentLookup, dependency_notes
from scanner.verdict.manifest import (
    binary_host_notes,
    dependency_changes,
    entry_point_notes,
    manifest_confusion_notes,
    new_package_bin_notes,
)
from scanner.verdict.notes import Note
from scanner.verdict.similar_names import similar_popular_name

Profiler = Callable[[PackageArchive, "str | None"], PackageProfile]
"""(archive, what names its bytes: the integrity hash, or None) -> its behaviour profile."""
_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the registry and the advisories can tell about the dependencies a release adds."""

    advisories: AdvisoryLookup | None = None
    packuments: PackumentLookup | None = None


def default_profiler(cache_root: Path | None = None) -> Profiler:
    """The behaviour model's profiler, with profiles cached on disk by integrity under
    ``cache_root`` when it is given."""
    from scanner.behaviour.profile import cached_profile  # the parser loads only when needed

    def profiler(archive: PackageArchive, identity: str | None) -> PackageProfile:
        return cached_profile(archive, identity, cache_root)

    return profiler


def package_metadata(
    name: str, version: str, packument: Packument | None, now: datetime
) -> PackageMetadata:
    """Age, history and name of a package new to the project, as the registry describes it."""
    if packument is None:
        return PackageMetadata(similar_to=similar_popular_name(name), now=now)
    key = semver_key(version)
    earlier = [
        info
        for v, info in packument.versions.items()
        if key is not None and (k := semver_key(v)) is not None and k < key
    ]
    return PackageMetadata(
        created=parse_time(packument.time.get("created")),
        published=parse_time(packument.time.get(version)),
        version_count=len(packument.versions),
        earlier_install_scripts=sum(
            1
            for info in earlier
            if info.gypfile or any(s in info.scripts for s in _INSTALL_SCRIPTS)
        ),
        earlier_versions=len(earlier),
        similar_to=similar_popular_name(name),
        now=now,
    )


def _identity(archive: PackageArchive) -> tuple[str, str]:
    manifest = archive.manifest() or {}
    name, version = manifest.get("name"), manifest.get("version")
    return (
        name if isinstance(name, str) and name else archive.subject,
        version if isinstance(version, str) and version else "?",
    )


def _kind(old_version: str | None, new_version: str) -> ChangeKind:
    if old_version is None:
        return ChangeKind.NEW
    before, after = semver_key(old_version), semver_key(new_version)
    if before is not None and after is not None and after < before:
        return ChangeKind.DOWNGRADE
    return ChangeKind.UPDATE


def manifest_notes(
    old: PackageArchive | None,
    new: PackageArchive,
    *,
    registry_info: VersionInfo | None,
    lookups: Lookups,
    now: datetime,
) -> list[Note]:
    """Everything package.json says about the release that is not code: entry points moved,
    dependencies added (malicious or brand new), and disagreement with the registry's copy."""
    manifest = new.manifest()
    package_json = new.files["package.json"].data if "package.json" in new.files else b""
    if manifest is None:
        return [
            Note(
                "manifest-missing",
                Severity.MEDIUM,
                "package.json",
                None,
                "the package has no readable package.json",
            )
        ]
    old_manifest = old.manifest() if old is not None else None
    notes: list[Note] = []
    if old is not None:
        notes += entry_point_notes(old_manifest or {}, manifest, old.files.keys(), package_json)
        notes += binary_host_notes(old_manifest or {}, manifest, package_json)
    else:
        notes += new_package_bin_notes(manifest, package_json)
    notes += dependency_notes(
        dependency_changes(old_manifest, manifest),
        package_json,
        lookup_advisories=lookups.advisories,
        packument_lookup=lookups.packuments,
        now=now,
    )
    if registry_info is not None:
        notes += manifest_confusion_notes(manifest, registry_info, package_json)
    return notes


def judge_archives(
    old: PackageArchive | None,
    new: PackageArchive,
    *,
    packument: Packument | None = None,
    registry_info: VersionInfo | None = None,
    lookups: Lookups | None = None,
    now: datetime | None = None,
    profiler: Profiler | None = None,
    identities: tuple[str | None, str | None] = (None, None),
) -> Verdict:
    """The verdict on ``new`` as an update of ``old``, or as a package new to the project.

    ``packument`` (the registry's document for the package) gives a new package's history;
    ``registry_info`` (its entry for this version) enables the manifest-confusion check;
    ``identities`` (the integrity hashes of old and new) let profiles be cached.
    """
    moment = now or datetime.now(UTC)
    profile = profiler or default_profiler()
    name, new_version = _identity(new)
    old_version = _identity(old)[1] if old is not None else None
    kind = _kind(old_version, new_version)
    if registry_info is None and packument is not None:
        registry_info = packument.versions.get(new_version)
    if kind is ChangeKind.DOWNGRADE:
        return downgrade(name, old_version, new_version)
    notes = manifest_notes(
        old, new, registry_info=registry_info, lookups=lookups or Lookups(), now=moment
    )
    metadata = (
        package_metadata(name, new_version, packument, moment) if kind is ChangeKind.NEW else None
    )
    return judge(
        name,
        old_version,
        new_version,
        profile(old, identities[0]) if old is not None else None,
        profile(new, identities[1]),
        kind=kind,
        notes=notes,
        metadata=metadata,
    )
