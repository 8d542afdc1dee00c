"""The part of a registry package document (packument) that depscan's checks read.

Package documents can be tens of MB; the registry client trims each one to these values as soon as
it is parsed, and only these are kept in memory and in the on-disk cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Lifecycle scripts npm runs on install. `prepare` runs only for git dependencies.
INSTALL_SCRIPT_NAMES = ("preinstall", "install", "postinstall", "prepare")


@dataclass(frozen=True, slots=True)
class Signature:
    keyid: str
    sig: str


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One entry of a packument's ``versions``, trimmed."""

    version: str
    scripts: dict[str, str] = field(default_factory=dict)
    """Only the names in :data:`INSTALL_SCRIPT_NAMES`."""
    gypfile: bool = False
    """npm runs an implicit ``node-gyp rebuild`` install when the package has a binding.gyp."""
    publisher: str | None = None
    """``_npmUser.name``; None when the registry does not say."""
    trusted_publisher: dict[str, Any] | None = None
    """``_npmUser.trustedPublisher`` as served (e.g. ``{"id": "github", ...}``)."""
    maintainers: tuple[str, ...] | None = None
    integrity: str | None = None
    shasum: str | None = None
    tarball: str | None = None
    signatures: tuple[Signature, ...] = ()
    attestations: dict[str, Any] | None = None
    """``dist.attestations`` (``url`` and ``provenance.predicateType``) when present."""
    dependencies: dict[str, str] = field(default_factory=dict)
    optional_dependencies: dict[str, str] = field(default_factory=dict)
    bin: dict[str, str] = field(default_factory=dict)
    main: str | None = None
    deprecated: str | None = None


@dataclass(frozen=True, slots=True)
class Packument:
    name: str
    versions: dict[str, VersionInfo]
    time: dict[str, str] = field(default_factory=dict)
    """Version -> ISO-8601 publish time, plus ``created``/``modified``, as served."""
    maintainers: tuple[str, ...] | None = None
    dist_tags: dict[str, str] = field(default_factory=dict)

    @property
    def has_publisher_data(self) -> bool:
        return any(v.publisher is not None for v in self.versions.values())

    @property
    def has_maintainer_data(self) -> bool:
        return self.maintainers is not None or any(
            v.maintainers is not None for v in self.versions.values()
        )

    @property
    def has_time_data(self) -> bool:
        return any(k in self.versions for k in self.time)


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Why a registry document could not be had (timeout, 404, garbage, offline and not cached).

    Checks turn this into a ``NotChecked`` with ``reason``; it is never read as clean.
    """

    name: str
    reason: str
