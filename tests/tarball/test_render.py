from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scanner.tarball.compare import diff_packages
from scanner.tarball.render import render_text, to_json

from .builders import tar_bytes


def test_text_output_matches_git_style_by_hand() -> None:
    old = tar_bytes({"a.txt": "1\n2\n3\n", "gone.txt": "x", "img.bin": b"\0\1"})
    new = tar_bytes({"a.txt": "1\ntwo\n3", "new.txt": "n\n", "img.bin": b"\0\2"})
    text = render_text(diff_packages(old, new, old_subject="old.tgz", new_subject="new.tgz"))
    # Blob ids as `git hash-object` prints them for these contents.
    expected_tail = """\
diff --git a/a.txt b/a.txt
index 01e79c3..8f93bc6 100644
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
 1
-2
-3
+two
+3
\\ No newline at end of file
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index c1b0730..0000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-x
\\ No newline at end of file
diff --git a/img.bin b/img.bin
index bdc955b..8835708 100644
Binary files a/img.bin and b/img.bin differ
diff --git a/new.txt b/new.txt
new file mode 100644
index 0000000..8ba3a16
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+n
"""
    assert text.endswith(expected_tail)
    assert text.startswith("old.tgz -> new.tgz\n")
    assert "old.tgz: local file, no registry integrity to verify against" in text
    assert "4 files changed: 1 added, 1 removed, 2 modified; +3 -3 lines" in text


def test_mode_change_has_no_index_line() -> None:
    old = tar_bytes({"cli": "x\n"})
    new = tar_bytes({"cli": "x\n"}, modes={"cli": 0o755})
    text = render_text(diff_packages(old, new))
    assert text.endswith("diff --git a/cli b/cli\nold mode 100644\nnew mode 100755\n")


def test_name_only_prints_paths_only() -> None:
    old = tar_bytes({"a.js": "1", "b.js": "2"})
    new = tar_bytes({"a.js": "1", "b.js": "3", "c.js": "4"})
    assert render_text(diff_packages(old, new), name_only=True) == "b.js\nc.js\n"


def test_verdict_lines_come_between_the_summary_and_the_diffs() -> None:
    diff = diff_packages(tar_bytes({"a.js": "1"}), tar_bytes({"a.js": "2"}))
    lines = render_text(diff, verdict=["verdict: HIGH (update) something", "reasons:"]).splitlines()
    start = lines.index("verdict: HIGH (update) something")
    assert lines[start + 1] == "reasons:"
    assert lines[start + 2].startswith("diff --git a/a.js b/a.js")


def test_json_form_is_serialisable_and_complete() -> None:
    old = tar_bytes({"a.js": "1\n2\n"})
    new = tar_bytes({"a.js": "1\n3\n", "b.js": "x\n"})
    verdict = {"severity": "medium", "summary": "a patch release first reaches the network"}
    document = to_json(diff_packages(old, new), verdict, hunks=True)
    json.dumps(document)
    assert document["summary"] == {
        "files_changed": 2,
        "added": 1,
        "removed": 0,
        "modified": 1,
        "added_lines": 2,
        "removed_lines": 1,
        "filters": [],
    }
    files = document["files"]
    assert isinstance(files, list)
    assert files[0]["diff"] == ["@@ -1,2 +1,2 @@", " 1", "-2", "+3"]
    assert files[1]["new_mode"] == "100644"
    assert document["verdict"] == verdict
    assert document["new"]["integrity_verified"] is None  # type: ignore[index]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("context", [0, 1, 3, 5])
def test_hunks_agree_with_git_diff(tmp_path: Path, context: int) -> None:
    old_lines = [f"line {i}" for i in range(200)]
    new_lines = list(old_lines)
    new_lines[10] = "changed 10"
    del new_lines[50:53]
    new_lines.insert(120, "inserted")
    new_lines[-1] = "last changed"
    old_text = "\n".join(old_lines) + "\n"
    new_text = "\n".join(new_lines)  # and the final newline goes away
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f.txt").write_text(old_text)
    (tmp_path / "b" / "f.txt").write_text(new_text)
    git = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", f"-U{context}", "a/f.txt", "b/f.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    # git appends a "function name" to hunk headers; diff -u and depscan do not.
    git_hunks = re.sub(r"(?m)^(@@ [^@]+ @@).*$", r"\1", git.stdout[git.stdout.index("@@") :])
    mine = render_text(
        diff_packages(tar_bytes({"f.txt": old_text}), tar_bytes({"f.txt": new_text})),
        unified=context,
    )
    assert mine[mine.index("@@") :] == git_hunks
    # The index line carries git's blob ids too.
    index_line = next(line for line in git.stdout.splitlines() if line.startswith("index "))
    assert index_line in mine
