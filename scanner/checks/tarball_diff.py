"""Tarball diff: what the code of each upgraded package actually changed.

For ``depscan lockfile --diff-from OLD`` every registry package whose version changed between the
two lockfiles is fetched at both versions (each tarball verified against its integrity hash before
it is read), the two are diffed in memory, and the risk notes of the diff become findings: new
install scripts, new process spawning, network or decryption code, obfuscated blobs, native
binaries, a package.json that disagrees with the registry's document, and new dependencies that
are malicious or brand new. The event-stream attack (flatmap-stream's encrypted payload) and the
ua-parser-js hijack would each have shown up here as several high notes in one upgrade.

The part of the result that depends only on the two tarballs is cached on disk by the pair of
integrity hashes, so an upgrade is diffed once however many scans see it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from scanner.checks.base import ScanContext
from scanner.checks.knobs import now_setting
from scanner.errors import DepscanError, RegistryError
from scanner.model import (
    CheckResult,
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    PackageRef,
    SourceKind,
)
from scanner.registry.packument import Packument, Unavailable, VersionInfo

# The tarball modules (tar, zlib, the diff engine, compiled risk patterns) load only when a scan
# has upgrades to diff, so a plain lockfile scan does not pay for them at start-up.
if TYPE_CHECKING:
    from scanner.osv.database import AdvisoryDatabase
    from scanner.tarball.resolve import TarballSource
    from scanner.tarball.risk import AdvisoryLookup, RiskNote

CHECK_ID = "tarball-diff"
CACHE_SETTINGS = ("tarball-diff.cache_dir", "cache_dir")
CACHE_FORMAT = 1
_CACHED_MANIFEST_KEYS = ("name", "dependencies", "optionalDependencies", "scripts", "bin", "main")
_MAX_CACHED_PACKAGE_JSON = 256 * 1024
_RANGE_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class VersionChange:
    """The same package at the same place in the tree, at a different version."""

    old: PackageNode
    new: PackageNode


def changed_packages(base: Lockfile, current: Lockfile) -> list[VersionChange]:
    """Registry packages whose version changed, matched by install location then by name.

    A package that moved (hoisting changed) is matched by name when the old lockfile had only
    one version of it; with several, which one it replaced is a guess, so it is left out.
    """
    old_by_name: dict[str, list[PackageNode]] = {}
    for node in base.packages():
        if node.source is SourceKind.REGISTRY:
            old_by_name.setdefault(node.name, []).append(node)
    changes: dict[tuple[str, str, str], VersionChange] = {}
    for node in current.packages():
        if node.source is not SourceKind.REGISTRY:
            continue
        old = base.nodes.get(node.location)
        if old is None or old.name != node.name or old.source is not SourceKind.REGISTRY:
            candidates = old_by_name.get(node.name, [])
            if len({c.version for c in candidates}) != 1:
                continue
            old = candidates[0]
        if old.version == node.version:
            continue
        changes.setdefault((node.name, old.version, node.version), VersionChange(old, node))
    return list(changes.values())


@dataclass(frozen=True, slots=True)
class _TarballRef:
    url: str
    integrity: str | None
    shasum: str | None

    @property
    def identity(self) -> str | None:
        """What names these exact bytes, for the cache key."""
        return self.integrity or (f"sha1:{self.shasum}" if self.shasum else None)


def _tarball_ref(node: PackageNode, info: VersionInfo | None) -> _TarballRef:
    url = info.tarball if info and info.tarball else node.resolved
    if not url or not url.startswith(("http://", "https://")):
        raise RegistryError("no tarball URL in the lockfile or the registry", node.spec_id)
    integrity = node.integrity or (info.integrity if info else None)
    shasum = info.shasum if info else None
    if not integrity and not shasum:
        raise RegistryError("no integrity hash to verify the tarball against", node.spec_id)
    return _TarballRef(url, integrity, shasum)


@dataclass(frozen=True, slots=True)
class _ContentResult:
    """What a pair of tarballs says on its own: cacheable by the pair of hashes."""

    notes: tuple[RiskNote, ...]
    old_manifest: dict[str, object] | None
    new_manifest: dict[str, object] | None
    package_json: bytes

    def to_json(self) -> dict[str, object]:
        return {
            "format": CACHE_FORMAT,
            "notes": [n.to_json() for n in self.notes],
            "old_manifest": _manifest_subset(self.old_manifest),
            "new_manifest": _manifest_subset(self.new_manifest),
            "package_json": self.package_json.decode("utf-8", errors="replace"),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> _ContentResult | None:
        notes, old, new = data.get("notes"), data.get("old_manifest"), data.get("new_manifest")
        package_json = data.get("package_json")
        if data.get("format") != CACHE_FORMAT or not isinstance(notes, list):
            return None
        if not isinstance(package_json, str):
            return None
        from scanner.tarball.risk import RiskNote

        return cls(
            tuple(RiskNote.from_json(n) for n in notes if isinstance(n, dict)),
            old if isinstance(old, dict) else None,
            new if isinstance(new, dict) else None,
            package_json.encode(),
        )


def _manifest_subset(manifest: Mapping[str, object] | None) -> dict[str, object] | None:
    if manifest is None:
        return None
    return {k: manifest[k] for k in _CACHED_MANIFEST_KEYS if k in manifest}


class _DiffCache:
    """One JSON file per (old, new) tarball pair; unreadable entries are treated as missing."""

    def __init__(self, root: Path | None) -> None:
        self._root = root / CHECK_ID if root else None

    def _path(self, old: str, new: str) -> Path | None:
        if self._root is None:
            return None
        key = hashlib.sha256(f"{old}\n{new}".encode()).hexdigest()
        return self._root / f"{key}.json"

    def get(self, old: str | None, new: str | None) -> _ContentResult | None:
        path = self._path(old, new) if old and new else None
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return _ContentResult.from_json(data) if isinstance(data, dict) else None

    def put(self, old: str | None, new: str | None, result: _ContentResult) -> None:
        path = self._path(old, new) if old and new else None
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent scan never reads half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(result.to_json(), handle)
            os.replace(tmp, path)
        except OSError:
            return  # a cache that cannot be written only costs time


def advisory_lookup(
    advisories: AdvisoryDatabase, packuments: Callable[[str], Packument | Unavailable | None]
) -> AdvisoryLookup:
    """Advisory ids for the versions a dependency range can resolve to.

    The range is resolved against the registry's versions when it can be; a package the registry
    no longer serves (as removed malware usually is) is checked at the range taken as a version.
    """
    import nodesemver  # only needed when dependencies were added

    def lookup(name: str, spec: str) -> list[str]:
        document = packuments(name)
        versions: list[str] = []
        if isinstance(document, Packument):
            for version in sorted(document.versions, reverse=True):
                try:
                    if nodesemver.satisfies(version, spec, loose=True):
                        versions.append(version)
                except (ValueError, TypeError):
                    break
                if len(versions) >= _RANGE_CANDIDATES:
                    break
        if not versions:
            versions = [spec.lstrip("=v^~ ")]
        ids: set[str] = set()
        for version in versions:
            ids.update(m.advisory.id for m in advisories.match(name, version))
        return sorted(ids)

    return lookup


class TarballDiffCheck:
    """Diffs the tarballs of every upgraded registry package and reports risky changes."""

    id: ClassVar[str] = CHECK_ID
    title: ClassVar[str] = "Risky changes in the code of upgraded packages"
    needs_registry: ClassVar[bool] = True

    def __init__(self, lookup_advisories: AdvisoryLookup | None = None) -> None:
        self._lookup_advisories = lookup_advisories

    def run(self, context: ScanContext) -> CheckResult:
        if context.base is None:
            return CheckResult()
        changes = changed_packages(context.base, context.lockfile)
        if not changes:
            return CheckResult()
        registry = context.registry
        if registry is None:
            return CheckResult(
                not_checked=(
                    NotChecked(
                        CHECK_ID,
                        "no registry (offline): upgraded packages were not diffed",
                        tuple(c.new.spec_id for c in changes),
                    ),
                )
            )
        documents = registry.packuments(sorted({c.new.name for c in changes}))

        def packument_lookup(name: str) -> Packument | Unavailable | None:
            return documents.get(name) or registry.packument(name)

        lookup = self._lookup_advisories
        if lookup is None and context.advisories is not None:
            lookup = advisory_lookup(context.advisories, packument_lookup)
        from scanner.tarball.risk import (
            dependency_changes,
            dependency_notes,
            manifest_confusion_notes,
        )

        cache = _DiffCache(_cache_root(context.settings))
        now = now_setting(context.settings)
        findings: list[Finding] = []
        not_checked: list[NotChecked] = []
        for change in changes:
            document = documents.get(change.new.name)
            packument = document if isinstance(document, Packument) else None
            try:
                old_ref = _tarball_ref(change.old, _version(packument, change.old.version))
                new_info = _version(packument, change.new.version)
                new_ref = _tarball_ref(change.new, new_info)
                content = cache.get(old_ref.identity, new_ref.identity)
                if content is None:
                    content = _diff_content(registry, change, old_ref, new_ref)
                    cache.put(old_ref.identity, new_ref.identity, content)
            except DepscanError as exc:
                not_checked.append(NotChecked(CHECK_ID, exc.one_line(), (change.new.spec_id,)))
                continue
            notes = list(content.notes)
            notes += dependency_notes(
                dependency_changes(content.old_manifest, content.new_manifest),
                content.package_json,
                lookup_advisories=lookup,
                packument_lookup=packument_lookup,
                now=now,
            )
            if new_info is not None:
                notes += manifest_confusion_notes(
                    content.new_manifest, new_info, content.package_json
                )
            findings.extend(_finding(change, note, context.lockfile) for note in notes)
        return CheckResult(tuple(findings), tuple(not_checked))


def _cache_root(settings: Mapping[str, object]) -> Path | None:
    for key in CACHE_SETTINGS:
        value = settings.get(key)
        if isinstance(value, str | Path) and str(value):
            return Path(value)
    return None


def _version(packument: Packument | None, version: str) -> VersionInfo | None:
    return packument.versions.get(version) if packument else None


def _diff_content(
    registry: TarballSource, change: VersionChange, old: _TarballRef, new: _TarballRef
) -> _ContentResult:
    from scanner.tarball.archive import read_package
    from scanner.tarball.compare import diff_archives
    from scanner.tarball.integrity import verify_integrity
    from scanner.tarball.risk import content_notes

    archives = []
    verified = []
    for node, ref in ((change.old, old), (change.new, new)):
        data = registry.tarball(
            ref.url, integrity=ref.integrity, shasum=ref.shasum, name=node.spec_id
        )
        # Verified again here so that nothing is read on the client's word alone.
        verified.append(verify_integrity(data, ref.integrity, ref.shasum, node.spec_id))
        archives.append(read_package(data, node.spec_id))
    diff = diff_archives(
        archives[0], archives[1], old_verified=verified[0], new_verified=verified[1]
    )
    package_json = archives[1].files.get("package.json")
    raw = package_json.data if package_json else b""
    return _ContentResult(
        tuple(content_notes(diff)),
        diff.old.manifest,
        diff.new.manifest,
        raw if len(raw) <= _MAX_CACHED_PACKAGE_JSON else b"",
    )


def _finding(change: VersionChange, note: RiskNote, lockfile: Lockfile) -> Finding:
    where = (
        f" ({note.file}:{note.line})"
        if note.file and note.line
        else (f" ({note.file})" if note.file else "")
    )
    return Finding(
        check=CHECK_ID,
        severity=note.severity,
        message=f"{change.old.version} -> {change.new.version}: {note.message}{where}",
        package=PackageRef.of(change.new),
        lockfile=str(lockfile.path),
        line=change.new.line,
        details={
            "kind": note.kind,
            "file": note.file,
            "line": note.line,
            "from_version": change.old.version,
            "to_version": change.new.version,
        },
    )
