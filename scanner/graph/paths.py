"""The dependency graph of a lockfile, and the paths by which a package got in.

Nodes are install locations, edges point from a node to the node each declared dependency resolved
to. A virtual source joins the root project and every workspace, so one breadth-first search gives
the shortest path from a root to every node. networkx is imported here only, and this module is
only imported when a finding needs its paths, so a clean scan never pays for it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from scanner.model import DependencyKind, Finding, Lockfile, PackageNode, SourceKind

_SOURCE = "\0roots"
MAX_PATHS = 3


def build_graph(lockfile: Lockfile) -> Any:
    """A ``networkx.DiGraph`` of the lockfile; edge attribute ``kind`` is the dependency kind."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(lockfile.nodes)
    for location, node in lockfile.nodes.items():
        for dep in node.dependencies:
            if dep.target is not None and dep.target != location:
                graph.add_edge(location, dep.target, kind=dep.kind)
    return graph


class PathIndex:
    """Shortest paths from the roots, direct-ness, and production reachability of every node."""

    def __init__(self, lockfile: Lockfile) -> None:
        import networkx as nx

        self._lockfile = lockfile
        self.graph = build_graph(lockfile)
        self.graph.add_node(_SOURCE)
        for root in lockfile.roots:
            self.graph.add_edge(_SOURCE, root, kind=DependencyKind.PROD)
        self._predecessors: dict[str, list[str]] = nx.predecessor(self.graph, _SOURCE)
        self._prod = _production_reachable(lockfile)
        self._direct = _direct_dependencies(lockfile)

    def paths_to(self, location: str, limit: int = MAX_PATHS) -> list[tuple[str, ...]]:
        """Up to ``limit`` shortest paths from a root, as ``name@version`` labels."""
        if location not in self._predecessors:
            return []
        found: list[tuple[str, ...]] = []
        for path in self._enumerate(location, limit * 4):
            label = self._label(path)
            if label not in found:
                found.append(label)
            if len(found) >= limit:
                break
        return found

    def is_direct(self, location: str) -> bool:
        return location in self._direct

    def reach(self, location: str) -> str:
        if location in self._prod:
            return "prod"
        if location in self._predecessors:
            return "dev"
        return "unreachable"

    def _enumerate(self, target: str, limit: int) -> Iterable[list[str]]:
        # Walk the BFS predecessor lists back from the target: every such walk is a shortest path.
        count = 0
        stack: list[tuple[str, list[str]]] = [(target, [target])]
        while stack and count < limit:
            node, suffix = stack.pop()
            if node == _SOURCE:
                count += 1
                yield suffix[-2::-1]
                continue
            for pred in reversed(self._predecessors.get(node, [])):
                stack.append((pred, [*suffix, pred]))

    def _label(self, path: Sequence[str]) -> tuple[str, ...]:
        labels: list[str] = []
        for location in path:
            node = self._lockfile.nodes[location]
            if node.source is SourceKind.LINK:
                continue  # a link and the folder it points at are one package to a reader
            labels.append(_node_label(node))
        return tuple(labels)


def _node_label(node: PackageNode) -> str:
    if node.source is SourceKind.ROOT:
        return node.name
    label = node.spec_id
    if node.alias:
        label = f"{node.alias}(npm:{label})"
    return label


def _production_reachable(lockfile: Lockfile) -> set[str]:
    """Nodes reachable from a root without passing through a dev dependency."""
    seen: set[str] = set(lockfile.roots)
    queue = deque(lockfile.roots)
    while queue:
        node = lockfile.nodes[queue.popleft()]
        for dep in node.dependencies:
            if dep.target is None or dep.target in seen or dep.kind is DependencyKind.DEV:
                continue
            seen.add(dep.target)
            queue.append(dep.target)
    return seen


def _direct_dependencies(lockfile: Lockfile) -> set[str]:
    direct: set[str] = set()
    for root in lockfile.roots:
        for dep in lockfile.nodes[root].dependencies:
            if dep.target is None:
                continue
            direct.add(dep.target)
            target = lockfile.nodes[dep.target]
            if target.source is SourceKind.LINK and target.link_target:
                direct.add(target.link_target)
    return direct


def annotate(findings: Sequence[Finding], lockfile: Lockfile) -> list[Finding]:
    """Fill ``paths``, ``direct`` and ``reach`` on findings about packages of this lockfile."""
    if not any(f.package and f.package.location in lockfile.nodes for f in findings):
        return list(findings)
    index = PathIndex(lockfile)
    out = []
    for finding in findings:
        pkg = finding.package
        if pkg is None or pkg.location not in lockfile.nodes or finding.paths:
            out.append(finding)
            continue
        out.append(
            replace(
                finding,
                paths=tuple(index.paths_to(pkg.location)),
                direct=index.is_direct(pkg.location),
                reach=index.reach(pkg.location),
            )
        )
    return out
