"""The known-malicious check on hand-built lockfiles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scanner.checks.base import Check, ScanContext
from scanner.checks.known_malicious import KnownMaliciousCheck
from scanner.model import Lockfile, NotChecked, PackageNode, PackageRef, Severity, SourceKind
from scanner.osv.database import AdvisoryDatabase

LOCKFILE_PATH = Path("/project/package-lock.json")


def node(
    location: str, name: str, version: str, source: SourceKind, **fields: object
) -> PackageNode:
    return PackageNode(location=location, name=name, version=version, source=source, **fields)  # type: ignore[arg-type]


def lockfile(*nodes: PackageNode) -> Lockfile:
    root = node("", "app", "1.0.0", SourceKind.ROOT)
    return Lockfile(
        path=LOCKFILE_PATH,
        format="npm-package-lock",
        format_version="3",
        nodes={n.location: n for n in (root, *nodes)},
        roots=("",),
    )


def run(lock: Lockfile, database: AdvisoryDatabase | None) -> tuple:  # type: ignore[type-arg]
    result = KnownMaliciousCheck().run(ScanContext(lockfile=lock, advisories=database))
    return result.findings, result.not_checked


def test_check_satisfies_the_protocol() -> None:
    check: Check = KnownMaliciousCheck()
    assert (check.id, check.needs_registry) == ("known-malicious", False)
    assert check.title


def test_finds_the_malicious_registry_node_and_nothing_else(
    bundled_database: AdvisoryDatabase,
) -> None:
    lock = lockfile(
        node("node_modules/event-stream", "event-stream", "3.3.6", SourceKind.REGISTRY, line=12),
        node(
            "node_modules/flatmap-stream", "flatmap-stream", "0.1.1", SourceKind.REGISTRY, line=40
        ),
        node("node_modules/chalk", "chalk", "5.6.0", SourceKind.REGISTRY, line=50),
        node("node_modules/left-pad", "left-pad", "1.3.0", SourceKind.REGISTRY),
    )
    findings, not_checked = run(lock, bundled_database)
    assert not_checked == ()
    by_name = {f.package.name: f for f in findings if f.package}
    assert set(by_name) == {"event-stream", "flatmap-stream"}
    event_stream = by_name["event-stream"]
    assert event_stream.check == "known-malicious"
    assert event_stream.severity is Severity.CRITICAL
    assert event_stream.package == PackageRef("event-stream", "3.3.6", "node_modules/event-stream")
    assert event_stream.advisories == ("DEPSCAN-2018-0002", "GHSA-mh6f-8j2x-4483")
    assert event_stream.lockfile == str(LOCKFILE_PATH)
    assert event_stream.line == 12
    assert event_stream.paths == () and event_stream.reach is None
    assert "event-stream@3.3.6" in event_stream.message
    assert "DEPSCAN-2018-0002" in event_stream.message
    assert event_stream.details["matches"] == [
        {
            "advisory": "DEPSCAN-2018-0002",
            "aliases": ["GHSA-mh6f-8j2x-4483"],
            "summary": "event-stream 3.3.6 depends on the malicious flatmap-stream package",
            "source": "bundled",
            "reason": "version 3.3.6 listed",
        }
    ]
    flatmap = by_name["flatmap-stream"]
    assert flatmap.advisories == (
        "DEPSCAN-2018-0003",
        "GHSA-9x64-5r7x-2q53",
        "GHSA-mh6f-8j2x-4483",
        "MAL-2025-20690",
    )


def test_non_registry_nodes_with_a_malicious_name_are_not_matched(
    bundled_database: AdvisoryDatabase,
) -> None:
    lock = lockfile(
        node("packages/chalk", "chalk", "5.6.1", SourceKind.WORKSPACE, is_workspace=True),
        node("node_modules/debug", "debug", "4.4.2", SourceKind.LINK, link_target="../debug"),
        node("node_modules/getcookies", "getcookies", "1.0.0", SourceKind.LOCAL_DIRECTORY),
        node("node_modules/rc", "rc", "1.2.9", SourceKind.GIT),
        node("node_modules/coa", "coa", "2.0.3", SourceKind.LOCAL_TARBALL),
        node("node_modules/nx", "nx", "21.5.0", SourceKind.REMOTE_TARBALL),
    )
    assert run(lock, bundled_database) == ((), ())
    # The same names from the registry are flagged, so the lines above were really skipped.
    registry = lockfile(
        node("node_modules/debug", "debug", "4.4.2", SourceKind.REGISTRY),
        node("node_modules/nx", "nx", "21.5.0", SourceKind.REGISTRY),
    )
    assert len(run(registry, bundled_database)[0]) == 2


def test_aliased_install_is_matched_by_its_real_name(bundled_database: AdvisoryDatabase) -> None:
    lock = lockfile(
        node("node_modules/pretty", "chalk", "5.6.1", SourceKind.REGISTRY, alias="pretty"),
        node("node_modules/debug", "debug-fork", "4.4.2", SourceKind.REGISTRY, alias="debug"),
    )
    (finding,) = run(lock, bundled_database)[0]
    assert finding.package == PackageRef("chalk", "5.6.1", "node_modules/pretty")
    assert "installed as pretty" in finding.message


def test_several_sources_give_one_finding_with_every_id(
    bundled_database: AdvisoryDatabase, tmp_path: Path
) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "osv"
    database = AdvisoryDatabase.load([fixtures], cache_dir=tmp_path, include_bundled=True)
    lock = lockfile(node("node_modules/event-stream", "event-stream", "3.3.6", SourceKind.REGISTRY))
    (finding,) = run(lock, database)[0]
    assert finding.advisories == ("DEPSCAN-2018-0002", "GHSA-mh6f-8j2x-4483")
    sources = [match["source"] for match in finding.details["matches"]]
    assert sources == ["bundled", str(fixtures)]


def test_without_a_database_the_check_reports_not_checked() -> None:
    lock = lockfile(node("node_modules/chalk", "chalk", "5.6.1", SourceKind.REGISTRY))
    findings, not_checked = run(lock, None)
    assert findings == ()
    (item,) = not_checked
    assert isinstance(item, NotChecked)
    assert item.check == "known-malicious"
    assert "advisory database" in item.reason


def test_lockfile_scan_path_imports_stay_light() -> None:
    code = (
        "import sys, scanner.checks.known_malicious, scanner.osv.database;"
        "heavy = {'requests', 'networkx', 'nodesemver'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
