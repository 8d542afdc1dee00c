"""Building stand-in packages in memory: npm-style tarballs and registry documents for them.

Nothing here is written to disk or published. A tarball is laid out as ``npm pack`` lays it out
(every member under ``package/``, fixed timestamps), and a registry document has the shape the
registry serves, so the benchmark reads both through depscan's own code (``read_package``,
``trim_packument``) exactly as it reads real ones.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scanner.registry.packument import INSTALL_SCRIPT_NAMES, Packument
from scanner.registry.trim import trim_packument
from scanner.tarball.integrity import sri_sha512

FIXTURE_REGISTRY = "https://registry.example.test/"
"""Tarball URLs of stand-ins point here: a reserved name, never a real registry."""
_NPM_PACK_MTIME = 499162500  # 1985-10-26T08:15:00Z, the date npm pack stamps on every member


@dataclass(frozen=True, slots=True)
class TreeFile:
    data: bytes
    mode: int = 0o644


Tree = Mapping[str, TreeFile]


def pack(files: Tree) -> bytes:
    """A gzip-compressed tar of ``files`` under ``package/``; the same bytes on every run."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for path in sorted(files):
            entry = files[path]
            info = tarfile.TarInfo(f"package/{path}")
            info.size = len(entry.data)
            info.mode = entry.mode
            info.mtime = _NPM_PACK_MTIME
            archive.addfile(info, io.BytesIO(entry.data))
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)


@dataclass(frozen=True, slots=True)
class RegistryMeta:
    """What the registry says about a stand-in package, relative to the benchmark's "now"."""

    created_days_ago: float
    versions: int
    """How many versions the package has in all, the judged ones included."""
    published_days_ago: float = 0.0
    """When the newest (judged) version was published."""
    previous_published_days_ago: float | None = None
    """When the version before it was published (default: halfway to ``created``)."""
    served: Mapping[str, Any] = field(default_factory=dict)
    """Fields of the newest version's document that differ from its tarball's package.json
    (manifest confusion): ``scripts``, ``dependencies``, ``bin``, ``main``."""
    deprecated: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RegistryMeta:
        unknown = set(data) - {
            "created_days_ago",
            "versions",
            "published_days_ago",
            "previous_published_days_ago",
            "served",
            "deprecated",
        }
        if unknown:
            raise ValueError(f"unknown registry keys: {sorted(unknown)}")
        previous = data.get("previous_published_days_ago")
        return cls(
            created_days_ago=float(data["created_days_ago"]),
            versions=int(data["versions"]),
            published_days_ago=float(data.get("published_days_ago", 0)),
            previous_published_days_ago=None if previous is None else float(previous),
            served=dict(data.get("served", {})),
            deprecated=data.get("deprecated"),
        )


@dataclass(frozen=True, slots=True)
class Published:
    """One judged version: its package.json and tarball bytes."""

    version: str
    manifest: Mapping[str, Any]
    tgz: bytes


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _history_versions(count: int, below: str) -> list[str]:
    """``count`` plausible versions that all sort below ``below`` (a semver string)."""
    major = int(below.split(".", 1)[0])
    if major >= 1:
        return [f"{major - 1}.{i}.0" if major > 1 else f"0.{i + 1}.0" for i in range(count)]
    minor = int(below.split(".")[1])
    if minor >= 1:
        return [f"0.{minor - 1}.{i}" for i in range(count)]
    return [f"0.0.{i}" for i in range(count)]  # pragma: no cover - no stand-in starts at 0.0.x


def _version_document(
    name: str, published: Published, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    manifest = dict(published.manifest)
    scripts = manifest.get("scripts")
    document: dict[str, Any] = {"name": name, "version": published.version}
    if isinstance(scripts, dict):
        document["scripts"] = {k: v for k, v in scripts.items() if k in INSTALL_SCRIPT_NAMES}
    for key in ("dependencies", "optionalDependencies", "bin", "main", "os", "cpu"):
        if key in manifest:
            document[key] = manifest[key]
    for key, value in (overrides or {}).items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    basename = name.rsplit("/", 1)[-1]
    document["dist"] = {
        "integrity": sri_sha512(published.tgz),
        "shasum": hashlib.sha1(published.tgz).hexdigest(),
        "tarball": f"{FIXTURE_REGISTRY}{name}/-/{basename}-{published.version}.tgz",
    }
    return document


def registry_document(
    name: str, judged: Sequence[Published], meta: RegistryMeta, now: datetime
) -> dict[str, Any]:
    """The package document a registry would serve for a stand-in.

    ``judged`` are the versions the benchmark has tarballs for, oldest first; the rest of the
    package's history (``meta.versions`` in all) is made of earlier versions without tarballs,
    spread between the package's creation and the first judged version.
    """
    created = now - timedelta(days=meta.created_days_ago)
    newest_at = now - timedelta(days=meta.published_days_ago)
    previous_days = meta.previous_published_days_ago
    if previous_days is None:
        previous_days = (meta.created_days_ago + meta.published_days_ago) / 2
    times: dict[str, str] = {}
    versions: dict[str, Any] = {}
    history = _history_versions(max(0, meta.versions - len(judged)), judged[0].version)
    first_judged_at = newest_at if len(judged) == 1 else now - timedelta(days=previous_days)
    span = (first_judged_at - created) / (len(history) + 1) if history else timedelta(0)
    for index, version in enumerate(history):
        versions[version] = {
            **_version_document(name, Published(version, judged[0].manifest, b"")),
            "version": version,
        }
        del versions[version]["dist"]  # no tarball: these versions are never judged
        times[version] = _iso(created + span * index)
    for index, item in enumerate(judged):
        newest = index == len(judged) - 1
        versions[item.version] = _version_document(name, item, meta.served if newest else None)
        if newest and meta.deprecated:
            versions[item.version]["deprecated"] = meta.deprecated
        moment = newest_at if newest else first_judged_at
        times[item.version] = _iso(moment)
    times["created"] = _iso(created if history or len(judged) > 1 else newest_at)
    times["modified"] = _iso(newest_at)
    return {
        "name": name,
        "dist-tags": {"latest": judged[-1].version},
        "versions": versions,
        "time": times,
    }


def synthetic_packument(
    name: str, judged: Sequence[Published], meta: RegistryMeta, now: datetime
) -> Packument:
    """The stand-in's document as depscan's registry client would hand it to a check."""
    return trim_packument(registry_document(name, judged, meta, now), name)
