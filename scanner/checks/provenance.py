"""Trust downgrade: a locked version published with less evidence of origin than its predecessor.

Two kinds of evidence come with a version document: a provenance attestation (``dist.attestations``
with a provenance predicate, produced by a CI build) and publication by a trusted publisher
(``_npmUser.trustedPublisher``, an OIDC identity instead of a token). A version that lacks what the
highest earlier version (by semver, published before it) had was most likely published outside the
usual pipeline, often with a stolen token: the nx compromise of August 2025 shipped versions without
the provenance every earlier release carried. Like pnpm's ``trustPolicy: no-downgrade``, this is
high.

When the registry serves neither kind of evidence for any locked package, the check says so once
instead of passing silently.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import ClassVar

from scanner.checks.base import ScanContext
from scanner.checks.locked_versions import (
    LockedVersion,
    gaps_as_not_checked,
    locked_registry_versions,
    version_finding,
)
from scanner.model import CheckResult, Finding, Lockfile, NotChecked, Severity
from scanner.registry.packument import Packument, Unavailable, VersionInfo
from scanner.timestamps import parse_time

CHECK_ID = "trust-downgrade"
PROVENANCE = "provenance"
TRUSTED_PUBLISHER = "trusted-publisher"


def trust_evidence(info: VersionInfo) -> frozenset[str]:
    """Which kinds of evidence of origin a version document carries."""
    evidence: set[str] = set()
    if isinstance(info.attestations, dict) and info.attestations.get("provenance"):
        evidence.add(PROVENANCE)
    if info.trusted_publisher:
        evidence.add(TRUSTED_PUBLISHER)
    return frozenset(evidence)


def _published(document: Packument, version: str) -> datetime | None:
    return parse_time(document.time.get(version))


def _compare(a: str, b: str) -> int | None:
    import nodesemver

    try:
        return int(nodesemver.compare(a, b, True))
    except (ValueError, TypeError):
        return None


def previous_version(document: Packument, version: str) -> str | None:
    """The highest version below ``version`` by semver that was published before it.

    Versions without a publish time or that semver cannot read are left out.
    """
    published = _published(document, version)
    if published is None:
        return None
    best: str | None = None
    for candidate in document.versions:
        when = _published(document, candidate)
        if when is None or when >= published:
            continue
        below = _compare(candidate, version)
        if below is None or below >= 0:
            continue
        if best is None or (_compare(candidate, best) or 0) > 0:
            best = candidate
    return best


_EVIDENCE_WORDS = {PROVENANCE: "provenance", TRUSTED_PUBLISHER: "a trusted publisher"}


def _check_version(
    lockfile: Lockfile, locked: LockedVersion, document: Packument
) -> Finding | str | None:
    """A finding, a NotChecked reason, or ``None`` when nothing was lost."""
    info = document.versions.get(locked.version)
    if info is None:
        return "version not in the registry document"
    has = trust_evidence(info)
    if not any(trust_evidence(other) - has for other in document.versions.values()):
        return None  # no version of the package ever had more than this one
    if _published(document, locked.version) is None:
        return "publish time unknown: could not tell which versions came before"
    previous = previous_version(document, locked.version)
    if previous is None:
        return None
    lost = sorted(trust_evidence(document.versions[previous]) - has)
    if not lost:
        return None
    missing = " and ".join(_EVIDENCE_WORDS[kind] for kind in lost)
    return version_finding(
        CHECK_ID, lockfile, locked, Severity.HIGH,
        f"{locked.spec_id} was published without {missing}, which the previous release "
        f"{previous} had: trust downgrade",
        rule="trust-downgrade", missing=lost, previous=previous,
    )


class TrustDowngradeCheck:
    """Report locked versions lacking the provenance or trusted publishing their predecessor had."""

    id: ClassVar[str] = CHECK_ID
    title: ClassVar[str] = "Provenance / trust downgrade"
    needs_registry: ClassVar[bool] = True

    def run(self, context: ScanContext) -> CheckResult:
        client = context.registry
        if client is None:
            return CheckResult(not_checked=(NotChecked(CHECK_ID, "no registry client"),))
        versions = locked_registry_versions(context.lockfile)
        if not versions:
            return CheckResult()
        documents = client.packuments(sorted({v.name for v in versions}))
        findings: list[Finding] = []
        gaps: dict[str, list[str]] = defaultdict(list)
        any_evidence = False
        available = 0
        for locked in versions:
            document = documents.get(locked.name)
            if document is None or isinstance(document, Unavailable):
                reason = document.reason if document is not None else "not fetched"
                gaps[f"registry document unavailable: {reason}"].append(locked.spec_id)
                continue
            available += 1
            if any(trust_evidence(info) for info in document.versions.values()):
                any_evidence = True
            outcome = _check_version(context.lockfile, locked, document)
            if isinstance(outcome, str):
                gaps[outcome].append(locked.spec_id)
            elif outcome is not None:
                findings.append(outcome)
        not_checked = list(gaps_as_not_checked(CHECK_ID, gaps))
        if available and not any_evidence:
            not_checked.append(
                NotChecked(
                    CHECK_ID,
                    "the registry returned no provenance or trusted-publisher data for any of "
                    f"the {available} packages looked up: trust downgrades could not be seen",
                )
            )
        return CheckResult(tuple(findings), tuple(not_checked))
