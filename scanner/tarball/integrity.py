"""Checking a downloaded tarball against the hash the lockfile or registry recorded for it.

Nothing reads a registry tarball before this passes: a tarball whose bytes are not the ones that
were published must never be parsed, let alone diffed. Which hash counts (the strongest usable SRI
entry, else the hex sha1 ``shasum``) is decided by the project's one SRI parser,
:mod:`scanner.registry.tarball_hash`, which the registry client and lockfile hygiene use too.
"""

from __future__ import annotations

import base64
import hashlib

from scanner.errors import TarballError
from scanner.registry.tarball_hash import expected_digest


def verify_integrity(data: bytes, integrity: str | None, shasum: str | None, subject: str) -> str:
    """Raise :class:`TarballError` unless ``data`` matches its recorded hash.

    Returns what was verified (``"sha512"`` or ``"sha1"``) so callers can report it.
    """
    expected = expected_digest(integrity, shasum)
    if expected is None:
        raise TarballError(
            "no integrity hash or shasum to verify the tarball against", subject=subject
        )
    if expected.matches(data):
        return expected.algorithm
    if expected.from_shasum:
        raise TarballError(
            f"sha1 shasum mismatch: expected {(shasum or '').strip()}, "
            f"got {hashlib.sha1(data).hexdigest()}",
            subject=subject,
        )
    recorded = (integrity or "").split()[0][:30]
    actual = expected.describe_actual(data)[: len(expected.algorithm) + 23]
    raise TarballError(
        f"{expected.algorithm} integrity mismatch: expected {recorded}..., got {actual}...",
        subject=subject,
    )


def sri_sha512(data: bytes) -> str:
    """The ``sha512-<base64>`` SRI string of ``data`` (what npm records for a tarball)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
