"""The registry cache across CLI runs: --offline reads it and touches nothing, a second online run
revalidates with ETags, and a changed document replaces the cached one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tests.e2e.helpers import (
    Depscan,
    Locked,
    Run,
    header,
    packument_requests,
    read_packument,
    write_lockfile,
)
from tests.support.registry_server import FixtureRegistry

LOCKED = [
    Locked("event-stream", "3.3.6", {"flatmap-stream": "^0.1.0"}),
    Locked("flatmap-stream", "0.1.1", direct=False),
    Locked("ua-parser-js", "0.7.29"),
]
REGISTRY_CHECKS = ("publishers", "registry-signature", "trust-downgrade")


def _verdicts(run: Run) -> set[tuple[str, str, str, str | None]]:
    return {
        (f["check"], f["severity"], f["message"], f["details"].get("rule"))
        for f in run.findings()
    }


def _served_etag(root: Path, name: str, server: FixtureRegistry) -> str:
    """The ETag the fixture server sends for a package document (hash of the served bytes)."""
    raw = (root / "packuments" / f"{name}.json").read_bytes()
    body = raw.replace(b"{registry}", server.url.encode("ascii"))
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def test_offline_after_a_warm_run_uses_the_cache_only(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, LOCKED)
    online = depscan.run(registry=server)
    requests_before = list(server.requests)

    offline = depscan.run("--offline", registry=server)

    assert server.requests == requests_before
    assert _verdicts(offline) == _verdicts(online)
    offline.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")
    offline.finding_for("install-scripts", "ua-parser-js@0.7.29")
    for check in ("publishers", "install-scripts", "trust-downgrade"):
        assert offline.not_checked_packages(check) == online.not_checked_packages(check)
    assert offline.returncode == online.returncode == 1


def test_offline_with_a_cold_cache_reports_not_checked(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, LOCKED)

    run = depscan.run("--offline", registry=server)

    assert server.requests == []
    locked = sorted(f"{p.name}@{p.version}" for p in LOCKED)
    for check in REGISTRY_CHECKS:
        reasons = run.not_checked_packages(check)
        assert sorted(reasons) == locked, check
        assert all("offline and not in cache" in r for r in reasons.values()), reasons
    assert run.findings("publishers") == []
    # Offline, the lockfile still says ua-parser-js has an install script; that is reported,
    # and its text and history are listed as not checked.
    assert run.finding_for("install-scripts", "ua-parser-js@0.7.29")["severity"] == "low"
    assert "ua-parser-js@0.7.29" in run.not_checked_packages("install-scripts")
    assert {f["package"]["name"] for f in run.findings("known-malicious")} == {
        "event-stream",
        "flatmap-stream",
        "ua-parser-js",
    }
    assert run.returncode == 1


def test_second_online_run_revalidates_with_etags(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, LOCKED)
    first = depscan.run(registry=server)
    first_requests = len(server.received)
    assert all(header(r, "If-None-Match") is None for r in server.received)

    second = depscan.run(registry=server)

    revalidations = [r for r in server.received[first_requests:] if "/-/" not in r.path]
    assert sorted(r.path.lstrip("/") for r in revalidations) == sorted(p.name for p in LOCKED)
    for request in revalidations:
        name = request.path.lstrip("/")
        # The cached ETag is the one the server has for the unchanged document: it answered 304.
        assert header(request, "If-None-Match") == _served_etag(registry_root, name, server)
    assert _verdicts(second) == _verdicts(first)


def _republish_by_original_author(root: Path) -> None:
    path = root / "packuments" / "event-stream.json"
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for version in ("3.3.5", "3.3.6"):
        document["versions"][version]["_npmUser"] = dict(
            document["versions"]["3.3.4"]["_npmUser"]
        )
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def test_changed_document_replaces_the_cached_one(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, LOCKED)
    first = depscan.run(registry=server)
    first.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")
    old_etag = _served_etag(registry_root, "event-stream", server)

    _republish_by_original_author(registry_root)
    assert read_packument(registry_root, "event-stream")["versions"]["3.3.6"]["_npmUser"][
        "name"
    ] == "dominictarr"
    new_etag = _served_etag(registry_root, "event-stream", server)
    marker = len(server.received)
    second = depscan.run(registry=server)
    third_marker = len(server.received)
    third = depscan.run(registry=server)

    sent = [header(r, "If-None-Match") for r in server.received[marker:third_marker]
            if r.path == "/event-stream"]
    assert sent == [old_etag]
    assert second.findings("publishers", "publisher-takeover") == []
    # The new document, not the old one, is what the cache now holds and revalidates.
    sent_third = [header(r, "If-None-Match") for r in server.received[third_marker:]
                  if r.path == "/event-stream"]
    assert sent_third == [new_etag]
    assert third.findings("publishers", "publisher-takeover") == []
    assert packument_requests(server).count("/event-stream") == 3
