"""yarn berry (yarn 2 and later, ``__metadata`` versions 4 to 10) ``yarn.lock`` into the model.

One node per block, located by its ``resolution`` (``lodash@npm:4.17.21``,
``app@workspace:packages/app``), which yarn keeps unique. Workspace blocks are the roots; the
``workspace:.`` block is the root project. ``checksum`` is yarn's own cache hash, not an SRI
integrity, so it is not put in ``integrity``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cmp_to_key
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from scanner.errors import LockfileError
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

FORMAT = "yarn-berry"
MIN_METADATA_VERSION = 4
MAX_METADATA_VERSION = 10
_METADATA_KEY = "__metadata"


def sniff(text: str) -> bool:
    head = text[:4096]
    return "\n__metadata:" in f"\n{head}" and "# yarn lockfile v1" not in head


def parse(path: Path, text: str) -> Lockfile:
    subject = str(path)
    if not text.strip():
        raise LockfileError("empty file", subject)
    entries = read_entries(text, subject)
    metadata = next((e for e in entries if e.keys == (_METADATA_KEY,)), None)
    if metadata is None:
        raise LockfileError("no __metadata block: not a yarn berry lockfile", subject)
    format_version = _metadata_version(metadata, subject)

    packages = [e for e in entries if e is not metadata]
    problems: list[LockfileProblem] = []
    location_of: dict[str, str] = {}
    for entry in packages:
        resolution = _text_field(entry.body, "resolution", entry, subject)
        if not resolution:
            raise LockfileError(
                f"line {entry.line}: entry {entry.keys[0]} has no resolution (truncated file?)",
                subject,
            )
        for descriptor in entry.keys:
            if descriptor in location_of:
                problems.append(
                    LockfileProblem(
                        f"descriptor {descriptor} appears in two entries; the first is used",
                        location=resolution,
                        line=entry.line,
                    )
                )
            else:
                location_of[descriptor] = resolution

    index = _Index(location_of, _blocks_by_name(packages))
    nodes: dict[str, PackageNode] = {}
    for entry in packages:
        node = _node(entry, index, subject)
        if node.location in nodes:
            problems.append(
                LockfileProblem(
                    f"resolution {node.location} appears in two entries; the first is used",
                    location=node.location,
                    line=entry.line,
                )
            )
            continue
        nodes[node.location] = node

    workspaces = [loc for loc, n in nodes.items() if n.is_workspace]
    roots = [loc for loc in workspaces if nodes[loc].source is SourceKind.ROOT]
    if len(roots) != 1:
        raise LockfileError(
            f"expected one root workspace entry ('workspace:.'), found {len(roots)}"
            " (truncated file?)",
            subject,
        )
    roots.extend(loc for loc in workspaces if loc != roots[0])
    problems.extend(missing_target_problems(nodes))
    return Lockfile(
        path=path,
        format=FORMAT,
        format_version=str(format_version),
        nodes=nodes,
        roots=tuple(roots),
        problems=tuple(problems),
    )


def _blocks_by_name(packages: list[Entry]) -> dict[str, list[tuple[str, str, bool]]]:
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for entry in packages:
        resolution = entry.body.get("resolution")
        version = entry.body.get("version")
        if not isinstance(resolution, str) or not isinstance(version, str):
            continue  # reported when the node is built
        name, reference = split_descriptor(resolution)
        is_workspace = reference.startswith("workspace:")
        for install_name in {name, *(split_descriptor(d)[0] for d in entry.keys)}:
            out.setdefault(install_name, []).append((resolution, version, is_workspace))
    return out


def _metadata_version(metadata: Entry, subject: str) -> int:
    raw = metadata.body.get("version")
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses, and a bound on the
    # length keeps int() below Python's digit limit.
    if not isinstance(raw, str) or re.fullmatch(r"[0-9]{1,9}", raw.strip()) is None:
        raise LockfileError(f"line {metadata.line}: __metadata has no numeric version", subject)
    version = int(raw)
    if not MIN_METADATA_VERSION <= version <= MAX_METADATA_VERSION:
        raise LockfileError(
            f"unsupported yarn lockfile __metadata version {version} "
            f"(supported: {MIN_METADATA_VERSION} to {MAX_METADATA_VERSION})",
            subject,
        )
    return version


def _text_field(body: Mapping, key: str, entry: Entry, subject: str) -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    raise LockfileError(f"line {entry.line}: {key} of {entry.keys[0]} must be a value", subject)


def _without_params(reference: str) -> str:
    """Drop yarn's ``::locator=...`` binding parameters from a reference."""
    return reference.split("::", 1)[0]


def source_of(reference: str) -> tuple[SourceKind, str | None, str | None]:
    """(source kind, resolved URL or path, link target) of a resolution's reference part."""
    if reference.startswith("workspace:"):
        kind = SourceKind.ROOT if reference == "workspace:." else SourceKind.WORKSPACE
        return kind, None, None
    if reference.startswith("patch:"):
        # A patch applies to another locator (URL-encoded before the '#'): the code is from there.
        patched = unquote(reference[len("patch:") :].split("#", 1)[0])
        _, inner = split_descriptor(patched)
        kind, resolved, link_target = source_of(inner)
        return kind, resolved, link_target
    if reference.startswith("npm:"):
        return SourceKind.REGISTRY, None, None
    if is_git_spec(reference):
        return SourceKind.GIT, _without_params(reference), None
    if reference.startswith(("http://", "https://")):
        return SourceKind.REMOTE_TARBALL, _without_params(reference), None
    if reference.startswith("file:"):
        path = _without_params(reference[len("file:") :])
        return local_kind(path), path, None
    for protocol in ("link:", "portal:"):
        if reference.startswith(protocol):
            return SourceKind.LINK, None, _without_params(reference[len(protocol) :])
    return SourceKind.UNKNOWN, None, None


