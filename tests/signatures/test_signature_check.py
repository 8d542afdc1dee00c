"""The registry-signature check against a fake registry that signs with a test key."""

from __future__ import annotations

import pytest

from scanner.checks.signatures import RegistrySignatureCheck
from scanner.errors import PolicyError
from scanner.model import CheckResult, PackageNode, Severity
from scanner.registry.packument import Signature, Unavailable

from .fakes import (
    FakeRegistry,
    RegistrySigner,
    context,
    integrity_of,
    node,
    packument,
    version_info,
)

GOOD = integrity_of("good tarball")
EVIL = integrity_of("evil tarball")
PUBLISHED = {"1.0.0": "2024-06-01T00:00:00.000Z"}


def _signed_registry(signer: RegistrySigner, name: str = "left-pad") -> FakeRegistry:
    info = version_info("1.0.0", integrity=GOOD, signatures=(signer.sign(name, "1.0.0", GOOD),))
    return FakeRegistry({name: packument(name, [info], PUBLISHED)}, [signer.key_entry()])


def _run(
    nodes: list[PackageNode], registry: FakeRegistry, settings: dict[str, object] | None = None
) -> CheckResult:
    return RegistrySignatureCheck().run(context(nodes, registry, settings))


def test_valid_signature_over_the_locked_integrity_is_clean() -> None:
    signer = RegistrySigner()
    registry = _signed_registry(signer)
    result = _run([node("left-pad", "1.0.0", GOOD)], registry)
    assert result.findings == ()
    assert result.not_checked == ()
    assert registry.requested == ["left-pad"]


def test_locked_integrity_that_the_registry_did_not_sign_is_critical() -> None:
    registry = _signed_registry(RegistrySigner())
    result = _run([node("left-pad", "1.0.0", EVIL, line=33)], registry)
    [finding] = result.findings
    assert finding.severity is Severity.CRITICAL
    assert finding.check == "registry-signature"
    assert finding.line == 33
    assert finding.details["rule"] == "invalid-signature"
    assert "is not the one the registry signed" in finding.message


def test_signature_that_does_not_verify_is_critical() -> None:
    signer = RegistrySigner()
    forged = signer.sign("left-pad", "1.0.1", GOOD)  # a real signature, of another message
    info = version_info("1.0.0", integrity=GOOD, signatures=(forged,))
    registry = FakeRegistry(
        {"left-pad": packument("left-pad", [info], PUBLISHED)}, [signer.key_entry()]
    )
    [finding] = _run([node("left-pad", "1.0.0", GOOD)], registry).findings
    assert finding.severity is Severity.CRITICAL
    assert "does not verify" in finding.message


def test_unreadable_signature_is_critical_not_skipped() -> None:
    signer = RegistrySigner()
    info = version_info(
        "1.0.0", integrity=GOOD, signatures=(Signature(signer.keyid, "@@not base64@@"),)
    )
    registry = FakeRegistry(
        {"left-pad": packument("left-pad", [info], PUBLISHED)}, [signer.key_entry()]
    )
    [finding] = _run([node("left-pad", "1.0.0", GOOD)], registry).findings
    assert finding.severity is Severity.CRITICAL
    assert "not a readable ECDSA signature" in finding.message


def test_signature_by_an_unpublished_key_id_is_high() -> None:
    published_key = RegistrySigner("SHA256:published")
    rogue = RegistrySigner("SHA256:rogue")
    signature = rogue.sign("left-pad", "1.0.0", GOOD)
    info = version_info("1.0.0", integrity=GOOD, signatures=(signature,))
    registry = FakeRegistry(
        {"left-pad": packument("left-pad", [info], PUBLISHED)}, [published_key.key_entry()]
    )
    [finding] = _run([node("left-pad", "1.0.0", GOOD)], registry).findings
    assert finding.severity is Severity.HIGH
    assert finding.details["rule"] == "unknown-key"
    assert "SHA256:rogue" in finding.message
    assert "SHA256:published" in finding.message


