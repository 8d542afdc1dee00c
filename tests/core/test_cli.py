"""The real CLI, run as a subprocess: exit codes, one-line errors, the report formats."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "event-stream-2018"
FIX = REPO / "tests" / "fixtures" / "lockfiles" / "npm"


def depscan(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _clean_copy(tmp_path: Path) -> Path:
    """The example with event-stream pinned back to the clean 3.3.4 and no flatmap-stream."""
    doc = json.loads((EXAMPLE / "package-lock.json").read_text())
    pkgs = doc["packages"]
    del pkgs["node_modules/flatmap-stream"]
    es = pkgs["node_modules/event-stream"]
    es["version"] = "3.3.4"
    es["resolved"] = es["resolved"].replace("3.3.6", "3.3.4")
    del es["dependencies"]["flatmap-stream"]
    (tmp_path / "package-lock.json").write_text(json.dumps(doc, indent=2))
    (tmp_path / ".npmrc").write_text((EXAMPLE / ".npmrc").read_text())
    return tmp_path


def test_demo_finds_the_incident_with_its_path() -> None:
    proc = depscan("lockfile", str(EXAMPLE), "--offline")
    assert proc.returncode == 1, proc.stderr
    assert "wallet-app > ps-tree@1.1.0 > event-stream@3.3.6 > flatmap-stream@0.1.1" in proc.stdout
    assert "CRITICAL (2)" in proc.stdout
    assert proc.stderr == ""


def test_json_report_schema() -> None:
    proc = depscan("lockfile", str(EXAMPLE), "--offline", "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["schema_version"] == "1.0"
    findings = {f["package"]["name"]: f for f in doc["findings"]}
    flatmap = findings["flatmap-stream"]
    assert flatmap["check"] == "known-malicious" and flatmap["severity"] == "critical"
    assert flatmap["package"] == {
        "name": "flatmap-stream",
        "version": "0.1.1",
        "location": "node_modules/flatmap-stream",
    }
    assert flatmap["paths"] == [
        ["wallet-app", "ps-tree@1.1.0", "event-stream@3.3.6", "flatmap-stream@0.1.1"]
    ]
    assert "GHSA-9x64-5r7x-2q53" in flatmap["advisory"]
    assert flatmap["direct"] is False and flatmap["reach"] == "prod"
    assert isinstance(flatmap["message"], str) and flatmap["line"] > 1
    summary = doc["summary"]
    assert summary["counts"]["critical"] == 2 and summary["failing"] == 2
    assert summary["fail_on"] == "high"
    assert isinstance(summary["not_checked"], list)


def test_clean_versions_pass(tmp_path: Path) -> None:
    proc = depscan("lockfile", str(_clean_copy(tmp_path)), "--offline", "-f", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["findings"] == []
    # Offline with an empty cache, the registry checks say what they could not examine.
    not_checked = {n["check"] for n in doc["summary"]["not_checked"]}
    assert {"publishers", "registry-signature", "trust-downgrade"} <= not_checked


def test_fail_on_threshold(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = depscan(
        "lockfile", str(EXAMPLE), "--offline", "--fail-on", "critical", "-f", "json", "-o", str(out)
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["summary"]["failing"] == 2


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("package-lock.json", "", "the file is empty"),
        ("package-lock.json", "{ nope", "is not valid JSON"),
        (
            "package-lock.json",
            '{"lockfileVersion": 9, "packages": {}}',
            "unknown lockfileVersion 9",
        ),
        ("whatever.txt", "hello", "is not a lockfile depscan recognises"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    proc = depscan("lockfile", str(path), "--offline")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("depscan: error: ")
    assert str(path) in lines[0] and expected in lines[0]


def test_conflict_markers_missing_path_and_empty_dir(tmp_path: Path) -> None:
    for target, expected in [
        (FIX / "conflict-markers.package-lock.json", "merge-conflict markers"),
        (tmp_path / "missing", "no such file or directory"),
        (tmp_path, "no lockfile found"),
    ]:
        proc = depscan("lockfile", str(target), "--offline")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_corrupt_advisory_sources(tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "MAL-1.json").write_text("{ not json")
    not_zip = tmp_path / "all.zip"
    not_zip.write_text("this is not a zip")
    broken_member = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken_member, "w") as zf:
        zf.writestr("MAL-2.json", "[]")
    for source, expected in [
        (folder, "MAL-1.json"),
        (not_zip, "all.zip"),
        (broken_member, "MAL-2"),
    ]:
        proc = depscan("lockfile", str(EXAMPLE), "--offline", "--advisories", str(source))
        assert proc.returncode == 2, proc.stdout
        assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2() -> None:
    assert depscan("lockfile", str(EXAMPLE), "--format", "yaml").returncode == 2
    proc = depscan("lockfile", str(EXAMPLE), "--offline", "--check", "no-such-check")
    assert proc.returncode == 2 and "unknown check 'no-such-check'" in proc.stderr


def test_version_and_help() -> None:
    assert depscan("--version").stdout.startswith("depscan ")
    help_text = depscan("lockfile", "--help").stdout
    assert "--fail-on" in help_text and "--advisories" in help_text


def test_ossf_zip_on_a_large_real_lockfile(shared: Path) -> None:
    zip_path = shared / "advisories" / "ossf-malicious-npm.zip"
    lockfile = shared / "corpus/npm/v2/create-react-app-root/package-lock.json"
    proc = depscan(
        "lockfile", str(lockfile), "--offline", "--advisories", str(zip_path), "-f", "json"
    )
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["lockfiles"][0]["packages"] == 2589 - 12  # workspaces are roots, not packages
    assert any("22" in s for s in doc["summary"]["advisory_sources"])
