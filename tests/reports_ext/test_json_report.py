"""The JSON report against its published schema (docs/report.schema.json), on real output."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports import json_report
from tests.e2e.helpers import Depscan, Locked, copy_fixture_registry, isolated_env, write_lockfile
from tests.support.registry_server import FixtureRegistry

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "docs" / "report.schema.json"
FIXTURE_LOCKFILES = REPO / "tests" / "fixtures" / "lockfiles"

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]

jsonschema = pytest.importorskip("jsonschema")


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _strict(schema: Any) -> Any:
    """The schema with every documented object closed, except the free-form ``details``: real
    output that holds a key the schema does not describe fails, so the schema stays complete."""
    schema = copy.deepcopy(schema)

    def close(node: Any, key: str | None = None) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for child_key, child in node.items():
                if child_key != "details":
                    close(child, child_key)
        elif isinstance(node, list):
            for child in node:
                close(child)

    close(schema)
    return schema


def _errors(document: Any, *, strict: bool = True) -> list[str]:
    schema = _strict(_schema()) if strict else _schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def registry_backed_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A real CLI run with every check producing findings (the e2e fixture registry)."""
    base = tmp_path_factory.mktemp("schema")
    root = copy_fixture_registry(base / "registry")
    depscan = Depscan(project=base / "project", cache_dir=base / "cache", home=base / "home")
    depscan.project.mkdir()
    write_lockfile(depscan.project, root, [
        Locked("event-stream", "3.3.6", {"flatmap-stream": "^0.1.0"}),
        Locked("flatmap-stream", "0.1.1", direct=False),
        Locked("ua-parser-js", "0.7.29"),
        Locked("left-pad", "1.3.0"),
        Locked("nx", "21.5.0"),
    ])
    with FixtureRegistry(root) as server:
        yield depscan.run(registry=server).report


def test_schema_is_published_and_referenced_from_the_docs() -> None:
    schema = _schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert "report.schema.json" in (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    assert schema["properties"]["schema_version"]["pattern"].startswith("^1")
    assert json_report.SCHEMA_VERSION.startswith("1.")


def test_registry_backed_cli_report_matches_the_schema(
    registry_backed_report: dict[str, Any],
) -> None:
    report = registry_backed_report
    checks = {f["check"] for f in report["findings"]}
    assert {"known-malicious", "install-scripts", "publishers", "trust-downgrade"} <= checks
    assert report["summary"]["not_checked"]
    assert _errors(report) == []


def _cli_json(target: Path, tmp_path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "lockfile", str(target), "--format", "json",
         "--offline", "--cache-dir", str(tmp_path / "cache")],
        cwd=REPO, env=isolated_env(tmp_path / "home"), capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize(
    "target",
    [
        REPO / "examples" / "event-stream-2018",
        FIXTURE_LOCKFILES / "yarn" / "v1" / "npm-cli-fixture-yarn-stuff",
        FIXTURE_LOCKFILES / "yarn" / "berry-v10" / "prettier",
        FIXTURE_LOCKFILES / "pnpm" / "v9.0-features",
        FIXTURE_LOCKFILES / "bun" / "workspace-app",
        FIXTURE_LOCKFILES / "npm" / "install-types-v1.package-lock.json",
    ],
    ids=lambda p: p.name,
)
def test_offline_cli_reports_of_every_lockfile_format_match_the_schema(
    target: Path, tmp_path: Path
) -> None:
    report = _cli_json(target, tmp_path)
    assert report["lockfiles"]
    assert _errors(report) == []


def test_rendered_edge_cases_match_the_schema(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(line=None, details={"rule": "x", "nested": {"a": [1, 2.5, None, True]}}),
        make_finding(name=None, lockfile=None, line=0, message="scan-wide"),
        make_finding(name="odd\ud800\n::x", version="1.0.0\x1b[31m", paths=[["r", "a@1"]]),
    ]
    result = make_result(findings=findings, not_checked=[NotChecked("publishers", "offline")])
    document = json.loads(json_report.render(result))
    assert _errors(document) == []
    assert document["findings"][1]["line"] is None  # 0 is not a line
    # Lossless but for the surrogate, which no JSON reader could decode.
    assert document["findings"][2]["package"]["name"] == "odd\\ud800\n::x"
    assert document["findings"][2]["package"]["version"] == "1.0.0\x1b[31m"


def test_schema_rejects_what_it_should(make_finding: MakeFinding, make_result: MakeResult) -> None:
    document = json.loads(json_report.render(make_result(findings=[make_finding()])))
    assert _errors(document) == []
    broken = copy.deepcopy(document)
    broken["findings"][0]["severity"] = "severe"
    assert _errors(broken)
    broken = copy.deepcopy(document)
    del broken["summary"]["not_checked"]
    assert _errors(broken)
    broken = copy.deepcopy(document)
    broken["findings"][0]["line"] = 0
    assert _errors(broken)
    # An undocumented key fails the strict check the tests use; readers' schema allows it.
    extended = copy.deepcopy(document)
    extended["findings"][0]["new_key"] = 1
    assert _errors(extended) and _errors(extended, strict=False) == []
    # ... but details stays free-form.
    extended = copy.deepcopy(document)
    extended["findings"][0]["details"]["anything"] = {"x": 1}
    assert _errors(extended) == []


def test_every_severity_appears_in_counts(make_result: MakeResult) -> None:
    document = json.loads(json_report.render(make_result()))
    assert list(document["summary"]["counts"]) == [s.label for s in sorted(Severity, reverse=True)]
