from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.model import DependencyKind, Lockfile, SourceKind
from scanner.sources import yarn_v1


def _parse(path: Path) -> Lockfile:
    return yarn_v1.parse(path, path.read_text(encoding="utf-8"))


def test_excalidraw_has_one_node_per_block(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/v1/excalidraw/yarn.lock")
    assert lockfile.format == "yarn-v1"
    assert len(lockfile.packages()) == 1444
    assert lockfile.problems == ()
    core = lockfile.nodes["@babel/core@^7.16.0"]
    assert (core.name, core.version, core.line) == ("@babel/core", "7.26.9", 56)
    assert core.source is SourceKind.REGISTRY
    assert core.integrity is not None and core.integrity.startswith("sha512-lWBYIrF7")
    assert core.has_install_script is None
    # A dependency edge resolves through the descriptor list of another block.
    remapping = next(d for d in core.dependencies if d.name == "@ampproject/remapping")
    assert remapping.target == "@ampproject/remapping@^2.2.0"
    assert lockfile.nodes[remapping.target].version == "2.3.0"


def test_excalidraw_aliases_keep_real_name(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/v1/excalidraw/yarn.lock")
    aliased = {n.alias: n.name for n in lockfile.packages() if n.alias}
    assert aliased == {
        "string-width-cjs": "string-width",
        "strip-ansi-cjs": "strip-ansi",
        "wrap-ansi-cjs": "wrap-ansi",
    }
    node = lockfile.nodes["string-width-cjs@npm:string-width@^4.2.0"]
    assert node.install_name == "string-width-cjs"
    assert node.line == 9434


def test_without_manifest_root_requires_blocks_nothing_else_requires(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/v1/excalidraw/yarn.lock")
    root = lockfile.root
    assert root.source is SourceKind.ROOT and lockfile.roots == ("",)
    required = {d.target for n in lockfile.packages() for d in n.dependencies}
    direct = {d.target for d in root.dependencies}
    assert len(direct) == 97
    assert not direct & required
    # Every block is reachable from the root.
    seen = {""}
    stack = [""]
    while stack:
        for dep in lockfile.nodes[stack.pop()].dependencies:
            if dep.target is not None and dep.target not in seen:
                seen.add(dep.target)
                stack.append(dep.target)
    assert seen == set(lockfile.nodes)


def test_install_types_fixture_sources(lockfiles: Path) -> None:
    lockfile = _parse(lockfiles / "yarn/v1/npm-cli-fixture-yarn-stuff/yarn.lock")
    kinds = {loc: n.source for loc, n in lockfile.nodes.items()}
    assert kinds == {
        "": SourceKind.ROOT,
        "abbrev@^1.1.1": SourceKind.REGISTRY,
        "full-git-url@git+https://github.com/isaacs/abbrev-js.git": SourceKind.GIT,
        "ghshort@github:isaacs/abbrev-js": SourceKind.GIT,
        "old@npm:abbrev@1.0.x": SourceKind.REGISTRY,
        "remote@https://registry.example.test/abbrev/-/abbrev-1.1.1.tgz": (
            SourceKind.REMOTE_TARBALL
        ),
        "symlink@file:./abbrev-link-target": SourceKind.LOCAL_DIRECTORY,
        "tarball@file:abbrev-1.1.1.tgz": SourceKind.LOCAL_TARBALL,
    }
    # Three descriptors, one block: the block is installed under its real name too, so no alias.
    assert lockfile.nodes["abbrev@^1.1.1"].alias is None
    old = lockfile.nodes["old@npm:abbrev@1.0.x"]
    assert (old.name, old.alias, old.version, old.line) == ("abbrev", "old", "1.0.9", 21)
    assert old.integrity == "sha1-kbR5JYinc4wl813W9jdSovh3YTU="


def test_manifest_beside_lockfile_gives_root_dependencies_and_kinds(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        json.dumps(
            {
                "name": "demo",
                "version": "1.2.3",
                "dependencies": {"a": "^1.0.0"},
                "devDependencies": {"b": "^2.0.0", "gone": "^3.0.0"},
            }
        )
    )
    lock = tmp_path / "yarn.lock"
    lock.write_text(
        "# yarn lockfile v1\n\n"
        'a@^1.0.0:\n  version "1.0.1"\n  dependencies:\n    b "^2.0.0"\n\n'
        'b@^2.0.0:\n  version "2.0.0"\n'
    )
    lockfile = _parse(lock)
    root = lockfile.root
    assert (root.name, root.version) == ("demo", "1.2.3")
    assert [(d.name, d.kind, d.target) for d in root.dependencies] == [
        ("a", DependencyKind.PROD, "a@^1.0.0"),
        ("b", DependencyKind.DEV, "b@^2.0.0"),
        ("gone", DependencyKind.DEV, None),
    ]
    assert [p.message for p in lockfile.problems] == [
        "demo@1.2.3 depends on gone@^3.0.0, which has no entry in the lockfile"
    ]
    assert lockfile.nodes["b@^2.0.0"].line == 8


def test_missing_dependency_target_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    lock = tmp_path / "yarn.lock"
    text = (
        "# yarn lockfile v1\n\n"
        'a@^1.0.0:\n  version "1.0.1"\n  dependencies:\n    nothere "^1.0.0"\n'
        '  optionalDependencies:\n    fsevents "^2.0.0"\n'
    )
    lockfile = yarn_v1.parse_text(lock, text, None)
    assert len(lockfile.problems) == 1
    assert "nothere@^1.0.0" in lockfile.problems[0].message
    assert lockfile.problems[0].line == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("foo: bar\n", "no '# yarn lockfile v1' header"),
        ('# yarn lockfile v1\n\na@^1:\n  resolved "x"\n', "line 3: entry a@^1 has no version"),
        ('# yarn lockfile v1\n\na@^1:\n  version "1.0.0\n', "line 4: unterminated quoted"),
        ("# yarn lockfile v1\n\nthis is garbage\n", "line 3: expected an entry key"),
        ('# yarn lockfile v1\n\na@^1:\n    version "1"\n  x "2"\n', "inconsistent indentation"),
        ('# yarn lockfile v1\n\nnoversion:\n  version "1"\n', "is not a name@range"),
    ],
)
def test_bad_input_is_one_line_error(text: str, message: str) -> None:
    with pytest.raises(LockfileError) as caught:
        yarn_v1.parse_text(Path("proj/yarn.lock"), text, None)
    assert message in caught.value.message
    assert caught.value.subject == "proj/yarn.lock"
    assert "\n" not in caught.value.one_line()


def test_truncated_real_file_is_refused(lockfiles: Path) -> None:
    text = (lockfiles / "yarn/v1/excalidraw/yarn.lock").read_text()
    cut = text.index("\n", text.index('"@babel/core@^7.16.0"')) + 1
    with pytest.raises(LockfileError, match="has no version"):
        yarn_v1.parse_text(Path("yarn.lock"), text[:cut], None)


def test_sniff() -> None:
    assert yarn_v1.sniff("# THIS IS AN AUTOGENERATED FILE.\n# yarn lockfile v1\n")
    assert not yarn_v1.sniff("__metadata:\n  version: 6\n")


def test_line_and_entry_caps_are_checked_before_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scanner.sources import _yarn_syntax

    text = "# yarn lockfile v1\n\n" + "".join(f'a{i}@1:\n  version "1.0.0"\n\n' for i in range(5))
    monkeypatch.setattr(_yarn_syntax, "MAX_LINES", 10)
    with pytest.raises(LockfileError, match=r"18 lines, over the 10 line limit"):
        yarn_v1.parse_text(Path("yarn.lock"), text)
    monkeypatch.setattr(_yarn_syntax, "MAX_LINES", 100)
    monkeypatch.setattr(_yarn_syntax, "MAX_ENTRIES", 4)
    with pytest.raises(LockfileError, match=r"line 15: more than 4 entries"):
        yarn_v1.parse_text(Path("yarn.lock"), text)
