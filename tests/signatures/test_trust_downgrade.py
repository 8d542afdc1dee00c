"""The trust-downgrade check on fake package documents, including an nx-like history."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.checks.provenance import TrustDowngradeCheck, previous_version, trust_evidence
from scanner.model import CheckResult, PackageNode, Severity
from scanner.registry.packument import Unavailable, VersionInfo

from .fakes import FakeRegistry, context, integrity_of, node, packument, version_info

PROVENANCE: dict[str, Any] = {
    "url": "https://registry.example.test/-/npm/v1/attestations/nx@21.4.1",
    "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
}
TRUSTED: dict[str, Any] = {"id": "github", "oidcConfigId": "oidc:test"}
SHA = integrity_of("nx")


def _nx_history() -> FakeRegistry:
    """Releases built in CI carry provenance; the ones pushed with a stolen token do not."""
    releases = [
        ("20.8.2", "2025-08-05T10:00:00.000Z", True),
        ("21.4.0", "2025-08-15T10:00:00.000Z", True),
        ("21.4.1", "2025-08-21T10:00:00.000Z", True),
        ("21.5.0", "2025-08-26T22:32:00.000Z", False),
        ("20.9.0", "2025-08-26T22:39:00.000Z", False),
    ]
    versions = [
        version_info(v, integrity=SHA, attestations=PROVENANCE if signed else None)
        for v, _, signed in releases
    ]
    times = {v: t for v, t, _ in releases}
    return FakeRegistry({"nx": packument("nx", versions, times)})


def _run(nodes: list[PackageNode], registry: FakeRegistry) -> CheckResult:
    return TrustDowngradeCheck().run(context(nodes, registry))


@pytest.mark.parametrize(
    ("locked", "previous"),
    [("21.5.0", "21.4.1"), ("20.9.0", "20.8.2")],
)
def test_nx_releases_without_provenance_are_high(locked: str, previous: str) -> None:
    result = _run([node("nx", locked, SHA, line=77)], _nx_history())
    [finding] = result.findings
    assert finding.severity is Severity.HIGH
    assert finding.check == "trust-downgrade"
    assert finding.line == 77
    assert finding.details["previous"] == previous
    assert finding.details["missing"] == ["provenance"]
    assert finding.message == (
        f"nx@{locked} was published without provenance, which the previous release "
        f"{previous} had: trust downgrade"
    )
    assert result.not_checked == ()


def test_release_with_provenance_is_clean() -> None:
    result = _run([node("nx", "21.4.1", SHA)], _nx_history())
    assert result == CheckResult()


def test_previous_version_is_by_semver_among_those_published_before() -> None:
    document = _nx_history().documents["nx"]
    assert not isinstance(document, Unavailable)
    assert previous_version(document, "21.5.0") == "21.4.1"
    assert previous_version(document, "20.9.0") == "20.8.2"  # 21.x is published before but higher
    assert previous_version(document, "20.8.2") is None


def test_a_backport_published_after_a_newer_line_is_compared_within_semver_order() -> None:
    # 1.9.0 was published after 2.0.0 without provenance; only 1.x before it had none either.
    versions = [
        version_info("1.8.0", integrity=SHA),
        version_info("2.0.0", integrity=SHA, attestations=PROVENANCE),
        version_info("1.9.0", integrity=SHA),
    ]
    times = {
        "1.8.0": "2024-01-01T00:00:00Z",
        "2.0.0": "2024-02-01T00:00:00Z",
        "1.9.0": "2024-03-01T00:00:00Z",
    }
    registry = FakeRegistry({"lib": packument("lib", versions, times)})
    assert _run([node("lib", "1.9.0", SHA)], registry).findings == ()


def test_lost_trusted_publisher_is_high_and_both_losses_are_named() -> None:
    versions = [
        version_info("1.0.0", integrity=SHA, attestations=PROVENANCE, trusted_publisher=TRUSTED),
        version_info("1.1.0", integrity=SHA, attestations=PROVENANCE),
        version_info("1.2.0", integrity=SHA),
    ]
    times = {
        "1.0.0": "2025-09-01T00:00:00Z",
        "1.1.0": "2025-09-02T00:00:00Z",
        "1.2.0": "2025-09-03T00:00:00Z",
    }
    doc = packument("lib", versions, times)
    one = _run([node("lib", "1.1.0", SHA)], FakeRegistry({"lib": doc}))
    assert [f.details["missing"] for f in one.findings] == [["trusted-publisher"]]
    assert "without a trusted publisher, which the previous release 1.0.0 had" in (
        one.findings[0].message
    )
    # 1.2.0 is compared with 1.1.0 only, which had provenance but no trusted publisher.
    two = _run([node("lib", "1.2.0", SHA)], FakeRegistry({"lib": doc}))
    assert [f.details["missing"] for f in two.findings] == [["provenance"]]


def test_first_version_with_evidence_after_none_is_not_a_downgrade() -> None:
    versions = [
        version_info("1.0.0", integrity=SHA),
        version_info("1.1.0", integrity=SHA, attestations=PROVENANCE),
    ]
    times = {"1.0.0": "2024-01-01T00:00:00Z", "1.1.0": "2024-02-01T00:00:00Z"}
    registry = FakeRegistry({"lib": packument("lib", versions, times)})
    assert _run([node("lib", "1.0.0", SHA)], registry) == CheckResult()
    assert _run([node("lib", "1.1.0", SHA)], registry) == CheckResult()


def test_registry_without_any_trust_data_says_so_once() -> None:
    docs = {
        n: packument(n, [version_info("1.0.0", integrity=SHA)], {"1.0.0": "2024-01-01T00:00:00Z"})
        for n in ("a", "b")
    }
    result = _run([node("a", "1.0.0", SHA), node("b", "1.0.0", SHA)], FakeRegistry(dict(docs)))
    assert result.findings == ()
    [gap] = result.not_checked
    assert gap.reason.startswith("the registry returned no provenance or trusted-publisher data")
    assert "2 packages" in gap.reason


def test_missing_publish_time_unknown_version_and_unavailable_document_are_not_checked() -> None:
    history = [
        version_info("1.0.0", integrity=SHA, attestations=PROVENANCE),
        version_info("1.1.0", integrity=SHA),
    ]
    registry = FakeRegistry(
        {
            "untimed": packument("untimed", history, {}),
            "lib": packument("lib", history, {"1.0.0": "2024-01-01T00:00:00Z"}),
            "gone": Unavailable("gone", "offline and not in cache"),
        }
    )
    nodes = [
        node("untimed", "1.1.0", SHA),
        node("lib", "7.0.0", SHA),
        node("gone", "1.0.0", SHA),
    ]
    result = _run(nodes, registry)
    assert result.findings == ()
    reasons = {gap.reason: gap.packages for gap in result.not_checked}
    assert reasons == {
        "publish time unknown: could not tell which versions came before (1 package)": (
            "untimed@1.1.0",
        ),
        "version not in the registry document (1 package)": ("lib@7.0.0",),
        "registry document unavailable: offline and not in cache (1 package)": ("gone@1.0.0",),
    }


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (VersionInfo("1.0.0"), frozenset()),
        (VersionInfo("1.0.0", attestations=PROVENANCE), frozenset({"provenance"})),
        (VersionInfo("1.0.0", attestations={"url": "x"}), frozenset()),
        (VersionInfo("1.0.0", trusted_publisher=TRUSTED), frozenset({"trusted-publisher"})),
    ],
)
def test_trust_evidence(info: VersionInfo, expected: frozenset[str]) -> None:
    assert trust_evidence(info) == expected
