from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.model import DependencyKind, Lockfile, SourceKind
from scanner.sources import yarn_berry


def _parse(path: Path) -> Lockfile:
    return yarn_berry.parse(path, path.read_text(encoding="utf-8"))


def test_prettier_v10_counts_aliases_and_patches(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/berry-v10/prettier/yarn.lock")
    assert (lockfile.format, lockfile.format_version) == ("yarn-berry", "10")
    # 1,052 blocks besides __metadata: one workspace (the root) and 1,051 packages.
    assert len(lockfile.nodes) == 1052
    assert len(lockfile.packages()) == 1051
    assert lockfile.roots == ("prettier@workspace:.",)
    assert lockfile.root.source is SourceKind.ROOT and lockfile.root.line == 8238
    assert lockfile.problems == ()
    aliases = {n.alias: (n.name, n.version) for n in lockfile.packages() if n.alias}
    assert aliases == {"react-is-18": ("react-is", "18.3.1"), "react-is-19": ("react-is", "19.2.7")}
    patched = [n for n in lockfile.packages() if "@patch:" in n.location]
    assert sorted((n.name, n.version, n.source) for n in patched) == [
        ("fsevents", "2.3.3", SourceKind.REGISTRY),
        ("typescript", "6.0.3", SourceKind.REGISTRY),
    ]
    # checksum is yarn's cache hash, never presented as an SRI integrity.
    assert all(n.integrity is None for n in lockfile.nodes.values())


def test_prettier_edges_and_optional_kinds(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/berry-v10/prettier/yarn.lock")
    core = lockfile.nodes["@babel/core@npm:7.29.7"]
    assert core.line == 45
    frame = next(d for d in core.dependencies if d.name == "@babel/code-frame")
    assert (frame.spec, frame.target) == ("npm:^7.29.7", "@babel/code-frame@npm:7.29.7")
    esbuild = next(n for n in lockfile.packages() if n.name == "esbuild")
    platform = next(d for d in esbuild.dependencies if d.name == "@esbuild/aix-ppc64")
    assert platform.kind is DependencyKind.OPTIONAL
    assert platform.target == "@esbuild/aix-ppc64@npm:0.28.1"
    # A dependency on the alias resolves to the aliased block.
    pretty_format = lockfile.nodes["pretty-format@npm:30.4.1"]
    alias_edge = next(d for d in pretty_format.dependencies if d.name == "react-is-18")
    assert alias_edge.spec == "npm:react-is@^18.3.1"
    assert lockfile.nodes[alias_edge.target or ""].alias == "react-is-18"


def test_jest_v4_workspaces_and_bare_ranges(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/berry-v4/jest/yarn.lock")
    assert lockfile.format_version == "4"
    assert len(lockfile.nodes) == 2169
    assert len(lockfile.roots) == 66
    assert len(lockfile.packages()) == 2103
    assert lockfile.roots[0] == "@jest/monorepo@workspace:."
    console = lockfile.nodes["@jest/console@workspace:packages/jest-console"]
    assert console.source is SourceKind.WORKSPACE and console.is_workspace
    assert console.line == 2484
    # v4 writes bare ranges in dependency lists but npm:-prefixed ones in block keys.
    chalk = next(d for d in console.dependencies if d.name == "chalk")
    assert chalk.spec == "^4.0.0" and chalk.target == "chalk@npm:4.1.2"
    # A range that yarn resolved to a workspace points at the workspace block.
    test_utils = next(d for d in console.dependencies if d.name == "@jest/test-utils")
    assert test_utils.target == "@jest/test-utils@workspace:packages/test-utils"
    assert lockfile.problems == ()


def test_jest_v4_patch_with_local_patch_file(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/berry-v4/jest/yarn.lock")
    patched = [n for n in lockfile.packages() if n.name == "react-native" and "patch" in n.location]
    assert len(patched) == 1
    assert patched[0].version == "0.64.0" and patched[0].source is SourceKind.REGISTRY
    assert patched[0].line == 17866


SOURCES = """\
__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    gitdep: "https://github.com/demo/gitdep.git#commit=abc123"
    tarball: "https://files.example.test/tarball-1.0.0.tgz"
    localtgz: "file:./t-1.0.0.tgz"
    localdir: "file:./dir"
    linked: "link:./linked"
    portal: "portal:./portal"
    ghost: "npm:^1.0.0"
  peerDependencies:
    react: "*"
  languageName: unknown
  linkType: soft

"gitdep@https://github.com/demo/gitdep.git#commit=abc123":
  version: 1.0.0
  resolution: "gitdep@https://github.com/demo/gitdep.git#commit=abc123"
  languageName: node
  linkType: hard

"tarball@https://files.example.test/tarball-1.0.0.tgz":
  version: 1.0.0
  resolution: "tarball@https://files.example.test/tarball-1.0.0.tgz"
  languageName: node
  linkType: hard

"localtgz@file:./t-1.0.0.tgz::locator=app%40workspace%3A.":
  version: 1.0.0
  resolution: "localtgz@file:./t-1.0.0.tgz#./t-1.0.0.tgz::hash=1&locator=app%40workspace%3A."
  languageName: node
  linkType: hard

"localdir@file:./dir::locator=app%40workspace%3A.":
  version: 2.0.0
  resolution: "localdir@file:./dir#./dir::hash=2&locator=app%40workspace%3A."
  languageName: node
  linkType: hard

"linked@link:./linked::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "linked@link:./linked::locator=app%40workspace%3A."
  languageName: node
  linkType: soft

"portal@portal:./portal::locator=app%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "portal@portal:./portal::locator=app%40workspace%3A."
  languageName: node
  linkType: soft
"""


def test_source_kinds_of_every_protocol(tmp_path: Path) -> None:
    lock = tmp_path / "yarn.lock"
    lock.write_text(SOURCES)
    lockfile = _parse(lock)
    by_name = {n.name: n for n in lockfile.nodes.values()}
    assert {name: n.source for name, n in by_name.items()} == {
        "app": SourceKind.ROOT,
        "gitdep": SourceKind.GIT,
        "tarball": SourceKind.REMOTE_TARBALL,
        "localtgz": SourceKind.LOCAL_TARBALL,
        "localdir": SourceKind.LOCAL_DIRECTORY,
        "linked": SourceKind.LINK,
        "portal": SourceKind.LINK,
    }
    assert by_name["gitdep"].resolved == "https://github.com/demo/gitdep.git#commit=abc123"
    assert by_name["linked"].link_target == "./linked"
    assert by_name["tarball"].line == 27
    # Protocol dependencies written without ::locator in the list are not found by descriptor:
    # file:/link:/portal: resolve by name (one block each); the missing npm one is a problem.
    targets = {d.name: d.target for d in lockfile.root.dependencies}
    assert targets["gitdep"] == "gitdep@https://github.com/demo/gitdep.git#commit=abc123"
    assert targets["linked"] == "linked@link:./linked::locator=app%40workspace%3A."
    assert targets["ghost"] is None and targets["react"] is None
    assert [p.message for p in lockfile.problems] == [
        "app@0.0.0-use.local depends on ghost@npm:^1.0.0, which has no entry in the lockfile"
    ]
    react = next(d for d in lockfile.root.dependencies if d.name == "react")
    assert react.kind is DependencyKind.PEER


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ('"a@npm:1":\n  version: 1\n', "no __metadata block"),
        ("__metadata:\n  version: 3\n", "__metadata version 3 (supported: 4 to 10)"),
        ("__metadata:\n  version: 11\n", "__metadata version 11 (supported: 4 to 10)"),
        ("__metadata:\n  cacheKey: 8\n", "no numeric version"),
        ('__metadata:\n  version: 8\n\n"a@npm:1":\n  version: 1.0.0\n', "has no resolution"),
        ("__metadata:\n  version: 8\n stray: x\n", "inconsistent indentation"),
        ("__metadata:\n  version: 8\n  list: [1, 2]\n", "unsupported value syntax"),
    ],
)
def test_bad_input_is_one_line_error(text: str, message: str) -> None:
    with pytest.raises(LockfileError) as caught:
        yarn_berry.parse(Path("yarn.lock"), text)
    assert message in caught.value.message
    assert caught.value.subject == "yarn.lock"


def test_truncated_file_without_root_workspace_is_refused(lockfiles: Path) -> None:
    text = (lockfiles / "yarn/berry-v10/prettier/yarn.lock").read_text()
    with pytest.raises(LockfileError, match="expected one root workspace entry"):
        yarn_berry.parse(Path("yarn.lock"), text[: text.index('"prettier@workspace:.":')])


def test_sniff(lockfiles: Path) -> None:
    assert yarn_berry.sniff((lockfiles / "yarn/berry-v4/jest/yarn.lock").read_text()[:500])
    assert not yarn_berry.sniff("# yarn lockfile v1\n\n__metadata:\n")