@pytest.mark.parametrize(
    ("expires", "published", "expected"),
    [
        ("2025-01-29T00:00:00.000Z", "2025-03-01T00:00:00.000Z", Severity.HIGH),
        ("2025-01-29T00:00:00.000Z", "2024-06-01T00:00:00.000Z", None),
        (None, "2030-01-01T00:00:00.000Z", None),
    ],
)
def test_key_that_expired_before_publish(
    expires: str | None, published: str, expected: Severity | None
) -> None:
    signer = RegistrySigner(expires=expires)
    info = version_info("1.0.0", integrity=GOOD, signatures=(signer.sign("a", "1.0.0", GOOD),))
    registry = FakeRegistry(
        {"a": packument("a", [info], {"1.0.0": published})}, [signer.key_entry()]
    )
    result = _run([node("a", "1.0.0", GOOD)], registry)
    assert [f.severity for f in result.findings] == ([expected] if expected else [])
    if expected:
        assert result.findings[0].details["rule"] == "expired-key"
    assert result.not_checked == ()


def test_expiring_key_without_publish_time_is_not_checked() -> None:
    signer = RegistrySigner(expires="2025-01-29T00:00:00.000Z")
    info = version_info("1.0.0", integrity=GOOD, signatures=(signer.sign("a", "1.0.0", GOOD),))
    registry = FakeRegistry({"a": packument("a", [info], {})}, [signer.key_entry()])
    result = _run([node("a", "1.0.0", GOOD)], registry)
    assert result.findings == ()
    [gap] = result.not_checked
    assert "publish time unknown" in gap.reason
    assert gap.packages == ("a@1.0.0",)


def test_unsigned_versions_are_one_aggregated_not_checked() -> None:
    signer = RegistrySigner()
    docs = {
        n: packument(n, [version_info("1.0.0", integrity=GOOD)], PUBLISHED) for n in ("a", "b")
    }
    registry = FakeRegistry(dict(docs), [signer.key_entry()])
    result = _run([node("a", "1.0.0", GOOD), node("b", "1.0.0", GOOD)], registry)
    assert result.findings == ()
    [gap] = result.not_checked
    assert gap.reason.startswith("no registry signature")
    assert gap.reason.endswith("(2 packages)")
    assert gap.packages == ("a@1.0.0", "b@1.0.0")


def test_alias_is_verified_under_its_real_name() -> None:
    signer = RegistrySigner()
    registry = _signed_registry(signer, name="abbrev")
    aliased = node("abbrev", "1.0.0", GOOD, alias="old")
    result = _run([aliased], registry)
    assert result.findings == ()
    assert result.not_checked == ()
    assert registry.requested == ["abbrev"]


def test_each_distinct_locked_integrity_is_verified() -> None:
    signer = RegistrySigner()
    registry = _signed_registry(signer, name="ms")
    honest = node("ms", "1.0.0", GOOD, location="node_modules/ms", line=5)
    swapped = node("ms", "1.0.0", EVIL, location="node_modules/x/node_modules/ms", line=9)
    [finding] = _run([honest, swapped], registry).findings
    assert finding.severity is Severity.CRITICAL
    assert finding.details["integrity_locations"] == ["node_modules/x/node_modules/ms"]
    assert finding.details["locations"] == ["node_modules/ms", "node_modules/x/node_modules/ms"]


def test_skipped_scopes_and_registries_are_not_fetched_but_reported() -> None:
    signer = RegistrySigner()
    registry = _signed_registry(signer)
    nodes = [
        node("left-pad", "1.0.0", GOOD),
        node("@corp/tool", "2.0.0", GOOD),
        node(
            "mirrored", "3.0.0", GOOD,
            resolved="https://npm.corp.example.test/mirrored/-/mirrored-3.0.0.tgz",
        ),
    ]
    settings: dict[str, object] = {
        "signatures.skip-scopes": ["corp"],
        "signatures.skip-registries": ["https://npm.corp.example.test/"],
    }
    result = _run(nodes, registry, settings)
    assert registry.requested == ["left-pad"]
    assert result.findings == ()
    [gap] = result.not_checked
    assert "skipped by signatures.skip-scopes" in gap.reason
    assert gap.packages == ("@corp/tool@2.0.0", "mirrored@3.0.0")


