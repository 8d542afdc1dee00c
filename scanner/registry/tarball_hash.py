"""The one reading of an SRI ``integrity`` value, and the hash a tarball must match before anything
reads it.

Lockfile hygiene, the registry client and tarball verification all ask :func:`parse_integrity`, so
a value that verification cannot use is never "no findings" for hygiene. An SRI value is a list of
``<algorithm>-<base64 digest>[?options]`` tokens separated by whitespace. A token is usable when,
as npm's ssri reads it and as a hash can be checked against it:

- the algorithm is written in lower case (ssri's pattern is ``[a-z0-9]+``: ``SHA512-...`` is not
  an entry at all, so npm cannot verify the tarball with it);
- the algorithm is sha512, sha384, sha256 or sha1 (depscan verifies nothing weaker);
- the digest is the canonical base64 (standard alphabet, padded) of a hash of that algorithm's
  length: npm compares base64 text, so any other spelling of the digest never matches.

The strongest usable algorithm decides (as ssri does); the hex sha1 ``shasum`` of old package
documents is used only when there is no usable SRI entry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

ALGORITHMS_STRONGEST_FIRST = ("sha512", "sha384", "sha256", "sha1")
STRONG_ALGORITHMS = frozenset({"sha512", "sha384", "sha256"})
_SHOWN_TOKEN_CHARS = 24


@dataclass(frozen=True, slots=True)
class SriHash:
    algorithm: str
    digest: bytes


@dataclass(frozen=True, slots=True)
class Integrity:
    """A parsed SRI value: the entries a tarball can be checked against, and why the others
    cannot be used."""

    hashes: tuple[SriHash, ...]
    problems: tuple[str, ...] = ()
    """One line per token npm ignores or could never match, saying why."""

    @property
    def usable(self) -> bool:
        return bool(self.hashes)

    @property
    def strong(self) -> bool:
        """Some usable entry is stronger than sha1."""
        return any(h.algorithm in STRONG_ALGORITHMS for h in self.hashes)

    def digests(self, algorithm: str) -> frozenset[bytes]:
        return frozenset(h.digest for h in self.hashes if h.algorithm == algorithm)

    @property
    def algorithms(self) -> frozenset[str]:
        return frozenset(h.algorithm for h in self.hashes)


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


def parse_integrity(text: str) -> Integrity:
    """Every token of an SRI value: usable hashes, and a reason for each one that is not."""
    hashes: list[SriHash] = []
    problems: list[str] = []
    for token in text.split():
        parsed = _parse_token(token)
        if isinstance(parsed, SriHash):
            hashes.append(parsed)
        else:
            problems.append(parsed)
    if not hashes and not problems:
        problems.append("the value is empty")
    return Integrity(tuple(hashes), tuple(problems))


def _parse_token(token: str) -> SriHash | str:
    shown = _shown(token)
    algorithm, dash, rest = token.partition("-")
    if not dash or not algorithm or not rest:
        return f"{shown} is not <algorithm>-<base64 digest>"
    if algorithm.lower() in ALGORITHMS_STRONGEST_FIRST and algorithm != algorithm.lower():
        return f"{shown}: the algorithm must be written in lower case ({algorithm.lower()})"
    if algorithm not in ALGORITHMS_STRONGEST_FIRST:
        return f"{shown}: {algorithm!r} is not sha512, sha384, sha256 or sha1"
    encoded = rest.split("?", 1)[0]
    size = hashlib.new(algorithm).digest_size
    try:
        digest = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != size or base64.b64encode(digest).decode("ascii") != encoded:
        return f"{shown}: the digest is not the base64 of a {size}-byte {algorithm} hash"
    return SriHash(algorithm, digest)


def _shown(token: str) -> str:
    text = token if len(token) <= _SHOWN_TOKEN_CHARS else token[:_SHOWN_TOKEN_CHARS] + "..."
    return repr(text)


def expected_digest(integrity: str | None, shasum: str | None) -> ExpectedDigest | None:
    """What to verify against; ``None`` when neither value holds a usable hash."""
    parsed = parse_integrity(integrity or "")
    for algorithm in ALGORITHMS_STRONGEST_FIRST:
        digests = [h.digest for h in parsed.hashes if h.algorithm == algorithm]
        if digests:
            return ExpectedDigest(algorithm, tuple(digests))
    if shasum:
        try:
            digest = bytes.fromhex(shasum.strip())
        except ValueError:
            return None
        if len(digest) == hashlib.sha1().digest_size:
            return ExpectedDigest("sha1", (digest,), from_shasum=True)
    return None
