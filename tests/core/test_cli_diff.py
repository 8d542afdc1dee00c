"""`depscan diff` and `depscan lockfile --diff-from`, through the real CLI and a local registry."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.registry_server import FixtureRegistry

REPO = Path(__file__).resolve().parents[2]
REGISTRY_FIXTURES = REPO / "tests" / "fixtures" / "registry"


@pytest.fixture
def registry() -> Iterator[FixtureRegistry]:
    with FixtureRegistry(REGISTRY_FIXTURES) as server:
        yield server


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_diff_of_registry_versions_flags_the_flatmap_stream_pattern(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    proc = run(
        "diff",
        "flatmap-stream@0.1.0",
        "flatmap-stream@0.1.1",
        "--registry",
        registry.url,
        "--cache-dir",
        str(tmp_path / "cache"),
        "-f",
        "json",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr  # a high verdict fails the default --fail-on
    doc = json.loads(proc.stdout)
    statuses = {f["path"]: f["status"] for f in doc["files"]}
    assert statuses["index.min.js"] == "added" and statuses["index.js"] == "removed"
    verdict = doc["verdict"]
    # The fixture decrypts its blob but never runs the result: obfuscation newly in the entry
    # point, plus decryption, is high (decrypted data that is executed would be critical).
    assert verdict["severity"] == "high" and verdict["kind"] == "update"
    signals = {(s["capability"], s["file"]) for s in verdict["signals"]}
    assert ("decipher", "index.min.js") in signals
    assert verdict["reasons"][0]["rule"] == "obfuscation"
    assert verdict["reasons"][0]["file"] == "index.min.js"


def test_diff_name_only_and_three_argument_form(registry: FixtureRegistry, tmp_path: Path) -> None:
    proc = run(
        "diff",
        "ua-parser-js",
        "0.7.28",
        "0.7.29",
        "--name-only",
        "--registry",
        registry.url,
        "--cache-dir",
        str(tmp_path / "cache"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "package.json" in proc.stdout.splitlines()


def test_diff_of_local_tarballs_needs_no_registry(tmp_path: Path) -> None:
    tarballs = REGISTRY_FIXTURES / "tarballs"
    proc = run(
        "diff",
        str(tarballs / "event-stream-3.3.5.tgz"),
        str(tarballs / "event-stream-3.3.6.tgz"),
        "--offline",
        cwd=tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "local file, no registry integrity to verify against" in proc.stdout
    assert "+++ b/package.json" in proc.stdout


def test_diff_usage_and_missing_version(registry: FixtureRegistry, tmp_path: Path) -> None:
    assert run("diff", "only-one", cwd=tmp_path).returncode == 2
    proc = run(
        "diff",
        "flatmap-stream",
        "0.1.0",
        "9.9.9",
        "--registry",
        registry.url,
        "--cache-dir",
        str(tmp_path / "cache"),
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "9.9.9" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def _lockfile(tmp_path: Path, registry: FixtureRegistry, version: str, name: str) -> Path:
    doc = json.loads((REGISTRY_FIXTURES / "packuments" / "ua-parser-js.json").read_text())
    dist = doc["versions"][version]["dist"]
    lock = {
        "name": "app",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "dependencies": {"ua-parser-js": "^0.7.0"}},
            "node_modules/ua-parser-js": {
                "version": version,
                "resolved": dist["tarball"].replace("{registry}", registry.url),
                "integrity": dist["integrity"],
            },
        },
    }
    path = tmp_path / name
    path.write_text(json.dumps(lock, indent=2))
    return path


def test_lockfile_diff_from_an_older_lockfile(registry: FixtureRegistry, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    old = _lockfile(tmp_path, registry, "0.7.28", "old-package-lock.json")
    _lockfile(project, registry, "0.7.29", "package-lock.json")
    proc = run(
        "lockfile",
        str(project),
        "--diff-from",
        str(old),
        "--registry",
        registry.url,
        "--cache-dir",
        str(tmp_path / "cache"),
        "--allowed-host",
        "127.0.0.1",
        "--skip-check",
        "registry-signature",
        "-f",
        "json",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    diff_findings = [f for f in doc["findings"] if f["check"] == "tarball-diff"]
    assert diff_findings, doc["findings"]
    assert any("preinstall" in f["message"] for f in diff_findings)
    assert "tarball-diff" in doc["summary"]["checks_run"]
