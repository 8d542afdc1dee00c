"""`depscan lockfile --base REF`: the real CLI in pull-request mode on a git repository."""

from __future__ import annotations

import json
from pathlib import Path

from tests.ci.gitrepo import EXAMPLE, commit_all, copy_project, git, init_repo
from tests.core.test_cli import depscan


def test_base_ref_reports_only_what_the_change_brings_in(
    pr_repo: tuple[Path, str, str],
) -> None:
    repo, _, _ = pr_repo
    proc = depscan(
        "lockfile",
        str(repo / "app"),
        "--base",
        "origin/main",
        "--offline",
        "--no-registry-checks",
        "-f",
        "json",
        cwd=repo,
    )
    assert proc.returncode == 1, proc.stderr
    assert "1 added, 1 updated, 0 removed" in proc.stderr
    doc = json.loads(proc.stdout)
    names = sorted(f["package"]["name"] for f in doc["findings"] if f["check"] == "known-malicious")
    assert names == ["event-stream", "flatmap-stream"]
    # The same comparison against the head itself brings nothing in.
    proc = depscan(
        "lockfile",
        str(repo / "app"),
        "--base",
        "HEAD",
        "--offline",
        "--no-registry-checks",
        "-f",
        "json",
        cwd=repo,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []


def test_an_existing_bad_package_is_not_new(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    copy_project(EXAMPLE, repo / "app")
    commit_all(repo, "already compromised")
    (repo / "app" / "README.md").write_text("docs only\n")
    commit_all(repo, "unrelated change")
    proc = depscan(
        "lockfile",
        str(repo / "app"),
        "--base",
        "HEAD~1",
        "--offline",
        "--no-registry-checks",
        cwd=repo,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no package changes" in proc.stderr


def test_bad_ref_is_one_line_exit_2(pr_repo: tuple[Path, str, str]) -> None:
    repo, _, _ = pr_repo
    proc = depscan("lockfile", str(repo / "app"), "--base", "no-such-ref", "--offline", cwd=repo)
    assert proc.returncode == 2 and "no-such-ref" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert git(repo, "status", "--porcelain") == ""
