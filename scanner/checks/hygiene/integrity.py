"""Integrity hashes of registry packages: missing, sha1-only, malformed, or contradicting.

Without a strong hash npm installs whatever the URL serves. Two entries of one ``name@version`` with
different hashes mean one of them is not the registry's tarball. A lockfile that records no
integrity at all (yarn berry keeps its own checksum format) gets one NotChecked, not a finding per
package.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from scanner.checks.hygiene._common import CHECK_ID, rule_finding
from scanner.checks.hygiene.urls import parse_resolved, yarn_sha1_fragment
from scanner.model import (
    CheckResult,
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    Severity,
    SourceKind,
)

STRONG_ALGORITHMS = frozenset({"sha256", "sha384", "sha512"})
_ALGORITHMS = STRONG_ALGORITHMS | {"sha1"}
_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")


def parse_integrity(text: str) -> dict[str, frozenset[str]]:
    """Algorithm -> digests of an SRI string (several space-separated hashes allowed).

    Tokens that are not ``<sha1|sha256|sha384|sha512>-<base64>`` are ignored, as npm's ssri does.
    """
    digests: dict[str, set[str]] = defaultdict(set)
    for token in text.split():
        algorithm, _, rest = token.partition("-")
        digest = rest.split("?", 1)[0]
        if algorithm.lower() in _ALGORITHMS and _BASE64.match(digest):
            digests[algorithm.lower()].add(digest)
    return {algorithm: frozenset(values) for algorithm, values in digests.items()}


def _line_note(node: PackageNode) -> str:
    return f" (line {node.line})" if node.line is not None else ""


def _conflicts(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> bool:
    return any(a[alg].isdisjoint(b[alg]) for alg in a.keys() & b.keys())


def _yarn_sha1(node: PackageNode) -> str | None:
    url = parse_resolved(node.resolved) if node.resolved else None
    return yarn_sha1_fragment(url) if url else None


def check_integrity(lockfile: Lockfile, nodes: Sequence[PackageNode]) -> CheckResult:
    registry_nodes = [n for n in nodes if n.source is SourceKind.REGISTRY]
    if registry_nodes and not any(n.integrity or _yarn_sha1(n) for n in registry_nodes):
        reason = (
            f"the lockfile ({lockfile.format}) records no integrity hash for any of its "
            f"{len(registry_nodes)} registry packages: tarball hashes were not checked"
        )
        return CheckResult(not_checked=(NotChecked(CHECK_ID, reason),))

    findings: list[Finding] = []
    parsed: dict[tuple[str, str], list[tuple[PackageNode, dict[str, frozenset[str]]]]] = {}
    for node in registry_nodes:
        if node.integrity is None:
            if _yarn_sha1(node):
                findings.append(
                    rule_finding(
                        lockfile, node, "integrity-sha1", Severity.LOW,
                        f"{node.spec_id} is pinned only by the sha1 in its resolved URL",
                    )
                )
            else:
                findings.append(
                    rule_finding(
                        lockfile, node, "integrity-missing", Severity.MEDIUM,
                        f"{node.spec_id} has no integrity hash: any tarball at its URL installs",
                    )
                )
            continue
        hashes = parse_integrity(node.integrity)
        if not hashes:
            findings.append(
                rule_finding(
                    lockfile, node, "integrity-invalid", Severity.MEDIUM,
                    f"{node.spec_id} has an integrity value that is not an SRI hash: "
                    f"{node.integrity!r}",
                    integrity=node.integrity,
                )
            )
            continue
        if not hashes.keys() & STRONG_ALGORITHMS:
            findings.append(
                rule_finding(
                    lockfile, node, "integrity-sha1", Severity.LOW,
                    f"{node.spec_id} is pinned only by a sha1 hash",
                    integrity=node.integrity,
                )
            )
        parsed.setdefault((node.name, node.version), []).append((node, hashes))

    for entries in parsed.values():
        entries.sort(key=lambda e: (e[0].line or 0, e[0].location))
        first, first_hashes = entries[0]
        for node, hashes in entries[1:]:
            if _conflicts(first_hashes, hashes):
                findings.append(
                    rule_finding(
                        lockfile, node, "integrity-conflict", Severity.HIGH,
                        f"{node.spec_id} at {node.location} has integrity {node.integrity}, "
                        f"but the entry at {first.location}{_line_note(first)} has "
                        f"{first.integrity}",
                        integrity=node.integrity, other_location=first.location,
                        other_integrity=first.integrity,
                    )
                )
    return CheckResult(tuple(findings))
