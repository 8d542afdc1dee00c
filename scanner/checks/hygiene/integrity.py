"""Integrity hashes of registry packages: missing, sha1-only, malformed, or contradicting.

Without a strong hash npm installs whatever the URL serves. Two entries of one ``name@version`` with
different hashes mean one of them is not the registry's tarball. A lockfile that records no
integrity at all (yarn berry keeps its own checksum format) gets one NotChecked, not a finding per
package.

Values are read by the project's one SRI parser (:func:`scanner.registry.tarball_hash.
parse_integrity`), the same that tarball verification uses:

- ``integrity-invalid`` (medium): no entry npm could verify the tarball with (``sha512-abc``,
  ``SHA512-<valid>``, ``md5-...``, text that is not SRI): as good as no integrity at all;
- ``integrity-malformed``: some entries are unusable but others verify the tarball; low when a
  usable entry is stronger than sha1, medium when only sha1 is left;
- ``integrity-sha1`` (low): only sha1 hashes;
- ``integrity-conflict`` (high): two entries of one version whose hashes of one algorithm differ.
"""

from __future__ import annotations

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
from scanner.registry.tarball_hash import Integrity, parse_integrity

_SHOWN_VALUE_CHARS = 120


def _line_note(node: PackageNode) -> str:
    return f" (line {node.line})" if node.line is not None else ""


def _conflicts(a: Integrity, b: Integrity) -> bool:
    return any(a.digests(alg).isdisjoint(b.digests(alg)) for alg in a.algorithms & b.algorithms)


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_VALUE_CHARS else value[:_SHOWN_VALUE_CHARS] + "...")


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
    parsed: dict[tuple[str, str], list[tuple[PackageNode, Integrity]]] = {}
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
        if not hashes.usable:
            findings.append(
                rule_finding(
                    lockfile, node, "integrity-invalid", Severity.MEDIUM,
                    f"{node.spec_id} has an integrity value npm cannot verify its tarball with "
                    f"({hashes.problems[0]}): {_shown(node.integrity)}",
                    integrity=node.integrity, problems=list(hashes.problems),
                )
            )
            continue
        if hashes.problems:
            findings.append(
                rule_finding(
                    lockfile, node, "integrity-malformed",
                    Severity.LOW if hashes.strong else Severity.MEDIUM,
                    f"{node.spec_id} has an integrity entry npm ignores ({hashes.problems[0]}); "
                    f"only its other entries verify the tarball: {_shown(node.integrity)}",
                    integrity=node.integrity, problems=list(hashes.problems),
                )
            )
        if not hashes.strong:
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
