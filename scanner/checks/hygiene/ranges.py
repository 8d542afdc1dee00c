"""Declared ranges the locked version does not satisfy.

npm never writes such a lockfile itself (it would re-resolve the edge), so an unsatisfied edge is a
hand-edited or merged lockfile, or a swapped version. Only registry targets and plain semver ranges
are compared, as npm's dependency validation does (loose parsing, no prereleases unless the
range names them, ``*`` accepts anything). Tags, ``npm:`` aliases, git, file, link and workspace
specifiers are skipped, and so are peer dependencies: npm installs unsatisfied peers under
``--legacy-peer-deps`` and records them as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache

from scanner.checks.hygiene._common import rule_finding
from scanner.checks.hygiene.specs import semver_range
from scanner.model import CheckResult, DependencyKind, Finding, Lockfile, Severity, SourceKind

_PEER_KINDS = frozenset({DependencyKind.PEER, DependencyKind.PEER_OPTIONAL})
_PLAIN_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_SIMPLE_RANGE = re.compile(r"^([~^]?)(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def _simple_satisfies(version: str, range_: str) -> bool | None:
    """``^a.b.c``, ``~a.b.c`` or ``a.b.c`` against a plain ``x.y.z``; ``None`` for anything else.

    Most edges of a real lockfile have this shape, and the general range parser costs a fraction
    of a millisecond per range; with no prerelease on either side the rules are plain arithmetic.
    """
    v = _PLAIN_VERSION.match(version)
    r = _SIMPLE_RANGE.match(range_)
    if v is None or r is None:
        return None
    have = (int(v[1]), int(v[2]), int(v[3]))
    operator = r[1]
    low = (int(r[2]), int(r[3]), int(r[4]))
    if operator == "":
        return have == low
    if operator == "~":
        high = (low[0], low[1] + 1, 0)
    elif low[0] > 0:
        high = (low[0] + 1, 0, 0)
    elif low[1] > 0:
        high = (0, low[1] + 1, 0)
    else:
        high = (0, 0, low[2] + 1)
    return low <= have < high


@lru_cache(maxsize=16384)
def satisfies(version: str, range_: str) -> bool:
    """Whether ``version`` satisfies ``range_`` as npm validates an edge (loose, no prerelease)."""
    simple = _simple_satisfies(version, range_)
    if simple is not None:
        return simple
    import nodesemver

    try:
        return bool(nodesemver.satisfies(version, range_, loose=True))
    except (ValueError, TypeError):
        return False


def check_ranges(lockfile: Lockfile, forced: frozenset[str] | None = None) -> CheckResult:
    """Unsatisfied edges; ``forced`` names (overrides/resolutions) are skipped.

    ``None`` means no package.json was found to read overrides from, which the message says.
    """
    findings: list[Finding] = []
    skipped = forced or frozenset()
    note = (
        " (package.json not found beside the lockfile: an override there would explain it)"
        if forced is None
        else ""
    )
    for node in lockfile.nodes.values():
        for dep in node.dependencies:
            if dep.target is None or dep.kind in _PEER_KINDS:
                continue
            target = lockfile.nodes.get(dep.target)
            if target is None or target.source is not SourceKind.REGISTRY or not target.version:
                continue
            if target.name in skipped or dep.name in skipped:
                continue
            range_ = semver_range(dep.spec)
            if range_ is None or range_ == "*" or satisfies(target.version, range_):
                continue
            if node.location == "":
                declarer = "the project"
            elif node.location in lockfile.roots:
                declarer = f"workspace {node.location}"
            else:
                declarer = node.spec_id
            findings.append(
                rule_finding(
                    lockfile, target, "range-unsatisfied", Severity.MEDIUM,
                    f"{target.spec_id} is locked at {target.location}, but {declarer} declares "
                    f"{dep.name}@{dep.spec}{note}",
                    range=dep.spec, declared_by=node.location, dependency_kind=dep.kind.value,
                )
            )
    return CheckResult(tuple(findings))
