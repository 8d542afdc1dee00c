"""The registry package versions a lockfile installs, for checks that look each one up once.

A ``name@version`` can be installed at several locations; registry facts about it are the same
everywhere, so registry checks report it once, at its first lockfile entry, listing every location.
Bundled packages come inside their parent's tarball, not from the registry, and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scanner.model import (
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    PackageRef,
    Severity,
    SourceKind,
)


@dataclass(frozen=True, slots=True)
class LockedVersion:
    name: str
    version: str
    nodes: tuple[PackageNode, ...]
    """Every entry installing it, first lockfile line first."""

    @property
    def spec_id(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def first(self) -> PackageNode:
        return self.nodes[0]


def locked_registry_versions(lockfile: Lockfile) -> list[LockedVersion]:
    grouped: dict[tuple[str, str], list[PackageNode]] = {}
    for node in lockfile.packages():
        if node.source is SourceKind.REGISTRY and not node.in_bundle and node.version:
            grouped.setdefault((node.name, node.version), []).append(node)
    return [
        LockedVersion(name, version, tuple(sorted(nodes, key=lambda n: (n.line or 0, n.location))))
        for (name, version), nodes in sorted(grouped.items())
    ]


def version_finding(
    check: str,
    lockfile: Lockfile,
    locked: LockedVersion,
    severity: Severity,
    message: str,
    **details: object,
) -> Finding:
    return Finding(
        check=check,
        severity=severity,
        message=message,
        package=PackageRef.of(locked.first),
        lockfile=str(lockfile.path),
        line=locked.first.line,
        details={"locations": [n.location for n in locked.nodes], **details},
    )


def _count(n: int) -> str:
    return f"{n} package" if n == 1 else f"{n} packages"


def gaps_as_not_checked(
    check: str, gaps: Mapping[str, Sequence[str]]
) -> tuple[NotChecked, ...]:
    """One NotChecked per reason, naming the ``name@version`` values it concerns."""
    return tuple(
        NotChecked(check, f"{reason} ({_count(len(packages))})", tuple(packages))
        for reason, packages in gaps.items()
        if packages
    )
