"""npm's configuration end to end: a project .npmrc's tokens go to the registry they name, and a
scoped registry receives the requests for its scope and no others."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from tests.e2e.helpers import Depscan, Locked, header, write_lockfile
from tests.support.registry_server import FixtureRegistry, write_packument

TEST_TOKEN = "e2e-default-token-0123456789"
CORP_TOKEN = "e2e-corp-token-9876543210"


def _nerf_dart(server: FixtureRegistry) -> str:
    return "//" + server.url.split("://", 1)[1]


def _corp_document() -> dict[str, object]:
    digest = hashlib.sha512(b"@corp/widgets@1.0.0").digest()
    integrity = "sha512-" + base64.b64encode(digest).decode()
    return {
        "name": "@corp/widgets",
        "dist-tags": {"latest": "1.0.0"},
        "versions": {
            "1.0.0": {
                "name": "@corp/widgets",
                "version": "1.0.0",
                "_npmUser": {"name": "corp-ci"},
                "maintainers": [{"name": "corp-ci"}],
                "dist": {"integrity": integrity},
            }
        },
        "time": {"1.0.0": "2024-03-01T10:00:00.000Z"},
        "maintainers": [{"name": "corp-ci"}],
    }


def test_tokens_and_scoped_registry_from_the_project_npmrc(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path, tmp_path: Path
) -> None:
    corp_root = tmp_path / "corp-registry"
    write_packument(corp_root, _corp_document())
    # The default registry could answer for @corp/widgets too: it must still not be asked.
    write_packument(registry_root, _corp_document())
    write_lockfile(
        depscan.project,
        registry_root,
        [Locked("event-stream", "3.3.6"), Locked("@corp/widgets", "1.0.0")],
    )

    with FixtureRegistry(corp_root) as corp:
        (depscan.project / ".npmrc").write_text(
            f"{_nerf_dart(server)}:_authToken=${{TEST_TOKEN}}\n"
            f"@corp:registry={corp.url}\n"
            f"{_nerf_dart(corp)}:_authToken=${{CORP_TOKEN}}\n",
            encoding="utf-8",
        )
        depscan.env_extra.update(TEST_TOKEN=TEST_TOKEN, CORP_TOKEN=CORP_TOKEN)
        run = depscan.run(registry=server)

    assert sorted(r.path for r in server.received) == ["/-/npm/v1/keys", "/event-stream"]
    assert {header(r, "Authorization") for r in server.received} == {f"Bearer {TEST_TOKEN}"}
    # Scoped names travel with an encoded slash (the hex digits' case is the HTTP stack's choice).
    assert [r.path.lower() for r in corp.received] == ["/@corp%2fwidgets"]
    assert {header(r, "Authorization") for r in corp.received} == {f"Bearer {CORP_TOKEN}"}

    assert "@corp/widgets@1.0.0" not in run.not_checked_packages("publishers")
    run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")
    for secret in (TEST_TOKEN, CORP_TOKEN):
        assert secret not in run.stdout and secret not in run.stderr


def test_token_for_another_host_is_not_sent(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.28")])
    (depscan.project / ".npmrc").write_text(
        "//registry.example.test/:_authToken=${TEST_TOKEN}\n", encoding="utf-8"
    )
    depscan.env_extra["TEST_TOKEN"] = TEST_TOKEN

    run = depscan.run(registry=server)

    assert server.received
    assert all(header(r, "Authorization") is None for r in server.received)
    assert run.returncode == 0


def test_unscoped_token_is_refused_like_npm_does(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.28")])
    npmrc = depscan.project / ".npmrc"
    npmrc.write_text("_authToken=${TEST_TOKEN}\n", encoding="utf-8")
    depscan.env_extra["TEST_TOKEN"] = TEST_TOKEN

    run = depscan.run_expecting_error("--format", "json", registry=server)

    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"depscan: error: {npmrc}: ")
    assert "_authToken" in lines[0] and TEST_TOKEN not in lines[0]
    assert server.requests == []


# -- whose .npmrc decides: the scanned repository's, or only the user's ----------------------------


def _project_npmrc_pointing_at(depscan: Depscan, server: FixtureRegistry) -> None:
    (depscan.project / ".npmrc").write_text(
        f"registry={server.url}\n{_nerf_dart(server)}:_authToken=${{NODE_AUTH_TOKEN}}\n",
        encoding="utf-8",
    )
    depscan.env_extra["NODE_AUTH_TOKEN"] = TEST_TOKEN


def _user_registry(depscan: Depscan, server: FixtureRegistry) -> None:
    depscan.home.mkdir(parents=True, exist_ok=True)
    (depscan.home / "user-npmrc").write_text(f"registry={server.url}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "variable", "project_npmrc_used"),
    [
        ((), None, True),  # a plain scan of one's own project reads it, as npm does
        (("--no-trust-project-npmrc",), None, False),
        ((), "false", False),
        (("--base", "BASE"), None, False),  # pull-request mode: the repository is the author's
        (("--base", "BASE", "--trust-project-npmrc"), None, True),
        (("--base", "BASE"), "true", True),
        (("--base", "BASE", "--no-trust-project-npmrc"), "true", False),  # the flag wins
    ],
    ids=[
        "plain", "plain-untrusted", "plain-variable-false", "pull-request",
        "pull-request-trusted", "pull-request-variable-true", "flag-beats-variable",
    ],
)
def test_the_project_npmrc_is_read_only_where_it_is_trusted(
    depscan: Depscan,
    server: FixtureRegistry,
    registry_root: Path,
    tmp_path: Path,
    args: tuple[str, ...],
    variable: str | None,
    project_npmrc_used: bool,
) -> None:
    if variable is not None:
        depscan.env_extra["DEPSCAN_TRUST_PROJECT_NPMRC"] = variable
    base = write_lockfile(tmp_path / "base", registry_root, [Locked("left-pad", "1.2.0")])
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.6")])
    _user_registry(depscan, server)
    with FixtureRegistry(registry_root) as project_registry:
        _project_npmrc_pointing_at(depscan, project_registry)
        run = depscan.run(*(str(base) if a == "BASE" else a for a in args))

    used, unused = (project_registry, server) if project_npmrc_used else (server, project_registry)
    assert used.count("/event-stream") == 1 and unused.received == []
    expected = {f"Bearer {TEST_TOKEN}"} if project_npmrc_used else {None}
    assert {header(r, "Authorization") for r in used.received} == expected
    note = f"{depscan.project / '.npmrc'}: not read"
    assert (note in run.stderr) is not project_npmrc_used
    assert TEST_TOKEN not in run.stdout and TEST_TOKEN not in run.stderr
    run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")


def test_a_trust_variable_that_is_not_a_boolean_is_one_line(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.28")])
    depscan.env_extra["DEPSCAN_TRUST_PROJECT_NPMRC"] = "perhaps"

    run = depscan.run_expecting_error(registry=server)

    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "depscan: error: $DEPSCAN_TRUST_PROJECT_NPMRC must be true or false, not 'perhaps'"
    ]
    assert server.requests == []
