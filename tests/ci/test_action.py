"""The script the GitHub Action runs (``python -m scanner.action``), on a fixture repository with
the environment GitHub sets for a pull_request event. Offline: nothing leaves the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ci.gitrepo import (
    ATTACKER_POLICY,
    EXAMPLE,
    commit_all,
    copy_project,
    git,
    init_repo,
    policy_pr_repo,
)

LOCKFILE = "app/package-lock.json"


def _github_env(tmp_path: Path, repo: Path, **extra: str) -> dict[str, str]:
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(repo),
        GITHUB_STEP_SUMMARY=str(runner / "step_summary.md"),
        GITHUB_OUTPUT=str(runner / "output"),
        RUNNER_TEMP=str(runner / "temp"),
        INPUT_OFFLINE="true",
        INPUT_FORMAT="text",
        # The Action does not read the repository's own .npmrc (docs/ci.md); a workflow names its
        # registry the way actions/setup-node does, outside the repository.
        npm_config_registry="https://registry.example.test/",
    )
    env.update(extra)
    return env


def _pull_request_env(
    tmp_path: Path, repo: Path, base_sha: str, **extra: str
) -> dict[str, str]:
    event = tmp_path / "runner" / "event.json"
    event.parent.mkdir(exist_ok=True)
    event.write_text(
        json.dumps({"pull_request": {"number": 7, "base": {"ref": "main", "sha": base_sha}}}),
        encoding="utf-8",
    )
    return _github_env(
        tmp_path, repo, GITHUB_EVENT_NAME="pull_request", GITHUB_BASE_REF="main",
        GITHUB_HEAD_REF="feature", GITHUB_EVENT_PATH=str(event), **extra,
    )


def _run_action(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner.action"], cwd=repo, env=env, capture_output=True,
        text=True, timeout=300,
    )


def _outputs(env: dict[str, str]) -> dict[str, str]:
    lines = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def _sarif_results(path: str) -> list[dict[str, Any]]:
    log = json.loads(Path(path).read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    results: list[dict[str, Any]] = log["runs"][0]["results"]
    return results


def _result_packages(results: list[dict[str, Any]]) -> set[tuple[str, str]]:
    out = set()
    for result in results:
        text = json.dumps(result)
        for name in ("event-stream@3.3.6", "flatmap-stream@0.1.1"):
            if name in text:
                out.add((str(result["ruleId"]), name))
    return out


def test_pull_request_that_brings_in_event_stream_fails_with_sarif_summary_and_annotations(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, base, _head = pr_repo
    env = _pull_request_env(tmp_path, repo, base)

    done = _run_action(repo, env)

    assert done.returncode == 1, done.stderr
    outputs = _outputs(env)
    assert outputs["exit-code"] == "1"
    assert outputs["findings"] == "2"
    assert outputs["sarif"] == str(Path(env["RUNNER_TEMP"]) / "depscan.sarif")

    results = _sarif_results(outputs["sarif"])
    assert _result_packages(results) == {
        ("known-malicious", "event-stream@3.3.6"),
        ("known-malicious", "flatmap-stream@0.1.1"),
    }
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results for loc in r["locations"]
    }
    assert uris == {LOCKFILE}  # repository-relative, as code scanning needs

    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "pull-request mode" in summary
    assert "`origin/main`" in summary
    assert "1 added, 1 updated, 0 removed" in summary
    assert "`+ flatmap-stream 0.1.1`" in summary
    assert "`~ event-stream 3.3.4 -> 3.3.6`" in summary
    assert "**`flatmap-stream@0.1.1`** `known-malicious`" in summary

    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 2
    assert any(f"file={LOCKFILE},line=35," in a and "flatmap-stream@0.1.1" in a
               for a in annotations)
    # Not checked is announced, and only about the versions the pull request brings in.
    warnings = [line for line in done.stdout.splitlines() if line.startswith("::warning ")]
    assert warnings and all("through@2.3.8" not in w for w in warnings)
    assert any("flatmap-stream@0.1.1" in w for w in warnings)


def test_pull_request_that_does_not_touch_an_already_bad_lockfile_passes(
    tmp_path: Path,
) -> None:
    repo = init_repo(tmp_path / "repo")
    copy_project(EXAMPLE, repo / "app")
    base = commit_all(repo, "the lockfile already has event-stream 3.3.6")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    git(repo, "checkout", "--quiet", "-b", "feature")
    (repo / "README.md").write_text("docs only\n", encoding="utf-8")
    commit_all(repo, "docs")
    env = _pull_request_env(tmp_path, repo, base)

    done = _run_action(repo, env)

    assert done.returncode == 0, done.stdout + done.stderr
    outputs = _outputs(env)
    assert outputs["exit-code"] == "0"
    assert outputs["findings"] == "0"
    assert _sarif_results(outputs["sarif"]) == []
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "no package changes" in summary
    assert not [line for line in done.stdout.splitlines() if line.startswith("::error")]


def test_base_commit_comes_from_the_event_when_the_base_branch_was_not_fetched(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, base, _head = pr_repo
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    env = _pull_request_env(tmp_path, repo, base)

    done = _run_action(repo, env)

    assert done.returncode == 1, done.stderr
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert f"`{base}`" in summary
    assert "1 added, 1 updated, 0 removed" in summary


def test_pull_request_whose_base_is_not_in_the_checkout_is_a_one_line_error(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, _base, _head = pr_repo
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    env = _pull_request_env(tmp_path, repo, "0" * 40)

    done = _run_action(repo, env)

    assert done.returncode == 2
    assert "fetch-depth: 0" in done.stdout
    assert "Traceback" not in done.stderr
    assert _outputs(env) == {"exit-code": "2"}


def test_push_event_scans_every_tracked_lockfile_whole(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, _base, _head = pr_repo
    copy_project(EXAMPLE, repo / "other")
    (repo / "node_modules" / "dep").mkdir(parents=True)
    (repo / "node_modules" / "dep" / "package-lock.json").write_text("not json", encoding="utf-8")
    commit_all(repo, "a second project, and a vendored folder that is not scanned")
    env = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push", INPUT_FORMAT="json")

    done = _run_action(repo, env)

    assert done.returncode == 1, done.stderr
    outputs = _outputs(env)
    assert outputs["findings"] == "4"  # two lockfiles, each with both packages
    uris = {
        json.dumps(r["locations"]) for r in _sarif_results(outputs["sarif"])
    }
    assert any("other/package-lock.json" in u for u in uris)
    assert any(LOCKFILE in u for u in uris)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "pull-request mode" not in summary
    assert summary.count("### ❌ depscan") == 2
    assert '"schema_version"' in done.stdout  # the log format input


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INPUT_FAIL_ON", "severe", "fail-on"),
        ("INPUT_FORMAT", "html", "format must be one of"),
        ("INPUT_OFFLINE", "maybe", "offline must be true or false"),
    ],
)
def test_bad_inputs_are_one_line_errors(
    tmp_path: Path, pr_repo: tuple[Path, str, str], name: str, value: str, message: str
) -> None:
    repo, _base, _head = pr_repo
    env = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push", **{name: value})

    done = _run_action(repo, env)

    assert done.returncode == 2
    assert message in done.stdout
    assert _outputs(env)["exit-code"] == "2"


def test_explicit_base_input_wins_on_a_push_event(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, base, _head = pr_repo
    env = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push", INPUT_BASE=base,
                      INPUT_PATH=LOCKFILE)

    done = _run_action(repo, env)

    assert done.returncode == 1, done.stderr
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "1 added, 1 updated, 0 removed" in summary


def test_checks_registry_and_policy_inputs_reach_the_scan(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, _base, _head = pr_repo
    policy = repo / "ci" / "reviewed.toml"
    policy.parent.mkdir()
    policy.write_text(
        "".join(
            f'[[ignore]]\ncheck = "known-malicious"\npackage = "{name}"\n'
            'reason = "reviewed in this test"\n\n'
            for name in ("event-stream", "flatmap-stream")
        ),
        encoding="utf-8",
    )
    commit_all(repo, "a reviewed-exceptions policy outside the lockfile's folder")

    only = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push", INPUT_FORMAT="json",
                       INPUT_CHECKS="known-malicious")
    done = _run_action(repo, only)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout[done.stdout.index("{"):])
    assert report["summary"]["checks_run"] == ["known-malicious"]

    reviewed = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push",
                           INPUT_POLICY="ci/reviewed.toml")
    assert _run_action(repo, reviewed).returncode == 0  # both findings are reviewed exceptions

    # Another registry than the lockfile's: its hosts are no longer the configured registry's.
    elsewhere = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push",
                            INPUT_CHECKS="lockfile-hygiene",
                            INPUT_REGISTRY="https://mirror.example.test/")
    done = _run_action(repo, elsewhere)
    assert done.returncode == 0  # a configuration question (medium), not a failure
    assert ("packages come from registry.example.test, which no registry configuration names "
            "(allowed: mirror.example.test)") in done.stdout


def test_an_unknown_check_input_is_a_one_line_error(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    repo, _base, _head = pr_repo
    env = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push", INPUT_SKIP_CHECKS="publisher")
    done = _run_action(repo, env)
    assert done.returncode == 2
    assert "unknown check 'publisher'" in done.stdout
    assert _outputs(env)["exit-code"] == "2"


def test_trust_project_npmrc_input_sets_the_variable_only_when_true(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scanner.action import TRUST_PROJECT_NPMRC, inputs_from_env

    assert inputs_from_env({"INPUT_TRUST_PROJECT_NPMRC": "true"}).trust_project_npmrc is True
    assert inputs_from_env({"INPUT_TRUST_PROJECT_NPMRC": "false"}).trust_project_npmrc is False
    assert inputs_from_env({}).trust_project_npmrc is False
    with pytest.raises(Exception, match="trust-project-npmrc must be true or false"):
        inputs_from_env({"INPUT_TRUST_PROJECT_NPMRC": "perhaps"})
    assert TRUST_PROJECT_NPMRC == "DEPSCAN_TRUST_PROJECT_NPMRC"


def test_trust_project_npmrc_reaches_the_scan_as_its_environment_variable(
    tmp_path: Path, pr_repo: tuple[Path, str, str]
) -> None:
    # The scan runs in the same process: a probe in a policy-free run shows what it sees.
    repo, _base, _head = pr_repo
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(
        "import atexit, os\n"
        "atexit.register(lambda: print('trust=' + os.environ.get("
        "'DEPSCAN_TRUST_PROJECT_NPMRC', '<unset>')))\n",
        encoding="utf-8",
    )
    for value, expected in (("true", "trust=1"), ("false", "trust=<unset>")):
        env = _github_env(tmp_path, repo, GITHUB_EVENT_NAME="push",
                          INPUT_TRUST_PROJECT_NPMRC=value, PYTHONPATH=str(probe))
        env.pop("DEPSCAN_TRUST_PROJECT_NPMRC", None)
        done = _run_action(repo, env)
        assert expected in done.stdout, done.stdout[-500:]


# -- the policy file on pull requests (docs/ci.md, the threat model) -----------------------------


def _policy_pr(
    tmp_path: Path, head_policy: str | None, **extra: str
) -> tuple[Path, dict[str, str]]:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', head_policy)
    base = git(repo, "rev-parse", "origin/main")
    return repo, _pull_request_env(tmp_path, repo, base, **extra)


def test_pull_request_that_ignores_its_own_malicious_package_still_fails(
    tmp_path: Path,
) -> None:
    repo, env = _policy_pr(tmp_path, ATTACKER_POLICY)

    done = _run_action(repo, env)

    assert done.returncode == 1, done.stdout + done.stderr
    results = _sarif_results(_outputs(env)["sarif"])
    assert _result_packages(results) == {
        ("known-malicious", "event-stream@3.3.6"),
        ("known-malicious", "flatmap-stream@0.1.1"),
    }
    [change] = [r for r in results if r["ruleId"] == "policy-change"]
    assert change["level"] == "warning"
    assert "obeyed the base's policy (origin/main:.depscan.toml)" in change["message"]["text"]
    annotations = [line for line in done.stdout.splitlines()
                   if line.startswith("::") and "policy-change" in line]
    assert len(annotations) == 1 and annotations[0].startswith("::warning file=.depscan.toml,")
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "policy-change" in summary and "modifies the policy file" in summary


def test_trust_head_policy_input_obeys_the_pull_requests_policy(tmp_path: Path) -> None:
    from scanner.action import TRUST_HEAD_POLICY, inputs_from_env

    assert inputs_from_env({"INPUT_TRUST_HEAD_POLICY": "true"}).trust_head_policy is True
    assert inputs_from_env({TRUST_HEAD_POLICY: "true"}).trust_head_policy is True
    assert inputs_from_env({}).trust_head_policy is False
    with pytest.raises(Exception, match="trust-head-policy must be true or false"):
        inputs_from_env({"INPUT_TRUST_HEAD_POLICY": "perhaps"})

    repo, env = _policy_pr(tmp_path, ATTACKER_POLICY, INPUT_TRUST_HEAD_POLICY="true")
    done = _run_action(repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert any("policy-change" in line and "--trust-head-policy" in line
               for line in done.stdout.splitlines())


def test_a_policy_input_in_the_workspace_is_read_from_the_base_branch(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY,
                          policy_at="ci/depscan.toml")
    base = git(repo, "rev-parse", "origin/main")

    env = _pull_request_env(tmp_path, repo, base, INPUT_POLICY="ci/depscan.toml")
    done = _run_action(repo, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "origin/main:ci/depscan.toml" in done.stdout

    # A file outside the checkout (written by the workflow itself) is read as given.
    reviewed = tmp_path / "reviewed.toml"
    reviewed.write_text(ATTACKER_POLICY, encoding="utf-8")
    env = _pull_request_env(tmp_path, repo, base, INPUT_POLICY=str(reviewed))
    assert _run_action(repo, env).returncode == 0


def test_lockfiles_under_one_policy_annotate_its_change_once(tmp_path: Path) -> None:
    repo = policy_pr_repo(tmp_path / "repo", 'fail-on = "high"\n', ATTACKER_POLICY)
    copy_project(EXAMPLE, repo / "second")
    commit_all(repo, "a second project")
    env = _pull_request_env(tmp_path, repo, git(repo, "rev-parse", "origin/main"))

    done = _run_action(repo, env)

    assert done.returncode == 1, done.stdout + done.stderr
    assert len([line for line in done.stdout.splitlines()
                if line.startswith("::warning") and "policy-change" in line]) == 1
    results = _sarif_results(_outputs(env)["sarif"])
    assert [r["ruleId"] for r in results].count("policy-change") == 1
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.count("modifies the policy file") == 1
