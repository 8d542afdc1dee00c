"""A registry that keeps the scan waiting: huge Retry-After values, answers one byte at a time.
Through the real CLI with small deadlines, so each test takes a second or two. Whatever was not
fetched in time is reported as not checked, with the reason, and the run ends normally.

No test measures time: each asserts what the server saw and what the report says. The subprocess
limit of the e2e helpers (RUN_LIMIT_SECONDS) is what turns a hang into a failure.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    REPO,
    RUN_LIMIT_SECONDS,
    Depscan,
    Locked,
    copy_fixture_registry,
    isolated_env,
    write_lockfile,
)
from tests.support.registry_server import FixtureRegistry

# A body at this pace would take minutes: only a cut-off ends the request in time.
ONE_BYTE_EVERY = 0.05


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    return copy_fixture_registry(tmp_path / "registry")


@pytest.fixture
def server(registry_root: Path) -> Iterator[FixtureRegistry]:
    with FixtureRegistry(registry_root) as running:
        yield running


@pytest.fixture
def depscan(tmp_path: Path, registry_root: Path) -> Depscan:
    project = tmp_path / "project"
    project.mkdir()
    write_lockfile(
        project, registry_root, [Locked("event-stream", "3.3.6"), Locked("ua-parser-js", "0.7.28")]
    )
    return Depscan(project=project, cache_dir=tmp_path / "cache", home=tmp_path / "home")


def _user_npmrc(depscan: Depscan, text: str) -> None:
    depscan.home.mkdir(parents=True, exist_ok=True)
    (depscan.home / "user-npmrc").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "retry_after",
    [
        "86400",
        format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True),
        "5",  # under the cap, but past this run's deadline
    ],
)
def test_retry_after_past_the_deadline_is_not_waited_for(
    depscan: Depscan, server: FixtureRegistry, retry_after: str
) -> None:
    server.fail("/event-stream", 429, times=100, headers={"Retry-After": retry_after})

    run = depscan.run("--registry-deadline", "2", registry=server)

    assert server.count("/event-stream") == 1
    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "HTTP 429" in reason and "past the 2 s registry deadline" in reason
    assert "ua-parser-js@0.7.28" not in run.not_checked_packages("publishers")
    run.finding_for("known-malicious", "event-stream@3.3.6")
    assert run.returncode == 1


@pytest.mark.parametrize("headers_too", [False, True], ids=["slow-body", "slow-headers"])
def test_an_answer_sent_one_byte_at_a_time_is_cut_off_at_the_deadline(
    depscan: Depscan, server: FixtureRegistry, headers_too: bool
) -> None:
    server.trickle("/event-stream", ONE_BYTE_EVERY, headers_too=headers_too)

    run = depscan.run("--registry-deadline", "1.5", registry=server)

    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "cut off at the 1.5 s registry deadline" in reason
    # Fetched alongside it, in time: examined as usual.
    assert "ua-parser-js@0.7.28" not in run.not_checked_packages("publishers")
    assert run.returncode == 1


def test_npm_fetch_timeout_limits_each_request(depscan: Depscan, server: FixtureRegistry) -> None:
    _user_npmrc(depscan, f"registry={server.url}\nfetch-timeout=400\nfetch-retries=1\n")
    server.trickle("/event-stream", ONE_BYTE_EVERY)

    run = depscan.run()

    assert server.count("/event-stream") == 2  # fetch-retries=1: one retry
    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "no complete answer within 0.4 s (after 2 attempts)" in reason
    assert "ua-parser-js@0.7.28" not in run.not_checked_packages("publishers")


def test_work_still_queued_at_the_deadline_is_not_fetched(
    depscan: Depscan, server: FixtureRegistry
) -> None:
    for path in ("/event-stream", "/ua-parser-js"):
        server.trickle(path, ONE_BYTE_EVERY)

    run = depscan.run("--registry-deadline", "1", "--jobs", "1", registry=server)

    reasons = sorted(run.not_checked_packages("publishers").values())
    assert len(reasons) == 2
    assert "cut off at the 1 s registry deadline" in reasons[0]
    assert "not fetched: the 1 s registry deadline passed" in reasons[1]
    # One request was cut off; the other was never sent.
    assert server.count("/event-stream") + server.count("/ua-parser-js") == 1
    assert "registry deadline" in " ".join(
        n["reason"] for n in run.not_checked("registry-signature")
    )


def test_the_deadline_ends_retries(depscan: Depscan, server: FixtureRegistry) -> None:
    server.fail("/event-stream", 503, times=100, headers={"Retry-After": "1"})

    run = depscan.run("--registry-deadline", "1.5", registry=server)

    assert 1 <= server.count("/event-stream") <= 2
    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "registry answered HTTP 503" in reason
    assert "1.5 s registry deadline" in reason


def test_diff_of_a_trickling_tarball_is_one_line_exit_2(
    tmp_path: Path, server: FixtureRegistry
) -> None:
    server.trickle("/left-pad/-/left-pad-1.3.0.tgz", ONE_BYTE_EVERY)
    command = [
        sys.executable, "-m", "scanner", "diff", "left-pad", "1.2.0", "1.3.0",
        "--registry", server.url, "--registry-deadline", "1.5",
        "--cache-dir", str(tmp_path / "cache"),
    ]
    done = subprocess.run(
        command, cwd=REPO, env=isolated_env(tmp_path / "home"), capture_output=True, text=True,
        timeout=RUN_LIMIT_SECONDS, check=False,
    )

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "depscan: error: left-pad@1.3.0: download failed: cut off at the 1.5 s registry deadline"
    ]