def _flag(meta: str | Mapping | None, name: str, flag: str) -> bool:
    if not isinstance(meta, dict):
        return False
    entry = meta.get(name)
    return isinstance(entry, dict) and entry.get(flag) == "true"


def _node(entry: Entry, index: _Index, subject: str) -> PackageNode:
    resolution = _text_field(entry.body, "resolution", entry, subject) or ""
    version = _text_field(entry.body, "version", entry, subject)
    if not version:
        raise LockfileError(
            f"line {entry.line}: entry {entry.keys[0]} has no version (truncated file?)", subject
        )
    name, reference = split_descriptor(resolution)
    if not name or not reference:
        raise LockfileError(
            f"line {entry.line}: resolution {resolution!r} is not a name@reference locator",
            subject,
        )
    kind, resolved, link_target = source_of(reference)
    install_names = [split_descriptor(d)[0] for d in entry.keys]
    alias = install_names[0] if name not in install_names else None

    dependencies: list[DeclaredDependency] = []
    meta = entry.body.get("dependenciesMeta")
    peer_meta = entry.body.get("peerDependenciesMeta")
    for section in ("dependencies", "peerDependencies"):
        for dep_name, dep_spec in declared_dependencies(entry, section, subject):
            if section == "dependencies":
                optional = _flag(meta, dep_name, "optional")
                dep_kind = DependencyKind.OPTIONAL if optional else DependencyKind.PROD
            else:
                optional = _flag(peer_meta, dep_name, "optional")
                dep_kind = DependencyKind.PEER_OPTIONAL if optional else DependencyKind.PEER
            target = index.lookup(dep_name, dep_spec)
            dependencies.append(DeclaredDependency(dep_name, dep_spec, dep_kind, target))

    return PackageNode(
        location=resolution,
        name=name,
        version=version,
        source=kind,
        alias=alias,
        resolved=resolved,
        integrity=None,
        is_workspace=kind in (SourceKind.ROOT, SourceKind.WORKSPACE),
        link_target=link_target,
        has_install_script=None,
        dependencies=tuple(dependencies),
        line=entry.line,
    )


@dataclass(frozen=True, slots=True)
class _Index:
    """Where descriptors resolve, and every block by the names it is installed under."""

    location_of: dict[str, str]
    blocks_by_name: dict[str, list[tuple[str, str, bool]]]
    """name -> (location, version, is a workspace) of each block that name points to."""

    def lookup(self, name: str, spec: str) -> str | None:
        """The block a ``name: spec`` dependency resolves to.

        Older files write plain ranges (``^1.0.0``) in dependency lists but ``npm:^1.0.0`` or
        ``workspace:^1.0.0`` in block keys. A descriptor rewritten by a ``resolutions`` override
        or resolved to a workspace by range is absent from the keys: it is matched by name.
        """
        target = self.location_of.get(f"{name}@{spec}")
        if target is not None:
            return target
        if ":" not in spec.split("@", 1)[0]:
            for protocol in ("npm:", "workspace:"):
                target = self.location_of.get(f"{name}@{protocol}{spec}")
                if target is not None:
                    return target
        return self._by_name(name, spec)

    def _by_name(self, name: str, spec: str) -> str | None:
        blocks = self.blocks_by_name.get(name, [])
        if len(blocks) <= 1:
            return blocks[0][0] if blocks else None
        bare_range = spec[4:] if spec.startswith("npm:") else spec
        # Imported here: only files with overridden descriptors pay for node-semver's import.
        import nodesemver

        satisfying = [
            loc
            for loc, version, is_workspace in blocks
            if not is_workspace and _satisfies(nodesemver, version, bare_range)
        ]
        if satisfying:
            # What yarn would pick afresh: the highest version, and a patched build of it over the
            # unpatched one (a patch block exists because a resolution asked for it).
            version_of = {loc: version for loc, version, _ in blocks}

            def order(a: str, b: str) -> int:
                by_version = _compare(nodesemver, version_of[a], version_of[b])
                return by_version or ("@patch:" in a) - ("@patch:" in b)

            return max(satisfying, key=cmp_to_key(order))
        workspaces = [loc for loc, _, is_workspace in blocks if is_workspace]
        if not satisfying and len(workspaces) == 1:
            return workspaces[0]
        return None


def _compare(nodesemver: Any, a: str, b: str) -> int:
    try:
        return int(nodesemver.compare(a, b, True))
    except (ValueError, TypeError):
        return 0


def _satisfies(nodesemver: Any, version: str, spec: str) -> bool:
    try:
        return bool(nodesemver.satisfies(version, spec, loose=True))
    except (ValueError, TypeError):
        return False
