"""Throwaway git repositories holding the event-stream example, for the CI integration tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "event-stream-2018"
CLEAN = Path(__file__).resolve().parent / "fixtures" / "event-stream-3.3.4"
PROJECT_FILES = ("package.json", "package-lock.json", ".npmrc")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def copy_project(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copyfile(source / name, target / name)


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "config", "user.name", "depscan tests")
    git(path, "config", "user.email", "tests@example.test")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def policy_pr_repo(
    root: Path,
    base_policy: str | None,
    head_policy: str | None,
    *,
    policy_at: str = ".depscan.toml",
) -> Path:
    """A repository like the ``pr_repo`` fixture (``main``: the clean lockfile; the checked out
    ``feature`` commit brings in event-stream 3.3.6 and flatmap-stream 0.1.1), whose base commit
    holds ``base_policy`` at ``policy_at`` and whose head holds ``head_policy`` there (``None``:
    no file)."""
    repo = init_repo(root)
    copy_project(CLEAN, repo / "app")
    policy = repo / policy_at
    if base_policy is not None:
        policy.parent.mkdir(parents=True, exist_ok=True)
        policy.write_text(base_policy, encoding="utf-8")
    base = commit_all(repo, "clean lockfile")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "checkout", "--quiet", "-b", "feature")
    copy_project(EXAMPLE, repo / "app")
    if head_policy is None:
        policy.unlink(missing_ok=True)
    else:
        policy.parent.mkdir(parents=True, exist_ok=True)
        policy.write_text(head_policy, encoding="utf-8")
    commit_all(repo, "update ps-tree's event-stream")
    return repo


ATTACKER_POLICY = """\
# What a pull request bringing in flatmap-stream would like its scan to obey.
fail-on = "critical"
registry = false

[hygiene]
allowed-hosts = ["evil.example.test"]

[install-scripts]
allow = ["flatmap-stream"]

[[ignore]]
check = "known-malicious"
package = "flatmap-stream"
reason = "reviewed, fine"

[[ignore]]
check = "known-malicious"
package = "event-stream"
reason = "reviewed, fine"
"""
