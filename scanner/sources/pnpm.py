"""pnpm ``pnpm-lock.yaml`` (lockfileVersion 5.x, 6.x and 9.0) into the shared model.

Locations: an importer (the root project or a workspace package) is located by its importer path
(``.``, ``packages/foo``); a package by its key as written in the file, peer suffix included
(5.x ``/foo/1.0.0_bar@2.0.0``, 6.x ``/foo@1.0.0(bar@2.0.0)``, 9.0 snapshot key
``foo@1.0.0(bar@2.0.0)``); a ``link:`` to a folder that is not an importer by ``link:<path>``.
pnpm 10 may write two YAML documents (a package-manager document, then the lockfile); the
packages of both are read, and the first document's dependencies are attached to the root as dev
dependencies because they are tooling, not shipped code.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
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
    apply_install_aliases,
    is_git_spec,
    is_tarball_path,
    missing_target_problems,
    split_descriptor,
)
from scanner.untrusted_yaml import load_documents

FORMAT = "pnpm"
SUPPORTED_MAJORS = (5, 6, 9)
ROOT_IMPORTER = "."

_IMPORTER_SECTIONS = (
    ("dependencies", DependencyKind.PROD),
    ("optionalDependencies", DependencyKind.OPTIONAL),
    ("devDependencies", DependencyKind.DEV),
)
PEER_KINDS = {False: DependencyKind.PEER, True: DependencyKind.PEER_OPTIONAL}
_TOOLING_SECTIONS = (
    ("packageManagerDependencies", DependencyKind.DEV),
    ("configDependencies", DependencyKind.DEV),
)
_SECTION_LINE = re.compile(r"([A-Za-z]+):")
_PLAIN_KEY = re.compile(r"(.+?):(?: |$)")


def sniff(text: str) -> bool:
    return re.search(r"^lockfileVersion:", text[:4096], re.MULTILINE) is not None


def parse(path: Path, text: str) -> Lockfile:
    subject = str(path)
    if not text.strip():
        raise LockfileError("empty file", subject)
    documents = _load_documents(text, subject)
    lines = _entry_lines(text)
    *tooling_docs, main = documents
    major, format_version = _version(main, subject)
    for doc in tooling_docs:
        _version(doc, subject)

    builder = _Builder(path=path, major=major)
    builder.read_document(main, lines[len(documents) - 1] if lines else {}, main_document=True)
    for index, doc in enumerate(tooling_docs):
        other = _Builder(path=path, major=_version(doc, subject)[0])
        other.read_document(doc, lines[index] if index < len(lines) else {}, main_document=False)
        builder.absorb_tooling(other)
    return builder.finish(format_version)


def _load_documents(text: str, subject: str) -> list[dict[str, Any]]:
    # Bounded (depth, values, aliases, number length); PyYAML is imported only on this path.
    loaded = load_documents(text, subject=subject, error=LockfileError)
    documents: list[Any] = [doc for doc in loaded if doc is not None]
    if not documents:
        raise LockfileError("empty file", subject)
    for doc in documents:
        if not isinstance(doc, dict):
            raise LockfileError("not a pnpm lockfile (top level is not a mapping)", subject)
    return documents


def _version(doc: dict[str, Any], subject: str) -> tuple[int, str]:
    raw = doc.get("lockfileVersion")
    if raw is None:
        raise LockfileError("no lockfileVersion: not a pnpm lockfile", subject)
    text = str(raw).strip()
    match = re.fullmatch(r"([0-9]{1,9})(?:\.[0-9]{1,9})?", text)
    if match is None or int(match.group(1)) not in SUPPORTED_MAJORS:
        raise LockfileError(
            f"unsupported pnpm lockfileVersion {text!r} (supported: 5.x, 6.x and 9.0)", subject
        )
    return int(match.group(1)), text


def _entry_lines(text: str) -> list[dict[tuple[str, str], int]]:
    """Per YAML document, the 1-based line of each key directly under a top-level section.

    A text scan, because the C YAML loader keeps no positions; pnpm always writes top-level
    sections at column 0 and their keys at column 2.
    """
    documents: list[dict[tuple[str, str], int]] = [{}]
    section = ""
    seen_content = False
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---"):
            if seen_content:
                documents.append({})
                seen_content = False
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        seen_content = True
        if not line.startswith(" "):
            match = _SECTION_LINE.match(line)
            section = match.group(1) if match else ""
            continue
        if line.startswith("  ") and not line.startswith("   "):
            key = _yaml_key(line[2:])
            if key is not None:
                documents[-1].setdefault((section, key), line_no)
    return documents


def _yaml_key(text: str) -> str | None:
    if text.startswith("'"):
        end = 1
        while True:
            end = text.find("'", end)
            if end < 0:
                return None
            if text.startswith("''", end):
                end += 2
                continue
            return text[1:end].replace("''", "'")
    if text.startswith('"'):
        end = text.find('"', 1)
        return text[1:end] if end > 0 else None
    match = _PLAIN_KEY.match(text)
    return match.group(1) if match else None


def _name_and_version(key: str, major: int) -> tuple[str, str] | None:
    """Real name and clean version from a package key, or None for keys that are not ``name@x``."""
    bare = key[1:] if key.startswith("/") else key
    if major == 5:
        if not key.startswith("/"):
            return None
        parts = bare.split("/")
        cut = 2 if bare.startswith("@") else 1
        if len(parts) <= cut:
            return None
        return "/".join(parts[:cut]), "/".join(parts[cut:]).split("_", 1)[0]
    name, rest = split_descriptor(bare)
    if not name or not rest:
        return None
    return name, rest.split("(", 1)[0]


def _peer_free(key: str) -> str:
    """A 9.0 snapshot key without its ``(peer@x)`` / ``(patch_hash=...)`` suffixes."""
    at = key.find("@", 1)
    paren = key.find("(", at + 1 if at > 0 else 0)
    return key if paren < 0 else key[:paren]


def _source(
    key: str, resolution: Any, version_from_key: str | None
) -> tuple[SourceKind, str | None, str | None]:
    """(kind, resolved, integrity) from a package's ``resolution`` mapping."""
    if not isinstance(resolution, dict):
        return SourceKind.UNKNOWN, None, None
    integrity = resolution.get("integrity")
    integrity = integrity if isinstance(integrity, str) else None
    if resolution.get("type") == "git" or "repo" in resolution:
        repo, commit = resolution.get("repo"), resolution.get("commit")
        resolved = f"{repo}#{commit}" if commit else str(repo)
        return SourceKind.GIT, resolved, integrity
    if resolution.get("type") == "directory" or "directory" in resolution:
        return SourceKind.LOCAL_DIRECTORY, str(resolution.get("directory", "")), integrity
    tarball = resolution.get("tarball")
    if isinstance(tarball, str):
        if is_git_spec(tarball):
            return SourceKind.GIT, tarball, integrity
        if tarball.startswith("file:"):
            return SourceKind.LOCAL_TARBALL, tarball, integrity
        key_is_version = version_from_key is not None and version_from_key[:1].isdigit()
        if key_is_version and "://" not in key and not is_tarball_path(key):
            # A registry package whose tarball URL pnpm recorded (non-default registry).
            return SourceKind.REGISTRY, tarball, integrity
        return SourceKind.REMOTE_TARBALL, tarball, integrity
    if integrity is not None:
        return SourceKind.REGISTRY, None, integrity
    return SourceKind.UNKNOWN, None, None


