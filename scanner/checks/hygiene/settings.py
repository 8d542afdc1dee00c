"""The knobs of the hygiene check, read from ``ScanContext.settings`` and validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.checks.hygiene.urls import normalize_host_entry
from scanner.errors import PolicyError
from scanner.model import Lockfile

ALLOWED_HOSTS_KEY = "hygiene.allowed-hosts"
FORBID_SOURCES_KEY = "hygiene.forbid-sources"
REGISTRY_URL_KEY = "registry-url"
CONFIG_REVISION_KEY = "config-revision"
"""Pull-request mode: the base revision yarn's files inside the repository are read from (the
working tree is the change author's, and a .yarnrc it adds could allow its own host)."""

YARN_FORMATS = frozenset({"yarn-v1", "yarn-berry"})

# Source kinds that `hygiene.forbid-sources` may name (the `SourceKind` values the listing reports).
LISTED_SOURCE_KINDS = ("git", "remote-tarball", "local-tarball", "local-directory", "link")


@dataclass(frozen=True, slots=True)
class HygieneSettings:
    allowed_hosts: frozenset[str] | None
    """Hosts (``host`` or ``host:port``, lower case) that ``resolved`` URLs may point at; ``None``
    when neither the setting nor the registry URL says, so the host rule cannot run. For a yarn
    lockfile, the registries yarn's own configuration names are allowed as well."""
    forbidden_sources: frozenset[str]


def _string_list(settings: Mapping[str, object], key: str) -> list[str] | None:
    value = settings.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        raise PolicyError("expected a list of strings", subject=key)
    return [item.strip() for item in items if item.strip()]


def read_settings(
    settings: Mapping[str, object],
    lockfile: Lockfile | None = None,
    env: Mapping[str, str] | None = None,
) -> HygieneSettings:
    """Validate the hygiene settings; a bad value is a :class:`PolicyError` naming the key.

    With a yarn ``lockfile``, the registries in yarn's configuration files for its folder (and
    ``env``, default: the process environment) are added to the allowed hosts; with a
    ``config-revision`` setting, the files inside the repository are that revision's.
    """
    hosts = _string_list(settings, ALLOWED_HOSTS_KEY)
    allowed: frozenset[str] | None
    if hosts is not None:
        normalized = [normalize_host_entry(h) for h in hosts]
        bad = [h for h, n in zip(hosts, normalized, strict=True) if n is None]
        if bad:
            raise PolicyError(f"not a host name or URL: {bad[0]!r}", subject=ALLOWED_HOSTS_KEY)
        allowed = frozenset(n for n in normalized if n is not None)
    else:
        registry = settings.get(REGISTRY_URL_KEY)
        if registry is None:
            allowed = None
        elif isinstance(registry, str) and (host := normalize_host_entry(registry)) is not None:
            allowed = frozenset({host})
        else:
            raise PolicyError(f"not a registry URL: {registry!r}", subject=REGISTRY_URL_KEY)

    if lockfile is not None and lockfile.format in YARN_FORMATS:
        yarn_hosts = _yarn_hosts(
            lockfile, os.environ if env is None else env, settings.get(CONFIG_REVISION_KEY)
        )
        if yarn_hosts:
            allowed = (allowed or frozenset()) | yarn_hosts

    forbidden = _string_list(settings, FORBID_SOURCES_KEY) or []
    unknown = [kind for kind in forbidden if kind not in LISTED_SOURCE_KINDS]
    if unknown:
        choices = ", ".join(LISTED_SOURCE_KINDS)
        message = f"unknown source kind {unknown[0]!r} (choose from {choices})"
        raise PolicyError(message, subject=FORBID_SOURCES_KEY)
    return HygieneSettings(allowed_hosts=allowed, forbidden_sources=frozenset(forbidden))


def _yarn_hosts(lockfile: Lockfile, env: Mapping[str, str], revision: object) -> frozenset[str]:
    from scanner.registry.yarnrc import RevisionFiles, yarn_registries

    if revision is not None and not isinstance(revision, RevisionFiles):
        raise PolicyError("expected a revision of the repository", subject=CONFIG_REVISION_KEY)
    folder = lockfile.path.parent
    registries = yarn_registries(lockfile.format, folder, env, revision)
    hosts = (normalize_host_entry(url) for url in registries.urls)
    return frozenset(h for h in hosts if h is not None)
