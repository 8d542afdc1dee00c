"""npm's package-lock.json (lockfileVersion 1, 2, 3) and npm-shrinkwrap.json.

v2 and v3 list every installed node under ``packages`` keyed by install path; v2 also carries
the v1 ``dependencies`` tree for old npm versions, which is ignored here. v1 only has the nested
``dependencies`` tree, whose nesting mirrors ``node_modules``, so both are mapped to the same
install paths and resolved with the same walk up the directory tree that ``require`` performs.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
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
from scanner.sources.json_lines import member_key_lines, object_key_lines
from scanner.untrusted import MAX_MANIFEST_BYTES, loads, read_text

SUPPORTED_VERSIONS = (1, 2, 3)
_CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(\s|$)", re.MULTILINE)
# A registry tarball URL: <registry>/<name>/-/<basename>-<version>.tgz
_REGISTRY_TARBALL = re.compile(r"^https?://[^/]+(/.*)?/-/[^/]+\.tgz$")
_TARBALL_SUFFIXES = (".tgz", ".tar.gz", ".tar")
_GIT_PREFIXES = ("git+", "git:", "git://", "github:", "gitlab:", "bitbucket:", "gist:")


def sniff(text: str) -> bool:
    return '"lockfileVersion"' in text[:4096]


def load_json(path: Path, text: str) -> dict[str, Any]:
    """Parse lockfile JSON, turning every way it can be broken into a one-line error."""
    if not text.strip():
        raise LockfileError("the file is empty", subject=str(path))
    marker = _CONFLICT_MARKER.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        raise LockfileError(
            f"contains git merge-conflict markers (line {line}); resolve the conflict and run "
            "`npm install` to regenerate the lockfile",
            subject=str(path),
        )
    data = loads(text, subject=str(path), error=LockfileError)
    if not isinstance(data, dict):
        raise LockfileError("is not a JSON object", subject=str(path))
    return data


def parse(path: Path, text: str) -> Lockfile:
    data = load_json(path, text)
    version = data.get("lockfileVersion")
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        shown = "missing" if version is None else repr(version)
        raise LockfileError(
            f"unknown lockfileVersion {shown} (depscan reads npm lockfileVersion 1, 2 and 3)",
            subject=str(path),
        )
    fmt = "npm-shrinkwrap" if path.name == "npm-shrinkwrap.json" else "npm-package-lock"
    packages = data.get("packages")
    if version >= 2 or isinstance(packages, dict):
        if not isinstance(packages, dict):
            raise LockfileError(
                f"lockfileVersion {version} without a `packages` object", subject=str(path)
            )
        drafts, roots = _nodes_from_packages(
            path, packages, member_key_lines(text, "packages"), data.get("name")
        )
    else:
        drafts, roots = _nodes_from_v1(path, data, object_key_lines(text))
    resolved_nodes, problems = resolve_node_modules(drafts)
    return Lockfile(
        path=path,
        format=fmt,
        format_version=str(version),
        nodes=resolved_nodes,
        roots=roots,
        problems=tuple(problems),
    )


# --- v2 / v3 ---------------------------------------------------------------------------------


# A node before its dependencies are resolved: PackageNode keyword arguments. Nodes are built once,
# after resolution, because rebuilding frozen dataclasses is a large share of parse time.
Draft = dict[str, Any]


def _nodes_from_packages(
    path: Path, packages: Mapping[str, Any], key_lines: Mapping[str, int], top_name: object
) -> tuple[dict[str, Draft], tuple[str, ...]]:
    root_entry = packages.get("")
    if not isinstance(root_entry, dict):
        root_entry = {}
    workspace_globs = _workspace_globs(root_entry.get("workspaces"))
    link_targets = {
        str(e.get("resolved")): loc
        for loc, e in packages.items()
        if isinstance(e, dict) and e.get("link") and isinstance(e.get("resolved"), str)
    }
    nodes: dict[str, Draft] = {}
    roots = [""]
    default_name = project_name(path, top_name)
    for location, entry in packages.items():
        if not isinstance(entry, dict):
            raise LockfileError(
                f"entry {location!r} in `packages` is not an object", subject=str(path)
            )
        line = key_lines.get(location)
        if location == "":
            nodes[""] = _root_node(entry, line, default_name)
            continue
        is_workspace = _is_workspace(location, workspace_globs, link_targets)
        if is_workspace:
            roots.append(location)
        nodes[location] = _package_node(location, entry, line, is_workspace)
    return nodes, tuple(roots)


def _workspace_globs(value: object) -> list[str]:
    if isinstance(value, dict):  # the yarn-style {"packages": [...]} form
        value = value.get("packages")
    if isinstance(value, list):
        return [str(v).rstrip("/") for v in value if isinstance(v, str)]
    return []


def _is_workspace(location: str, globs: list[str], link_targets: Mapping[str, str]) -> bool:
    if "node_modules/" in location or location.startswith(".."):
        return False
    if any(fnmatch.fnmatch(location, g) or location == g for g in globs):
        return True
    # Older npm 7 lockfiles omit `workspaces` from the root entry but still link each workspace.
    return location in link_targets and not globs


def project_name(path: Path, declared: object) -> str:
    """The root project's name: as declared, else its folder's name, as npm shows it."""
    if isinstance(declared, str) and declared:
        return declared
    return path.absolute().parent.name or "(root)"


def _root_node(entry: Mapping[str, Any], line: int | None, default_name: str) -> Draft:
    return dict(
        location="",
        name=str(entry.get("name") or default_name),
        version=str(entry.get("version") or ""),
        source=SourceKind.ROOT,
        dependencies=tuple(_declared(entry, include_dev=True)),
        has_install_script=_has_install_script(entry),
        line=line,
    )


def _package_node(
    location: str, entry: Mapping[str, Any], line: int | None, is_workspace: bool
) -> Draft:
    install_name = install_name_of(location)
    name = str(entry.get("name") or install_name)
    resolved = entry.get("resolved") if isinstance(entry.get("resolved"), str) else None
    version = str(entry.get("version") or "")
    is_link = bool(entry.get("link"))
    in_bundle = bool(entry.get("inBundle"))
    if is_link:
        source = SourceKind.LINK
    elif is_workspace:
        source = SourceKind.WORKSPACE
    elif "node_modules/" not in location:
        source = SourceKind.LOCAL_DIRECTORY  # a linked folder outside the workspaces
    else:
        source = classify_source(resolved, version, in_bundle=in_bundle, location=location)
    alias = install_name if (name != install_name and "node_modules/" in location) else None
    dependencies: tuple[DeclaredDependency, ...]
    if is_link and resolved is not None:
        # A link is an edge to the folder it points at; the folder holds the real dependencies.
        dependencies = (DeclaredDependency(install_name, f"file:{resolved}", DependencyKind.PROD),)
    else:
        dependencies = tuple(_declared(entry, include_dev=is_workspace))
    return dict(
        location=location,
        name=name,
        version=version,
        source=source,
        alias=alias,
        resolved=resolved,
        integrity=entry.get("integrity") if isinstance(entry.get("integrity"), str) else None,
        dev=bool(entry.get("dev")),
        optional=bool(entry.get("optional")),
        dev_optional=bool(entry.get("devOptional")),
        peer=bool(entry.get("peer")),
        in_bundle=in_bundle,
        is_workspace=is_workspace,
        link_target=resolved if is_link else None,
        has_install_script=_has_install_script(entry),
        dependencies=dependencies,
        line=line,
    )


def _has_install_script(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("hasInstallScript"))


def _declared(entry: Mapping[str, Any], *, include_dev: bool) -> Iterator[DeclaredDependency]:
    sections: list[tuple[str, DependencyKind]] = [
        ("dependencies", DependencyKind.PROD),
        ("optionalDependencies", DependencyKind.OPTIONAL),
        ("peerDependencies", DependencyKind.PEER),
    ]
    if include_dev:
        sections.append(("devDependencies", DependencyKind.DEV))
    peer_meta = entry.get("peerDependenciesMeta")
    seen: set[str] = set()
    for section, kind in sections:
        declared = entry.get(section)
        if not isinstance(declared, dict):
            continue
        for name, spec in declared.items():
            # npm lists optional dependencies in both `dependencies` and `optionalDependencies`.
            if name in seen:
                continue
            seen.add(name)
            if kind is DependencyKind.PROD and isinstance(entry.get("optionalDependencies"), dict):
                if name in entry["optionalDependencies"]:
                    kind_here = DependencyKind.OPTIONAL
                else:
                    kind_here = kind
            else:
                kind_here = kind
            if (
                kind_here is DependencyKind.PEER
                and isinstance(peer_meta, dict)
                and isinstance(peer_meta.get(name), dict)
                and peer_meta[name].get("optional")
            ):
                kind_here = DependencyKind.PEER_OPTIONAL
            yield DeclaredDependency(str(name), str(spec), kind_here)


# --- v1 ----------------------------------------------------------------------------------------


def _nodes_from_v1(
    path: Path, data: Mapping[str, Any], key_lines: Mapping[tuple[str, ...], int]
) -> tuple[dict[str, Draft], tuple[str, ...]]:
    nodes: dict[str, Draft] = {}
    top = data.get("dependencies") or {}
    if not isinstance(top, dict):
        raise LockfileError("`dependencies` is not an object", subject=str(path))
    required_by_others: set[str] = set()
    stack: list[tuple[str, tuple[str, ...], Mapping[str, Any]]] = [
        ("", ("dependencies",), top)
    ]
    while stack:
        parent_loc, key_path, deps = stack.pop()
        for install_name, entry in deps.items():
            if not isinstance(entry, dict):
                raise LockfileError(
                    f"entry {install_name!r} in `dependencies` is not an object", subject=str(path)
                )
            location = (
                f"{parent_loc}/node_modules/{install_name}"
                if parent_loc
                else f"node_modules/{install_name}"
            )
            entry_path = (*key_path, install_name)
            nodes[location] = _v1_node(location, install_name, entry, key_lines.get(entry_path))
            requires = entry.get("requires")
            if isinstance(requires, dict):
                required_by_others.update(requires)
            nested = entry.get("dependencies")
            if isinstance(nested, dict) and nested:
                stack.append((location, (*entry_path, "dependencies"), nested))
    manifest = _read_manifest(path.parent / "package.json")
    nodes[""] = _v1_root(
        project_name(path, data.get("name")),
        str(data.get("version") or ""),
        top,
        manifest,
        required_by_others,
    )
    # v1 records no order; keep the root first like v2/v3 for stable output.
    ordered = {"": nodes.pop("")}
    ordered.update(sorted(nodes.items()))
    return ordered, ("",)


def _v1_node(
    location: str, install_name: str, entry: Mapping[str, Any], line: int | None
) -> Draft:
    raw_version = str(entry.get("version") or "")
    resolved = entry.get("resolved") if isinstance(entry.get("resolved"), str) else None
    name, version, alias = install_name, raw_version, None
    if raw_version.startswith("npm:"):
        name, version = split_spec(raw_version[4:])
        alias = install_name if name != install_name else None
    in_bundle = bool(entry.get("bundled"))
    # v1 stores git, tarball and file specs in `version` rather than `resolved`; a URL there was
    # installed by URL, whatever its shape, so it is a remote tarball and not a registry package.
    spec_in_version = _non_semver(raw_version) if not raw_version.startswith("npm:") else None
    if spec_in_version and spec_in_version.lower().startswith(("http://", "https://")):
        source = SourceKind.REMOTE_TARBALL
    else:
        source = classify_source(
            spec_in_version or resolved, version, in_bundle=in_bundle, location=location
        )
    if source in (SourceKind.GIT, SourceKind.REMOTE_TARBALL, SourceKind.LOCAL_TARBALL,
                  SourceKind.LOCAL_DIRECTORY) and not resolved:
        resolved = raw_version
    requires = entry.get("requires")
    dependencies = tuple(
        DeclaredDependency(
            str(dep), str(spec) if isinstance(spec, str) else "", DependencyKind.PROD
        )
        for dep, spec in (requires.items() if isinstance(requires, dict) else ())
    )
    return dict(
        location=location,
        name=name,
        version=version,
        source=source,
        alias=alias,
        resolved=resolved,
        integrity=entry.get("integrity") if isinstance(entry.get("integrity"), str) else None,
        dev=bool(entry.get("dev")),
        optional=bool(entry.get("optional")),
        in_bundle=in_bundle,
        has_install_script=None,  # lockfile v1 does not record install scripts
        dependencies=dependencies,
        line=line,
    )


def _non_semver(version: str) -> str | None:
    return version if version and not version[0].isdigit() else None


def _v1_root(
    project: str,
    version: str,
    top: Mapping[str, Any],
    manifest: Mapping[str, Any] | None,
    required_by_others: set[str],
) -> Draft:
    if manifest is not None:
        declared = tuple(_declared(manifest, include_dev=True))
    else:
        # Without package.json, the direct dependencies are the top-level entries nothing else
        # requires; one that is also required elsewhere is reached through that package instead.
        declared = tuple(
            DeclaredDependency(
                name,
                "",
                DependencyKind.DEV
                if isinstance(entry, dict) and entry.get("dev")
                else DependencyKind.PROD,
            )
            for name, entry in top.items()
            if name not in required_by_others
        )
    return dict(
        location="",
        name=project,
        version=version,
        source=SourceKind.ROOT,
        dependencies=declared,
        line=1,
    )


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The project's package.json beside the lockfile; None when absent or unusable."""
    try:
        data = loads(read_text(path, max_bytes=MAX_MANIFEST_BYTES), subject=str(path))
    except DepscanError:
        return None
    return data if isinstance(data, dict) else None


