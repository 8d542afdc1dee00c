"""Which code a change brings in: every incoming package version, paired with its own past.

A lockfile change is judged by the code it adds. A version the base already had (anywhere in its
tree) brings no new code, however the tree was re-hoisted. Any other version is paired by package
name, never by install location: with the nearest lower version the base had (an update, diffed
against that version), else it is a downgrade (older code coming back, not diffed as an upgrade),
else the name is new to the project (its code is inspected on its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from scanner.checks.release_history import semver_key
from scanner.model import Lockfile, PackageNode, SourceKind


class ChangeKind(StrEnum):
    UPDATE = "update"
    """A version newer than one the base had: diffed against the nearest lower one."""
    DOWNGRADE = "downgrade"
    """Only newer versions were in the base: older code comes back."""
    NEW = "new"
    """The base had no version of this package."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One version the head has and the base did not."""

    kind: ChangeKind
    new: PackageNode
    old: PackageNode | None = None
    """The base version it is compared with (nearest lower for an update, nearest higher for a
    downgrade); ``None`` for a new package."""

    @property
    def name(self) -> str:
        return self.new.name

    @property
    def label(self) -> str:
        if self.old is None:
            return f"{self.new.name}@{self.new.version} (new)"
        return f"{self.new.name} {self.old.version} -> {self.new.version}"


def _one_node_per_version(nodes: Iterable[PackageNode]) -> dict[str, dict[str, PackageNode]]:
    """name -> version -> the node listed first (by install location) for it."""
    out: dict[str, dict[str, PackageNode]] = {}
    for node in sorted(nodes, key=lambda n: n.location):
        out.setdefault(node.name, {}).setdefault(node.version, node)
    return out


def versions_by_name(
    lockfile: Lockfile, *, registry_only: bool = True
) -> dict[str, dict[str, PackageNode]]:
    return _one_node_per_version(
        n for n in lockfile.packages() if not registry_only or n.source is SourceKind.REGISTRY
    )


def incoming(base: Lockfile, head: Lockfile, *, registry_only: bool = True) -> list[Incoming]:
    """Every package version in ``head`` that ``base`` lacks, paired by name (registry packages
    only, unless ``registry_only`` is false).

    Versions that are not semver (git commits, tags) are paired only when the base had exactly
    one version of the name, which is then taken as the previous one.
    """
    before = versions_by_name(base, registry_only=registry_only)
    out: list[Incoming] = []
    for name, versions in sorted(versions_by_name(head, registry_only=registry_only).items()):
        had = before.get(name, {})
        for version, node in sorted(versions.items(), key=lambda kv: _order(kv[0])):
            if version in had:
                continue
            out.append(_pair(node, had))
    return out


def _order(version: str) -> tuple[bool, tuple[object, ...], str]:
    key = semver_key(version)
    return (key is None, key or (), version)


def _pair(node: PackageNode, had: dict[str, PackageNode]) -> Incoming:
    if not had:
        return Incoming(ChangeKind.NEW, node)
    key = semver_key(node.version)
    keyed = [(k, v) for v in had if (k := semver_key(v)) is not None]
    if key is None or not keyed:
        only = next(iter(had.values())) if len(had) == 1 else None
        return Incoming(ChangeKind.UPDATE, node, only) if only else Incoming(ChangeKind.NEW, node)
    lower = [kv for kv in keyed if kv[0] < key]
    if lower:
        return Incoming(ChangeKind.UPDATE, node, had[max(lower)[1]])
    return Incoming(ChangeKind.DOWNGRADE, node, had[min(keyed)[1]])
