"""yarn classic (``# yarn lockfile v1``) ``yarn.lock`` into the shared model.

One node per block; a block's location is its first descriptor as written (``abbrev@^1.1.1``).
The file records neither the root project nor workspaces, so the root's dependencies come from
the ``package.json`` beside the lockfile when there is one (and it declares no workspaces);
otherwise every block that no other block requires becomes a direct dependency of the root.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from scanner.errors import DepscanError, LockfileError
from scanner.model import (
    DeclaredDependency,
    DependencyKind,
    Lockfile,
    LockfileProblem,
    PackageNode,
    SourceKind,
)
from scanner.sources._common import (
    is_git_spec,
    local_kind,
    missing_target_problems,
    split_descriptor,
)
from scanner.sources._yarn_syntax import Entry, Mapping, declared_dependencies, read_entries
from scanner.untrusted import MAX_MANIFEST_BYTES, loads, read_text

FORMAT = "yarn-v1"
HEADER = "# yarn lockfile v1"
ROOT_LOCATION = ""
"""Descriptors always contain ``@``, so the empty string cannot clash with a block."""

_MANIFEST_SECTIONS = (
    ("dependencies", DependencyKind.PROD),
    ("optionalDependencies", DependencyKind.OPTIONAL),
    ("devDependencies", DependencyKind.DEV),
)


def sniff(text: str) -> bool:
    return HEADER in text[:2048]


def parse(path: Path, text: str) -> Lockfile:
    """Parse ``text`` (the content of ``path``), reading ``package.json`` beside it if present."""
    manifest, manifest_problem = _read_manifest(path.parent / "package.json")
    lockfile = parse_text(path, text, manifest)
    if manifest_problem is None:
        return lockfile
    return Lockfile(
        path=lockfile.path,
        format=lockfile.format,
        format_version=lockfile.format_version,
        nodes=lockfile.nodes,
        roots=lockfile.roots,
        problems=(manifest_problem, *lockfile.problems),
    )


def _read_manifest(path: Path) -> tuple[dict[str, Any] | None, LockfileProblem | None]:
    if not path.exists():
        return None, None
    try:
        data = loads(read_text(path, max_bytes=MAX_MANIFEST_BYTES), subject=str(path))
    except DepscanError as exc:
        return None, LockfileProblem(f"{exc.one_line()}; roots guessed")
    if not isinstance(data, dict):
        return None, LockfileProblem(f"{path} is not a JSON object; roots guessed")
    return data, None


def parse_text(path: Path, text: str, manifest: dict[str, Any] | None = None) -> Lockfile:
    """The pure part of :func:`parse`: ``manifest`` is the parsed ``package.json`` or ``None``."""
    subject = str(path)
    if not text.strip():
        raise LockfileError("empty file", subject)
    if not sniff(text):
        raise LockfileError(f"not a yarn v1 lockfile (no {HEADER!r} header)", subject)
    entries = read_entries(text, subject)

    problems: list[LockfileProblem] = []
    location_of: dict[str, str] = {}
    for entry in entries:
        for descriptor in entry.keys:
            if descriptor in location_of:
                problems.append(
                    LockfileProblem(
                        f"descriptor {descriptor} appears in two entries; the first is used",
                        location=entry.keys[0],
                        line=entry.line,
                    )
                )
            else:
                location_of[descriptor] = entry.keys[0]

    nodes: dict[str, PackageNode] = {}
    for entry in entries:
        node = _node(entry, location_of, subject)
        nodes.setdefault(node.location, node)

    root = _root(path, nodes, location_of, manifest)
    nodes = {ROOT_LOCATION: root, **nodes}
    problems.extend(missing_target_problems(nodes))
    return Lockfile(
        path=path,
        format=FORMAT,
        format_version="1",
        nodes=nodes,
        roots=(ROOT_LOCATION,),
        problems=tuple(problems),
    )


def _real_name_and_range(descriptor: str, subject: str, line: int) -> tuple[str, str, str]:
    """(installed name, real package name, range) of one descriptor."""
    install_name, spec = split_descriptor(descriptor)
    if not install_name or not spec:
        raise LockfileError(f"line {line}: {descriptor!r} is not a name@range descriptor", subject)
    if spec.startswith("npm:"):
        inner = spec[4:]
        if "@" in inner[1:]:
            real, inner_range = split_descriptor(inner)
            return install_name, real, inner_range
        return install_name, install_name, inner
    return install_name, install_name, spec


def _source_kind(ranges: list[str], resolved: str | None) -> tuple[SourceKind, str | None]:
    """The source kind and, for links, the linked path."""
    if any(is_git_spec(r) for r in ranges) or (resolved is not None and is_git_spec(resolved)):
        return SourceKind.GIT, None
    for spec in ranges:
        if spec.startswith("link:"):
            return SourceKind.LINK, spec[5:]
        if spec.startswith("file:"):
            return local_kind(spec[5:]), None
        if spec.startswith(("http://", "https://")):
            return SourceKind.REMOTE_TARBALL, None
    if resolved is not None and resolved.startswith("file:"):
        return local_kind(resolved[5:]), None
    return SourceKind.REGISTRY, None


def _text_field(body: Mapping, key: str, entry: Entry, subject: str) -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    raise LockfileError(f"line {entry.line}: {key} of {entry.keys[0]} must be a value", subject)


def _node(entry: Entry, location_of: dict[str, str], subject: str) -> PackageNode:
    version = _text_field(entry.body, "version", entry, subject)
    if not version:
        raise LockfileError(
            f"line {entry.line}: entry {entry.keys[0]} has no version (truncated file?)", subject
        )
    resolved = _text_field(entry.body, "resolved", entry, subject)
    integrity = _text_field(entry.body, "integrity", entry, subject)

    install_names: list[str] = []
    real_names: list[str] = []
    ranges: list[str] = []
    for descriptor in entry.keys:
        install_name, real, spec = _real_name_and_range(descriptor, subject, entry.line)
        install_names.append(install_name)
        real_names.append(real)
        ranges.append(spec)
    name = real_names[0]
    alias = install_names[0] if name not in install_names else None
    kind, link_target = _source_kind(ranges, resolved)

    dependencies: list[DeclaredDependency] = []
    for section, dep_kind in (
        ("dependencies", DependencyKind.PROD),
        ("optionalDependencies", DependencyKind.OPTIONAL),
    ):
        for dep_name, dep_spec in declared_dependencies(entry, section, subject):
            target = location_of.get(f"{dep_name}@{dep_spec}")
            dependencies.append(DeclaredDependency(dep_name, dep_spec, dep_kind, target))

    return PackageNode(
        location=entry.keys[0],
        name=name,
        version=version,
        source=kind,
        alias=alias,
        resolved=resolved,
        integrity=integrity,
        link_target=link_target,
        has_install_script=None,
        dependencies=tuple(dependencies),
        line=entry.line,
    )


def _root(
    path: Path,
    nodes: dict[str, PackageNode],
    location_of: dict[str, str],
    manifest: dict[str, Any] | None,
) -> PackageNode:
    name = path.resolve().parent.name or "root"
    version = ""
    if manifest is not None:
        if isinstance(manifest.get("name"), str):
            name = manifest["name"]
        if isinstance(manifest.get("version"), str):
            version = manifest["version"]
    if manifest is not None and not manifest.get("workspaces"):
        dependencies = _manifest_dependencies(manifest, location_of)
    else:
        dependencies = _guessed_root_dependencies(nodes)
    return PackageNode(
        location=ROOT_LOCATION,
        name=name,
        version=version,
        source=SourceKind.ROOT,
        dependencies=tuple(dependencies),
        line=None,
    )


def _manifest_dependencies(
    manifest: dict[str, Any], location_of: dict[str, str]
) -> list[DeclaredDependency]:
    out: list[DeclaredDependency] = []
    seen: set[str] = set()
    for section, kind in _MANIFEST_SECTIONS:
        declared = manifest.get(section)
        if not isinstance(declared, dict):
            continue
        for dep_name, dep_spec in declared.items():
            # npm and yarn let dependencies win over a duplicate devDependencies entry.
            if not isinstance(dep_spec, str) or dep_name in seen:
                continue
            seen.add(dep_name)
            target = location_of.get(f"{dep_name}@{dep_spec}")
            out.append(DeclaredDependency(dep_name, dep_spec, kind, target))
    return out


def _guessed_root_dependencies(nodes: dict[str, PackageNode]) -> list[DeclaredDependency]:
    """Blocks nothing else requires, plus one block per cycle no such block reaches."""
    required = {d.target for n in nodes.values() for d in n.dependencies if d.target is not None}
    direct = [loc for loc in nodes if loc not in required]
    reached: set[str] = set()

    def reach(start: str) -> None:
        queue = deque([start])
        reached.add(start)
        while queue:
            for dep in nodes[queue.popleft()].dependencies:
                if dep.target is not None and dep.target not in reached:
                    reached.add(dep.target)
                    queue.append(dep.target)

    for loc in direct:
        reach(loc)
    for loc in nodes:
        if loc not in reached:
            direct.append(loc)
            reach(loc)
    out: list[DeclaredDependency] = []
    for loc in direct:
        node = nodes[loc]
        _, spec = split_descriptor(loc)
        out.append(DeclaredDependency(node.install_name, spec, DependencyKind.PROD, loc))
    return out
