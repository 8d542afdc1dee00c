"""scanner.precommit: the hook's entry point, in process (the real pre-commit run is in
test_precommit_hook.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.precommit import main, split_arguments
from tests.ci.gitrepo import CLEAN, EXAMPLE, copy_project


def test_trailing_lockfile_names_are_the_files_and_the_rest_are_options() -> None:
    argv = ["--fail-on", "critical", "--offline", "a/package-lock.json", "yarn.lock"]
    assert split_arguments(argv) == (
        ["--fail-on", "critical", "--offline"], ["a/package-lock.json", "yarn.lock"],
    )
    assert split_arguments(["--output", "report.txt"]) == (["--output", "report.txt"], [])


def test_every_file_is_scanned_and_the_worst_exit_code_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_project(CLEAN, tmp_path / "clean")
    copy_project(EXAMPLE, tmp_path / "attacked")
    clean = str(tmp_path / "clean" / "package-lock.json")
    attacked = str(tmp_path / "attacked" / "package-lock.json")
    options = ["--offline", "--no-registry-checks"]

    assert main([*options, clean]) == 0
    assert main([*options, attacked, clean]) == 1
    out = capsys.readouterr().out
    assert out.count("Scanned ") == 3  # both files of the second run were scanned
    assert "flatmap-stream@0.1.1" in out

    broken = tmp_path / "broken" / "package-lock.json"
    broken.parent.mkdir()
    broken.write_text("{ not json", encoding="utf-8")
    assert main([*options, attacked, str(broken)]) == 2
    assert f"depscan: error: {broken}" in capsys.readouterr().err


def test_no_files_is_a_pass() -> None:
    assert main(["--offline"]) == 0