def _mapping(value: Any, what: str, subject: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LockfileError(f"{what} is not a mapping", subject)
    return value


@dataclass
class _Builder:
    path: Path
    major: int
    nodes: dict[str, PackageNode] = field(default_factory=dict)
    importers: dict[str, list[tuple[str, str, str, DependencyKind]]] = field(default_factory=dict)
    """importer path -> (name, specifier, version reference, kind) as written."""
    importer_lines: dict[str, int] = field(default_factory=dict)
    problems: list[LockfileProblem] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)

    @property
    def subject(self) -> str:
        return str(self.path)

    # Reading -------------------------------------------------------------------------------

    def read_document(
        self, doc: dict[str, Any], lines: dict[tuple[str, str], int], *, main_document: bool
    ) -> None:
        packages = _mapping(doc.get("packages"), "packages", self.subject)
        snapshots = _mapping(doc.get("snapshots"), "snapshots", self.subject)
        if "importers" in doc:
            importers = _mapping(doc.get("importers"), "importers", self.subject)
        else:
            # Single-project 5.x/6.x files keep the root's sections at the top level.
            importers = {ROOT_IMPORTER: doc}
        for importer_path, importer in importers.items():
            self._read_importer(str(importer_path), importer, main_document)
            line = lines.get(("importers", str(importer_path)))
            if line is not None:
                self.importer_lines[str(importer_path)] = line
        self.keys |= {str(k) for k in packages} | {str(k) for k in snapshots}
        if self.major >= 9:
            self._read_v9_packages(packages, snapshots, lines)
        else:
            for key, entry in packages.items():
                entry = _mapping(entry, f"packages entry {key}", self.subject)
                self._add_package(str(key), entry, entry, lines.get(("packages", str(key))))

    def _read_importer(self, importer_path: str, importer: Any, main_document: bool) -> None:
        importer = _mapping(importer, f"importer {importer_path}", self.subject)
        specifiers = _mapping(importer.get("specifiers"), "specifiers", self.subject)
        sections = _IMPORTER_SECTIONS if main_document else _TOOLING_SECTIONS
        declared = self.importers.setdefault(importer_path, [])
        for section, kind in sections:
            entries = _mapping(importer.get(section), f"{importer_path} {section}", self.subject)
            for name, value in entries.items():
                if isinstance(value, dict):
                    spec, ref = value.get("specifier", ""), value.get("version", "")
                else:
                    spec, ref = specifiers.get(name, ""), value
                declared.append((str(name), str(spec), str(ref), kind))

    def _read_v9_packages(
        self,
        packages: dict[str, Any],
        snapshots: dict[str, Any],
        lines: dict[tuple[str, str], int],
    ) -> None:
        with_snapshot: set[str] = set()
        for key, snapshot in snapshots.items():
            key = str(key)
            snapshot = _mapping(snapshot, f"snapshots entry {key}", self.subject)
            base = key if key in packages else _peer_free(key)
            info = packages.get(base)
            if info is None:
                self.problems.append(
                    LockfileProblem(
                        f"snapshot {key} has no packages entry",
                        location=key,
                        line=lines.get(("snapshots", key)),
                    )
                )
                info = {}
            with_snapshot.add(base)
            info = _mapping(info, f"packages entry {base}", self.subject)
            line = lines.get(("packages", base)) or lines.get(("snapshots", key))
            self._add_package(key, info, snapshot, line)
        for key, info in packages.items():
            if str(key) not in with_snapshot:
                info = _mapping(info, f"packages entry {key}", self.subject)
                self._add_package(str(key), info, {}, lines.get(("packages", str(key))))

    def _add_package(
        self, key: str, info: dict[str, Any], graph: dict[str, Any], line: int | None
    ) -> None:
        """One node from its package ``info`` and the entry holding its resolved ``graph``."""
        parsed = _name_and_version(key, self.major)
        name = info.get("name") or (parsed[0] if parsed else key)
        version = info.get("version") or (parsed[1] if parsed else "")
        kind, resolved, integrity = _source(
            key, info.get("resolution"), parsed[1] if parsed else None
        )
        if kind is SourceKind.UNKNOWN and parsed is None and key.startswith("file:"):
            kind = SourceKind.LOCAL_DIRECTORY
        peers = _mapping(info.get("peerDependencies"), f"{key} peerDependencies", self.subject)
        peer_meta = _mapping(info.get("peerDependenciesMeta"), f"{key} meta", self.subject)
        dependencies: list[DeclaredDependency] = []
        for section, section_kind in (
            ("dependencies", DependencyKind.PROD),
            ("optionalDependencies", DependencyKind.OPTIONAL),
        ):
            entries = _mapping(graph.get(section), f"{key} {section}", self.subject)
            for dep_name, ref in entries.items():
                dep_kind = section_kind
                if dep_name in peers:
                    meta = peer_meta.get(dep_name)
                    optional_peer = isinstance(meta, dict) and meta.get("optional") is True
                    dep_kind = PEER_KINDS[optional_peer]
                target = self._resolve(str(dep_name), str(ref), ROOT_IMPORTER)
                dependencies.append(DeclaredDependency(str(dep_name), str(ref), dep_kind, target))
        requires_build = graph.get("requiresBuild", info.get("requiresBuild"))
        self.nodes[key] = PackageNode(
            location=key,
            name=str(name),
            version=str(version),
            source=kind,
            resolved=resolved,
            integrity=integrity,
            dev=graph.get("dev") is True,
            optional=graph.get("optional") is True,
            has_install_script=(requires_build is True) if self.major < 9 else None,
            dependencies=tuple(dependencies),
            line=line,
        )

    # Resolving -----------------------------------------------------------------------------

    def _resolve(self, name: str, ref: str, base: str) -> str | None:
        if ref.startswith("link:"):
            return self._link(name, ref[len("link:") :], base)
        if self.major == 5:
            candidates = (f"/{name}/{ref}", ref)
        elif self.major == 6:
            candidates = (f"/{name}@{ref}", ref)
        else:
            candidates = (f"{name}@{ref}", ref)
        for candidate in candidates:
            if candidate in self.keys:
                return candidate
        return None

    def _link(self, name: str, relative: str, base: str) -> str:
        target = posixpath.normpath(posixpath.join(base, relative))
        if target in self.importers:
            return target
        location = f"link:{target}"
        if location not in self.nodes:
            self.nodes[location] = PackageNode(
                location=location,
                name=name,
                version="",
                source=SourceKind.LINK,
                link_target=target,
            )
        return location

    # Finishing -----------------------------------------------------------------------------

    def absorb_tooling(self, other: _Builder) -> None:
        """Merge a package-manager document: its packages, and its dependencies onto importers."""
        for importer_path, declared in other.importers.items():
            self.importers.setdefault(importer_path, []).extend(declared)
        for location, node in other.nodes.items():
            self.nodes.setdefault(location, node)
        self.keys |= other.keys
        self.problems.extend(other.problems)

    def finish(self, format_version: str) -> Lockfile:
        self.importers.setdefault(ROOT_IMPORTER, [])
        resolved: dict[str, list[DeclaredDependency]] = {}
        # pnpm does not record importer names; a workspace linked by name gets that name.
        names: dict[str, str] = {ROOT_IMPORTER: self.path.resolve().parent.name or "root"}
        for importer_path, declared in self.importers.items():
            dependencies: list[DeclaredDependency] = []
            for name, spec, ref, kind in declared:
                target = self._resolve(name, ref, importer_path)
                if ref.startswith("link:") and target in self.importers:
                    names.setdefault(target, name)
                dependencies.append(DeclaredDependency(name, spec or ref, kind, target))
            resolved[importer_path] = dependencies
        roots = (ROOT_IMPORTER, *(p for p in self.importers if p != ROOT_IMPORTER))
        nodes: dict[str, PackageNode] = {}
        for importer_path in roots:
            nodes[importer_path] = PackageNode(
                location=importer_path,
                name=names.get(importer_path, importer_path),
                version="",
                source=SourceKind.ROOT if importer_path == ROOT_IMPORTER else SourceKind.WORKSPACE,
                is_workspace=True,
                dependencies=tuple(resolved[importer_path]),
                line=self.importer_lines.get(importer_path),
            )
        for location, node in self.nodes.items():
            if location in nodes:
                self.problems.append(
                    LockfileProblem(
                        f"package key {location} is also an importer path; the package is skipped",
                        location=location,
                        line=node.line,
                    )
                )
                continue
            nodes[location] = node
        nodes = apply_install_aliases(nodes, roots)
        problems = [*self.problems, *missing_target_problems(nodes)]
        return Lockfile(
            path=self.path,
            format=FORMAT,
            format_version=format_version,
            nodes=nodes,
            roots=roots,
            problems=tuple(problems),
        )
