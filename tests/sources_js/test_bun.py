from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.model import DependencyKind, Lockfile, SourceKind
from scanner.sources import bun


def _parse(path: Path) -> Lockfile:
    return bun.parse(path, path.read_text(encoding="utf-8"))


def test_workspace_fixture_nodes_and_sources(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "bun/workspace-app/bun.lock")
    assert (lockfile.format, lockfile.format_version) == ("bun", "1")
    assert lockfile.roots == ("", "packages/lib")
    # 15 packages entries, one of which is the link to the packages/lib workspace.
    assert len(lockfile.packages()) == 14
    assert lockfile.problems == ()
    sources = {n.location: n.source for n in lockfile.packages()}
    assert sources["left-pad"] is SourceKind.GIT
    assert sources["local-utils"] is SourceKind.LOCAL_DIRECTORY
    assert sources["linked-tool"] is SourceKind.LINK
    assert sum(s is SourceKind.REGISTRY for s in sources.values()) == 11
    lodash = lockfile.nodes["lodash"]
    assert (lodash.name, lodash.version, lodash.line) == ("lodash", "4.17.21", 53)
    assert lodash.integrity is not None and lodash.integrity.startswith("sha512-MH93")
    assert lodash.resolved is None and lodash.has_install_script is None
    has_flag = lockfile.nodes["has-flag"]
    assert has_flag.resolved == "https://registry.example.test/has-flag/-/has-flag-4.0.0.tgz"


def test_alias_and_nested_keys(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "bun/workspace-app/bun.lock")
    alias = lockfile.nodes["my-lodash"]
    assert (alias.name, alias.alias, alias.install_name) == ("lodash", "my-lodash", "my-lodash")
    nested = lockfile.nodes["@demo/lib/ansi-styles"]
    assert (nested.name, nested.version, nested.alias) == ("ansi-styles", "6.2.1", None)


def test_roots_and_edges(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "bun/workspace-app/bun.lock")
    root = lockfile.root
    assert (root.name, root.source, root.line) == ("bun-demo", SourceKind.ROOT, 4)
    kinds = {d.name: (d.kind, d.target) for d in root.dependencies}
    assert kinds["typescript"] == (DependencyKind.DEV, "typescript")
    assert kinds["fsevents"] == (DependencyKind.OPTIONAL, "fsevents")
    assert kinds["my-lodash"] == (DependencyKind.PROD, "my-lodash")
    lib = lockfile.nodes["packages/lib"]
    assert (lib.name, lib.version, lib.source) == ("@demo/lib", "0.1.0", SourceKind.WORKSPACE)
    lib_edges = {d.name: (d.kind, d.target) for d in lib.dependencies}
    # The workspace's own copy (keyed under its name) wins over the hoisted one.
    assert lib_edges["ansi-styles"] == (DependencyKind.PROD, "@demo/lib/ansi-styles")
    assert lib_edges["lodash"] == (DependencyKind.PROD, "lodash")
    assert lib_edges["typescript"] == (DependencyKind.PEER, "typescript")
    chalk = lockfile.nodes["chalk"]
    assert {d.target for d in chalk.dependencies} == {"ansi-styles", "supports-color"}


def test_comments_trailing_commas_and_workspace_links(tmp_path: Path) -> None:
    text = """{
  // written by hand
  "lockfileVersion": 0,
  "workspaces": {
    "": { "name": "app", "dependencies": { "a": "^1", "w": "workspace:*", "gone": "^2", }, },
    "pkgs/w": { "name": "w", "dependencies": { "a": "^1" } },
  },
  /* packages follow, "with a quoted // inside a comment" */
  "packages": {
    "a": ["a@1.0.0", "", { "dependencies": { "w": "*" } }, "sha512-AAAA"],
    "w": ["w@workspace:pkgs/w"],
    "url": ["url@https://files.example.test/url-1.0.0.tgz", {}],
    "tgz": ["tgz@file:vendor/tgz-1.0.0.tgz", {}],
    "odd": ["odd@1.0.0", "", {}, "sha512-has // slashes, and a trailing comma,]"],
  },
}
"""
    lock = tmp_path / "bun.lock"
    lock.write_text(text)
    lockfile = _parse(lock)
    assert lockfile.format_version == "0"
    assert lockfile.nodes["odd"].integrity == "sha512-has // slashes, and a trailing comma,]"
    assert lockfile.nodes["url"].source is SourceKind.REMOTE_TARBALL
    assert lockfile.nodes["tgz"].source is SourceKind.LOCAL_TARBALL
    edges = {d.name: d.target for d in lockfile.root.dependencies}
    assert edges == {"a": "a", "w": "pkgs/w", "gone": None}
    assert lockfile.nodes["a"].dependencies[0].target == "pkgs/w"
    assert lockfile.nodes["a"].line == 10
    assert [p.message for p in lockfile.problems] == [
        "app depends on gone@^2, which has no entry in the lockfile"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ('{"lockfileVersion": 1, "workspaces": {"": {}}', "is not valid JSONC (line 1"),
        ('{"lockfileVersion": 2, "workspaces": {"": {}}}', "unsupported bun lockfileVersion 2"),
        ('{"workspaces": {"": {}}}', "no numeric lockfileVersion"),
        ('{"lockfileVersion": 1, "workspaces": {}}', 'no root ("") entry'),
        ('{"lockfileVersion": 1, "workspaces": []}', "workspaces is not an object"),
        ('[1]', "top level is not an object"),
        (
            '{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": "a@1"}}',
            "packages entry 'a' is not",
        ),
        (
            '{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {"a": ["a@1", 3]}}',
            "packages entry 'a' is not",
        ),
    ],
)
def test_bad_input_is_one_line_error(text: str, message: str) -> None:
    with pytest.raises(LockfileError) as caught:
        bun.parse(Path("bun.lock"), text)
    assert message in caught.value.message
    assert caught.value.subject == "bun.lock"
    assert "\n" not in caught.value.one_line()


def test_truncated_fixture_is_refused(lockfiles: Path) -> None:
    text = (lockfiles / "bun/workspace-app/bun.lock").read_text()
    with pytest.raises(LockfileError, match="not valid JSONC"):
        bun.parse(Path("bun.lock"), text[: len(text) // 2])


def test_sniff(lockfiles: Path) -> None:
    assert bun.sniff((lockfiles / "bun/workspace-app/bun.lock").read_text())
    assert bun.sniff('{\n  // c\n  "lockfileVersion": 1,\n  "configVersion": 1,\n  "workspaces": {')
    assert not bun.sniff('{\n  "name": "x",\n  "lockfileVersion": 3,\n  "packages": {}\n}')
