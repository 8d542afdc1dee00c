"""Packages installed from somewhere other than the registry: git, remote tarballs, local files.

They are legitimate but bypass the registry's integrity and signature guarantees, so they are
listed (info); a project that forbids a kind (``hygiene.forbid-sources``) gets a high finding.
Links to the project's own workspaces are not listed.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.checks.hygiene._common import rule_finding
from scanner.checks.hygiene.hosts import GIT_SCHEMES
from scanner.checks.hygiene.urls import parse_resolved, redact_userinfo
from scanner.model import CheckResult, Finding, Lockfile, PackageNode, Severity, SourceKind

_LISTED = {
    SourceKind.GIT: "git",
    SourceKind.REMOTE_TARBALL: "a remote tarball",
    SourceKind.LOCAL_TARBALL: "a local tarball",
    SourceKind.LOCAL_DIRECTORY: "a local directory",
    SourceKind.LINK: "a linked directory",
}


def effective_source(node: PackageNode) -> SourceKind:
    """The node's source, corrected when an unknown source's URL says it is git or a file."""
    if node.source is SourceKind.UNKNOWN and node.resolved:
        url = parse_resolved(node.resolved)
        if url is not None and url.scheme in GIT_SCHEMES:
            return SourceKind.GIT
        if url is not None and url.scheme == "file":
            is_archive = url.path.endswith((".tgz", ".tar.gz", ".tar"))
            return SourceKind.LOCAL_TARBALL if is_archive else SourceKind.LOCAL_DIRECTORY
    return node.source


def check_sources(
    lockfile: Lockfile, nodes: Sequence[PackageNode], forbidden: frozenset[str]
) -> CheckResult:
    workspace_locations = set(lockfile.roots)
    findings: list[Finding] = []
    for node in nodes:
        source = effective_source(node)
        if source not in _LISTED:
            continue
        if source is SourceKind.LINK and (
            node.link_target in workspace_locations or node.is_workspace
        ):
            continue
        origin = redact_userinfo(node.resolved or node.link_target or "(location not recorded)")
        kind = source.value
        severity = Severity.HIGH if kind in forbidden else Severity.INFO
        policy = " (forbidden by hygiene.forbid-sources)" if kind in forbidden else ""
        findings.append(
            rule_finding(
                lockfile, node, "source", severity,
                f"{node.spec_id} is installed from {_LISTED[source]}: {origin}{policy}",
                source=kind, origin=origin,
            )
        )
    return CheckResult(tuple(findings))
