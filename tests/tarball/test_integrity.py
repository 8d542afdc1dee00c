from __future__ import annotations

import base64
import hashlib

import pytest

from scanner.errors import TarballError
from scanner.registry.tarball_hash import parse_integrity
from scanner.tarball.integrity import sri_sha512, verify_integrity

DATA = b"the published tarball bytes"
OTHER = b"something else entirely"


def sri(algorithm: str, data: bytes) -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def test_sha512_match_is_reported() -> None:
    assert verify_integrity(DATA, sri_sha512(DATA), None, "pkg@1.0.0") == "sha512"


def test_sha512_mismatch_names_the_package() -> None:
    with pytest.raises(TarballError) as caught:
        verify_integrity(OTHER, sri_sha512(DATA), None, "pkg@1.0.0")
    assert caught.value.subject == "pkg@1.0.0"
    assert "sha512 integrity mismatch" in caught.value.message


def test_sri_wins_over_a_matching_shasum() -> None:
    # A correct sha1 must not rescue bytes that fail the stronger hash.
    with pytest.raises(TarballError):
        verify_integrity(OTHER, sri_sha512(DATA), hashlib.sha1(OTHER).hexdigest(), "pkg@1.0.0")


def test_strongest_algorithm_of_a_multi_hash_string_decides() -> None:
    mixed = f"{sri('sha1', OTHER)} {sri('sha512', DATA)}"
    assert verify_integrity(DATA, mixed, None, "p") == "sha512"
    with pytest.raises(TarballError):
        verify_integrity(OTHER, mixed, None, "p")


def test_shasum_is_the_fallback() -> None:
    assert verify_integrity(DATA, None, hashlib.sha1(DATA).hexdigest().upper(), "p") == "sha1"
    with pytest.raises(TarballError, match="sha1 shasum mismatch"):
        verify_integrity(OTHER, None, hashlib.sha1(DATA).hexdigest(), "p")


def test_unusable_sri_falls_back_to_shasum() -> None:
    assert (
        verify_integrity(DATA, "md5-abc sha512-!!!", hashlib.sha1(DATA).hexdigest(), "p") == "sha1"
    )


def test_no_hash_at_all_is_refused() -> None:
    with pytest.raises(TarballError, match="no integrity hash"):
        verify_integrity(DATA, None, None, "p")
    with pytest.raises(TarballError):
        verify_integrity(DATA, "garbage", None, "p")


def test_parse_sri_keeps_known_algorithms_with_right_length() -> None:
    short = "sha512-" + base64.b64encode(b"too short").decode()
    parsed = parse_integrity(f"{sri('sha256', DATA)}?opt {short} foo-bar")
    assert parsed.algorithms == {"sha256"}
    assert parsed.digests("sha256") == {hashlib.sha256(DATA).digest()}
    assert len(parsed.problems) == 2
