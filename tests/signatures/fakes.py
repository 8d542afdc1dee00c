"""A fake registry client (same methods as RegistryClient) and helpers to sign like a registry."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner.checks.base import ScanContext
from scanner.model import Lockfile, PackageNode, SourceKind
from scanner.registry.packument import Packument, Signature, Unavailable, VersionInfo

if TYPE_CHECKING:
    from scanner.registry.client import RegistryClient

REGISTRY = "https://registry.example.test/"


class FakeRegistry:
    def __init__(
        self,
        documents: dict[str, Packument | Unavailable],
        keys: list[dict[str, Any]] | Unavailable | Any = (),
    ) -> None:
        self.documents = documents
        self.keys = keys
        self.requested: list[str] = []

    def packuments(self, names: Iterable[str]) -> dict[str, Packument | Unavailable]:
        wanted = list(names)
        self.requested.extend(wanted)
        return {n: self.packument(n) for n in wanted}

    def packument(self, name: str) -> Packument | Unavailable:
        return self.documents.get(name, Unavailable(name, "not found in registry"))

    def tarball(self, url: str, *, integrity: str | None, shasum: str | None, name: str) -> bytes:
        raise AssertionError("signature and provenance checks never download tarballs")

    def signing_keys(self) -> list[dict[str, Any]] | Unavailable:
        return cast("list[dict[str, Any]] | Unavailable", self.keys)

    def close(self) -> None:
        pass


class RegistrySigner:
    """A P-256 key pair standing in for the registry's signing key."""

    def __init__(self, keyid: str = "SHA256:test-key", expires: str | None = None) -> None:
        self.keyid = keyid
        self.expires = expires
        self.private_key = ec.generate_private_key(ec.SECP256R1())

    def key_entry(self) -> dict[str, Any]:
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "keyid": self.keyid,
            "keytype": "ecdsa-sha2-nistp256",
            "scheme": "ecdsa-sha2-nistp256",
            "key": base64.b64encode(der).decode(),
            "expires": self.expires,
        }

    def sign(self, name: str, version: str, integrity: str) -> Signature:
        message = f"{name}@{version}:{integrity}".encode()
        der = self.private_key.sign(message, ec.ECDSA(hashes.SHA256()))
        return Signature(self.keyid, base64.b64encode(der).decode())


def integrity_of(label: str) -> str:
    """A well-formed sha512 SRI value distinct per label."""
    body = base64.b64encode(label.encode().ljust(64, b"\0")).decode()
    return f"sha512-{body}"


def version_info(
    version: str,
    *,
    integrity: str | None = None,
    signatures: tuple[Signature, ...] = (),
    attestations: dict[str, Any] | None = None,
    trusted_publisher: dict[str, Any] | None = None,
) -> VersionInfo:
    return VersionInfo(
        version=version,
        integrity=integrity,
        signatures=signatures,
        attestations=attestations,
        trusted_publisher=trusted_publisher,
    )


def packument(name: str, versions: list[VersionInfo], times: dict[str, str]) -> Packument:
    return Packument(name=name, versions={v.version: v for v in versions}, time=dict(times))


def node(
    name: str,
    version: str,
    integrity: str | None,
    *,
    location: str | None = None,
    alias: str | None = None,
    resolved: str | None = None,
    line: int = 10,
    in_bundle: bool = False,
) -> PackageNode:
    base = name.rsplit("/", 1)[-1]
    return PackageNode(
        location=location or f"node_modules/{alias or name}",
        name=name,
        version=version,
        source=SourceKind.REGISTRY,
        alias=alias,
        resolved=resolved or f"{REGISTRY}{name}/-/{base}-{version}.tgz",
        integrity=integrity,
        line=line,
        in_bundle=in_bundle,
    )


def lockfile_of(nodes: Iterable[PackageNode]) -> Lockfile:
    root = PackageNode("", "app", "1.0.0", SourceKind.ROOT, line=1)
    return Lockfile(
        path=Path("package-lock.json"),
        format="npm-package-lock",
        format_version="3",
        nodes={n.location: n for n in [root, *nodes]},
        roots=("",),
    )


def context(
    nodes: Iterable[PackageNode], registry: FakeRegistry, settings: dict[str, object] | None = None
) -> ScanContext:
    return ScanContext(
        lockfile=lockfile_of(nodes),
        registry=cast("RegistryClient", registry),
        settings=settings or {},
    )