# --- shared helpers ----------------------------------------------------------------------------


def install_name_of(location: str) -> str:
    """``node_modules/a/node_modules/@s/b`` -> ``@s/b``; a folder path -> its last segment."""
    marker = location.rfind("node_modules/")
    if marker >= 0:
        return location[marker + len("node_modules/") :]
    return PurePosixPath(location).name or location


def split_spec(spec: str) -> tuple[str, str]:
    """``@scope/name@1.2.3`` -> (``@scope/name``, ``1.2.3``)."""
    at = spec.rfind("@")
    if at <= 0:
        return spec, ""
    return spec[:at], spec[at + 1 :]


def classify_source(
    resolved: str | None, version: str, *, in_bundle: bool, location: str
) -> SourceKind:
    """Where a node's code comes from, from the shape of its ``resolved`` URL or spec."""
    if resolved:
        lowered = resolved.lower()
        if lowered.startswith(_GIT_PREFIXES) or lowered.startswith("ssh://"):
            return SourceKind.GIT
        if lowered.startswith("file:") or not re.match(r"^[a-z][a-z0-9+.-]*:", lowered):
            path = resolved[5:] if lowered.startswith("file:") else resolved
            return (
                SourceKind.LOCAL_TARBALL
                if path.lower().endswith(_TARBALL_SUFFIXES)
                else SourceKind.LOCAL_DIRECTORY
            )
        if lowered.startswith(("http://", "https://")):
            return (
                SourceKind.REGISTRY
                if _REGISTRY_TARBALL.match(resolved.split("#", 1)[0].split("?", 1)[0])
                else SourceKind.REMOTE_TARBALL
            )
        return SourceKind.UNKNOWN
    # No `resolved`: npm omits it for registry packages with omit-lockfile-registry-resolved, and
    # bundled packages came inside their parent's tarball.
    if version and version[0].isdigit():
        return SourceKind.REGISTRY
    return SourceKind.UNKNOWN


