"""depscan's diff against ``npm diff`` on real packages (opt-in: ``pytest -m live``).

Both sides fetch from the registry npm is configured with on this machine; nothing here names it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from scanner.registry.client import RegistryClient
from scanner.registry.npmrc import resolve_npm_config
from scanner.tarball.resolve import run_diff

PAIRS = [
    ("lodash", "4.17.20", "4.17.21"),
    ("left-pad", "1.2.0", "1.3.0"),
    ("chalk", "4.1.2", "5.0.0"),
]


def npm_diff(name: str, old: str, new: str, cwd: Path) -> dict[str, tuple[int, int] | None]:
    """Changed files from ``npm diff`` with (+lines, -lines); None when it printed no patch."""
    completed = subprocess.run(
        ["npm", "diff", f"--diff={name}@{old}", f"--diff={name}@{new}", "--no-color"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    files: dict[str, tuple[int, int] | None] = {}
    counts: Counter[str] = Counter()
    current: str | None = None
    in_hunks = False

    def close() -> None:
        if current is not None:
            files[current] = (counts["+"], counts["-"]) if in_hunks else None

    for line in completed.stdout.splitlines():
        if line.startswith("diff --git a/"):
            close()
            current = line[len("diff --git a/") :].split(" b/", 1)[0]
            counts.clear()
            in_hunks = False
        elif line.startswith("@@"):
            in_hunks = True
        elif in_hunks and line[:1] in "+-":
            counts[line[0]] += 1
    close()
    return files


@pytest.mark.live
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
@pytest.mark.parametrize(("name", "old", "new"), PAIRS)
def test_file_set_and_line_counts_agree_with_npm_diff(
    tmp_path: Path, name: str, old: str, new: str
) -> None:
    expected = npm_diff(name, old, new, tmp_path)
    config = resolve_npm_config(tmp_path, None, os.environ)
    with RegistryClient(config, cache_dir=tmp_path / "cache", jobs=2) as client:
        diff = run_diff(f"{name}@{old}", f"{name}@{new}", client)
    assert diff.old.verified == diff.new.verified == "sha512"
    assert {f.path for f in diff.files} == set(expected)
    for change in diff.files:
        npm_counts = expected[change.path]
        if npm_counts is None or change.binary:
            continue  # npm prints no patch for binary-looking names; depscan none for binaries
        assert (change.added_lines, change.removed_lines) == npm_counts, change.path
