"""Turning what the user typed (``name@version``, a version, or a .tgz path) into package bytes.

This is the I/O edge of ``depscan diff``: registry tarballs are fetched through the registry
client and verified against the registry's hash before anything reads them; local files are read
as they are, and the report says that no registry hash vouches for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scanner.errors import RegistryError, TarballError, UsageError
from scanner.registry.packument import Packument, Unavailable, VersionInfo
from scanner.tarball.archive import DEFAULT_LIMITS, ArchiveLimits, PackageArchive, read_package
from scanner.tarball.compare import PackageDiff, diff_archives
from scanner.tarball.integrity import verify_integrity
from scanner.untrusted import read_file

_ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")


class TarballSource(Protocol):
    """The part of :class:`scanner.registry.client.RegistryClient` a diff needs."""

    def packument(self, name: str) -> Packument | Unavailable: ...

    def packuments(self, names: Iterable[str]) -> dict[str, Packument | Unavailable]: ...

    def tarball(
        self, url: str, *, integrity: str | None, shasum: str | None, name: str
    ) -> bytes: ...


@dataclass(frozen=True, slots=True)
class PackageSpec:
    """A registry package at a version, range or dist-tag, or a local tarball file."""

    name: str | None = None
    wanted: str | None = None
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class LoadedPackage:
    archive: PackageArchive
    verified: str | None
    registry_info: VersionInfo | None
    tarball: bytes = field(default=b"", repr=False, compare=False)
    """The tarball's bytes as read (already verified when ``verified`` is set)."""

    @property
    def identity(self) -> str | None:
        """The registry hash that names these exact bytes (caches key on it); ``None`` for a
        local file, which no registry vouches for."""
        info = self.registry_info
        if info is None or self.verified is None:
            return None
        return info.integrity or (f"sha1:{info.shasum}" if info.shasum else None)


def parse_spec(text: str, name: str | None = None) -> PackageSpec:
    """``lodash@4.17.21``, ``@scope/pkg@^1``, ``./pkg-1.0.0.tgz``, or a bare version with ``name``.

    A spec is a local file when such a file exists or it ends like a tarball file name.
    """
    text = text.strip()
    if not text:
        raise UsageError("empty package spec")
    candidate = Path(text).expanduser()
    if candidate.is_file() or text.endswith(_ARCHIVE_SUFFIXES):
        return PackageSpec(path=candidate)
    if name is not None and not text.startswith(name + "@"):
        return PackageSpec(name=name, wanted=text)
    at = text.rfind("@")
    if at <= 0:
        raise UsageError(f"{text!r} is neither NAME@VERSION nor a tarball file")
    return PackageSpec(name=text[:at], wanted=text[at + 1 :] or "latest")


def resolve_version(packument: Packument, wanted: str) -> str:
    """The version ``wanted`` (exact version, dist-tag or range) names, as npm would pick it."""
    if wanted in packument.versions:
        return wanted
    tagged = packument.dist_tags.get(wanted)
    if tagged is not None and tagged in packument.versions:
        return tagged
    import nodesemver  # only needed for ranges; keeps start-up light

    try:
        best = nodesemver.max_satisfying(list(packument.versions), wanted, loose=True)
    except (ValueError, TypeError):
        best = None
    if not best:
        raise RegistryError(f"no version matches {wanted!r}", subject=packument.name)
    return str(best)


def load_local(path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> LoadedPackage:
    """A local tarball: a regular file (never a FIFO or device), no bigger than the limit on its
    decompressed size."""
    data = read_file(path, max_bytes=limits.max_total_size, error=TarballError, what="tarball")
    return LoadedPackage(read_package(data, str(path), limits), None, None, data)


def load_registry(
    client: TarballSource, name: str, wanted: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> LoadedPackage:
    document = client.packument(name)
    if isinstance(document, Unavailable):
        raise RegistryError(document.reason, subject=name)
    version = resolve_version(document, wanted)
    info = document.versions[version]
    subject = f"{name}@{version}"
    if not info.tarball:
        raise RegistryError("the registry gives no tarball URL for this version", subject=subject)
    data = client.tarball(info.tarball, integrity=info.integrity, shasum=info.shasum, name=subject)
    # The client verifies too; checking here as well means no reader ever trusts a client blindly.
    verified = verify_integrity(data, info.integrity, info.shasum, subject)
    return LoadedPackage(read_package(data, subject, limits), verified, info, data)


def load_spec(
    spec: PackageSpec, client: TarballSource | None, limits: ArchiveLimits = DEFAULT_LIMITS
) -> LoadedPackage:
    if spec.path is not None:
        return load_local(spec.path, limits)
    assert spec.name is not None and spec.wanted is not None
    if client is None:
        raise UsageError(
            f"{spec.name}@{spec.wanted} needs the registry, which is not available "
            "(offline?); give local .tgz files instead"
        )
    return load_registry(client, spec.name, spec.wanted, limits)


def fetch_pair(
    spec_a: str,
    spec_b: str,
    client: TarballSource | None,
    *,
    name: str | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> tuple[LoadedPackage, LoadedPackage]:
    """Resolve, fetch, verify and read both packages (the I/O half of :func:`run_diff`)."""
    return (
        load_spec(parse_spec(spec_a, name), client, limits),
        load_spec(parse_spec(spec_b, name), client, limits),
    )


def diff_loaded(
    old: LoadedPackage,
    new: LoadedPackage,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    name_only: bool = False,
) -> PackageDiff:
    """Diff two fetched packages (the pure half of :func:`run_diff`).

    Called after the registry client is closed, the diff may use a second process for big
    packages (see :mod:`scanner.tarball.parallel`: no fork while other threads are alive).
    """
    return diff_archives(
        old.archive,
        new.archive,
        old_verified=old.verified,
        new_verified=new.verified,
        old_info=old.registry_info,
        new_info=new.registry_info,
        include=include,
        exclude=exclude,
        name_only=name_only,
    )


def run_diff(
    spec_a: str,
    spec_b: str,
    client: TarballSource | None,
    *,
    name: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    name_only: bool = False,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> PackageDiff:
    """Resolve two specs (registry ``name@version`` or local tarball path) and diff them.

    ``depscan diff NAME FROM TO`` passes ``name``; ``depscan diff NAME@FROM NAME@TO`` and two
    .tgz paths pass none. Raises the DepscanError subclasses with the package at fault as subject.
    """
    old, new = fetch_pair(spec_a, spec_b, client, name=name, limits=limits)
    return diff_loaded(old, new, include=include, exclude=exclude, name_only=name_only)