def resolve_node_modules(
    drafts: Mapping[str, Draft],
) -> tuple[dict[str, PackageNode], list[LockfileProblem]]:
    """Point every declared dependency at the node ``require`` would load, as Node does it.

    From the requiring node's folder, look in ``<folder>/node_modules/<name>``, then in each
    ancestor folder's ``node_modules``, up to the project root. A link resolves to its target.
    """
    problems: list[LockfileProblem] = []
    out: dict[str, PackageNode] = {}
    for location, draft in drafts.items():
        declared: tuple[DeclaredDependency, ...] = draft["dependencies"]
        if declared:
            link_target = draft.get("link_target")
            resolved_deps = []
            for dep in declared:
                if draft["source"] is SourceKind.LINK and link_target is not None:
                    target = link_target if link_target in drafts else None
                else:
                    target = _walk_up(location, dep.name, drafts)
                resolved_deps.append(DeclaredDependency(dep.name, dep.spec, dep.kind, target))
                if target is None and _must_exist(draft, dep):
                    problems.append(_missing(draft, dep))
            draft = {**draft, "dependencies": tuple(resolved_deps)}
        out[location] = PackageNode(**draft)
    return out, problems


def _missing(draft: Draft, dep: DeclaredDependency) -> LockfileProblem:
    who = f"{draft['name']}@{draft['version']}" if draft["location"] else "the root project"
    return LockfileProblem(
        f"{who} depends on {dep.name}@{dep.spec or '*'} but the lockfile has no such package",
        location=draft["location"],
        line=draft.get("line"),
    )


def _walk_up(location: str, name: str, nodes: Mapping[str, object]) -> str | None:
    folder = location
    while True:
        candidate = f"{folder}/node_modules/{name}" if folder else f"node_modules/{name}"
        if candidate in nodes:
            return candidate
        if not folder:
            return None
        cut = folder.rfind("/")
        folder = folder[:cut] if cut >= 0 else ""
        if folder.endswith("/node_modules"):
            folder = folder[: -len("/node_modules")]
        elif folder == "node_modules":
            folder = ""


def _must_exist(draft: Draft, dep: DeclaredDependency) -> bool:
    if dep.kind in (DependencyKind.OPTIONAL, DependencyKind.PEER_OPTIONAL, DependencyKind.PEER):
        return False
    # Bundled packages and deps of nodes outside the project are not installed from this lockfile.
    return not (draft.get("in_bundle") or str(draft["location"]).startswith(".."))
