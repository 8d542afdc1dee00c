"""Every report format from one registry-backed run: each parses, has its expected shape, and
carries the same findings and the same not-checked items as the JSON report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import (
    FIXTURE_REGISTRY,
    Depscan,
    Locked,
    Run,
    copy_fixture_registry,
    write_lockfile,
)
from tests.support.registry_server import FixtureRegistry

FORMATS = ("json", "sarif", "markdown", "github", "text")
SARIF_SCHEMA = FIXTURE_REGISTRY.parent / "sarif-schema-2.1.0.json"
LOCKED = [
    Locked("event-stream", "3.3.6", {"flatmap-stream": "^0.1.0"}),
    Locked("flatmap-stream", "0.1.1", direct=False),
    Locked("ua-parser-js", "0.7.29"),
    Locked("left-pad", "1.3.0"),
    Locked("nx", "21.5.0"),
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """One project scanned once per format, against one server (the later runs revalidate)."""
    base = tmp_path_factory.mktemp("formats")
    root = copy_fixture_registry(base / "registry")
    depscan = Depscan(project=base / "project", cache_dir=base / "cache", home=base / "home")
    depscan.project.mkdir()
    write_lockfile(depscan.project, root, LOCKED)
    with FixtureRegistry(root) as server:
        yield {
            fmt: depscan.run(
                "--base-dir", str(depscan.project), registry=server, output_format=fmt
            )
            for fmt in FORMATS
        }


@pytest.fixture(scope="module")
def report(runs: dict[str, Run]) -> dict[str, Any]:
    return runs["json"].report


def test_exit_code_is_the_same_in_every_format(runs: dict[str, Run]) -> None:
    assert {fmt: run.returncode for fmt, run in runs.items()} == {fmt: 1 for fmt in FORMATS}


def test_json_report_shape(report: dict[str, Any]) -> None:
    assert report["schema_version"] == "1.0"
    assert report["tool"]["name"] == "depscan"
    assert [(lf["format"], lf["packages"]) for lf in report["lockfiles"]] == [
        ("npm-package-lock", len(LOCKED))
    ]
    summary = report["summary"]
    assert summary["total"] == len(report["findings"]) == sum(summary["counts"].values())
    # Every kind of registry-backed verdict this project should produce is present.
    kinds = {(f["check"], f["details"].get("rule")) for f in report["findings"]}
    assert {
        ("known-malicious", None),
        ("install-scripts", None),
        ("publishers", "publisher-takeover"),
        ("trust-downgrade", "trust-downgrade"),
    } <= kinds
    assert summary["not_checked"], "left-pad's missing publisher data must be listed"
    for finding in report["findings"]:
        assert set(finding) >= {
            "check", "severity", "package", "paths", "direct", "reach", "advisory",
            "message", "lockfile", "line", "details",
        }
        assert isinstance(finding["line"], int) and finding["line"] >= 1


def test_sarif_results_match_the_json_findings(
    runs: dict[str, Run], report: dict[str, Any]
) -> None:
    log = json.loads(runs["sarif"].stdout)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "depscan"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert len(results) == len(report["findings"])
    expected = sorted(
        (f["check"], f["package"]["name"], f["package"]["version"], f["line"])
        for f in report["findings"]
    )
    actual = sorted(
        (
            r["properties"]["check"],
            r["properties"]["package"],
            r["properties"]["version"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    )
    assert actual == expected
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "package-lock.json"
        )
        severity = result["properties"]["severity"]
        assert result["level"] == ("error" if severity in ("critical", "high") else "warning"
                                   if severity == "medium" else "note")
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notifications) == len(report["summary"]["not_checked"])


def test_sarif_validates_against_the_published_schema(runs: dict[str, Run]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = list(validator_cls(schema).iter_errors(json.loads(runs["sarif"].stdout)))
    assert errors == []


def test_github_annotations_one_per_finding_and_not_checked_item(
    runs: dict[str, Run], report: dict[str, Any]
) -> None:
    lines = runs["github"].stdout.splitlines()
    pattern = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.+)$")
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m]
    findings = report["findings"]
    not_checked = report["summary"]["not_checked"]
    assert len(lines) == len(findings) + len(not_checked)
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == sum(1 for f in findings if f["severity"] in ("critical", "high"))
    for finding in findings:
        spec = f"{finding['package']['name']}@{finding['package']['version']}"
        location = f"file=package-lock.json,line={finding['line']},"
        assert any(location in line and spec in line for line in lines), finding["message"]
    assert sum("not checked" in line for line in lines) == len(not_checked)


def test_markdown_summary_table_matches_the_counts(
    runs: dict[str, Run], report: dict[str, Any]
) -> None:
    text = runs["markdown"].stdout
    for severity, count in report["summary"]["counts"].items():
        assert f"| {severity} | {count} |" in text
    not_checked = len(report["summary"]["not_checked"])
    assert f"| **not checked** | {not_checked} |" in text
    assert f"Not checked ({not_checked})" in text
    for finding in report["findings"]:
        spec = f"{finding['package']['name']}@{finding['package']['version']}"
        assert f"**`{spec}`** `{finding['check']}" in text


def test_text_report_lists_findings_and_not_checked(
    runs: dict[str, Run], report: dict[str, Any]
) -> None:
    lines = runs["text"].stdout.splitlines()
    for finding in report["findings"]:
        spec = f"{finding['package']['name']}@{finding['package']['version']}"
        heading = f"  [{finding['check']}] {spec}"
        assert any(line == heading or line.startswith(heading + "  ") for line in lines), heading
    start = next(i for i, line in enumerate(lines) if line.startswith("NOT CHECKED"))
    items = [line for line in lines[start + 1 :] if line.startswith("  - ")]
    assert len(items) == len(report["summary"]["not_checked"])
    assert lines[-1].startswith("Summary: ") and lines[-1].endswith("failing.")

