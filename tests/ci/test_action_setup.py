"""scanner.action_setup: the Action's install and database-update steps (the venv layout of each
runner OS, the hashed install, a database update that never fails the job)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from scanner import action_setup
from scanner.action_setup import (
    REQUIREMENTS_FILE,
    install,
    install_commands,
    update_database,
    venv_python,
)
from tests.ci.gitrepo import REPO


class Recorder:
    def __init__(self, codes: Sequence[int] = ()) -> None:
        self.commands: list[list[str]] = []
        self._codes = list(codes)

    def __call__(self, command: Sequence[str]) -> int:
        self.commands.append(list(command))
        return self._codes.pop(0) if self._codes else 0


@pytest.mark.parametrize(
    ("platform", "venv", "expected"),
    [
        ("linux", "/home/runner/work/_temp/depscan-venv",
         PurePosixPath("/home/runner/work/_temp/depscan-venv/bin/python")),
        ("darwin", "/Users/runner/work/_temp/depscan-venv",
         PurePosixPath("/Users/runner/work/_temp/depscan-venv/bin/python")),
        ("win32", r"D:\a\_temp\depscan-venv",
         PureWindowsPath(r"D:\a\_temp\depscan-venv\Scripts\python.exe")),
    ],
)
def test_the_venv_python_of_each_runner_os(platform: str, venv: str, expected: object) -> None:
    assert venv_python(venv, platform) == expected


def test_windows_path_is_written_with_forward_slashes_for_bash() -> None:
    path = venv_python(r"D:\a\_temp\depscan-venv", "win32")
    assert path.as_posix() == "D:/a/_temp/depscan-venv/Scripts/python.exe"


def test_install_commands_pin_every_dependency_by_hash_and_fetch_nothing_else() -> None:
    venv_cmd, deps, depscan = install_commands("/usr/bin/python3", "/t/venv", "/action", "linux")
    assert venv_cmd == ["/usr/bin/python3", "-m", "venv", "/t/venv"]
    assert deps[:3] == ["/t/venv/bin/python", "-m", "pip"]
    assert {"--require-hashes", "--no-deps"} <= set(deps)
    assert deps[-2:] == ["-r", f"/action/{REQUIREMENTS_FILE}"]
    assert {"--no-deps", "--no-build-isolation", "--no-index"} <= set(depscan)
    assert depscan[-1] == "/action"


def test_install_runs_the_commands_and_names_the_python_for_later_steps(tmp_path: Path) -> None:
    output = tmp_path / "output"
    env = {"RUNNER_TEMP": str(tmp_path / "temp"), "GITHUB_OUTPUT": str(output),
           "GITHUB_ACTION_PATH": str(REPO)}
    run = Recorder()

    assert install(env, io.StringIO(), run) == 0

    venv = str(tmp_path / "temp" / "depscan-venv")
    assert run.commands == install_commands(sys.executable, venv, str(REPO), sys.platform)
    expected = venv_python(venv, sys.platform).as_posix()
    assert output.read_text() == f"python={expected}\n"


def test_a_failed_install_is_an_error_annotation_and_no_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    env = {"RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output)}
    out = io.StringIO()
    assert install(env, out, Recorder([0, 1])) == 1
    assert "::error title=depscan::installing depscan failed (exit 1)" in out.getvalue()
    assert "--require-hashes" in out.getvalue()
    assert not output.exists()


def test_database_update_is_skipped_without_the_db_command_or_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = Recorder()
    out = io.StringIO()
    assert update_database({"INPUT_OFFLINE": "true"}, out, run) == 0
    assert run.commands == [] and "offline" in out.getvalue()

    monkeypatch.setattr(action_setup, "has_database_command", lambda: False)
    assert update_database({}, out, run) == 0
    assert run.commands == [] and "no `depscan db` command" in out.getvalue()


def test_database_update_runs_once_and_its_failure_is_only_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(action_setup, "has_database_command", lambda: True)
    run = Recorder([7])
    out = io.StringIO()
    assert update_database({}, out, run) == 0
    assert run.commands == [[sys.executable, "-I", "-m", "scanner", "db", "update"]]
    assert "::warning title=depscan::the advisory database update failed (exit 7)" in (
        out.getvalue()
    )


def test_has_database_command_reads_the_cli() -> None:
    from scanner.cli import app

    registered = {group.name for group in app.registered_groups}
    assert action_setup.has_database_command() == ("db" in registered)


def test_the_module_runs_with_a_bare_interpreter_and_says_its_usage() -> None:
    # The install step runs it before any dependency is installed: the standard library only.
    done = subprocess.run(
        [sys.executable, "-S", "-m", "scanner.action_setup", "nope"], cwd=REPO,
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "usage: python -m scanner.action_setup {install|db-update}" in done.stderr


@pytest.mark.live
def test_the_real_install_from_the_package_index(tmp_path: Path) -> None:
    """Opt-in (`pytest -m live`): the hashed install as a runner does it."""
    output = tmp_path / "output"
    env = {"RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output),
           "GITHUB_ACTION_PATH": str(REPO)}
    assert install(env, sys.stdout, action_setup.run_command) == 0
    python = output.read_text().strip().split("=", 1)[1]
    done = subprocess.run([python, "-I", "-m", "scanner", "--version"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert done.stdout.startswith("depscan ")
