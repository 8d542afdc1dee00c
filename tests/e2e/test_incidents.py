"""The real CLI against the fixture registry: the event-stream and ua-parser-js incidents, and a
mirror that serves no publisher data."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.e2e.helpers import Depscan, Locked, read_packument, write_lockfile
from tests.support.registry_server import FixtureRegistry

EVENT_STREAM_2018 = [
    Locked("event-stream", "3.3.6", {"flatmap-stream": "^0.1.0"}),
    Locked("flatmap-stream", "0.1.1", direct=False),
]


def _days_between_releases(root: Path, name: str, first: str, later: str) -> int:
    times = read_packument(root, name)["time"]
    return (datetime.fromisoformat(times[later]) - datetime.fromisoformat(times[first])).days


def test_event_stream_takeover_and_known_malicious(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, EVENT_STREAM_2018)

    run = depscan.run(registry=server)

    assert run.returncode == 1
    # right9ctrl's first release was 3.3.5 (2018-09-05), four days before 3.3.6 (2018-09-09).
    days = _days_between_releases(registry_root, "event-stream", "3.3.5", "3.3.6")
    assert days == 4
    takeover = run.finding_for("publishers", "event-stream@3.3.6", "publisher-takeover")
    assert takeover["severity"] == "high"
    assert takeover["message"] == (
        f"event-stream@3.3.6 was published by right9ctrl, whose first event-stream release was "
        f"{days} days earlier; earlier publishers: dominictarr"
    )
    assert takeover["details"]["first_version"] == "3.3.5"

    event_stream = run.finding_for("known-malicious", "event-stream@3.3.6")
    flatmap = run.finding_for("known-malicious", "flatmap-stream@0.1.1")
    assert event_stream["severity"] == flatmap["severity"] == "critical"
    assert "GHSA-mh6f-8j2x-4483" in event_stream["advisory"]
    assert "GHSA-9x64-5r7x-2q53" in flatmap["advisory"]
    assert flatmap["paths"] == [["e2e-app", "event-stream@3.3.6", "flatmap-stream@0.1.1"]]
    assert flatmap["direct"] is False
    # flatmap-stream only ever had one publisher: a new package is not a takeover.
    assert [f for f in run.findings("publishers") if f["package"]["name"] == "flatmap-stream"] == []
    assert sorted(server.requests) == sorted(["/event-stream", "/flatmap-stream", "/-/npm/v1/keys"])


def test_event_stream_before_the_takeover_is_clean(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("event-stream", "3.3.4")])

    run = depscan.run(registry=server)

    assert run.findings() == []
    assert run.returncode == 0
    # It was looked up and examined, not skipped.
    assert "event-stream@3.3.4" not in run.not_checked_packages("publishers")
    assert server.count("/event-stream") == 1


def test_ua_parser_js_preinstall_script_is_quoted(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.29")])
    preinstall = read_packument(registry_root, "ua-parser-js")["versions"]["0.7.29"]["scripts"][
        "preinstall"
    ]

    run = depscan.run(registry=server)

    finding = run.finding_for("install-scripts", "ua-parser-js@0.7.29")
    assert finding["severity"] == "high"
    assert f"`{preinstall}`" in finding["message"]
    assert "added a preinstall script" in finding["message"]
    assert finding["details"]["scripts"] == {"preinstall": preinstall}
    assert finding["details"]["previous_version"] == "0.7.28"
    assert run.finding_for("known-malicious", "ua-parser-js@0.7.29")["severity"] == "critical"
    assert run.returncode == 1


def test_ua_parser_js_before_the_hijack_is_clean(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("ua-parser-js", "0.7.28")])

    run = depscan.run(registry=server)

    assert run.findings() == []
    assert run.returncode == 0
    assert run.not_checked("install-scripts") == []
    assert server.count("/ua-parser-js") == 1


def _as_mirror(root: Path) -> None:
    """Drop what mirrors commonly drop: who published each version, maintainers, publish times."""
    for path in (root / "packuments").glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        document.pop("time", None)
        document.pop("maintainers", None)
        for manifest in document["versions"].values():
            manifest.pop("_npmUser", None)
            manifest.pop("maintainers", None)
        path.write_text(json.dumps(document), encoding="utf-8")


def test_mirror_without_publisher_data_says_so_once(
    depscan: Depscan, registry_root: Path
) -> None:
    _as_mirror(registry_root)
    write_lockfile(
        depscan.project,
        registry_root,
        [*EVENT_STREAM_2018, Locked("ua-parser-js", "0.7.28"), Locked("left-pad", "1.3.0")],
    )
    locked = ["event-stream@3.3.6", "flatmap-stream@0.1.1", "left-pad@1.3.0", "ua-parser-js@0.7.28"]

    with FixtureRegistry(registry_root) as mirror:
        run = depscan.run(registry=mirror)
        text = depscan.run(registry=mirror, output_format="text")

    assert run.findings("publishers") == []
    no_publisher = [
        n for n in run.not_checked("publishers")
        if n["reason"] == "the registry returns no publisher data"
    ]
    assert len(no_publisher) == 1
    assert sorted(no_publisher[0]["packages"]) == locked
    lines = [line for line in text.stdout.splitlines() if "no publisher data" in line]
    assert len(lines) == 1
    assert all(package in lines[0] for package in locked)
    # The known-malicious verdicts do not depend on the registry at all.
    assert {f["package"]["name"] for f in run.findings("known-malicious")} == {
        "event-stream",
        "flatmap-stream",
    }
    assert run.returncode == text.returncode == 1
