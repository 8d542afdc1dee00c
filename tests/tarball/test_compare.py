from __future__ import annotations

import pytest

from scanner.tarball.compare import FileStatus, diff_packages, is_binary, path_matches

from .builders import package, tar_bytes

OLD = package(
    "demo",
    "1.0.0",
    {
        "index.js": "one\ntwo\nthree\n",
        "lib/gone.js": "bye\n",
        "lib/same.js": "unchanged\n",
        "bin/cli": "#!/usr/bin/env node\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\0\0\0old",
    },
)
NEW = package(
    "demo",
    "1.0.1",
    {
        "index.js": "one\n2\nthree\nfour\n",
        "lib/new.js": "hello\nworld\n",
        "lib/same.js": "unchanged\n",
        "bin/cli": "#!/usr/bin/env node\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\0\0\0new",
    },
)


def test_changed_files_are_classified_and_counted() -> None:
    diff = diff_packages(OLD, NEW, old_subject="demo@1.0.0", new_subject="demo@1.0.1")
    by_path = {f.path: f for f in diff.files}
    assert sorted(by_path) == ["index.js", "lib/gone.js", "lib/new.js", "logo.png", "package.json"]
    assert by_path["lib/new.js"].status is FileStatus.ADDED
    assert (by_path["lib/new.js"].added_lines, by_path["lib/new.js"].new_size) == (2, 12)
    assert by_path["lib/gone.js"].status is FileStatus.REMOVED
    assert by_path["lib/gone.js"].removed_lines == 1
    index = by_path["index.js"]
    assert (index.status, index.added_lines, index.removed_lines) == (FileStatus.MODIFIED, 2, 1)
    assert by_path["logo.png"].binary
    assert by_path["logo.png"].added_lines == 0
    assert diff.count(FileStatus.MODIFIED) == 3
    assert diff.new.version == "1.0.1"
    assert diff.new.verified is None
    assert "no registry integrity" in diff.new.integrity_statement


def test_mode_only_change_is_a_change() -> None:
    old = tar_bytes({"cli.js": "x\n"}, modes={"cli.js": 0o644})
    new = tar_bytes({"cli.js": "x\n"}, modes={"cli.js": 0o755})
    (change,) = diff_packages(old, new).files
    assert (change.old_mode, change.new_mode) == (0o644, 0o755)
    assert change.added_lines == change.removed_lines == 0


def test_identical_packages_have_no_changes() -> None:
    assert diff_packages(OLD, OLD).files == ()


def test_name_only_keeps_counts_but_drops_blocks() -> None:
    diff = diff_packages(OLD, NEW, name_only=True)
    index = next(f for f in diff.files if f.path == "index.js")
    assert index.blocks == ()
    assert (index.added_lines, index.removed_lines) == (2, 1)
    assert diff.name_only


def test_include_and_exclude_filters() -> None:
    only_lib = diff_packages(OLD, NEW, include=["lib"])
    assert [f.path for f in only_lib.files] == ["lib/gone.js", "lib/new.js"]
    js = diff_packages(OLD, NEW, include=["*.js"], exclude=["lib/gone.js"])
    assert [f.path for f in js.files] == ["index.js", "lib/new.js"]
    assert js.filters == ("*.js", "!lib/gone.js")


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("lib/a.js", ["lib/*.js"], True),
        ("lib/sub/a.js", ["lib/*.js"], False),
        ("lib/sub/a.js", ["lib/**/*.js"], True),
        ("lib/a.js", ["lib/**/*.js"], True),
        ("deep/x/a.min.js", ["*.min.js"], True),
        ("lib/a.js", ["./package/lib/"], True),
        ("library.js", ["lib"], False),
        ("README.md", ["?EADME.md"], True),
        ("a.js", [""], False),
    ],
)
def test_path_matches(path: str, patterns: list[str], expected: bool) -> None:
    assert path_matches(path, patterns) is expected


def test_binary_sniffing_uses_nul_bytes_in_the_head() -> None:
    assert is_binary(b"abc\0def")
    assert not is_binary("ünïcode text".encode())
    assert not is_binary(b"a" * 9000 + b"\0")  # beyond git's 8000-byte window
