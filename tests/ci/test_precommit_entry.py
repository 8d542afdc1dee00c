"""scanner.precommit: the hook's entry point, in process (the real pre-commit run is in
test_precommit_hook.py). Each lockfile is judged against its version in HEAD."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.precommit import (
    HookArguments,
    commit_base,
    depscan_arguments,
    main,
    parse_arguments,
    split_arguments,
)
from tests.ci.gitrepo import ATTACKER_POLICY, CLEAN, EXAMPLE, commit_all, copy_project, init_repo
from tests.support.registry_server import FixtureRegistry

LOCKFILE = "app/package-lock.json"


def test_trailing_lockfile_names_are_the_files_and_the_rest_are_options() -> None:
    argv = ["--fail-on", "critical", "--offline", "a/package-lock.json", "yarn.lock"]
    assert split_arguments(argv) == (
        ["--fail-on", "critical", "--offline"], ["a/package-lock.json", "yarn.lock"],
    )
    assert split_arguments(["--output", "report.txt"]) == (["--output", "report.txt"], [])


def test_hook_options_are_taken_out_and_the_default_is_offline() -> None:
    hook = parse_arguments(["--online", "--fail-on", "critical", "--whole-lockfile", "yarn.lock"])
    assert hook == HookArguments(["--fail-on", "critical"], ["yarn.lock"], True, True)

    default = parse_arguments(["package-lock.json"])
    assert depscan_arguments(default, "package-lock.json", "HEAD") == [
        "lockfile", "--offline", "--base", "HEAD", "--trust-project-npmrc", "package-lock.json",
    ]
    online = parse_arguments(["--online", "package-lock.json"])
    assert "--offline" not in depscan_arguments(online, "package-lock.json", "HEAD")
    whole = parse_arguments(["--whole-lockfile", "package-lock.json"])
    assert "--base" not in depscan_arguments(whole, "package-lock.json", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose HEAD holds the clean lockfile; the working directory, as for the hook."""
    repo = init_repo(tmp_path / "project")
    copy_project(CLEAN, repo / "app")
    commit_all(repo, "clean lockfile")
    monkeypatch.chdir(repo)
    return repo


def test_a_commit_that_brings_in_event_stream_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_project(EXAMPLE, repo / "app")
    assert main([LOCKFILE]) == 1
    captured = capsys.readouterr()
    assert "flatmap-stream@0.1.1" in captured.out
    assert "compared with HEAD:app/package-lock.json: 1 added, 1 updated" in captured.err


def test_a_bump_of_another_package_is_not_refused_for_what_head_already_had(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_project(EXAMPLE, repo / "app")
    commit_all(repo, "event-stream 3.3.6 got in (--no-verify)")
    _bump_through(repo / LOCKFILE)

    assert main([LOCKFILE]) == 0
    captured = capsys.readouterr()
    assert "0 added, 1 updated, 0 removed" in captured.err
    assert "flatmap-stream" not in captured.out  # there before, so not this commit's doing
    # What could not be checked offline is said, about the version the commit brings in.
    assert "NOT CHECKED" in captured.out and "through@2.3.9" in captured.out

    # Asked to judge the whole lockfile, the hook refuses it.
    assert main(["--whole-lockfile", LOCKFILE]) == 1


def test_a_policy_staged_with_the_lockfile_does_not_excuse_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_project(EXAMPLE, repo / "app")
    (repo / ".depscan.toml").write_text(ATTACKER_POLICY, encoding="utf-8")

    # HEAD's policy (none) is obeyed, and the staged policy is reported.
    assert main([LOCKFILE]) == 1
    out = capsys.readouterr().out
    assert "flatmap-stream@0.1.1" in out
    assert "this change adds the policy file .depscan.toml" in out

    # Asked to, the hook obeys the staged file.
    assert main(["--trust-head-policy", LOCKFILE]) == 0
    assert "--trust-head-policy" in capsys.readouterr().out


def test_a_lockfile_new_in_this_commit_is_judged_whole(repo: Path) -> None:
    copy_project(EXAMPLE, repo / "other")
    assert main(["other/package-lock.json"]) == 1


def test_before_the_first_commit_everything_is_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = init_repo(tmp_path / "fresh")
    copy_project(EXAMPLE, repo / "app")
    monkeypatch.chdir(repo)
    assert commit_base(LOCKFILE) is None
    assert main([LOCKFILE]) == 1
    assert "no commit to compare with yet: judged whole" in capsys.readouterr().err


def test_a_file_named_head_does_not_stand_in_for_the_commit(repo: Path) -> None:
    (repo / "HEAD").write_text("not a lockfile")
    base = commit_base(LOCKFILE)
    assert base is not None and len(base) == 40
    copy_project(EXAMPLE, repo / "app")
    assert main([LOCKFILE]) == 1


def test_the_default_hook_never_asks_the_registry(repo: Path, tmp_path: Path) -> None:
    with FixtureRegistry(tmp_path / "registry-root") as registry:
        copy_project(EXAMPLE, repo / "app")
        (repo / "app" / ".npmrc").write_text(f"registry={registry.url}\n")
        assert main([LOCKFILE]) == 1
        assert registry.requests == []
        # --online does ask it (and says what the registry could not answer).
        assert main(["--online", LOCKFILE]) == 1
        assert registry.requests


def test_every_file_is_scanned_and_the_worst_exit_code_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_project(CLEAN, tmp_path / "clean")
    copy_project(EXAMPLE, tmp_path / "attacked")
    clean = str(tmp_path / "clean" / "package-lock.json")
    attacked = str(tmp_path / "attacked" / "package-lock.json")
    options = ["--no-registry-checks"]

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


def _bump_through(lockfile: Path) -> None:
    """through 2.3.8 -> 2.3.9, as `npm update through` would write it."""
    document = json.loads(lockfile.read_text(encoding="utf-8"))
    entry = document["packages"]["node_modules/through"]
    entry["resolved"] = entry["resolved"].replace("2.3.8", "2.3.9")
    entry["version"] = "2.3.9"
    lockfile.write_text(json.dumps(document, indent=2), encoding="utf-8")
