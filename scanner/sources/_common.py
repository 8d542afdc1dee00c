"""Pieces the yarn, pnpm and bun readers share: descriptor splitting, source kinds, aliases."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from scanner.model import DependencyKind, LockfileProblem, PackageNode, SourceKind

_GITHUB_SHORTHAND = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(#.*)?$")
_GIT_PREFIXES = ("git+", "git:", "git@", "ssh:", "github:", "gitlab:", "bitbucket:", "gist:")
_TARBALL_SUFFIXES = (".tgz", ".tar.gz", ".tar")


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """``@scope/name@range`` -> (``@scope/name``, ``range``); no ``@`` -> (descriptor, "")."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def is_git_spec(spec: str) -> bool:
    """Whether a range, resolution or URL names a git repository (any host)."""
    lowered = spec.lower()
    if lowered.startswith(_GIT_PREFIXES) or "codeload.github.com/" in lowered:
        return True
    if lowered.startswith(("http://", "https://")):
        bare = lowered.split("#", 1)[0]
        return bare.endswith(".git") or "#commit=" in lowered
    return bool(_GITHUB_SHORTHAND.match(spec)) and not spec.startswith(("file:", "link:"))


def is_tarball_path(spec: str) -> bool:
    return spec.split("#", 1)[0].lower().endswith(_TARBALL_SUFFIXES)


def local_kind(path: str) -> SourceKind:
    """A ``file:`` reference is a packed tarball or a folder copied in."""
    return SourceKind.LOCAL_TARBALL if is_tarball_path(path) else SourceKind.LOCAL_DIRECTORY


def apply_install_aliases(
    nodes: dict[str, PackageNode], roots: Iterable[str]
) -> dict[str, PackageNode]:
    """Set ``alias`` on nodes that every dependent requires under one other name.

    Formats keyed by resolution (pnpm, bun nested keys aside) record aliases only on the edge;
    a node reached both as itself and under an alias is installed under both names, so it keeps
    ``alias=None`` and the alias stays visible on the edge.
    """
    names_by_target: dict[str, set[str]] = {}
    for node in nodes.values():
        for dep in node.dependencies:
            if dep.target is not None:
                names_by_target.setdefault(dep.target, set()).add(dep.name)
    root_set = set(roots)
    out: dict[str, PackageNode] = {}
    for location, node in nodes.items():
        names = names_by_target.get(location, set())
        if location not in root_set and len(names) == 1 and node.alias is None:
            (only,) = names
            if only != node.name:
                node = dataclasses.replace(node, alias=only)
        out[location] = node
    return out


def missing_target_problems(
    nodes: dict[str, PackageNode],
) -> list[LockfileProblem]:
    """One problem per declared non-optional, non-peer dependency with no node in the file."""
    problems: list[LockfileProblem] = []
    for location, node in nodes.items():
        for dep in node.dependencies:
            if dep.target is None and dep.kind in (DependencyKind.PROD, DependencyKind.DEV):
                problems.append(
                    LockfileProblem(
                        f"{node.spec_id} depends on {dep.name}@{dep.spec}, "
                        "which has no entry in the lockfile",
                        location=location,
                        line=node.line,
                    )
                )
    return problems