def test_bad_skip_setting_is_a_policy_error() -> None:
    with pytest.raises(PolicyError) as caught:
        _run([], FakeRegistry({}, []), {"signatures.skip-scopes": 5})
    assert caught.value.subject == "signatures.skip-scopes"


@pytest.mark.parametrize(
    ("keys", "reason_part"),
    [
        (Unavailable("-/npm/v1/keys", "HTTP 404"), "registry signing keys unavailable: HTTP 404"),
        ([], "the registry publishes no keys"),
        ({"keys": 1}, "the keys document is not a list of keys"),
        (
            [{"keyid": "SHA256:k", "keytype": "ecdsa-sha2-nistp256", "key": "%%%"}],
            "SHA256:k: key is not valid base64",
        ),
    ],
)
def test_unusable_keys_mean_not_checked_never_a_crash(keys: object, reason_part: str) -> None:
    signer = RegistrySigner("SHA256:k")
    info = version_info("1.0.0", integrity=GOOD, signatures=(signer.sign("a", "1.0.0", GOOD),))
    registry = FakeRegistry({"a": packument("a", [info], PUBLISHED)}, keys)
    result = _run([node("a", "1.0.0", GOOD)], registry)
    assert result.findings == ()
    [gap] = result.not_checked
    assert reason_part in gap.reason
    assert gap.packages == ("a@1.0.0",)


def test_signature_by_an_unreadable_key_is_not_checked_for_that_package() -> None:
    good = RegistrySigner("SHA256:good")
    broken = RegistrySigner("SHA256:broken")
    broken_entry = {**broken.key_entry(), "key": "%%%"}
    info_a = version_info("1.0.0", integrity=GOOD, signatures=(good.sign("a", "1.0.0", GOOD),))
    info_b = version_info("1.0.0", integrity=GOOD, signatures=(broken.sign("b", "1.0.0", GOOD),))
    registry = FakeRegistry(
        {"a": packument("a", [info_a], PUBLISHED), "b": packument("b", [info_b], PUBLISHED)},
        [good.key_entry(), broken_entry],
    )
    result = _run([node("a", "1.0.0", GOOD), node("b", "1.0.0", GOOD)], registry)
    assert result.findings == ()
    [gap] = result.not_checked
    assert "SHA256:broken, which is unusable: key is not valid base64" in gap.reason
    assert gap.packages == ("b@1.0.0",)


def test_unavailable_documents_missing_versions_and_weak_integrity_are_not_checked() -> None:
    signer = RegistrySigner()
    info = version_info("1.0.0", integrity=GOOD, signatures=(signer.sign("a", "1.0.0", GOOD),))
    registry = FakeRegistry(
        {"a": packument("a", [info], PUBLISHED), "gone": Unavailable("gone", "HTTP 404")},
        [signer.key_entry()],
    )
    nodes = [
        node("gone", "1.0.0", GOOD),
        node("a", "9.9.9", GOOD, location="node_modules/x/node_modules/a"),
        node("a", "1.0.0", "sha1-2Klr13/Wjfd5OnMDajug1UBdR3s="),
    ]
    result = _run(nodes, registry)
    assert result.findings == ()
    reasons = {gap.reason: gap.packages for gap in result.not_checked}
    assert reasons == {
        "registry document unavailable: HTTP 404 (1 package)": ("gone@1.0.0",),
        "version not in the registry document (1 package)": ("a@9.9.9",),
        "no sha512 integrity in the lockfile to verify the signature over (1 package)": (
            "a@1.0.0",
        ),
    }


def test_bundled_packages_are_not_looked_up() -> None:
    registry = _signed_registry(RegistrySigner())
    result = _run([node("left-pad", "1.0.0", EVIL, in_bundle=True)], registry)
    assert result == CheckResult()
    assert registry.requested == []
