"""Checking a downloaded tarball against the hash the lockfile or registry recorded for it.

Nothing reads a registry tarball before this passes: a tarball whose bytes are not the ones that
were published must never be parsed, let alone diffed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from scanner.errors import TarballError

# Strongest first: npm keeps only the strongest algorithm of an SRI string when it verifies.
_SRI_ALGORITHMS = ("sha512", "sha384", "sha256", "sha1")


def parse_sri(integrity: str) -> dict[str, list[bytes]]:
    """Digests of an SRI string (``sha512-<base64> sha1-<base64>``) by algorithm.

    Entries with an unknown algorithm or undecodable base64 are ignored, as browsers and npm do;
    options after ``?`` are dropped.
    """
    digests: dict[str, list[bytes]] = {}
    for token in integrity.split():
        algorithm, sep, rest = token.partition("-")
        if not sep or algorithm not in _SRI_ALGORITHMS:
            continue
        encoded = rest.split("?", 1)[0]
        try:
            digest = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(digest) != hashlib.new(algorithm).digest_size:
            continue
        digests.setdefault(algorithm, []).append(digest)
    return digests


def verify_integrity(data: bytes, integrity: str | None, shasum: str | None, subject: str) -> str:
    """Raise :class:`TarballError` unless ``data`` matches its recorded hash.

    The strongest algorithm of the SRI ``integrity`` decides; the hex sha1 ``shasum`` is used only
    when there is no usable SRI. Returns what was verified (``"sha512"`` or ``"sha1"``) so callers
    can report it.
    """
    if integrity:
        digests = parse_sri(integrity)
        for algorithm in _SRI_ALGORITHMS:
            expected = digests.get(algorithm)
            if not expected:
                continue
            actual = hashlib.new(algorithm, data).digest()
            if any(hmac.compare_digest(actual, e) for e in expected):
                return algorithm
            raise TarballError(
                f"{algorithm} integrity mismatch: expected {integrity.split()[0][:30]}..., "
                f"got {algorithm}-{base64.b64encode(actual).decode()[:22]}...",
                subject=subject,
            )
    if shasum:
        actual_hex = hashlib.sha1(data).hexdigest()
        if hmac.compare_digest(actual_hex, shasum.strip().lower()):
            return "sha1"
        raise TarballError(
            f"sha1 shasum mismatch: expected {shasum.strip()}, got {actual_hex}", subject=subject
        )
    raise TarballError("no integrity hash or shasum to verify the tarball against", subject=subject)


def sri_sha512(data: bytes) -> str:
    """The ``sha512-<base64>`` SRI string of ``data`` (what npm records for a tarball)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
