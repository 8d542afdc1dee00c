"""Fixtures for the CI integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.gitrepo import CLEAN, EXAMPLE, commit_all, copy_project, git, init_repo


@pytest.fixture
def pr_repo(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository whose ``main`` has the clean lockfile (event-stream 3.3.4) and whose checked
    out ``feature`` commit updates it to event-stream 3.3.6 + flatmap-stream 0.1.1, with
    ``origin/main`` pointing at the base as after ``actions/checkout`` with fetch-depth 0.
    Returns (repo, base sha, head sha)."""
    repo = init_repo(tmp_path / "repo")
    copy_project(CLEAN, repo / "app")
    (repo / "README.md").write_text("wallet app\n", encoding="utf-8")
    base = commit_all(repo, "clean lockfile")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "checkout", "--quiet", "-b", "feature")
    copy_project(EXAMPLE, repo / "app")
    head = commit_all(repo, "update ps-tree's event-stream")
    return repo, base, head
