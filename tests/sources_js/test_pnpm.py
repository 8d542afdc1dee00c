from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.model import DependencyKind, Lockfile, SourceKind
from scanner.sources import pnpm


def _parse(path: Path) -> Lockfile:
    return pnpm.parse(path, path.read_text(encoding="utf-8"))


def test_v5_4_counts_flags_and_peer_suffix_keys(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "pnpm/v5.4/vuejs-core/pnpm-lock.yaml")
    assert (lockfile.format, lockfile.format_version) == ("pnpm", "5.4")
    packages = lockfile.packages()
    assert len(packages) == 756  # keys under packages:
    assert len(lockfile.roots) == 18  # importers
    assert sum(n.dev for n in packages) == 727  # dev: true
    assert sum(n.has_install_script is True for n in packages) == 28  # requiresBuild: true
    assert all(n.has_install_script is not None for n in packages)
    assert lockfile.problems == ()
    parser = lockfile.nodes["/@typescript-eslint/parser/5.56.0_qesohl5arz7pvqyycxtsqomlr4"]
    assert (parser.name, parser.version) == ("@typescript-eslint/parser", "5.56.0")
    assert parser.line == 1005
    assert parser.source is SourceKind.REGISTRY and parser.integrity is not None
    esbuild = lockfile.nodes["/esbuild/0.17.5"]
    assert esbuild.has_install_script is True and esbuild.line == 2245
    arm = next(d for d in esbuild.dependencies if d.name == "@esbuild/android-arm")
    assert (arm.kind, arm.target) == (DependencyKind.OPTIONAL, "/@esbuild/android-arm/0.17.5")
    assert lockfile.nodes["/@esbuild/android-arm/0.17.5"].optional


def test_v5_4_importers_are_roots_with_dev_edges_and_workspace_links(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "pnpm/v5.4/vuejs-core/pnpm-lock.yaml")
    root = lockfile.root
    assert root.location == "." and root.source is SourceKind.ROOT and root.line == 5
    vite = next(d for d in root.dependencies if d.name == "vite")
    assert (vite.spec, vite.kind) == ("^4.3.0", DependencyKind.DEV)
    assert vite.target == "/vite/4.3.1_ghge5pqdvzsmxto52quo4r2say"
    shared = lockfile.nodes["packages/shared"]
    assert shared.source is SourceKind.WORKSPACE and shared.is_workspace
    # pnpm records no importer names: a workspace linked by name takes that name.
    assert shared.name == "@vue/shared"
    compiler_core = lockfile.nodes["packages/compiler-core"]
    link = next(d for d in compiler_core.dependencies if d.name == "@vue/shared")
    assert (link.spec, link.target) == ("3.3.0-beta.4", "packages/shared")


def test_v6_0_counts(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "pnpm/v6.0/vuejs-core/pnpm-lock.yaml")
    assert lockfile.format_version == "6.0"
    packages = lockfile.packages()
    assert len(packages) == 730
    assert len(lockfile.roots) == 17
    assert sum(n.dev for n in packages) == 699
    assert sum(n.has_install_script is True for n in packages) == 84
    assert lockfile.problems == ()
    node = lockfile.nodes["/@babel/code-frame@7.23.5"]
    assert (node.name, node.version) == ("@babel/code-frame", "7.23.5")
    assert (node.line, node.dev) == (425, True)
    assert {d.target for d in node.dependencies} == {"/@babel/highlight@7.23.4", "/chalk@2.4.2"}


def test_v9_one_node_per_snapshot_with_clean_names(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "pnpm/v9.0/vuejs-core/pnpm-lock.yaml")
    packages = lockfile.packages()
    assert len(packages) == 621  # 621 snapshots of 620 packages: fdir has two peer variants
    variants = sorted(n.location for n in packages if n.spec_id == "fdir@6.5.0")
    assert variants == ["fdir@6.5.0(picomatch@4.0.4)", "fdir@6.5.0(picomatch@4.0.5)"]
    # Both variants point at the one packages entry that holds the integrity.
    assert {lockfile.nodes[v].line for v in variants} == {2088}
    assert all(n.has_install_script is None for n in packages)
    assert all(not n.dev for n in packages)
    assert lockfile.problems == ()
    assert len(lockfile.roots) == 18


