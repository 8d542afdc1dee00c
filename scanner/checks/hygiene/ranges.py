"""Declared ranges the locked version does not satisfy.

npm never writes such a lockfile itself (it would re-resolve the edge), so an unsatisfied edge is a
hand-edited or merged lockfile, or a swapped version. Only registry targets and plain semver ranges
are compared, as npm's dependency validation does (loose parsing, no prereleases unless the
range names them, ``*`` accepts anything). Tags, ``npm:`` aliases, git, file, link and workspace
specifiers are skipped, and so are peer dependencies: npm installs unsatisfied peers under
``--legacy-peer-deps`` and records them as they are.
"""

from __future__ import annotations

from functools import lru_cache

from scanner.checks.hygiene._common import rule_finding
from scanner.checks.hygiene.specs import semver_range
from scanner.model import CheckResult, DependencyKind, Finding, Lockfile, Severity, SourceKind

_PEER_KINDS = frozenset({DependencyKind.PEER, DependencyKind.PEER_OPTIONAL})


@lru_cache(maxsize=16384)
def _satisfies(version: str, range_: str) -> bool:
    import nodesemver

    try:
        return bool(nodesemver.satisfies(version, range_, loose=True))
    except (ValueError, TypeError):
        return False


def check_ranges(lockfile: Lockfile) -> CheckResult:
    findings: list[Finding] = []
    for node in lockfile.nodes.values():
        for dep in node.dependencies:
            if dep.target is None or dep.kind in _PEER_KINDS:
                continue
            target = lockfile.nodes.get(dep.target)
            if target is None or target.source is not SourceKind.REGISTRY or not target.version:
                continue
            range_ = semver_range(dep.spec)
            if range_ is None or range_ == "*" or _satisfies(target.version, range_):
                continue
            declarer = node.spec_id if node.location not in lockfile.roots else "the project"
            if node.location and node.location in lockfile.roots:
                declarer = f"workspace {node.location}"
            findings.append(
                rule_finding(
                    lockfile, target, "range-unsatisfied", Severity.MEDIUM,
                    f"{target.spec_id} is locked at {target.location}, but {declarer} declares "
                    f"{dep.name}@{dep.spec}",
                    range=dep.spec, declared_by=node.location, dependency_kind=dep.kind.value,
                )
            )
    return CheckResult(tuple(findings))
