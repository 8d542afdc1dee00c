"""Registry signatures end to end: the fixture registry publishes a P-256 key this test generates
at ``/-/npm/v1/keys``, and package documents carry ``dist.signatures`` over
``name@version:integrity``, some valid, some not."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.e2e.helpers import Depscan, Locked, read_packument, write_json, write_lockfile
from tests.support.registry_server import FixtureRegistry

CHECK = "registry-signature"


@dataclass(frozen=True)
class SigningKey:
    private: ec.EllipticCurvePrivateKey
    keyid: str

    @classmethod
    def generate(cls) -> SigningKey:
        private = ec.generate_private_key(ec.SECP256R1())
        der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # npm's key ids are "SHA256:" and the base64 SHA-256 of the public key.
        keyid = "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
        return cls(private, keyid)

    def published(self, expires: str | None = None) -> dict[str, object]:
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "expires": expires,
            "keyid": self.keyid,
            "keytype": "ecdsa-sha2-nistp256",
            "scheme": "ecdsa-sha2-nistp256",
            "key": base64.b64encode(der).decode(),
        }

    def sign(self, message: str) -> dict[str, str]:
        signature = self.private.sign(message.encode(), ec.ECDSA(hashes.SHA256()))
        return {"keyid": self.keyid, "sig": base64.b64encode(signature).decode()}


@dataclass(frozen=True)
class SignedRegistry:
    root: Path
    key: SigningKey
    expired_key: SigningKey

    def integrity(self, name: str, version: str) -> str:
        value: str = read_packument(self.root, name)["versions"][version]["dist"]["integrity"]
        return value

    def set_signatures(self, name: str, version: str, signatures: list[dict[str, str]]) -> None:
        document = read_packument(self.root, name)
        document["versions"][version]["dist"]["signatures"] = signatures
        write_json(self.root / "packuments" / f"{name}.json", document)

    def sign_properly(self, name: str, version: str, key: SigningKey | None = None) -> None:
        message = f"{name}@{version}:{self.integrity(name, version)}"
        self.set_signatures(name, version, [(key or self.key).sign(message)])


@pytest.fixture
def signed(registry_root: Path) -> SignedRegistry:
    key, expired_key = SigningKey.generate(), SigningKey.generate()
    keys = [key.published(), expired_key.published(expires="2021-01-01T00:00:00.000Z")]
    write_json(registry_root / "keys.json", {"keys": keys})
    return SignedRegistry(registry_root, key, expired_key)


def test_valid_tampered_unknown_and_missing_signatures(
    depscan: Depscan, signed: SignedRegistry, registry_root: Path
) -> None:
    signed.sign_properly("event-stream", "3.3.6")
    # A signature made over something else than what the document and lockfile hold.
    signed.set_signatures(
        "ua-parser-js",
        "0.7.28",
        [signed.key.sign("ua-parser-js@0.7.28:" + signed.integrity("ua-parser-js", "0.7.30"))],
    )
    stranger = SigningKey.generate()
    signed.sign_properly("flatmap-stream", "0.1.1", key=stranger)
    # left-pad keeps the fixture's unsigned documents.
    write_lockfile(
        depscan.project,
        registry_root,
        [
            Locked("event-stream", "3.3.6", {"flatmap-stream": "^0.1.0"}),
            Locked("flatmap-stream", "0.1.1", direct=False),
            Locked("ua-parser-js", "0.7.28"),
            Locked("left-pad", "1.3.0"),
        ],
    )

    with FixtureRegistry(registry_root) as server:
        run = depscan.run(registry=server)

    assert server.count("/-/npm/v1/keys") == 1
    findings = {f["package"]["name"]: f for f in run.findings(CHECK)}
    assert sorted(findings) == ["flatmap-stream", "ua-parser-js"]
    tampered = findings["ua-parser-js"]
    assert tampered["severity"] == "critical"
    assert tampered["details"]["rule"] == "invalid-signature"
    assert "does not verify" in tampered["message"]
    unknown = findings["flatmap-stream"]
    assert unknown["severity"] == "high"
    assert unknown["details"]["rule"] == "unknown-key"
    assert stranger.keyid in unknown["message"]

    unchecked = run.not_checked(CHECK)
    assert len(unchecked) == 1
    assert unchecked[0]["packages"] == ["left-pad@1.3.0"]
    assert "no registry signature" in unchecked[0]["reason"]
    # The validly signed version is neither a finding nor left unchecked.
    assert "event-stream@3.3.6" not in run.not_checked_packages(CHECK)


def test_substituted_tarball_and_expired_key(
    depscan: Depscan, signed: SignedRegistry, registry_root: Path
) -> None:
    signed.sign_properly("event-stream", "3.3.6")
    signed.sign_properly("ua-parser-js", "0.7.30", key=signed.expired_key)
    # The lockfile pins a self-consistent hash of a different tarball (3.3.5's) for 3.3.6.
    substitute = signed.integrity("event-stream", "3.3.5")
    write_lockfile(
        depscan.project,
        registry_root,
        [Locked("event-stream", "3.3.6", integrity=substitute), Locked("ua-parser-js", "0.7.30")],
    )

    with FixtureRegistry(registry_root) as server:
        run = depscan.run(registry=server)

    substituted = run.finding_for(CHECK, "event-stream@3.3.6")
    assert substituted["severity"] == "critical"
    assert substitute in substituted["message"]
    assert "not the registry's" in substituted["message"]
    expired = run.finding_for(CHECK, "ua-parser-js@0.7.30")
    assert expired["severity"] == "high"
    assert expired["details"]["rule"] == "expired-key"
    assert expired["details"]["keyid"] == signed.expired_key.keyid
    assert run.not_checked(CHECK) == []


def test_key_that_expired_after_publication_still_verifies(
    depscan: Depscan, signed: SignedRegistry, registry_root: Path
) -> None:
    # The key expired in January 2021 and 3.3.6 was published in 2018, before that: the
    # signature is as good as the day it was made.
    signed.sign_properly("event-stream", "3.3.6", key=signed.expired_key)
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    published = read_packument(registry_root, "event-stream")["time"]["3.3.6"]
    assert published < "2021-01-01"

    with FixtureRegistry(registry_root) as server:
        run = depscan.run(registry=server)

    assert run.findings(CHECK) == []
    assert run.not_checked(CHECK) == []


def test_unusable_keys_document_is_not_checked(
    depscan: Depscan, signed: SignedRegistry, registry_root: Path
) -> None:
    signed.sign_properly("event-stream", "3.3.6")
    (registry_root / "keys.json").write_text(json.dumps({"keys": "none"}), encoding="utf-8")
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])

    with FixtureRegistry(registry_root) as server:
        run = depscan.run(registry=server)

    assert run.findings(CHECK) == []
    reasons = run.not_checked_packages(CHECK)
    assert list(reasons) == ["event-stream@3.3.6"]
    assert "signing keys" in reasons["event-stream@3.3.6"]
