"""The GitHub Action's set-up steps, outside GitHub-only YAML so they can be tested.

``python -m scanner.action_setup install`` runs from the action's own checkout with whichever
Python 3.11+ the runner has (or the one actions/setup-python provided): it creates a virtual
environment under ``$RUNNER_TEMP``, installs depscan's dependencies from
``action-requirements.txt`` with ``--require-hashes --no-deps`` (every file pinned by its sha256,
nothing resolved at run time), then depscan itself from the checkout with ``--no-deps
--no-build-isolation --no-index`` (its build backend comes from the same hashed file, so nothing is
fetched unpinned either). The environment's Python is the step output ``python``.

``python -m scanner.action_setup db-update`` refreshes depscan's local advisory database once per
run, when this depscan has the ``db`` command. A failed update never fails the job: the scan
reports how old the database it used is.

Only the standard library is imported here: the dependencies are not installed yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import TextIO

REQUIREMENTS_FILE = "action-requirements.txt"
VENV_NAME = "depscan-venv"
MIN_PYTHON = (3, 11)
COMMAND_TIMEOUT_SECONDS = 600

Runner = Callable[[Sequence[str]], int]
"""Runs a command and returns its exit code (injected by tests)."""


def venv_python(venv: str, platform: str) -> PurePath:
    """The Python executable of a virtual environment created on ``platform`` (``sys.platform``):
    ``Scripts\\python.exe`` on Windows, ``bin/python`` elsewhere."""
    if platform == "win32":
        return PureWindowsPath(venv) / "Scripts" / "python.exe"
    return PurePosixPath(venv) / "bin" / "python"


def venv_folder(env: Mapping[str, str]) -> str:
    temp = env.get("RUNNER_TEMP") or env.get("TMPDIR") or "."
    return os.path.join(temp, VENV_NAME)


def install_commands(
    python: str, venv: str, action_path: str, platform: str
) -> list[list[str]]:
    """The commands that install depscan into ``venv``, in order."""
    inner = str(venv_python(venv, platform))
    pip = [inner, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    return [
        [python, "-m", "venv", venv],
        [*pip, "--require-hashes", "--no-deps", "-r",
         os.path.join(action_path, REQUIREMENTS_FILE)],
        # The build backend (hatchling) is in the hashed file: no isolated build environment,
        # so pip fetches nothing for the build, and --no-index makes sure of it.
        [*pip, "--no-deps", "--no-build-isolation", "--no-index", action_path],
    ]


def install(env: Mapping[str, str], out: TextIO, run: Runner) -> int:
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        out.write(f"::error title=depscan::depscan needs Python {wanted} or later, and "
                  f"{sys.executable} is {sys.version.split()[0]}\n")
        return 2
    action_path = env.get("GITHUB_ACTION_PATH") or str(Path(__file__).resolve().parents[1])
    venv = venv_folder(env)
    for command in install_commands(sys.executable, venv, action_path, sys.platform):
        code = run(command)
        if code != 0:
            out.write(f"::error title=depscan::installing depscan failed (exit {code}): "
                      f"{' '.join(command)}\n")
            return code
    # Forward slashes: the next steps run it from bash, on Windows too.
    _write_output(env, "python", venv_python(venv, sys.platform).as_posix())
    return 0


def update_database(env: Mapping[str, str], out: TextIO, run: Runner) -> int:
    """``depscan db update`` when this depscan has it; always 0 (a failed update is a warning)."""
    if env.get("INPUT_OFFLINE", "").strip().lower() in ("true", "yes", "1", "on"):
        out.write("depscan: offline: the advisory database is not updated\n")
        return 0
    if not has_database_command():
        out.write("depscan: this version has no `depscan db` command: no database to update\n")
        return 0
    # -I: the working folder is the scanned repository, whose own `scanner/` must never load.
    code = run([sys.executable, "-I", "-m", "scanner", "db", "update"])
    if code != 0:
        out.write(f"::warning title=depscan::the advisory database update failed (exit {code}); "
                  "the scan uses the database as it is and reports its age\n")
    return 0


def has_database_command() -> bool:
    """Whether the installed depscan registers a ``db`` sub-command."""
    import typer.main

    from scanner.cli import app

    command = typer.main.get_command(app)
    return "db" in getattr(command, "commands", {})


def run_command(command: Sequence[str]) -> int:
    try:
        return subprocess.run(list(command), check=False,
                              timeout=COMMAND_TIMEOUT_SECONDS).returncode
    except subprocess.TimeoutExpired:
        return 124
    except OSError:
        return 127


def _write_output(env: Mapping[str, str], name: str, value: str) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{name}={value}\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    steps = {"install": install, "db-update": update_database}
    if len(args) != 1 or args[0] not in steps:
        sys.stderr.write(f"usage: python -m scanner.action_setup {{{'|'.join(steps)}}}\n")
        return 2
    return steps[args[0]](os.environ, sys.stdout, run_command)


if __name__ == "__main__":
    raise SystemExit(main())
