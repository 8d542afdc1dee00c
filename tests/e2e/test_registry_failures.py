"""A registry that fails: the run still completes, the exit code follows the findings, and every
package the registry could not describe is listed as not checked, with the reason."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.e2e.helpers import Depscan, Locked, StallingRegistry, write_lockfile
from tests.support.registry_server import FixtureRegistry

# A zero Retry-After makes the client retry at once; the back-off delays themselves are the
# client's unit tests' business.
RETRY_NOW = {"Retry-After": "0"}
ATTEMPTS = 4  # the client's first try and its three retries
REGISTRY_CHECKS = ("publishers", "registry-signature", "trust-downgrade")


def test_one_server_error_is_retried(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    server.fail("/event-stream", 500, times=1)

    run = depscan.run(registry=server)

    assert server.count("/event-stream") == 2
    run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")
    assert "event-stream@3.3.6" not in run.not_checked_packages("publishers")
    assert run.returncode == 1


def test_persistent_server_errors_leave_the_package_not_checked(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(
        depscan.project,
        registry_root,
        [Locked("event-stream", "3.3.6"), Locked("ua-parser-js", "0.7.28")],
    )
    server.fail("/event-stream", 500, times=100, headers=RETRY_NOW)

    run = depscan.run(registry=server)

    assert server.count("/event-stream") == ATTEMPTS
    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "HTTP 500" in reason and f"after {ATTEMPTS} attempts" in reason
    assert "HTTP 500" in run.not_checked_packages("trust-downgrade")["event-stream@3.3.6"]
    # The package the registry did answer for was examined as usual.
    assert "ua-parser-js@0.7.28" not in run.not_checked_packages("publishers")
    assert run.findings("publishers") == []
    # The known-malicious verdict needs no registry, so the run still fails.
    run.finding_for("known-malicious", "event-stream@3.3.6")
    assert run.returncode == 1


def test_not_checked_alone_does_not_fail_the_run(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.28")])
    server.fail("/ua-parser-js", 503, times=100, headers=RETRY_NOW)

    run = depscan.run(registry=server)

    assert run.findings() == []
    assert "HTTP 503" in run.not_checked_packages("publishers")["ua-parser-js@0.7.28"]
    assert run.returncode == 0


def test_garbage_answer_is_not_checked(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.29")])
    server.fail("/ua-parser-js", 200, times=100, body=b"<html><body>Gateway portal</body></html>")

    run = depscan.run(registry=server)

    for check in ("publishers", "trust-downgrade"):
        assert "not valid JSON" in run.not_checked_packages(check)["ua-parser-js@0.7.29"]
    # Without the document the script's text and history are unknown; the lockfile still says
    # there is one, and that much is reported.
    assert "not valid JSON" in run.not_checked_packages("install-scripts")["ua-parser-js@0.7.29"]
    scripts = run.finding_for("install-scripts", "ua-parser-js@0.7.29")
    assert scripts["details"]["change"] == "lockfile-only"
    assert run.returncode == 1


def test_package_missing_from_the_registry_is_not_checked(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(
        depscan.project,
        registry_root,
        [Locked("ua-parser-js", "0.7.28"), Locked("internal-only-widget", "2.0.0")],
    )

    run = depscan.run(registry=server)

    assert server.count("/internal-only-widget") == 1  # a 404 is an answer: no retries
    for check in ("publishers", "trust-downgrade"):
        reason = run.not_checked_packages(check)["internal-only-widget@2.0.0"]
        assert "HTTP 404" in reason
        assert "ua-parser-js@0.7.28" not in run.not_checked_packages(check)
    assert run.returncode == 0


def test_registry_that_stops_answering_times_out(depscan: Depscan, registry_root: Path) -> None:
    write_lockfile(
        depscan.project,
        registry_root,
        [Locked("event-stream", "3.3.6"), Locked("ua-parser-js", "0.7.28")],
    )

    with StallingRegistry(registry_root, {"/event-stream": 2.0}) as server:
        run = depscan.run(registry=server, short_timeout=0.3)

    assert server.count("/event-stream") == ATTEMPTS
    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "timed out" in reason
    assert "ua-parser-js@0.7.28" not in run.not_checked_packages("publishers")
    run.finding_for("known-malicious", "event-stream@3.3.6")
    assert run.returncode == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_registry_leaves_every_registry_check_not_checked(
    depscan: Depscan, registry_root: Path
) -> None:
    locked = ["event-stream@3.3.6", "ua-parser-js@0.7.28"]
    write_lockfile(
        depscan.project,
        registry_root,
        [Locked("event-stream", "3.3.6"), Locked("ua-parser-js", "0.7.28")],
    )

    run = depscan.run(registry=f"http://127.0.0.1:{_closed_port()}/", short_timeout=0.3)

    for check in REGISTRY_CHECKS:
        reasons = run.not_checked_packages(check)
        assert sorted(reasons) == locked, check
        assert all("connection failed" in reason for reason in reasons.values()), reasons
    run.finding_for("known-malicious", "event-stream@3.3.6")
    assert run.returncode == 1
