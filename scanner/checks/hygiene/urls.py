"""Reading ``resolved`` values: scheme, host, and the package a registry tarball URL names.

Pure string work (no network). Lockfiles store either URLs (registry and remote tarballs, git) or
relative paths (links, workspaces); yarn v1 appends ``#<sha1>`` to tarball URLs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

_DEFAULT_PORTS = {"https": 443, "http": 80, "git+https": 443, "git+http": 80}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SHA1_HEX = re.compile(r"^[0-9a-f]{40}$")
# The authority's userinfo: from "//" to the last "@" before the path, query or fragment starts
# (where urlsplit ends the userinfo too, so `a@b@host` hides `a@b`).
_USERINFO = re.compile(r"^(\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")
REDACTED = "***"


@dataclass(frozen=True, slots=True)
class ResolvedUrl:
    raw: str
    scheme: str
    """Lower case, without the colon."""
    host: str
    """``host`` or ``host:port`` (default ports dropped), lower case; ``""`` when there is none."""
    hostname: str
    path: str
    """Percent-decoded path."""
    fragment: str


def _host_key(hostname: str, port: int | None, scheme: str) -> str:
    host = f"[{hostname}]" if ":" in hostname else hostname
    if port is None or _DEFAULT_PORTS.get(scheme) == port:
        return host
    return f"{host}:{port}"


@lru_cache(maxsize=65536)
def parse_resolved(text: str) -> ResolvedUrl | None:
    """Split a ``resolved`` value; ``None`` when it has no URL scheme (a path, or garbage)."""
    text = text.strip()
    if not _SCHEME.match(text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        # A port that is not a number, or a malformed IPv6 literal: keep the scheme so the
        # scheme rule still sees it, and give no host so the host rule reports it.
        scheme = text.split(":", 1)[0].lower()
        return ResolvedUrl(text, scheme, "", "", "", "")
    hostname = (parts.hostname or "").lower()
    scheme = parts.scheme.lower()
    host = _host_key(hostname, port, scheme) if hostname else ""
    return ResolvedUrl(text, scheme, host, hostname, unquote(parts.path), parts.fragment)


def redact_userinfo(text: str) -> str:
    """``text`` with its URL's ``user:password@`` shown as ``***@``.

    A ``resolved`` URL may carry a registry token (``https://user:token@host/...``, git's
    ``https://token@host/...``); findings quote ``resolved`` in messages and details, and reports
    go to CI logs, SARIF uploads and pull-request comments, so no rule may print it as it is.
    """
    return _USERINFO.sub(rf"\1{REDACTED}@", text, count=1)


def normalize_host_entry(entry: str) -> str | None:
    """An allowed-host setting (``host``, ``host:port`` or a registry URL) as a comparable key."""
    entry = entry.strip()
    if not entry:
        return None
    url = parse_resolved(entry if "://" in entry else f"https://{entry}")
    if url is None or not url.host:
        return None
    if "://" not in entry and ":" in entry.rsplit("]", 1)[-1]:
        # A bare `host:port` keeps its port even when it is a default one: the user wrote it.
        return entry.lower()
    return url.host


def is_loopback(hostname: str) -> bool:
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def yarn_sha1_fragment(url: ResolvedUrl) -> str | None:
    """The sha1 yarn v1 appends to tarball URLs (``...tgz#<40 hex>``), when present."""
    if url.scheme in ("http", "https") and _SHA1_HEX.match(url.fragment):
        return url.fragment
    return None


@dataclass(frozen=True, slots=True)
class TarballCoordinates:
    """What a registry tarball URL says it holds."""

    name: str
    """The package name from the path (``@scope/name`` for scoped packages)."""
    file_name_matches: bool
    """Whether the file name starts with that package's name (``name-`` + version + ``.tgz``)."""
    version: str | None
    """The version from the file name, when ``file_name_matches``."""


def registry_tarball_coordinates(url: ResolvedUrl) -> TarballCoordinates | None:
    """Name and version of a ``<registry>/<name>/-/<name>-<version>.tgz`` URL.

    Registries served under a path prefix work too: only the part around ``/-/`` is read.
    ``None`` when the URL does not have that shape (a registry with another layout).
    """
    marker = url.path.rfind("/-/")
    if marker <= 0 or not url.path.endswith(".tgz"):
        return None
    segments = url.path[:marker].split("/")
    if len(segments) >= 2 and segments[-2].startswith("@"):
        name = f"{segments[-2]}/{segments[-1]}"
    else:
        name = segments[-1]
    if not name or (name.startswith("@") and "/" not in name):
        return None
    base = name.rsplit("/", 1)[-1]
    file_name = url.path[marker + 3 : -len(".tgz")]
    if name.startswith("@") and file_name.startswith(name.split("/", 1)[0] + "/"):
        # Some registries repeat the scope in the file part: `@scope/name/-/@scope/name-1.0.0.tgz`.
        file_name = file_name.split("/", 1)[1]
    if "/" in file_name or not file_name.startswith(base + "-"):
        return TarballCoordinates(name, file_name_matches=False, version=None)
    return TarballCoordinates(name, file_name_matches=True, version=file_name[len(base) + 1 :])
