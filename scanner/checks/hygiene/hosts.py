"""Where ``resolved`` URLs point: allowed hosts, encrypted transport, known schemes.

The host rule applies to packages meant to come from the registry: registry nodes, and remote
tarballs that every dependent declared with a registry range (a lockfile edited to fetch a
registry dependency from elsewhere). Git and deliberately declared URL dependencies are listed by
the source rule instead; bundled packages are never fetched, so their ``resolved`` is not read.

A host that no configuration names is a high finding for each package it serves, except the host
most of the lockfile comes from: that is the registry the project installs from, and when no
configuration names it (yarn's built-in default, say, which depscan does not name either) the
question is one of configuration, asked once (``registry-unconfigured``, medium), not hundreds of
times. A handful of packages from a host the rest do not use stays high, one finding each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scanner.checks.hygiene._common import CHECK_ID, rule_finding
from scanner.checks.hygiene.specs import is_registry_spec
from scanner.checks.hygiene.urls import is_loopback, parse_resolved, redact_userinfo
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

MAIN_HOST_MIN_PACKAGES = 10
"""Below this many packages compared, every package from an unconfigured host is reported: in a
tiny lockfile a few added packages could otherwise pass for its main registry."""

# Where each lockfile format's tool reads its registry from, for the configuration question.
_CONFIGURE_HINTS = {
    "yarn-v1": "`registry` in .yarnrc or .npmrc",
    "yarn-berry": "`npmRegistryServer` in .yarnrc.yml",
}
_NPM_HINT = "`registry=` in .npmrc"


@dataclass(frozen=True, slots=True)
class _Stranger:
    """A package resolved from a host outside the allowed ones."""

    node: PackageNode
    host: str
    resolved: str
    """As reports may show it: credentials blanked out."""


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
    compared = 0
    strangers: list[_Stranger] = []
    for node in nodes:
        if node.resolved is None:
            continue
        url = parse_resolved(node.resolved)
        shown = redact_userinfo(node.resolved)
        if url is None:
            if node.source not in PATH_SOURCES:
                findings.append(
                    rule_finding(
                        lockfile, node, "scheme", Severity.MEDIUM,
                        f"{node.spec_id}: resolved value {shown!r} is not a URL",
                        resolved=shown,
                    )
                )
            continue
        if url.scheme not in KNOWN_SCHEMES:
            findings.append(
                rule_finding(
                    lockfile, node, "scheme", Severity.HIGH,
                    f"{node.spec_id} is resolved with the unexpected scheme {url.scheme!r}: "
                    f"{shown}",
                    resolved=shown, scheme=url.scheme,
                )
            )
            continue
        if url.scheme in UNENCRYPTED_SCHEMES and not is_loopback(url.hostname):
            findings.append(
                rule_finding(
                    lockfile, node, "insecure-protocol", Severity.HIGH,
                    f"{node.spec_id} is downloaded over unencrypted {url.scheme}: {shown}",
                    resolved=shown, scheme=url.scheme,
                )
            )
        if url.scheme not in HTTP_SCHEMES or not expects_registry(node, incoming):
            continue
        if allowed_hosts is None:
            unchecked_hosts.append(node)
            continue
        compared += 1
        if url.host not in allowed_hosts:
            strangers.append(_Stranger(node, url.host, shown))
    if allowed_hosts is not None:
        findings.extend(_host_findings(lockfile, strangers, compared, allowed_hosts))
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


def main_host(strangers: Sequence[_Stranger], compared: int) -> str | None:
    """The unconfigured host more than half of the compared packages come from, if any."""
    if compared < MAIN_HOST_MIN_PACKAGES:
        return None
    counts: dict[str, int] = {}
    for stranger in strangers:
        counts[stranger.host] = counts.get(stranger.host, 0) + 1
    for host, count in counts.items():
        if count * 2 > compared:
            return host
    return None


def _host_findings(
    lockfile: Lockfile,
    strangers: Sequence[_Stranger],
    compared: int,
    allowed_hosts: frozenset[str],
) -> list[Finding]:
    allowed = ", ".join(sorted(allowed_hosts)) or "none"
    main = main_host(strangers, compared)
    findings: list[Finding] = []
    if main is not None:
        served = [s for s in strangers if s.host == main]
        findings.append(_unconfigured_registry(lockfile, main, len(served), compared, allowed))
    for stranger in strangers:
        if stranger.host == main:
            continue
        shown = stranger.host or "(no host)"
        findings.append(
            rule_finding(
                lockfile, stranger.node, "host", Severity.HIGH,
                f"{stranger.node.spec_id} is resolved from {shown}, which is not an allowed "
                f"registry host (allowed: {allowed})",
                resolved=stranger.resolved, host=stranger.host,
            )
        )
    return findings


def _unconfigured_registry(
    lockfile: Lockfile, host: str, served: int, compared: int, allowed: str
) -> Finding:
    """One finding about the lockfile's main registry host, which no configuration names.

    The message names no count, so the same question in a base and a head lockfile is the same
    finding (pull-request mode compares package-less findings by message).
    """
    configure = _CONFIGURE_HINTS.get(lockfile.format, _NPM_HINT)
    return Finding(
        check=CHECK_ID,
        severity=Severity.MEDIUM,
        message=(
            f"this lockfile's packages come from {host}, which no registry configuration names "
            f"(allowed: {allowed}): if {host} is the registry you install from, set it as "
            f"{configure}, or allow it with --allowed-host {host} or hygiene.allowed-hosts"
        ),
        lockfile=str(lockfile.path),
        line=1,
        details={"rule": "registry-unconfigured", "host": host, "packages": served,
                 "compared": compared},
    )
