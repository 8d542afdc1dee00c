"""The real CLI, run as a subprocess: exit codes, one-line errors, the report formats."""

from __future__ import annotations

import json
import os
import shutil
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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("lockfile", "--format", "xml"),
         "--format 'xml' is not accepted: expected one of text, json, sarif, markdown, github"),
        (("lockfile", "--fail-on", "severe"),
         "--fail-on 'severe' is not accepted: expected one of critical, high, medium, low, info"),
        (("lockfile", "--fial-on", "high"),
         "--fial-on is not an option of depscan lockfile; did you mean --fail-on?"),
        (("lockfile", "--zzz"),
         "--zzz is not an option of depscan lockfile (see depscan lockfile --help)"),
        (("lockfile", "--format"), "--format needs a value: one of text, json, sarif"),
        (("lockfile", "--jobs", "0"), "--jobs '0' is not accepted: expected a whole number from "
         "1 to 64"),
        (("lockfile", "--offline=yes"), "--offline takes no value"),
        (("lockfile", "a", "b"), "unexpected argument 'b' (usage: depscan lockfile [OPTIONS] "
         "[PATH])"),
        (("diff",), "depscan diff needs SPECS: NAME FROM TO, or NAME@FROM NAME@TO, or two "
         "local .tgz files"),
        (("lockfiel",), "'lockfiel' is not a depscan command; did you mean lockfile?"),
        (("--versoin",), "--versoin is not an option of depscan; did you mean --version?"),
        (("lockfile", str(EXAMPLE), "--check", "instal-scripts"),
         "unknown check 'instal-scripts'; did you mean install-scripts? (the checks: "
         "known-malicious,"),
        (("lockfile", str(EXAMPLE), "--skip-check", "publisher"),
         "unknown check 'publisher'; did you mean publishers?"),
        (("completion", "tcsh"), "SHELL 'tcsh' is not accepted: expected one of bash, zsh, fish"),
    ],
)
def test_every_usage_error_is_one_line_saying_what_is_accepted(
    args: tuple[str, ...], expected: str
) -> None:
    proc = depscan(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"depscan: error: {proc.stderr.splitlines()[0][16:]}\n"
    assert expected in proc.stderr


def test_depscan_alone_shows_the_overview_and_exits_2() -> None:
    proc = depscan()
    assert proc.returncode == 2
    assert "Commands:" in proc.stdout and "lockfile" in proc.stdout


def test_lockfile_help_fits_80_columns_grouped_under_headings() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "lockfile", "--help"], capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "80"}, cwd=REPO, timeout=60,
    )
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) <= 80  # 131 with typer's rich layout
    assert "…" not in proc.stdout
    headings = [line for line in lines if line and not line[0].isspace() and line.endswith(":")]
    assert headings[:4] == ["Arguments:", "Report:", "Compare with an earlier lockfile:",
                            "Advisories:"]
    assert "  --no-bundled-advisories" in proc.stdout  # whole option names
    assert "  -f, --format FORMAT" in proc.stdout


def _project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("package.json", "package-lock.json", ".npmrc"):
        (folder / name).write_text((EXAMPLE / name).read_text())
    return folder


def test_a_folder_without_a_lockfile_names_those_in_its_subfolders(tmp_path: Path) -> None:
    _project(tmp_path / "web")
    _project(tmp_path / "api" / "server")
    _project(tmp_path / "web" / "node_modules" / "dep")  # installed, not a project
    _project(tmp_path / ".git" / "stuff")

    proc = depscan("lockfile", str(tmp_path), "--offline")

    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert "no lockfile in this folder, but its subfolders hold" in proc.stderr
    assert str(tmp_path / "api" / "server" / "package-lock.json") in proc.stderr
    assert str(tmp_path / "web" / "package-lock.json") in proc.stderr
    assert "node_modules" not in proc.stderr and ".git" not in proc.stderr
    assert "--recursive" in proc.stderr


def test_recursive_scans_every_project_below_with_its_own_configuration(tmp_path: Path) -> None:
    _project(tmp_path / "web")
    (tmp_path / "api").mkdir()
    clean = _clean_copy(tmp_path / "api")
    (tmp_path / "api" / "package.json").write_text((EXAMPLE / "package.json").read_text())
    (tmp_path / "api" / ".npmrc").write_text("registry=https://mirror.example.test/\n")
    _project(tmp_path / "web" / "node_modules" / "dep")

    proc = depscan("lockfile", str(tmp_path), "--offline", "--recursive", "-f", "json")

    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert sorted(lf["path"] for lf in doc["lockfiles"]) == [
        str(clean / "package-lock.json"), str(tmp_path / "web" / "package-lock.json"),
    ]
    web = str(tmp_path / "web" / "package-lock.json")
    api = str(clean / "package-lock.json")
    malicious = {(f["package"]["name"], f["lockfile"])
                 for f in doc["findings"] if f["check"] == "known-malicious"}
    assert malicious == {("event-stream", web), ("flatmap-stream", web)}
    # api's .npmrc names another registry, so its lockfile's hosts are not allowed; web's are.
    hosts = {f["lockfile"] for f in doc["findings"] if f["check"] == "lockfile-hygiene"}
    assert hosts == {api}


def test_recursive_with_nothing_below_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "package-lock.json").write_text("{}")
    proc = depscan("lockfile", str(tmp_path), "-r", "--offline")
    assert proc.returncode == 2
    assert "no lockfile found in this folder or below it" in proc.stderr


def test_version_and_help() -> None:
    assert depscan("--version").stdout.startswith("depscan ")
    help_text = depscan("lockfile", "--help").stdout
    assert "--fail-on" in help_text and "--advisories" in help_text


def test_completion_scripts_and_the_completions_they_ask_for(tmp_path: Path) -> None:
    for shell in ("bash", "zsh", "fish", "powershell"):
        proc = depscan("completion", shell)
        assert proc.returncode == 0 and "_DEPSCAN_COMPLETE" in proc.stdout, shell
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    # The bash script, sourced in a real bash, completes an option and a check id.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "depscan"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scanner "$@"\n')
    launcher.chmod(0o755)
    script = (
        'eval "$(depscan completion bash)"\n'
        "COMP_WORDS=(depscan lockfile --fai); COMP_CWORD=2; _depscan_completion depscan\n"
        'echo "options: ${COMPREPLY[*]}"\n'
        "COMP_WORDS=(depscan lockfile --check inst); COMP_CWORD=3; _depscan_completion depscan\n"
        'echo "checks: ${COMPREPLY[*]}"\n'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(REPO)}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=60)
    assert "options: --fail-on" in done.stdout, done.stderr
    assert "checks: install-scripts" in done.stdout, done.stderr


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
