"""The hash a downloaded tarball must match before anything reads it.

The strongest algorithm of the SRI ``integrity`` decides (as npm's ssri does); the hex sha1
``shasum`` of old package documents is used only when there is no usable SRI entry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

_ALGORITHMS_STRONGEST_FIRST = ("sha512", "sha384", "sha256", "sha1")


@dataclass(frozen=True, slots=True)
class ExpectedDigest:
    algorithm: str
    digests: tuple[bytes, ...]
    """Any one of these matching is enough (an SRI string may list several)."""
    from_shasum: bool = False
    """True when it came from the hex ``shasum`` rather than the SRI ``integrity``."""

    @property
    def cache_key(self) -> str:
        """``<algorithm>-<base64>``: the same key whether it came from SRI or a hex shasum."""
        return f"{self.algorithm}-{base64.b64encode(self.digests[0]).decode('ascii')}"

    def matches(self, data: bytes) -> bool:
        actual = hashlib.new(self.algorithm, data).digest()
        return any(hmac.compare_digest(actual, expected) for expected in self.digests)

    def describe_actual(self, data: bytes) -> str:
        actual = hashlib.new(self.algorithm, data).digest()
        return f"{self.algorithm}-{base64.b64encode(actual).decode('ascii')}"


def parse_sri(integrity: str) -> dict[str, list[bytes]]:
    """Digests of an SRI string (``sha512-<base64> sha1-<base64>``) by algorithm.

    Entries with an unknown algorithm, undecodable base64 or the wrong length are ignored, as
    browsers and npm do; options after ``?`` are dropped.
    """
    by_algorithm: dict[str, list[bytes]] = {}
    for token in integrity.split():
        algorithm, dash, encoded = token.partition("-")
        if not dash or algorithm not in _ALGORITHMS_STRONGEST_FIRST:
            continue
        try:
            digest = base64.b64decode(encoded.split("?", 1)[0], validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(digest) == hashlib.new(algorithm).digest_size:
            by_algorithm.setdefault(algorithm, []).append(digest)
    return by_algorithm


def expected_digest(integrity: str | None, shasum: str | None) -> ExpectedDigest | None:
    """What to verify against; ``None`` when neither value holds a usable hash."""
    by_algorithm = parse_sri(integrity or "")
    for algorithm in _ALGORITHMS_STRONGEST_FIRST:
        if algorithm in by_algorithm:
            return ExpectedDigest(algorithm, tuple(by_algorithm[algorithm]))
    if shasum:
        try:
            digest = bytes.fromhex(shasum.strip())
        except ValueError:
            return None
        if len(digest) == hashlib.sha1().digest_size:
            return ExpectedDigest("sha1", (digest,), from_shasum=True)
    return None
