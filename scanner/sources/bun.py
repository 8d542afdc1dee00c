"""bun's text lockfile (``bun.lock``, JSONC, lockfileVersion 0 and 1) into the shared model.

``packages`` is keyed by install path (``chalk``, ``chalk/ansi-styles`` for a copy nested under
chalk); that key is the node's location. Workspaces are located by their folder (``""`` is the
root project, ``packages/lib``). The format records no dev/optional flags on packages and no
install-script marker, so those stay unset; the binary ``bun.lockb`` is not read.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

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
from scanner.untrusted import loads

FORMAT = "bun"
SUPPORTED_VERSIONS = (0, 1)
ROOT_WORKSPACE = ""

_SNIFF = re.compile(
    r'^\s*\{\s*"lockfileVersion"\s*:\s*\d+\s*,\s*(?:"configVersion"\s*:\s*\d+\s*,\s*)?'
    r'"workspaces"\s*:\s*\{'
)
_STRING_OR_COMMENT_START = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*')
_NOT_NEWLINE = re.compile(r"[^\n]")
_STRING_OR_TRAILING_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[}\]])')
_KEY_LINE = re.compile(r'^([ \t]*)"((?:[^"\\]|\\.)*)"\s*:\s*(.)')

_PACKAGE_SECTIONS = (
    ("dependencies", DependencyKind.PROD),
    ("optionalDependencies", DependencyKind.OPTIONAL),
    ("peerDependencies", DependencyKind.PEER),
)
_WORKSPACE_SECTIONS = (
    ("dependencies", DependencyKind.PROD),
    ("optionalDependencies", DependencyKind.OPTIONAL),
    ("devDependencies", DependencyKind.DEV),
    ("peerDependencies", DependencyKind.PEER),
)


def sniff(text: str) -> bool:
    return _SNIFF.match(strip_jsonc(text[:4096])) is not None


def strip_jsonc(text: str) -> str:
    """JSON from JSONC: comments and trailing commas become spaces, so offsets and lines hold.

    Linear in the text: a block comment's end is found with one ``str.find``, and an unclosed
    ``/*`` is left in place for the JSON parser to report (a lazy regular expression for block
    comments would rescan the rest of the file from every unclosed ``/*``).
    """
    pieces: list[str] = []
    done = 0
    position = 0
    while (match := _STRING_OR_COMMENT_START.search(text, position)) is not None:
        token = match.group(0)
        if token.startswith('"'):
            position = match.end()
            continue
        if token == "/*":
            close = text.find("*/", match.end())
            if close < 0:
                break
            end = close + 2
        else:
            end = match.end()
        pieces.append(text[done : match.start()])
        pieces.append(_NOT_NEWLINE.sub(" ", text[match.start() : end]))
        done = position = end
    pieces.append(text[done:])

    def blank_comma(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else " "

    return _STRING_OR_TRAILING_COMMA.sub(blank_comma, "".join(pieces))


def parse(path: Path, text: str) -> Lockfile:
    subject = str(path)
    if not text.strip():
        raise LockfileError("empty file", subject)
    clean = strip_jsonc(text)
    data = loads(clean, subject=subject, error=LockfileError, label="JSONC")
    if not isinstance(data, dict):
        raise LockfileError("not a bun lockfile (top level is not an object)", subject)
    version = data.get("lockfileVersion")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LockfileError("no numeric lockfileVersion: not a bun lockfile", subject)
    if version not in SUPPORTED_VERSIONS:
        raise LockfileError(
            f"unsupported bun lockfileVersion {version} (supported: 0 and 1)", subject
        )
    workspaces = _object(data.get("workspaces"), "workspaces", subject)
    if ROOT_WORKSPACE not in workspaces:
        raise LockfileError('workspaces has no root ("") entry', subject)
    packages = _object(data.get("packages", {}), "packages", subject)
    lines = _section_key_lines(clean)
    return _Reader(path, workspaces, packages, lines).lockfile(str(version))


def _object(value: Any, what: str, subject: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LockfileError(f"{what} is not an object", subject)
    return value


def _section_key_lines(clean: str) -> dict[tuple[str, str], int]:
    """Line of each key one level inside the top-level ``workspaces`` and ``packages`` objects.

    bun writes one entry per line with a fixed indent, so the first key line after a section
    header fixes the indent its siblings share.
    """
    out: dict[tuple[str, str], int] = {}
    section: str | None = None
    indent: str | None = None
    section_indent = ""
    for line_no, line in enumerate(clean.splitlines(), start=1):
        match = _KEY_LINE.match(line)
        if match is None:
            continue
        lead, raw_key, opener = match.groups()
        try:
            key = json.loads(f'"{raw_key}"')
        except ValueError:
            continue
        if key in ("workspaces", "packages") and opener == "{" and len(lead) <= 2:
            section, indent, section_indent = key, None, lead
            continue
        if section is None:
            continue
        if indent is None:
            if len(lead) <= len(section_indent):
                section = None
                continue
            indent = lead
        if lead == indent:
            out.setdefault((section, key), line_no)
        elif len(lead) <= len(section_indent):
            section = None
    return out


def _path_components(key: str) -> list[str]:
    """``@s/a/b`` -> ``["@s/a", "b"]``: package names inside an install-path key."""
    parts = key.split("/")
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i].startswith("@") and i + 1 < len(parts):
            out.append(f"{parts[i]}/{parts[i + 1]}")
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


class _Reader:
    def __init__(
        self,
        path: Path,
        workspaces: dict[str, Any],
        packages: dict[str, Any],
        lines: dict[tuple[str, str], int],
    ) -> None:
        self.path = path
        self.subject = str(path)
        self.workspaces = workspaces
        self.packages = packages
        self.lines = lines
        self.problems: list[LockfileProblem] = []
        self.workspace_links: dict[str, str] = {}
        """packages key of a ``name@workspace:path`` entry -> that workspace's location."""

    def lockfile(self, format_version: str) -> Lockfile:
        nodes: dict[str, PackageNode] = {}
        for key, entry in self.packages.items():
            node = self._package(key, entry)
            if node is None:
                continue
            if key in self.workspaces:
                self.problems.append(
                    LockfileProblem(
                        f"package key {key} is also a workspace path; the package is skipped",
                        location=key,
                        line=node.line,
                    )
                )
                continue
            nodes[key] = node
        roots = (ROOT_WORKSPACE, *(w for w in self.workspaces if w != ROOT_WORKSPACE))
        root_nodes = {w: self._workspace(w) for w in roots}
        # Dependencies are resolved after every workspace link is known.
        nodes = {loc: self._with_targets(node) for loc, node in {**root_nodes, **nodes}.items()}
        problems = [*self.problems, *missing_target_problems(nodes)]
        return Lockfile(
            path=self.path,
            format=FORMAT,
            format_version=format_version,
            nodes=nodes,
            roots=roots,
            problems=tuple(problems),
        )

    def _bad_entry(self, key: str) -> LockfileError:
        return LockfileError(
            f'packages entry {key!r} is not ["name@version", ...] (line '
            f"{self.lines.get(('packages', key), '?')})",
            self.subject,
        )

    def _package(self, key: str, entry: Any) -> PackageNode | None:
        if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
            raise self._bad_entry(key)
        name, reference = split_descriptor(entry[0])
        if not name or not reference:
            raise self._bad_entry(key)
        if reference.startswith("workspace:"):
            self.workspace_links[key] = reference[len("workspace:") :]
            return None
        if reference.startswith("root:"):
            self.workspace_links[key] = ROOT_WORKSPACE
            return None
        resolved: str | None = None
        integrity: str | None = None
        link_target: str | None = None
        version = reference
        info: Any = entry[1] if len(entry) > 1 else {}
        if reference.startswith("link:"):
            kind, link_target, version = SourceKind.LINK, reference[len("link:") :], ""
        elif reference.startswith("file:"):
            kind, resolved = local_kind(reference[len("file:") :]), reference
        elif is_git_spec(reference):
            kind, resolved = SourceKind.GIT, reference
        elif reference.startswith(("http://", "https://")):
            kind, resolved = SourceKind.REMOTE_TARBALL, reference
        else:
            kind = SourceKind.REGISTRY
            registry_url = entry[1] if len(entry) > 1 else ""
            info = entry[2] if len(entry) > 2 else {}
            raw_integrity = entry[3] if len(entry) > 3 else None
            if not isinstance(registry_url, str) or not isinstance(info, dict):
                raise self._bad_entry(key)
            resolved = registry_url or None
            integrity = raw_integrity if isinstance(raw_integrity, str) else None
        if not isinstance(info, dict):
            raise self._bad_entry(key)
        if kind is not SourceKind.REGISTRY and isinstance(info.get("version"), str):
            version = info["version"]
        install_name = _path_components(key)[-1]
        return PackageNode(
            location=key,
            name=name,
            version=version,
            source=kind,
            alias=install_name if install_name != name else None,
            resolved=resolved,
            integrity=integrity,
            link_target=link_target,
            has_install_script=None,
            dependencies=self._declared(info, _PACKAGE_SECTIONS, key),
            line=self.lines.get(("packages", key)),
        )

    def _workspace(self, location: str) -> PackageNode:
        info = _object(self.workspaces[location], f"workspace {location!r}", self.subject)
        name = info.get("name")
        version = info.get("version")
        return PackageNode(
            location=location,
            name=name if isinstance(name, str) else (location or self.path.resolve().parent.name),
            version=version if isinstance(version, str) else "",
            source=SourceKind.ROOT if location == ROOT_WORKSPACE else SourceKind.WORKSPACE,
            is_workspace=True,
            dependencies=self._declared(info, _WORKSPACE_SECTIONS, location),
            line=self.lines.get(("workspaces", location)),
        )

    def _declared(
        self,
        info: dict[str, Any],
        sections: tuple[tuple[str, DependencyKind], ...],
        owner: str,
    ) -> tuple[DeclaredDependency, ...]:
        optional_peers = info.get("optionalPeers")
        optional_peers = set(optional_peers) if isinstance(optional_peers, list) else set()
        out: list[DeclaredDependency] = []
        for section, kind in sections:
            declared = info.get(section)
            if declared is None:
                continue
            declared = _object(declared, f"{section} of {owner!r}", self.subject)
            for dep_name, spec in declared.items():
                dep_kind = kind
                if kind is DependencyKind.PEER and dep_name in optional_peers:
                    dep_kind = DependencyKind.PEER_OPTIONAL
                out.append(DeclaredDependency(dep_name, str(spec), dep_kind, None))
        return tuple(out)

    def _with_targets(self, node: PackageNode) -> PackageNode:
        if not node.dependencies:
            return node
        if node.is_workspace:
            # A workspace's own copies are keyed under its package name, then hoisted to the top.
            prefixes = [node.name] if node.location != ROOT_WORKSPACE else []
        else:
            components = _path_components(node.location)
            prefixes = ["/".join(components[:i]) for i in range(len(components), 0, -1)]
        resolved = []
        for dep in node.dependencies:
            target = None
            for candidate in [*(f"{p}/{dep.name}" for p in prefixes), dep.name]:
                if candidate in self.workspace_links:
                    target = self.workspace_links[candidate]
                    break
                if candidate in self.packages:
                    target = candidate
                    break
            resolved.append(DeclaredDependency(dep.name, dep.spec, dep.kind, target))
        return dataclasses.replace(node, dependencies=tuple(resolved))
