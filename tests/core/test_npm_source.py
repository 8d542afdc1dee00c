"""The npm lockfile source: every corpus file, the model it builds, and its refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.model import DependencyKind, SourceKind
from scanner.sources.detect import find_lockfiles, read_lockfile
from scanner.sources.npm import classify_source, install_name_of

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles" / "npm"


def _expected_count(path: Path) -> int:
    """Count entries the way corpus/INVENTORY.md does, independently of the parser."""
    data = json.loads(path.read_text())
    if data["lockfileVersion"] >= 2:
        return len([k for k in data["packages"] if k != ""])
    count = 0
    stack = [data.get("dependencies", {})]
    while stack:
        deps = stack.pop()
        count += len(deps)
        stack.extend(e["dependencies"] for e in deps.values() if e.get("dependencies"))
    return count


def _corpus_npm_files(shared: Path) -> list[Path]:
    roots = [shared / "corpus" / "npm", shared / "corpus" / "generated"]
    return sorted(
        p
        for root in roots
        for p in root.rglob("*.json")
        if p.name in ("package-lock.json", "npm-shrinkwrap.json") and "malformed" not in p.parts
    )


def test_every_npm_corpus_file_parses_with_inventory_counts(shared: Path) -> None:
    files = _corpus_npm_files(shared)
    assert len(files) >= 20
    for path in files:
        lockfile = read_lockfile(path)
        non_root = len(lockfile.nodes) - 1  # the "" root entry is not a package
        assert non_root == _expected_count(path), path
        assert lockfile.roots[0] == ""
        for node in lockfile.nodes.values():
            for dep in node.dependencies:
                assert dep.target is None or dep.target in lockfile.nodes


def test_create_react_app_monorepo(shared: Path) -> None:
    lf = read_lockfile(shared / "corpus/npm/v2/create-react-app-root/package-lock.json")
    assert lf.format == "npm-package-lock" and lf.format_version == "2"
    assert len(lf.roots) == 13  # the root and 12 workspaces
    assert "packages/react-scripts" in lf.roots
    assert lf.nodes["packages/react-scripts"].source is SourceKind.WORKSPACE
    link = lf.nodes["node_modules/react-scripts"]
    assert link.source is SourceKind.LINK and link.link_target == "packages/react-scripts"
    assert link.dependencies[0].target == "packages/react-scripts"
    core = lf.nodes["node_modules/@babel/core"]
    assert core.name == "@babel/core" and core.source is SourceKind.REGISTRY
    text = (shared / "corpus/npm/v2/create-react-app-root/package-lock.json").read_text()
    assert text.splitlines()[core.line - 1].strip() == '"node_modules/@babel/core": {'
    assert sum(1 for n in lf.packages() if n.has_install_script) == 5


def test_nested_resolution_prefers_the_nearest_node_modules(shared: Path) -> None:
    lf = read_lockfile(shared / "corpus/npm/v2/create-react-app-root/package-lock.json")
    nested = [loc for loc in lf.nodes if loc.count("node_modules/") == 2]
    checked = 0
    for loc in nested:
        parent = loc.rsplit("/node_modules/", 1)[0]
        name = install_name_of(loc)
        for dep in lf.nodes[parent].dependencies:
            if dep.name == name:
                assert dep.target == loc
                checked += 1
    assert checked > 100


def test_aliases_keep_real_name_and_alias(shared: Path) -> None:
    lf = read_lockfile(shared / "corpus/npm/v3/npm-cli-root/package-lock.json")
    aliased = [n for n in lf.nodes.values() if n.alias]
    assert {n.alias for n in aliased} >= {"string-width-cjs", "strip-ansi-cjs", "wrap-ansi-cjs"}
    node = lf.nodes["node_modules/string-width-cjs"]
    assert node.name == "string-width" and node.install_name == "string-width-cjs"


def test_v1_install_types_classified() -> None:
    lf = read_lockfile(FIX / "install-types-v1.package-lock.json")
    kinds = {loc: n.source for loc, n in lf.nodes.items()}
    assert kinds["node_modules/abbrev"] is SourceKind.REGISTRY
    assert kinds["node_modules/full-git-url"] is SourceKind.GIT
    assert kinds["node_modules/ghshort"] is SourceKind.GIT
    assert kinds["node_modules/unhosted-git"] is SourceKind.GIT
    assert kinds["node_modules/ghtgz"] is SourceKind.REMOTE_TARBALL
    assert kinds["node_modules/once"] is SourceKind.LOCAL_TARBALL
    assert kinds["node_modules/symlink"] is SourceKind.LOCAL_DIRECTORY
    assert kinds["node_modules/remote"] is SourceKind.REMOTE_TARBALL
    assert kinds["node_modules/really-bad-invalid"] is SourceKind.UNKNOWN
    # `npm:` aliases are registry packages under another name.
    old = lf.nodes["node_modules/old"]
    assert (old.source, old.name, old.version, old.alias) == (
        SourceKind.REGISTRY,
        "abbrev",
        "1.0.3",
        "old",
    )
    # v1 nests bundled deps below their parent, and records no install-script flag.
    assert lf.nodes["node_modules/bundler/node_modules/a"].in_bundle
    assert all(n.has_install_script is None for n in lf.packages())
    # `a-thing-which-is-not-here` is required but absent: a lockfile problem, not a crash.
    assert any("a-thing-which-is-not-here" in p.message for p in lf.problems)


def test_workspaces_are_roots_with_their_own_dependencies() -> None:
    lf = read_lockfile(FIX / "workspaces-v2.package-lock.json")
    assert lf.roots == ("", "packages/a", "packages/b", "packages/c")
    c = lf.nodes["packages/c"]
    assert c.name == "c" and c.is_workspace
    assert [(d.name, d.target) for d in c.dependencies] == [("uuid", "node_modules/uuid")]
    assert lf.nodes[""].dependencies[0].kind is DependencyKind.PROD


def test_external_links_are_local_directories() -> None:
    lf = read_lockfile(FIX / "external-link-v2.package-lock.json")
    assert lf.nodes["node_modules/j"].source is SourceKind.LINK
    assert lf.nodes["../i/j"].source is SourceKind.LOCAL_DIRECTORY
    assert lf.nodes["node_modules/j"].dependencies[0].target == "../i/j"


def test_directory_prefers_shrinkwrap(tmp_path: Path) -> None:
    doc = {"name": "x", "lockfileVersion": 3, "packages": {"": {"name": "x"}}}
    (tmp_path / "package-lock.json").write_text(json.dumps(doc))
    (tmp_path / "npm-shrinkwrap.json").write_text(json.dumps(doc))
    assert find_lockfiles(tmp_path) == [tmp_path / "npm-shrinkwrap.json"]
    assert read_lockfile(tmp_path / "npm-shrinkwrap.json").format == "npm-shrinkwrap"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("   \n", "is empty"),
        ("{not json", "is not valid JSON (line 1"),
        ("[1, 2]", "is not a JSON object"),
        ('{"lockfileVersion": 4, "packages": {}}', "unknown lockfileVersion 4"),
        ('{"lockfileVersion": "2", "packages": {}}', "unknown lockfileVersion '2'"),
        ('{"name": "x"}', "unknown lockfileVersion missing"),
        ('{"lockfileVersion": 2}', "without a `packages` object"),
        ('{"lockfileVersion": 3, "packages": {"node_modules/a": 5}}', "is not an object"),
    ],
)
def test_bad_lockfiles_are_refused_with_one_line(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "package-lock.json"
    path.write_text(content)
    with pytest.raises(LockfileError) as info:
        read_lockfile(path)
    message = info.value.one_line()
    assert expected in message and str(path) in message and "\n" not in message


def test_conflict_markers_are_named() -> None:
    with pytest.raises(LockfileError, match=r"merge-conflict markers \(line 13\)"):
        read_lockfile(FIX / "conflict-markers.package-lock.json")


def test_missing_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(LockfileError, match="no such file"):
        find_lockfiles(tmp_path / "nope")
    with pytest.raises(LockfileError, match="no lockfile found"):
        find_lockfiles(tmp_path)


@pytest.mark.parametrize(
    ("resolved", "version", "kind"),
    [
        ("https://registry.example.test/a/-/a-1.0.0.tgz", "1.0.0", SourceKind.REGISTRY),
        ("https://registry.example.test/@s/a/-/a-1.0.0.tgz", "1.0.0", SourceKind.REGISTRY),
        ("https://example.test/downloads/a.tgz", "1.0.0", SourceKind.REMOTE_TARBALL),
        ("git+ssh://git@example.test/a/b.git#abc", "1.0.0", SourceKind.GIT),
        ("github:a/b#abc", "1.0.0", SourceKind.GIT),
        ("file:vendor/a-1.0.0.tgz", "1.0.0", SourceKind.LOCAL_TARBALL),
        ("file:../a", "1.0.0", SourceKind.LOCAL_DIRECTORY),
        (None, "1.0.0", SourceKind.REGISTRY),
        (None, "", SourceKind.UNKNOWN),
    ],
)
def test_classify_source(resolved: str | None, version: str, kind: SourceKind) -> None:
    assert classify_source(resolved, version, in_bundle=False, location="node_modules/a") is kind
