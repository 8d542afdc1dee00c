"""Which credentials go with a request: npm's nerf-dart scoping, and when depscan withholds them.

npm keys credentials by *nerf-dart*, ``//host[:port]/path/``: a token configured for a registry
goes to that host and port, under that path, and nowhere else. depscan applies the same lookup to
the one parsed :class:`~scanner.registry.url.RegistryUrl` the request is sent to, and is stricter
than npm in two ways:

- credentials never travel over plain http, except to this machine by its literal name
  (``localhost``, 127.0.0.0/8, ``::1``), where nothing crosses a network; a local registry proxy or
  a test server on 127.0.0.1 keeps working;
- credentials never follow a redirect to another origin (the client follows redirects itself and
  asks :func:`may_follow_with_credentials`).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from scanner.errors import RegistryError
from scanner.registry.url import RegistryUrl, normalise_nerf_dart

AUTH_FIELDS = ("_authToken", "_auth", "username", "_password")
# What an HTTP header value may carry: visible ASCII. A token with a newline would add headers.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class AuthEntry:
    """Credentials for one nerf-dart (``//host[:port]/path/``). Secrets never appear in repr."""

    token: str | None = field(default=None, repr=False)
    basic: str | None = field(default=None, repr=False)
    """base64 of ``username:password``, the value of a Basic Authorization header."""

    def header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.basic:
            return f"Basic {self.basic}"
        return None


def may_carry_credentials(target: RegistryUrl) -> bool:
    """https, or http to this machine by its literal name."""
    return target.scheme == "https" or target.is_loopback


def may_follow_with_credentials(first: RegistryUrl, target: RegistryUrl) -> bool:
    """Whether a redirect from ``first`` to ``target`` may carry credentials: same origin only."""
    return first.origin == target.origin


def configured_entry(auth: Mapping[str, AuthEntry], target: RegistryUrl) -> AuthEntry | None:
    """The credentials of the longest nerf-dart that is a prefix of ``target``, as npm finds them.

    The URL's ``//host[:port]/path`` is shortened one segment at a time, so a registry's token also
    covers tarballs under it, and never a different host, port or path.
    """
    key = target.nerf_dart
    while len(key) > 2:
        entry = auth.get(key)
        if entry is not None and entry.header() is not None:
            return entry
        key = re.sub(r"([^/]+|/)$", "", key)
    return None


def auth_entries(
    settings: Mapping[str, str], source_of: Callable[[str], str]
) -> dict[str, AuthEntry]:
    """Credentials by nerf-dart from merged npm settings (``//host/:_authToken`` and friends).

    ``source_of(key)`` names the file or layer a setting came from, for error messages. Values that
    cannot go into an HTTP header are refused, naming the setting but never showing it.
    """
    fields_by_dart: dict[str, dict[str, str]] = {}
    for key, value in settings.items():
        if not key.startswith("//") or ":" not in key:
            continue
        dart, _, name = key.rpartition(":")
        if name in AUTH_FIELDS and value:
            fields_by_dart.setdefault(normalise_nerf_dart(dart), {})[name] = key

    entries: dict[str, AuthEntry] = {}
    for dart, keys in fields_by_dart.items():
        # Same order as npm: a token wins, then username + password, then _auth.
        if "_authToken" in keys:
            key = keys["_authToken"]
            entries[dart] = AuthEntry(token=_header_safe(settings[key], key, source_of))
        elif "username" in keys and "_password" in keys:
            password = _decode_password(settings[keys["_password"]], keys["_password"], source_of)
            username = settings[keys["username"]]
            try:
                pair = f"{username}:{password}".encode()
            except UnicodeEncodeError:
                raise RegistryError(
                    f"`{keys['username']}` is not valid text", subject=source_of(keys["username"])
                ) from None
            entries[dart] = AuthEntry(basic=base64.b64encode(pair).decode("ascii"))
        elif "_auth" in keys:
            key = keys["_auth"]
            entries[dart] = AuthEntry(basic=_header_safe(settings[key], key, source_of))
    return entries


def _header_safe(value: str, key: str, source_of: Callable[[str], str]) -> str:
    if not _HEADER_SAFE.fullmatch(value):
        raise RegistryError(
            f"`{key}` holds whitespace, control or non-ASCII characters, which an HTTP header "
            "cannot carry",
            subject=source_of(key),
        )
    return value


def _decode_password(encoded: str, key: str, source_of: Callable[[str], str]) -> str:
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise RegistryError(
            f"`{key}` is not base64 (npm stores `_password` base64-encoded)",
            subject=source_of(key),
        ) from None
