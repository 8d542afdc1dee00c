"""Whether a registry tarball URL names the package and version of its lockfile entry.

A lockfile edited to point ``lodash`` at ``evil-pkg/-/evil-pkg-1.0.0.tgz`` on the real registry
passes any host check; the URL's own path gives it away. ``npm:`` aliases are compared by their
real name (``PackageNode.name``), so ``"old": "npm:abbrev@1.0.3"`` is not a mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.checks.hygiene._common import CHECK_ID, rule_finding
from scanner.checks.hygiene.hosts import HTTP_SCHEMES
from scanner.checks.hygiene.urls import (
    parse_resolved,
    redact_userinfo,
    registry_tarball_coordinates,
)
from scanner.model import (
    CheckResult,
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    Severity,
    SourceKind,
)


def _same_version(locked: str, in_url: str) -> bool:
    if locked == in_url:
        return True
    # Loose versions (`v1.2.3`, `=1.2.3`) name the same release as the clean form in the URL.
    import nodesemver

    try:
        return bool(nodesemver.eq(locked, in_url, True))
    except (ValueError, TypeError):
        return False


def check_tarball_names(lockfile: Lockfile, nodes: Sequence[PackageNode]) -> CheckResult:
    findings: list[Finding] = []
    other_layout: list[PackageNode] = []
    for node in nodes:
        if node.source is not SourceKind.REGISTRY or node.resolved is None:
            continue
        url = parse_resolved(node.resolved)
        if url is None or url.scheme not in HTTP_SCHEMES:
            continue
        coords = registry_tarball_coordinates(url)
        shown = redact_userinfo(node.resolved)
        if coords is None:
            other_layout.append(node)
            continue
        if coords.name != node.name or not coords.file_name_matches:
            findings.append(
                rule_finding(
                    lockfile, node, "name-mismatch", Severity.HIGH,
                    f"{node.spec_id} is resolved to a tarball of another package: {shown}",
                    resolved=shown, url_name=coords.name,
                )
            )
        elif coords.version is not None and not _same_version(node.version, coords.version):
            findings.append(
                rule_finding(
                    lockfile, node, "version-mismatch", Severity.HIGH,
                    f"{node.spec_id} is resolved to the tarball of version {coords.version}: "
                    f"{shown}",
                    resolved=shown, url_version=coords.version,
                )
            )
    not_checked: tuple[NotChecked, ...] = ()
    if other_layout:
        not_checked = (
            NotChecked(
                CHECK_ID,
                f"{len(other_layout)} registry packages have resolved URLs without the "
                "<name>/-/<name>-<version>.tgz layout: their name and version were not compared",
                tuple(n.spec_id for n in other_layout),
            ),
        )
    return CheckResult(tuple(findings), not_checked)
