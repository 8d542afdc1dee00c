"""The CLI with a project's npm configuration and policy file: hosts, ignores, expiry, errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.test_cli import EXAMPLE, depscan


def _project(tmp_path: Path, npmrc: str) -> Path:
    doc = {
        "name": "x",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "x", "dependencies": {"@corp/a": "1", "b": "1"}},
            "node_modules/@corp/a": {
                "version": "1.0.0",
                "resolved": "https://npm.corp.example.test/@corp/a/-/a-1.0.0.tgz",
                "integrity": "sha512-AAAA",
            },
            "node_modules/b": {
                "version": "1.0.0",
                "resolved": "https://other.example.test/b/-/b-1.0.0.tgz",
                "integrity": "sha512-BBBB",
            },
        },
    }
    (tmp_path / "package-lock.json").write_text(json.dumps(doc, indent=2))
    (tmp_path / ".npmrc").write_text(npmrc)
    return tmp_path


def _json(*args: str) -> tuple[int, dict[str, object]]:
    proc = depscan(*args, "-f", "json")
    assert proc.stderr == "" or proc.returncode == 2, proc.stderr
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else {}


def _hosts_flagged(doc: dict[str, object]) -> list[str]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return [
        f["package"]["name"]
        for f in findings
        if f["check"] == "lockfile-hygiene" and f["details"].get("rule") == "host"
    ]


def test_scoped_registry_hosts_are_allowed_and_others_are_not(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        "registry=https://registry.example.test/\n@corp:registry=https://npm.corp.example.test/\n",
    )
    code, doc = _json("lockfile", str(project), "--offline", "--no-registry-checks")
    assert _hosts_flagged(doc) == ["b"] and code == 1
    code, doc = _json(
        "lockfile",
        str(project),
        "--offline",
        "--no-registry-checks",
        "--allowed-host",
        "other.example.test",
    )
    assert _hosts_flagged(doc) == [] and code == 0


def test_registry_checks_off_are_listed_as_not_checked(tmp_path: Path) -> None:
    project = _project(tmp_path, "registry=https://registry.example.test/\n")
    _, doc = _json("lockfile", str(project), "--offline", "--no-registry-checks")
    summary = doc["summary"]
    assert isinstance(summary, dict)
    reasons = {n["check"]: n["reason"] for n in summary["not_checked"]}
    for check in ("publishers", "registry-signature", "trust-downgrade"):
        assert reasons[check] == "registry checks are turned off"
    assert "publishers" not in summary["checks_run"]


def _example_with_policy(tmp_path: Path, policy: str) -> Path:
    for name in ("package-lock.json", ".npmrc", "package.json"):
        (tmp_path / name).write_text((EXAMPLE / name).read_text())
    (tmp_path / ".depscan.toml").write_text(policy)
    return tmp_path


def test_policy_ignore_suppresses_and_expired_ignore_fires_again(tmp_path: Path) -> None:
    project = _example_with_policy(
        tmp_path,
        """
[[ignore]]
check = "known-malicious"
package = "flatmap-stream"
reason = "test fixture, not shipped"

[[ignore]]
check = "known-malicious"
package = "event-stream"
versions = "3.3.6"
reason = "reviewed in the 2018 incident"
expires = 2020-01-01
""",
    )
    code, doc = _json("lockfile", str(project), "--offline", "--no-registry-checks")
    findings = doc["findings"]
    assert isinstance(findings, list) and code == 1
    names = [f["package"]["name"] for f in findings if f["check"] == "known-malicious"]
    assert names == ["event-stream"]
    assert "ignore expired on 2020-01-01: reviewed in the 2018 incident" in findings[0]["message"]
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert [f["package"]["name"] for f in summary["ignored"]] == ["flatmap-stream"]
    assert summary["policy"] == str(project / ".depscan.toml")


def test_policy_fail_on_and_cli_override(tmp_path: Path) -> None:
    project = _example_with_policy(tmp_path, 'fail-on = "critical"\nregistry = false\n')
    code, doc = _json("lockfile", str(project), "--offline")
    assert code == 1 and doc["summary"]["fail_on"] == "critical"  # type: ignore[index]
    assert "publishers" not in doc["summary"]["checks_run"]  # type: ignore[index]
    proc = depscan("lockfile", str(project), "--offline", "--no-policy-file", "-f", "json")
    assert json.loads(proc.stdout)["summary"]["fail_on"] == "high"


def test_bad_policy_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    project = _example_with_policy(tmp_path, 'fail-on = "high"\nfail_on = "low"\n')
    proc = depscan("lockfile", str(project), "--offline")
    assert proc.returncode == 2 and proc.stdout == ""
    line = proc.stderr.strip()
    assert "\n" not in line and ".depscan.toml" in line and "line 2" in line
