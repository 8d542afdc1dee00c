"""Pull-request mode obeys the base revision's policy file, and reports a change to it.

A pull request writes the whole checkout, `.depscan.toml` included: if depscan obeyed the head's
policy, a pull request could ignore its own malicious package or raise `fail-on` and pass.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from scanner.base_revision import BaseRevision
from scanner.errors import PolicyError
from scanner.model import Severity
from scanner.pr_mode import scan_changes
from scanner.scan import ScanOptions, prepare_change
from tests.ci.gitrepo import ATTACKER_POLICY, commit_all, copy_project, git, policy_pr_repo
from tests.ci.gitrepo import EXAMPLE as ATTACKED
from tests.core.test_cli import depscan

OFFLINE = ("--offline", "--no-registry-checks")
MALICIOUS = ["event-stream", "flatmap-stream"]


def _scan_json(repo: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any]:
    proc = _depscan(repo, "lockfile", "app", "--base", "origin/main", *OFFLINE, "-f", "json",
                    *args, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _depscan(repo: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    if env is None:
        return depscan(*args, cwd=repo)
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=repo,
        timeout=120, env={**os.environ, **env},
    )


def _malicious(doc: Any) -> list[str]:
    return sorted(f["package"]["name"] for f in doc["findings"] if f["check"] == "known-malicious")


def _policy_changes(doc: Any) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["check"] == "policy-change"]


def test_a_pull_request_cannot_ignore_its_own_malicious_package_or_raise_fail_on(
    tmp_path: Path,
) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)

    code, doc = _scan_json(repo)

    assert code == 1
    assert _malicious(doc) == MALICIOUS
    assert doc["summary"]["ignored"] == []
    assert doc["summary"]["fail_on"] == "high"
    assert doc["summary"]["policy"] == "origin/main:.depscan.toml"
    [change] = _policy_changes(doc)
    assert change["severity"] == "medium"
    assert change["package"] is None
    assert Path(change["lockfile"]).name == ".depscan.toml"
    assert change["details"]["change"] == "modified"
    assert change["details"]["policy_used"] == "origin/main:.depscan.toml"
    assert "modifies the policy file .depscan.toml" in change["message"]
    assert "obeyed the base's policy (origin/main:.depscan.toml)" in change["message"]


def test_a_policy_the_base_does_not_have_is_not_obeyed(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", None, ATTACKER_POLICY)

    code, doc = _scan_json(repo)

    assert code == 1 and _malicious(doc) == MALICIOUS
    assert doc["summary"]["policy"] is None
    [change] = _policy_changes(doc)
    assert change["details"]["change"] == "added"
    assert "obeyed no policy, as the base (origin/main) has none" in change["message"]


def test_removing_the_policy_does_not_remove_it_from_this_scan(tmp_path: Path) -> None:
    strict = 'fail-on = "medium"\n'
    repo = policy_pr_repo(tmp_path / "repo", strict, None)

    code, doc = _scan_json(repo)

    assert code == 1
    assert doc["summary"]["fail_on"] == "medium"  # the base's, though the head has no file
    [change] = _policy_changes(doc)
    assert change["details"]["change"] == "removed"
    assert "removes the policy file .depscan.toml" in change["message"]


def test_a_nearer_policy_added_beside_the_lockfile_is_not_obeyed(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", None, ATTACKER_POLICY, policy_at="app/.depscan.toml")
    # The base's own policy, at the root, is what applies.
    git(repo, "checkout", "--quiet", "main")
    (repo / ".depscan.toml").write_text('fail-on = "high"\n', encoding="utf-8")
    base = commit_all(repo, "root policy")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "checkout", "--quiet", "feature")
    git(repo, "merge", "--quiet", "--no-edit", "main")

    code, doc = _scan_json(repo)

    assert code == 1 and _malicious(doc) == MALICIOUS
    assert doc["summary"]["policy"] == "origin/main:.depscan.toml"
    [change] = _policy_changes(doc)
    assert change["details"]["change"] == "added"
    assert change["details"]["policy_file"] == "app/.depscan.toml"


def test_an_unchanged_policy_is_obeyed_without_a_finding(tmp_path: Path) -> None:
    lenient = 'fail-on = "critical"\n'
    repo = policy_pr_repo(tmp_path / "repo", lenient, lenient)

    code, doc = _scan_json(repo, "--fail-on", "high")
    assert code == 1 and _policy_changes(doc) == []

    code, doc = _scan_json(repo)
    assert code == 1  # critical findings, at the merged fail-on critical
    assert doc["summary"]["fail_on"] == "critical" and _policy_changes(doc) == []


def test_trust_head_policy_obeys_the_pull_requests_file_and_still_reports_the_change(
    tmp_path: Path,
) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)

    for args, env in ((("--trust-head-policy",), None), ((), {"DEPSCAN_TRUST_HEAD_POLICY": "1"})):
        code, doc = _scan_json(repo, *args, env=env)
        assert code == 0
        assert _malicious(doc) == []
        assert sorted(f["package"]["name"] for f in doc["summary"]["ignored"]) == MALICIOUS
        [change] = _policy_changes(doc)
        assert "obeyed the change's version (--trust-head-policy)" in change["message"]
        assert change["details"]["policy_origin"] == "head"

    # The flag wins over the variable.
    code, doc = _scan_json(repo, "--no-trust-head-policy", env={"DEPSCAN_TRUST_HEAD_POLICY": "1"})
    assert code == 1
    proc = _depscan(repo, "lockfile", "app", "--base", "origin/main", *OFFLINE,
                    env={"DEPSCAN_TRUST_HEAD_POLICY": "maybe"})
    assert proc.returncode == 2 and "DEPSCAN_TRUST_HEAD_POLICY must be true or false" in proc.stderr


def test_an_explicit_policy_path_is_read_as_given(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)

    code, doc = _scan_json(repo, "--policy", ".depscan.toml")

    assert code == 0 and _malicious(doc) == []
    [change] = _policy_changes(doc)  # still said: the file is the repository's
    assert "(--policy)" in change["message"]

    outside = tmp_path / "reviewed.toml"
    outside.write_text('fail-on = "high"\n', encoding="utf-8")
    code, doc = _scan_json(repo, "--policy", str(outside))
    assert code == 1 and _policy_changes(doc) == []


def test_a_lockfile_given_as_base_keeps_the_working_trees_policy(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)
    old = tmp_path / "old"
    git(repo, "worktree", "add", "--quiet", str(old), "main")

    proc = depscan("lockfile", "app", "--base", str(old / "app" / "package-lock.json"), *OFFLINE,
                   "-f", "json", cwd=repo)

    # No git revision to read a policy from: the documented, older behaviour.
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert _malicious(doc) == [] and _policy_changes(doc) == []
    assert doc["summary"]["policy"].endswith(".depscan.toml")


def test_a_broken_policy_in_the_pull_request_cannot_stop_the_scan(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', "fail-on = [broken\n")

    code, doc = _scan_json(repo)

    assert code == 1 and _malicious(doc) == MALICIOUS
    assert [c["details"]["change"] for c in _policy_changes(doc)] == ["modified"]


def test_a_broken_base_policy_is_one_line_naming_the_revision(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", "fail-on = 3\n", 'fail-on = "high"\n')

    proc = depscan("lockfile", "app", "--base", "origin/main", *OFFLINE, cwd=repo)

    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "depscan: error: origin/main:.depscan.toml: line 1: fail-on must be one of critical, "
        "high, medium, low, info (got int 3)"
    ]


def test_a_symbolic_link_as_the_base_policy_is_refused(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", None, None)
    git(repo, "checkout", "--quiet", "main")
    (repo / "elsewhere.toml").write_text('fail-on = "critical"\n', encoding="utf-8")
    (repo / ".depscan.toml").symlink_to("elsewhere.toml")
    base = commit_all(repo, "policy by link")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "checkout", "--quiet", "feature")
    git(repo, "merge", "--quiet", "--no-edit", "main")

    proc = depscan("lockfile", "app", "--base", "origin/main", *OFFLINE, cwd=repo)

    assert proc.returncode == 2
    assert "origin/main:.depscan.toml: is a symbolic link in origin/main" in proc.stderr


def test_no_setting_of_the_heads_policy_reaches_the_scan(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", "", ATTACKER_POLICY)
    revision = BaseRevision.open("origin/main", repo / "app")

    options, policy, change = prepare_change(ScanOptions(), repo / "app", revision)

    assert options.fail_on is Severity.HIGH
    assert options.registry_checks is True
    assert "hygiene.allowed-hosts" not in options.settings
    assert "install-scripts.allow" not in options.settings
    assert policy.ignores == ()
    assert change is not None and change.severity is Severity.MEDIUM

    trusted, head_policy, _ = prepare_change(
        ScanOptions(trust_head_policy=True), repo / "app", revision
    )
    assert trusted.registry_checks is False and len(head_policy.ignores) == 2
    assert trusted.settings["hygiene.allowed-hosts"] == ("evil.example.test",)

    without, _, none = prepare_change(ScanOptions(use_policy=False), repo / "app", revision)
    assert none is None and without.fail_on is Severity.HIGH


def test_the_base_is_read_at_the_commit_the_ref_named_when_the_scan_started(
    tmp_path: Path,
) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)
    revision = BaseRevision.open("origin/main", repo)
    # The ref moves to the head afterwards; reads still come from the commit it named.
    git(repo, "update-ref", "refs/remotes/origin/main", "feature")
    assert revision.read(".depscan.toml", max_bytes=1024, error=PolicyError,
                         what="policy file") == b'fail-on = "high"\n'


def test_several_lockfiles_under_one_policy_report_its_change_once(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)
    copy_project(ATTACKED, repo / "second")
    commit_all(repo, "a second project")

    proc = depscan("lockfile", ".", "-r", "--base", "origin/main", *OFFLINE, "-f", "json",
                   cwd=repo)

    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(_policy_changes(doc)) == 1
    assert len([f for f in doc["findings"] if f["check"] == "known-malicious"]) == 4


@pytest.mark.parametrize("fmt", ["text", "markdown", "github", "sarif"])
def test_the_policy_change_is_in_every_format(tmp_path: Path, fmt: str) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)

    proc = depscan("lockfile", "app", "--base", "origin/main", *OFFLINE, "-f", fmt, cwd=repo)

    assert proc.returncode == 1, proc.stderr
    assert "policy-change" in proc.stdout
    assert "modifies the policy file .depscan.toml" in proc.stdout
    if fmt == "github":
        [line] = [x for x in proc.stdout.splitlines() if "policy-change" in x]
        assert line.startswith("::warning file=.depscan.toml,")
    if fmt == "sarif":
        log = json.loads(proc.stdout)
        [result] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "policy-change"]
        assert result["level"] == "warning"
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert location == ".depscan.toml"


def test_scan_changes_in_process_obeys_the_base(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)

    compared = scan_changes(
        repo / "app" / "package-lock.json", "origin/main",
        ScanOptions(offline=True, registry_checks=False),
    )

    assert compared.result.failing
    assert compared.result.policy == "origin/main:.depscan.toml"
    checks = [f.check for f in compared.result.findings]
    assert checks.count("policy-change") == 1 and checks.count("known-malicious") == 2


def test_a_repository_policy_path_is_read_at_the_base_unless_it_lies_outside(
    tmp_path: Path,
) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY,
                          policy_at="ci/depscan.toml")
    revision = BaseRevision.open("origin/main", repo)
    in_repo = ScanOptions(policy_path=repo / "ci" / "depscan.toml", policy_in_repository=True)

    options, policy, change = prepare_change(in_repo, repo / "app", revision)
    assert policy.name == "origin/main:ci/depscan.toml" and options.fail_on is Severity.HIGH
    assert change is not None and change.details["policy_file"] == "ci/depscan.toml"

    # Beside the repository (another checkout in the workspace): nothing of the base to read.
    outside = tmp_path / "trusted.toml"
    outside.write_text('fail-on = "critical"\n', encoding="utf-8")
    options, policy, change = prepare_change(
        ScanOptions(policy_path=outside, policy_in_repository=True), repo / "app", revision
    )
    assert policy.path == outside and options.fail_on is Severity.CRITICAL and change is None
