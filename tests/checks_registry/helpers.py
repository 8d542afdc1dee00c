"""A fake registry client, fixture package documents and tiny lockfiles for the registry checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scanner.checks.base import ScanContext
from scanner.model import Lockfile, PackageNode, SourceKind
from scanner.registry.packument import Packument, Unavailable, VersionInfo

if TYPE_CHECKING:
    from scanner.registry.client import RegistryClient

PACKUMENTS = Path(__file__).resolve().parents[1] / "fixtures" / "registry" / "packuments"


def _names(people: object) -> tuple[str, ...] | None:
    if not isinstance(people, list):
        return None
    return tuple(
        p["name"] for p in people if isinstance(p, dict) and isinstance(p.get("name"), str)
    )


def packument_from_document(document: Mapping[str, Any]) -> Packument:
    """The fields the checks read, taken from a registry-shaped document (test-only reading)."""
    versions = {}
    for version, manifest in document["versions"].items():
        npm_user = manifest.get("_npmUser")
        versions[version] = VersionInfo(
            version=version,
            scripts={
                k: v
                for k, v in manifest.get("scripts", {}).items()
                if k in ("preinstall", "install", "postinstall", "prepare")
            },
            gypfile=manifest.get("gypfile") is True,
            publisher=npm_user.get("name") if isinstance(npm_user, dict) else None,
            maintainers=_names(manifest.get("maintainers")),
            integrity=manifest.get("dist", {}).get("integrity"),
            dependencies=dict(manifest.get("dependencies", {})),
        )
    return Packument(
        name=document["name"],
        versions=versions,
        time=dict(document.get("time", {})),
        maintainers=_names(document.get("maintainers")),
        dist_tags=dict(document.get("dist-tags", {})),
    )


def fixture_packument(name: str) -> Packument:
    document = json.loads((PACKUMENTS / f"{name}.json").read_text(encoding="utf-8"))
    return packument_from_document(document)


def release(
    version: str,
    *,
    time: str | None = None,
    publisher: str | None = None,
    maintainers: Iterable[str] | None = None,
    scripts: Mapping[str, str] | None = None,
    gypfile: bool = False,
) -> tuple[VersionInfo, str | None]:
    info = VersionInfo(
        version=version,
        scripts=dict(scripts or {}),
        gypfile=gypfile,
        publisher=publisher,
        maintainers=tuple(maintainers) if maintainers is not None else None,
    )
    return info, time


def make_packument(name: str, *releases: tuple[VersionInfo, str | None]) -> Packument:
    """A document from ``release(...)`` values; publish times only for releases that give one."""
    return Packument(
        name=name,
        versions={info.version: info for info, _ in releases},
        time={info.version: time for info, time in releases if time is not None},
    )


class FakeRegistry:
    """Answers from a dict of documents; records what was asked so tests can count fetches."""

    def __init__(self, documents: Iterable[Packument | Unavailable] = ()) -> None:
        self.documents: dict[str, Packument | Unavailable] = {d.name: d for d in documents}
        self.calls: list[list[str]] = []

    def packuments(self, names: Iterable[str]) -> dict[str, Packument | Unavailable]:
        asked = list(names)
        self.calls.append(asked)
        return {n: self.documents.get(n, Unavailable(n, "HTTP 404 Not Found")) for n in asked}

    def packument(self, name: str) -> Packument | Unavailable:
        return self.packuments([name])[name]

    def tarball(self, url: str, *, integrity: str | None, shasum: str | None, name: str) -> bytes:
        raise AssertionError("the checks under test never download tarballs")

    def signing_keys(self) -> list[dict[str, Any]] | Unavailable:
        return Unavailable("-/npm/v1/keys", "not served by the fake")

    def close(self) -> None:
        pass


def node(
    name: str,
    version: str,
    *,
    source: SourceKind = SourceKind.REGISTRY,
    has_install_script: bool | None = None,
    location: str | None = None,
) -> PackageNode:
    return PackageNode(
        location=location or f"node_modules/{name}",
        name=name,
        version=version,
        source=source,
        has_install_script=has_install_script,
        line=7,
    )


def make_lockfile(project_dir: Path, *nodes: PackageNode) -> Lockfile:
    root = PackageNode(location="", name="app", version="1.0.0", source=SourceKind.ROOT)
    return Lockfile(
        path=project_dir / "package-lock.json",
        format="npm-package-lock",
        format_version="3",
        nodes={"": root, **{n.location: n for n in nodes}},
        roots=("",),
    )


def make_context(
    project_dir: Path,
    nodes: Iterable[PackageNode],
    registry: FakeRegistry | None,
    settings: Mapping[str, object] | None = None,
) -> ScanContext:
    return ScanContext(
        lockfile=make_lockfile(project_dir, *nodes),
        offline=registry is None,
        registry=cast("RegistryClient", registry) if registry is not None else None,
        settings=dict(settings or {}),
    )
