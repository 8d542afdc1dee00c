"""The pre-commit hook, run by the real pre-commit tool from a clone of this repository: each
commit is judged by what it brings into the lockfile, compared with HEAD.

pre-commit clones the repository at a commit and pip-installs it into its own environment, so
this test needs the hook definition committed and package-index access for depscan's
dependencies. It takes a while (one environment install), hence one test for the whole story.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ci.gitrepo import CLEAN, EXAMPLE, REPO, copy_project, git, init_repo

pytest.importorskip("pre_commit", reason="the pre-commit tool is not installed in this venv")


def _commit(repo: Path, message: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A")
    return subprocess.run(
        ["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True
    )


def test_hook_judges_what_each_commit_brings_into_the_lockfile(tmp_path: Path) -> None:
    depscan_repo = Path(git(REPO, "rev-parse", "--show-toplevel"))
    rev = git(depscan_repo, "rev-parse", "HEAD")
    hooks_at_rev = git(depscan_repo, "show", f"{rev}:.pre-commit-hooks.yaml")
    assert "id: depscan" in hooks_at_rev, "commit .pre-commit-hooks.yaml before running this test"

    repo = init_repo(tmp_path / "project")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {depscan_repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: depscan\n",  # the default: cache only, compared with HEAD
        encoding="utf-8",
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("GIT_DIR", None)
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, check=True,
        capture_output=True,
    )

    # The first commit of a lockfile: nothing in HEAD, so all of it is judged.
    copy_project(CLEAN, repo / "app")
    clean = _commit(repo, "clean lockfile", env)
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert "Passed" in output  # the hook ran, it was not skipped
    assert "NOT CHECKED" in output  # offline: what the cache could not answer is said

    copy_project(EXAMPLE, repo / "app")
    attack = _commit(repo, "update event-stream", env)
    output = attack.stdout + attack.stderr
    assert attack.returncode != 0, output
    assert "Failed" in output
    assert "flatmap-stream@0.1.1" in output and "known-malicious" in output
    assert "compared with HEAD:app/package-lock.json: 1 added, 1 updated" in output
    # The refused commit did not happen: the lockfile at HEAD is still the clean one.
    assert "3.3.4" in git(repo, "show", "HEAD:app/package-lock.json")
    assert git(repo, "rev-list", "--count", "HEAD") == "1"

    # It got in anyway (--no-verify). A later commit that only bumps another package is not
    # refused for what HEAD already had.
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--no-verify", "-m", "forced")
    lockfile = repo / "app" / "package-lock.json"
    lockfile.write_text(
        lockfile.read_text(encoding="utf-8").replace("through-2.3.8", "through-2.3.9").replace(
            '"version": "2.3.8"', '"version": "2.3.9"'
        ),
        encoding="utf-8",
    )
    bump = _commit(repo, "bump through", env)
    output = bump.stdout + bump.stderr
    assert bump.returncode == 0, output
    assert "0 added, 1 updated, 0 removed" in output
    assert "flatmap-stream@0.1.1" not in output
