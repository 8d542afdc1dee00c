"""Verifying npm registry signatures: ECDSA P-256 with SHA-256 over ``name@version:integrity``.

Pure functions over values: the keys document comes from the registry client, the signatures from
package documents. Nothing here raises for bad input; unreadable keys are returned as
:class:`UnusableKey` with a reason, unreadable signatures verify as :attr:`Verdict.MALFORMED`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scanner.timestamps import parse_time

KEY_TYPE = "ecdsa-sha2-nistp256"


@dataclass(frozen=True, slots=True)
class RegistryKey:
    keyid: str
    public_key: ec.EllipticCurvePublicKey
    expires: datetime | None
    """After this instant the key signs nothing new; ``None`` when it does not expire."""


@dataclass(frozen=True, slots=True)
class UnusableKey:
    keyid: str | None
    reason: str


class Verdict(Enum):
    VALID = "valid"
    INVALID = "invalid"
    MALFORMED = "malformed"
    """The signature is not base64 or not a DER ECDSA signature."""


def _decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _parse_key(raw: object) -> RegistryKey | UnusableKey:
    if not isinstance(raw, dict):
        return UnusableKey(None, "key entry is not an object")
    keyid = raw.get("keyid")
    if not isinstance(keyid, str) or not keyid:
        return UnusableKey(None, "key entry has no keyid")
    keytype = raw.get("keytype")
    if keytype != KEY_TYPE:
        return UnusableKey(keyid, f"unsupported key type {keytype!r} (expected {KEY_TYPE})")
    encoded = raw.get("key")
    if not isinstance(encoded, str):
        return UnusableKey(keyid, "key entry has no key")
    der = _decode_base64(encoded)
    if der is None:
        return UnusableKey(keyid, "key is not valid base64")
    try:
        public_key = serialization.load_der_public_key(der)
    except (ValueError, UnsupportedAlgorithm):
        return UnusableKey(keyid, "key is not a DER SubjectPublicKeyInfo")
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        return UnusableKey(keyid, "key is not an ECDSA P-256 public key")
    expires_raw = raw.get("expires")
    expires = parse_time(expires_raw)
    if expires_raw is not None and expires is None:
        return UnusableKey(keyid, f"key expiry {expires_raw!r} is not an ISO-8601 time")
    return RegistryKey(keyid, public_key, expires)


def parse_keys(raw_keys: object) -> tuple[dict[str, RegistryKey], list[UnusableKey]]:
    """The usable keys of a registry keys list by key id, and why the others are unusable."""
    if not isinstance(raw_keys, list):
        return {}, [UnusableKey(None, "the keys document is not a list of keys")]
    usable: dict[str, RegistryKey] = {}
    unusable: list[UnusableKey] = []
    for raw in raw_keys:
        parsed = _parse_key(raw)
        if isinstance(parsed, RegistryKey):
            usable[parsed.keyid] = parsed
        else:
            unusable.append(parsed)
    return usable, unusable


def signed_message(name: str, version: str, integrity: str) -> bytes:
    """The bytes the registry signs for one package version."""
    return f"{name}@{version}:{integrity}".encode()


def verify(key: RegistryKey, message: bytes, signature: str) -> Verdict:
    """Check a base64 DER ECDSA signature of ``message`` against ``key``."""
    der = _decode_base64(signature)
    if der is None or not der:
        return Verdict.MALFORMED
    try:
        key.public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return Verdict.INVALID
    except ValueError:
        return Verdict.MALFORMED
    return Verdict.VALID