def test_v9_two_documents_read_tooling_as_dev_of_root(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "pnpm/v9.0-multidoc/vuejs-core/pnpm-lock.yaml")
    assert lockfile.format_version == "9.0"
    # 711 snapshots of the lockfile document plus 8 of the package-manager document.
    assert len(lockfile.packages()) == 719
    assert lockfile.problems == ()
    tooling = {d.name: d for d in lockfile.root.dependencies if d.target == "pnpm@10.33.0"}
    assert tooling["pnpm"].kind is DependencyKind.DEV
    exe = lockfile.nodes["@pnpm/exe@10.33.0"]
    assert exe.line == 18
    assert {d.kind for d in exe.dependencies} == {DependencyKind.OPTIONAL}
    # Line numbers of the second document are counted from the top of the file.
    assert (lockfile.nodes["@babel/code-frame@7.29.0"].line or 0) > 95


def test_v9_features_fixture(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "pnpm/v9.0-features/pnpm-lock.yaml")
    nodes = lockfile.nodes
    assert lockfile.roots == (".", "packages/shared")
    edges = {d.name: d for d in lockfile.root.dependencies}
    # An npm: alias resolves to the real package's key; the name stays the alias on the edge.
    assert edges["string-width-cjs"].target == "string-width@4.2.3"
    assert edges["string-width-cjs"].spec == "npm:string-width@^4.2.0"
    # Reached as itself from packages/shared too, so the node is not marked as an alias.
    assert nodes["string-width@4.2.3"].alias is None
    patched = nodes[edges["left-pad"].target or ""]
    assert (patched.name, patched.version, patched.line) == ("left-pad", "1.3.0", 53)
    local = nodes["local-helper@file:helper"]
    assert (local.source, local.resolved) == (SourceKind.LOCAL_DIRECTORY, "helper")
    outside = nodes[edges["outside-tool"].target or ""]
    assert outside.location == "link:../tools/outside"
    assert (outside.source, outside.link_target) == (SourceKind.LINK, "../tools/outside")
    assert edges["@demo/shared"].target == "packages/shared"
    assert nodes["packages/shared"].name == "@demo/shared"
    react_dom = nodes["react-dom@18.3.1(react@18.3.1)"]
    assert react_dom.name == "react-dom" and react_dom.version == "18.3.1"
    assert [(d.kind, d.target) for d in react_dom.dependencies] == [
        (DependencyKind.PEER, "react@18.3.1")
    ]
    git = nodes[edges["tiny-git"].target or ""]
    assert (git.source, git.version) == (SourceKind.GIT, "0.4.0")
    remote = nodes[edges["remote-pkg"].target or ""]
    assert (remote.source, remote.version, remote.optional) == (
        SourceKind.REMOTE_TARBALL,
        "2.0.0",
        True,
    )
    # The missing optional dependency is normal; the missing regular one is a problem.
    assert [(p.location, p.line) for p in lockfile.problems] == [("local-helper@file:helper", 61)]
    assert "missing-thing@9.9.9" in lockfile.problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("lockfileVersion: 4\n", "unsupported pnpm lockfileVersion '4'"),
        ("lockfileVersion: '10.0'\n", "unsupported pnpm lockfileVersion '10.0'"),
        ("importers: {}\n", "no lockfileVersion"),
        ("- a\n- b\n", "top level is not a mapping"),
        ("lockfileVersion: '9.0'\npackages:\n  a@1: {resolution: {x: y\n", "not valid YAML"),
        ("lockfileVersion: '9.0'\npackages: [1]\n", "packages is not a mapping"),
        ("lockfileVersion: '9.0'\nsnapshots:\n  a@1: 3\n", "snapshots entry a@1 is not a mapping"),
    ],
)
def test_bad_input_is_one_line_error(text: str, message: str) -> None:
    with pytest.raises(LockfileError) as caught:
        pnpm.parse(Path("pnpm-lock.yaml"), text)
    assert message in caught.value.message
    assert caught.value.subject == "pnpm-lock.yaml"
    assert "\n" not in caught.value.one_line()


def test_truncated_real_file_is_refused_or_reports_problems(lockfiles: Path) -> None:
    text = (lockfiles / "pnpm/v9.0/vuejs-core/pnpm-lock.yaml").read_text()
    # Cut inside a flow mapping: YAML itself fails.
    cut = text.index("{integrity: ", text.index("\npackages:")) + 20
    with pytest.raises(LockfileError, match="not valid YAML"):
        pnpm.parse(Path("pnpm-lock.yaml"), text[:cut])
    # Cut at a line boundary before snapshots: every importer edge is now unresolved.
    lockfile = pnpm.parse(Path("pnpm-lock.yaml"), text[: text.index("\nsnapshots:")])
    assert lockfile.problems and all("no entry" in p.message for p in lockfile.problems)


def test_sniff(lockfiles: Path) -> None:
    assert pnpm.sniff((lockfiles / "pnpm/v9.0-multidoc/vuejs-core/pnpm-lock.yaml").read_text())
    assert not pnpm.sniff('{"lockfileVersion": 3}')
