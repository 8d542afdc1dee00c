"""What a person at the terminal and a pre-commit hook pay: start-up, help size, hook time.

Measured with benchmarks/_measure.py (median wall and CPU time of --repeat runs):
  * ``depscan --version``: the cost of starting the command line at all;
  * ``depscan lockfile --help`` at ``COLUMNS=80``: its line count and widest line;
  * the pre-commit entry point (``python -m scanner.precommit``, what the hook runs) in a git
    repository whose HEAD holds a clean lockfile (event-stream 3.3.4) and whose staged lockfile
    brings in event-stream 3.3.6 and flatmap-stream 0.1.1. The project's ``.npmrc`` names a
    registry whose host does not resolve (``registry.example.test``), which is how an unreachable
    registry looks from a laptop on a train. The cache starts empty for every run.

    python benchmarks/bench_cli.py [--repeat N] [--hook-arg ARG ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _measure import REPO, series, table

CLEAN = REPO / "tests" / "ci" / "fixtures" / "event-stream-3.3.4"
ATTACKED = REPO / "examples" / "event-stream-2018"
PROJECT_FILES = ("package.json", "package-lock.json", ".npmrc")


def _depscan() -> str:
    return str(Path(sys.executable).parent / "depscan")


def help_size() -> tuple[int, int]:
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    done = subprocess.run(
        [_depscan(), "lockfile", "--help"], env=env, capture_output=True, text=True, check=True
    )
    lines = done.stdout.splitlines()
    return len(lines), max(len(line) for line in lines)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _copy(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copyfile(source / name, target / name)


def hook_repository(root: Path) -> Path:
    repo = root / "project"
    repo.mkdir()
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "config", "user.email", "bench@example.test")
    _git(repo, "config", "user.name", "bench")
    _copy(CLEAN, repo / "app")
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "--no-verify", "-m", "clean")
    _copy(ATTACKED, repo / "app")
    _git(repo, "add", "-A")
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hook-arg", action="append", default=[],
                        help="an argument for the hook, as in .pre-commit-config.yaml's args")
    args = parser.parse_args()

    lines, widest = help_size()
    print(f"depscan lockfile --help at COLUMNS=80: {lines} lines, widest {widest} columns")

    version = series("depscan --version", [_depscan(), "--version"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        repo = hook_repository(Path(tmp))
        cache = Path(tmp) / "cache"
        hook = series(
            "pre-commit entry, unreachable registry, empty cache "
            f"(args: {' '.join(args.hook_arg) or 'none'})",
            [sys.executable, "-m", "scanner.precommit", *args.hook_arg, "app/package-lock.json"],
            args.repeat,
            env={"DEPSCAN_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)},
            before_each=lambda: shutil.rmtree(cache, ignore_errors=True),
            cwd=repo,
            timeout=120,
        )
    print(table([version, hook]))


if __name__ == "__main__":
    main()
