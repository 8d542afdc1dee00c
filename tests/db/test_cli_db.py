"""The real CLI: `depscan db update/status`, and scans that use the databases without being told,
say which they used and how old they are, warn when one is stale, and never touch the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scanner.osv.feed_source import parse_source
from scanner.osv.feed_store import database_path, state_path
from tests.db.conftest import Export, all_versions, record
from tests.db.export_server import ExportServer

REPO = Path(__file__).resolve().parents[2]
LOCK = {
    "name": "app",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "app", "version": "1.0.0", "dependencies": {"evil-pkg": "^1.0.0"}},
        "node_modules/evil-pkg": {
            "version": "1.0.0",
            "resolved": "https://registry.example.test/evil-pkg/-/evil-pkg-1.0.0.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
        },
    },
}


def depscan(*args: str, cache: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config")}
    env["DEPSCAN_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "package-lock.json").write_text(json.dumps(LOCK, indent=2))
    return folder


def scan(project: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return depscan("lockfile", str(project), "--offline", "--check", "known-malicious",
                   *extra, cache=cache)


def published(export: Export) -> Export:
    return export.put(
        record("MAL-2025-1", "evil-pkg", ranges=all_versions()),
        record("MAL-2025-2", "other", versions=["1.0.0"]),
    ).write()


def test_update_status_and_a_scan_that_uses_the_database(
    export: Export, server: ExportServer, project: Path, cache: Path
) -> None:
    published(export)
    proc = depscan("db", "update", "--source", server.url, cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{server.url}: created: 2 records (0 withdrawn) in ")
    assert "s of it waiting on the source (downloaded the archive)" in proc.stdout
    status = depscan("db", "status", "--format", "json", cache=cache)
    (entry,) = json.loads(status.stdout)["databases"]
    assert (entry["source"], entry["records"], entry["stale"]) == (server.url, 2, False)
    assert server.url in depscan("db", "status", cache=cache).stdout

    server.clear()
    found = scan(project, cache)
    assert found.returncode == 1, found.stderr
    assert "[known-malicious] evil-pkg@1.0.0  (MAL-2025-1)" in found.stdout
    assert "Advisory databases: bundled (" in found.stdout
    assert f"{server.url} (2 records, updated 0 min ago)" in found.stdout
    assert "NOT CHECKED" not in found.stdout
    document = json.loads(scan(project, cache, "--format", "json").stdout)
    kinds = {d["kind"]: d for d in document["summary"]["advisory_databases"]}
    assert kinds["feed"]["name"] == server.url and kinds["feed"]["records"] == 2
    assert kinds["bundled"]["records"] > 0 and document["summary"]["warnings"] == []
    (finding,) = document["findings"]
    assert finding["details"]["matches"][0]["source"] == server.url
    sarif = json.loads(scan(project, cache, "--format", "sarif").stdout)
    assert sarif["runs"][0]["properties"]["advisoryDatabases"][1]["name"] == server.url
    markdown = scan(project, cache, "--format", "markdown").stdout
    # Markdown escaping breaks the URL's "://" so it cannot become a link: the counts are intact.
    assert "Advisory databases: bundled (" in markdown
    assert "npm/ (2 records, updated 0 min ago)" in markdown
    assert server.requests == []  # scans read the database, they never update it


def test_a_stale_database_is_a_warning_in_every_format(
    export: Export, server: ExportServer, project: Path, cache: Path
) -> None:
    published(export)
    assert depscan("db", "update", "--source", server.url, cache=cache).returncode == 0
    database = database_path(cache, parse_source(server.url))
    state = json.loads(state_path(database).read_text())
    fresh = state["checked_at"]
    state["checked_at"] = "2020-01-01T00:00:00Z"
    state_path(database).write_text(json.dumps(state))
    (project / ".depscan.toml").write_text("[advisory-db]\nmax-age-days = 3\n")

    text = scan(project, cache).stdout
    assert f"WARNING: advisory database {server.url} is " in text
    assert "older than the 3-day limit" in text and "run `depscan db update`" in text
    document = json.loads(scan(project, cache, "--format", "json").stdout)
    (warning,) = document["summary"]["warnings"]
    assert "older than the 3-day limit" in warning
    assert [d["stale"] for d in document["summary"]["advisory_databases"]] == [False, True]
    sarif = json.loads(scan(project, cache, "--format", "sarif").stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["advisory-db/stale"]
    assert "Stale advisory data" in scan(project, cache, "--format", "markdown").stdout
    github = scan(project, cache, "--format", "github").stdout
    assert "::warning title=depscan%3A stale advisory database::advisory database" in github
    # Under the default threshold (7 days) a fresh database is not stale.
    (project / ".depscan.toml").unlink()
    state["checked_at"] = fresh
    state_path(database).write_text(json.dumps(state))
    assert "WARNING" not in scan(project, cache).stdout


def test_without_a_database_only_the_bundled_set_is_checked_and_the_report_says_so(
    project: Path, cache: Path
) -> None:
    text = scan(project, cache)
    assert text.returncode == 0
    assert "NOT CHECKED" in text.stdout
    assert "known-malicious: no advisory database beyond the" in text.stdout
    document = json.loads(scan(project, cache, "--format", "json").stdout)
    (gap,) = document["summary"]["not_checked"]
    assert gap["check"] == "known-malicious" and "depscan db update" in gap["reason"]
    # Extra sources given explicitly are a database beyond the bundled set.
    folder = project / "osv"
    folder.mkdir()
    (folder / "MAL-2025-1.json").write_text(json.dumps(record("MAL-2025-1", "x", ["1.0.0"])))
    assert "NOT CHECKED" not in scan(project, cache, "--advisories", str(folder)).stdout


def test_a_failed_update_keeps_the_database_and_says_so_in_one_line(
    export: Export, server: ExportServer, project: Path, cache: Path
) -> None:
    published(export)
    assert depscan("db", "update", "--source", server.url, cache=cache).returncode == 0
    export.put(record("MAL-2025-1", "evil-pkg", versions=["0.0.1"],
                      modified="2025-05-01T00:00:00Z")).write(archive=False)
    server.behaviour["MAL-2025-1.json"] = "hang"
    server.hang_seconds = 3
    proc = depscan("db", "update", "--timeout", "0.5", cache=cache)  # the known source
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"depscan: error: {server.url}: update failed: ")
    assert "no answer within 0.5 s" in line or "Read timed out" in line
    assert "kept the previous database (2 records" in line
    assert "[known-malicious] evil-pkg@1.0.0" in scan(project, cache).stdout
    status = depscan("db", "status", cache=cache).stdout
    assert "last update FAILED at" in status


def test_a_damaged_database_is_not_checked_not_a_crash(project: Path, cache: Path) -> None:
    folder = cache / "advisory-db"
    folder.mkdir(parents=True)
    (folder / "0123456789abcdef0123.sqlite3").write_bytes(b"garbage" * 100)
    proc = scan(project, cache)
    assert proc.returncode == 0, proc.stderr
    assert "advisory database not used: " in proc.stdout
    assert "0123456789abcdef0123.sqlite3" in proc.stdout
    assert "UNUSABLE" in depscan("db", "status", cache=cache).stdout


def test_db_update_of_a_local_export_copy(export: Export, cache: Path, project: Path) -> None:
    published(export)
    proc = depscan("db", "update", "--source", str(export.root), cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "created: 2 records" in proc.stdout
    again = depscan("db", "update", cache=cache)
    assert "up to date (modified_id.csv not modified)" in again.stdout
    assert "[known-malicious] evil-pkg@1.0.0" in scan(project, cache).stdout


def test_an_incremental_update_reaches_the_next_scan(
    export: Export, server: ExportServer, project: Path, cache: Path
) -> None:
    published(export)
    assert depscan("db", "update", "--source", server.url, cache=cache).returncode == 0
    export.put(record("MAL-2025-1", "evil-pkg", versions=["0.0.1"],
                      modified="2025-06-01T00:00:00Z")).write(archive=False)
    proc = depscan("db", "update", cache=cache)
    assert "updated: 2 records (0 withdrawn)" in proc.stdout
    assert "0 new, 1 changed, 0 removed; fetched 1 changed records" in proc.stdout
    clean = scan(project, cache)
    assert clean.returncode == 0 and "No findings." in clean.stdout  # 1.0.0 is no longer listed
    (entry,) = json.loads(depscan("db", "status", "--format", "json", cache=cache).stdout)[
        "databases"]
    assert entry["records"] == 2


def test_what_the_feed_says_reaches_the_terminal_escaped(export: Export, cache: Path) -> None:
    published(export)
    with zipfile.ZipFile(export.root / "all.zip", "a") as archive:
        archive.writestr("MAL-\x1b[2J::error::x.json", "{not json")
    (export.root / "modified_id.csv").unlink()
    proc = depscan("db", "update", "--source", str(export.root / "all.zip"), cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr and "\\x1b[2J" in proc.stderr
    assert "could not be read and were skipped" in proc.stderr
    status = depscan("db", "status", cache=cache).stdout
    assert "\x1b" not in status and "skipped in the last update: 1" in status
