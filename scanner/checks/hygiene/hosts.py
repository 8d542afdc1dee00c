"""Where ``resolved`` URLs point: allowed hosts, encrypted transport, known schemes.

The host rule applies to packages meant to come from the registry: registry nodes, and remote
tarballs that every dependent declared with a registry range (a lockfile edited to fetch a
registry dependency from elsewhere). Git and deliberately declared URL dependencies are listed by
the source rule instead; bundled packages are never fetched, so their ``resolved`` is not read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scanner.checks.hygiene._common import CHECK_ID, rule_finding
from scanner.checks.hygiene.specs import is_registry_spec
from scanner.checks.hygiene.urls import is_loopback, parse_resolved
from scanner.model import (
    CheckResult,
    DeclaredDependency,
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    Severity,
    SourceKind,
)

HTTP_SCHEMES = frozenset({"https", "http"})
GIT_SCHEMES = frozenset(
    {"git+https", "git+ssh", "git+http", "git", "ssh", "github", "gitlab", "bitbucket", "gist"}
)
KNOWN_SCHEMES = HTTP_SCHEMES | GIT_SCHEMES | {"file"}
# Schemes that fetch code without TLS or SSH: anyone on the path can swap the package.
UNENCRYPTED_SCHEMES = frozenset({"http", "git+http", "git"})
# Sources whose `resolved` is a path relative to the project, not a URL.
PATH_SOURCES = frozenset(
    {SourceKind.LINK, SourceKind.LOCAL_DIRECTORY, SourceKind.LOCAL_TARBALL, SourceKind.WORKSPACE}
)

Incoming = Mapping[str, Sequence[tuple[PackageNode, DeclaredDependency]]]


def expects_registry(node: PackageNode, incoming: Incoming) -> bool:
    if node.source in (SourceKind.REGISTRY, SourceKind.UNKNOWN):
        return True
    if node.source is SourceKind.REMOTE_TARBALL:
        # An empty spec says nothing (npm v1 lockfiles without package.json give no ranges).
        specs = [dep.spec for _, dep in incoming.get(node.location, ()) if dep.spec.strip()]
        return bool(specs) and all(is_registry_spec(spec) for spec in specs)
    return False


def check_resolved_urls(
    lockfile: Lockfile,
    nodes: Sequence[PackageNode],
    allowed_hosts: frozenset[str] | None,
    incoming: Incoming,
) -> CheckResult:
    findings: list[Finding] = []
    unchecked_hosts: list[PackageNode] = []
    for node in nodes:
        if node.resolved is None:
            continue
        url = parse_resolved(node.resolved)
        if url is None:
            if node.source not in PATH_SOURCES:
                findings.append(
                    rule_finding(
                        lockfile, node, "scheme", Severity.MEDIUM,
                        f"{node.spec_id}: resolved value {node.resolved!r} is not a URL",
                        resolved=node.resolved,
                    )
                )
            continue
        if url.scheme not in KNOWN_SCHEMES:
            findings.append(
                rule_finding(
                    lockfile, node, "scheme", Severity.HIGH,
                    f"{node.spec_id} is resolved with the unexpected scheme {url.scheme!r}: "
                    f"{node.resolved}",
                    resolved=node.resolved, scheme=url.scheme,
                )
            )
            continue
        if url.scheme in UNENCRYPTED_SCHEMES and not is_loopback(url.hostname):
            findings.append(
                rule_finding(
                    lockfile, node, "insecure-protocol", Severity.HIGH,
                    f"{node.spec_id} is downloaded over unencrypted {url.scheme}: {node.resolved}",
                    resolved=node.resolved, scheme=url.scheme,
                )
            )
        if url.scheme not in HTTP_SCHEMES or not expects_registry(node, incoming):
            continue
        if allowed_hosts is None:
            unchecked_hosts.append(node)
        elif url.host not in allowed_hosts:
            shown = url.host or "(no host)"
            findings.append(
                rule_finding(
                    lockfile, node, "host", Severity.HIGH,
                    f"{node.spec_id} is resolved from {shown}, which is not an allowed registry "
                    f"host (allowed: {', '.join(sorted(allowed_hosts))})",
                    resolved=node.resolved, host=url.host,
                )
            )
    not_checked: list[NotChecked] = []
    if unchecked_hosts:
        not_checked.append(
            NotChecked(
                CHECK_ID,
                f"resolved hosts of {len(unchecked_hosts)} packages not checked: no registry URL "
                "is configured and hygiene.allowed-hosts is not set",
                tuple(n.spec_id for n in unchecked_hosts),
            )
        )
    missing = [n for n in nodes if n.source is SourceKind.REGISTRY and n.resolved is None]
    if missing:
        total = sum(1 for n in nodes if n.source is SourceKind.REGISTRY)
        not_checked.append(
            NotChecked(
                CHECK_ID,
                f"{len(missing)} of {total} registry packages have no resolved URL in the lockfile "
                "(npm omit-lockfile-registry-resolved, or a format that does not record it): "
                "their download host and tarball name were not checked",
                tuple(n.spec_id for n in missing),
            )
        )
    return CheckResult(tuple(findings), tuple(not_checked))
