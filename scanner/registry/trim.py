"""Trimming a registry package document to the :class:`Packument` depscan keeps.

A full package document can be tens of MB (every version's README, file lists, ...). It is turned
into a :class:`Packument` right after parsing and the rest is dropped. The trimmed form is written
back out as a small document of the same shape (:func:`packument_to_document`), so the on-disk
cache is JSON that :func:`trim_packument` reads exactly like a registry answer.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.registry.packument import INSTALL_SCRIPT_NAMES, Packument, Signature, VersionInfo

# ``scheme://anything@``: the part of a URL's authority before an ``@``, where credentials go.
_URL_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:/*)([^/?#]*@)")


class NotAPackument(ValueError):
    """The JSON is not a package document for the requested name; ``str()`` is a short reason."""


def trim_packument(document: object, requested_name: str) -> Packument:
    """Keep only what :class:`Packument` holds. Malformed fields are dropped, not guessed at.

    Raises :class:`NotAPackument` when ``document`` is not a package document for
    ``requested_name`` (not an object, no ``versions``, another package, unpublished).
    """
    if not isinstance(document, dict):
        raise NotAPackument(f"registry answered a JSON {type(document).__name__}, not an object")
    name = document.get("name")
    if name != requested_name:
        if isinstance(document.get("error"), str):
            raise NotAPackument(f"registry error: {_shorten(document['error'])}")
        shown = _shorten(name) if isinstance(name, str) else "no name"
        raise NotAPackument(f"registry document is for {shown!r}, not {requested_name!r}")
    raw_versions = document.get("versions")
    if not isinstance(raw_versions, dict):
        time = document.get("time")
        if isinstance(time, dict) and "unpublished" in time:
            raise NotAPackument("unpublished from the registry")
        raise NotAPackument("registry document has no versions")

    versions = {
        version: _trim_version(version, manifest, requested_name)
        for version, manifest in raw_versions.items()
        if isinstance(version, str) and isinstance(manifest, dict)
    }
    return Packument(
        name=requested_name,
        versions=versions,
        time=_str_map(document.get("time")),
        maintainers=_people(document.get("maintainers")),
        dist_tags=_str_map(document.get("dist-tags")),
    )


def packument_to_document(packument: Packument) -> dict[str, Any]:
    """The trimmed packument as a registry-shaped document; ``trim_packument`` reads it back."""
    document: dict[str, Any] = {
        "name": packument.name,
        "versions": {v: _version_to_manifest(info) for v, info in packument.versions.items()},
        "time": dict(packument.time),
        "dist-tags": dict(packument.dist_tags),
    }
    if packument.maintainers is not None:
        document["maintainers"] = [{"name": m} for m in packument.maintainers]
    return document


def _trim_version(version: str, manifest: dict[str, Any], package_name: str) -> VersionInfo:
    scripts = _str_map(manifest.get("scripts"))
    raw_dist = manifest.get("dist")
    dist: dict[str, Any] = raw_dist if isinstance(raw_dist, dict) else {}
    npm_user = manifest.get("_npmUser")
    trusted = npm_user.get("trustedPublisher") if isinstance(npm_user, dict) else None
    deprecated = manifest.get("deprecated")
    return VersionInfo(
        version=version,
        scripts={k: v for k, v in scripts.items() if k in INSTALL_SCRIPT_NAMES},
        gypfile=manifest.get("gypfile") is True,
        publisher=_person_name(npm_user),
        trusted_publisher=trusted if isinstance(trusted, dict) else None,
        maintainers=_people(manifest.get("maintainers")),
        integrity=_str_or_none(dist.get("integrity")),
        shasum=_str_or_none(dist.get("shasum")),
        tarball=_without_userinfo(_str_or_none(dist.get("tarball"))),
        signatures=_signatures(dist.get("signatures")),
        attestations=dist["attestations"] if isinstance(dist.get("attestations"), dict) else None,
        dependencies=_str_map(manifest.get("dependencies")),
        optional_dependencies=_str_map(manifest.get("optionalDependencies")),
        bin=_bin_map(manifest.get("bin"), package_name),
        main=_str_or_none(manifest.get("main")),
        deprecated=deprecated if isinstance(deprecated, str) and deprecated else None,
    )


def _version_to_manifest(info: VersionInfo) -> dict[str, Any]:
    manifest: dict[str, Any] = {"version": info.version}
    if info.scripts:
        manifest["scripts"] = dict(info.scripts)
    if info.gypfile:
        manifest["gypfile"] = True
    npm_user: dict[str, Any] = {}
    if info.publisher is not None:
        npm_user["name"] = info.publisher
    if info.trusted_publisher is not None:
        npm_user["trustedPublisher"] = info.trusted_publisher
    if npm_user:
        manifest["_npmUser"] = npm_user
    if info.maintainers is not None:
        manifest["maintainers"] = [{"name": m} for m in info.maintainers]
    dist: dict[str, Any] = {}
    for key, value in (
        ("integrity", info.integrity),
        ("shasum", info.shasum),
        ("tarball", info.tarball),
        ("attestations", info.attestations),
    ):
        if value is not None:
            dist[key] = value
    if info.signatures:
        dist["signatures"] = [{"keyid": s.keyid, "sig": s.sig} for s in info.signatures]
    if dist:
        manifest["dist"] = dist
    for key, mapping in (
        ("dependencies", info.dependencies),
        ("optionalDependencies", info.optional_dependencies),
        ("bin", info.bin),
    ):
        if mapping:
            manifest[key] = dict(mapping)
    if info.main is not None:
        manifest["main"] = info.main
    if info.deprecated is not None:
        manifest["deprecated"] = info.deprecated
    return manifest


def _without_userinfo(url: str | None) -> str | None:
    """A tarball URL with any ``user:password@`` blanked out, so no credential reaches the cache.

    The result still holds an ``@``, so the client still refuses to fetch it, saying why.
    """
    return _URL_USERINFO.sub(r"\1***@", url) if url else url


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _person_name(person: object) -> str | None:
    """A person's name from ``{"name": ...}`` or the old ``"Name <email> (url)"`` string form."""
    if isinstance(person, dict):
        name = person.get("name")
        return name if isinstance(name, str) and name else None
    if isinstance(person, str):
        name = person.split("<", 1)[0].split("(", 1)[0].strip()
        return name or None
    return None


def _people(value: object) -> tuple[str, ...] | None:
    """Names of a maintainers list; ``None`` when the document does not have one."""
    if not isinstance(value, list):
        return None
    names = (_person_name(person) for person in value)
    return tuple(name for name in names if name is not None)


def _signatures(value: object) -> tuple[Signature, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        Signature(keyid=item["keyid"], sig=item["sig"])
        for item in value
        if isinstance(item, dict)
        and isinstance(item.get("keyid"), str)
        and isinstance(item.get("sig"), str)
    )


def _bin_map(value: object, package_name: str) -> dict[str, str]:
    # A string `bin` is one command named after the package (without its scope), as npm reads it.
    if isinstance(value, str):
        return {package_name.rsplit("/", 1)[-1]: value}
    return _str_map(value)


def _shorten(text: str, limit: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."
