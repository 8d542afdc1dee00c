"""The pure ECDSA verification helpers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from scanner.signing import RegistryKey, Verdict, parse_keys, signed_message, verify
from scanner.timestamps import parse_time

from .fakes import RegistrySigner


def test_signed_message_is_name_at_version_colon_integrity() -> None:
    assert signed_message("@s/a", "1.0.0", "sha512-abc") == b"@s/a@1.0.0:sha512-abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-29T00:00:00.000Z", datetime(2025, 1, 29, tzinfo=UTC)),
        ("2025-01-29T02:00:00+02:00", datetime(2025, 1, 29, tzinfo=UTC)),
        ("2025-01-29T00:00:00", datetime(2025, 1, 29, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_time(text: object, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def _key(signer: RegistrySigner) -> RegistryKey:
    keys, unusable = parse_keys([signer.key_entry()])
    assert unusable == []
    return keys[signer.keyid]


def test_valid_invalid_and_malformed_signatures() -> None:
    signer = RegistrySigner()
    key = _key(signer)
    sig = signer.sign("a", "1.0.0", "sha512-x").sig
    assert verify(key, signed_message("a", "1.0.0", "sha512-x"), sig) is Verdict.VALID
    assert verify(key, signed_message("a", "1.0.1", "sha512-x"), sig) is Verdict.INVALID
    other = RegistrySigner().sign("a", "1.0.0", "sha512-x").sig
    assert verify(key, signed_message("a", "1.0.0", "sha512-x"), other) is Verdict.INVALID
    message = signed_message("a", "1.0.0", "sha512-x")
    assert verify(key, message, "not base64 !!") is Verdict.MALFORMED
    assert verify(key, message, "") is Verdict.MALFORMED
    garbage_der = base64.b64encode(b"\x30\x03\x02\x01").decode()
    assert verify(key, message, garbage_der) in (Verdict.INVALID, Verdict.MALFORMED)
    assert verify(key, message, garbage_der) is not Verdict.VALID


def test_parse_keys_reads_expiry_and_rejects_bad_entries_with_reasons() -> None:
    good = RegistrySigner("SHA256:good", expires="2025-01-29T00:00:00.000Z").key_entry()
    ed_der = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    p384_der = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    raw: list[object] = [
        good,
        "not an object",
        {"keytype": "ecdsa-sha2-nistp256", "key": good["key"]},
        {**good, "keyid": "SHA256:rsa", "keytype": "ssh-rsa"},
        {**good, "keyid": "SHA256:b64", "key": "%%%"},
        {**good, "keyid": "SHA256:der", "key": base64.b64encode(b"not der").decode()},
        {**good, "keyid": "SHA256:ed", "key": base64.b64encode(ed_der).decode()},
        {**good, "keyid": "SHA256:p384", "key": base64.b64encode(p384_der).decode()},
        {**good, "keyid": "SHA256:time", "expires": "soon"},
        {**good, "keyid": "SHA256:nokey", "key": None},
    ]
    keys, unusable = parse_keys(raw)
    assert list(keys) == ["SHA256:good"]
    assert keys["SHA256:good"].expires == datetime(2025, 1, 29, tzinfo=UTC)
    reasons = {u.keyid: u.reason for u in unusable}
    assert reasons == {
        None: "key entry has no keyid",
        "SHA256:rsa": "unsupported key type 'ssh-rsa' (expected ecdsa-sha2-nistp256)",
        "SHA256:b64": "key is not valid base64",
        "SHA256:der": "key is not a DER SubjectPublicKeyInfo",
        "SHA256:ed": "key is not an ECDSA P-256 public key",
        "SHA256:p384": "key is not an ECDSA P-256 public key",
        "SHA256:time": "key expiry 'soon' is not an ISO-8601 time",
        "SHA256:nokey": "key entry has no key",
    }
    assert len(unusable) == 9  # the string entry and the keyless one both have keyid None


def test_parse_keys_of_a_document_that_is_not_a_list() -> None:
    keys, unusable = parse_keys({"keys": "nope"})
    assert keys == {}
    assert [u.reason for u in unusable] == ["the keys document is not a list of keys"]
