from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import scanner
from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports import sarif
from scanner.reports.rules import RULES

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "sarif-schema-2.1.0.json"

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]


def _log(result: ScanResult, **kwargs: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(result, **kwargs))
    return log


def _sample(make_finding: MakeFinding, make_result: MakeResult) -> ScanResult:
    return make_result(
        findings=[
            make_finding(
                advisories=["MAL-2018-1"],
                paths=[["web", "event-stream@3.3.6", "flatmap-stream@0.1.1"]],
            ),
            make_finding(
                check="install-scripts",
                severity=Severity.MEDIUM,
                name="left-pad",
                version="1.3.0",
                message="runs postinstall: node build.js",
                line=None,
            ),
            make_finding(
                check="lockfile-hygiene",
                severity=Severity.LOW,
                name="odd",
                version="1.0.0",
                message="resolved over plain http",
                details={"rule": "insecure-url"},
                lockfile=None,
            ),
        ],
        not_checked=[NotChecked("tarball-diff", "registry unreachable", ("left-pad@1.3.0",))],
        checks_run=("known-malicious", "install-scripts", "lockfile-hygiene", "tarball-diff"),
    )


def test_log_has_the_shape_github_code_scanning_reads(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    log = _log(_sample(make_finding, make_result))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "depscan"
    assert driver["version"] == scanner.__version__
    assert "informationUri" not in driver
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == ["known-malicious", "install-scripts", "lockfile-hygiene", "tarball-diff"]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert "**Risk:**" in rule["help"]["markdown"] and "**Fix:**" in rule["help"]["markdown"]
        assert "Risk:" in rule["help"]["text"] and "**" not in rule["help"]["text"]
        float(rule["properties"]["security-severity"])
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "3.0"),
        (Severity.INFO, "note", "0.0"),
    ],
)
def test_level_and_security_severity_follow_the_finding_severity(
    make_finding: MakeFinding,
    make_result: MakeResult,
    severity: Severity,
    level: str,
    score: str,
) -> None:
    log = _log(make_result(findings=[make_finding(severity=severity)]))
    (res,) = log["runs"][0]["results"]
    assert res["level"] == level
    assert res["properties"]["security-severity"] == score
    rule = log["runs"][0]["tool"]["driver"]["rules"][res["ruleIndex"]]
    assert rule["properties"]["security-severity"] == score
    assert rule["defaultConfiguration"]["level"] == level


def test_rule_severity_is_the_worst_finding_of_its_check(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(check="install-scripts", severity=Severity.LOW, name="a"),
        make_finding(check="install-scripts", severity=Severity.HIGH, name="b"),
    ]
    rules = _log(make_result(findings=findings))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["install-scripts"]["properties"]["security-severity"] == "8.0"
    # A check with no finding keeps its table default.
    expected = sarif.SECURITY_SEVERITY[RULES["known-malicious"].default_severity]
    assert by_id["known-malicious"]["properties"]["security-severity"] == expected


def test_results_point_at_the_lockfile_line_relative_to_base_dir(
    make_finding: MakeFinding, make_result: MakeResult, tmp_path: Path
) -> None:
    lockfile = tmp_path / "apps" / "web app" / "package-lock.json"
    result = make_result(
        findings=[make_finding(lockfile=str(lockfile), line=17)], lockfiles=(str(lockfile),)
    )
    location = _log(result, base_dir=tmp_path)["runs"][0]["results"][0]["locations"][0]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "apps/web%20app/package-lock.json"
    assert physical["region"] == {"startLine": 17}


def test_uri_outside_base_dir_is_kept_as_given(
    make_finding: MakeFinding, make_result: MakeResult, tmp_path: Path
) -> None:
    result = make_result(findings=[make_finding(lockfile="/elsewhere/package-lock.json")])
    res = _log(result, base_dir=tmp_path)["runs"][0]["results"][0]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "/elsewhere/package-lock.json"


def test_unknown_line_defaults_to_1_and_missing_lockfile_falls_back_to_the_scanned_one(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    result = make_result(
        findings=[make_finding(line=None), make_finding(name="other", lockfile=None, line=0)]
    )
    results = _log(result)["runs"][0]["results"]
    for res in results:
        physical = res["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "web/package-lock.json"
        assert physical["region"]["startLine"] == 1


def test_fingerprints_are_stable_and_keyed_on_check_package_version_advisory(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    base = make_finding(advisories=["MAL-1", "GHSA-x"])
    moved = make_finding(advisories=["GHSA-x", "MAL-1"], line=99, message="other words")
    assert sarif.fingerprint(base) == sarif.fingerprint(moved)
    assert sarif.fingerprint(base) != sarif.fingerprint(make_finding(advisories=["MAL-2"]))
    assert sarif.fingerprint(base) != sarif.fingerprint(
        make_finding(advisories=["MAL-1", "GHSA-x"], version="0.1.2")
    )
    assert sarif.fingerprint(base) != sarif.fingerprint(
        make_finding(check="install-scripts", advisories=["MAL-1", "GHSA-x"])
    )
    first = sarif.render(make_result(findings=[base]))
    second = sarif.render(make_result(findings=[moved]))
    fp1 = json.loads(first)["runs"][0]["results"][0]["partialFingerprints"]
    fp2 = json.loads(second)["runs"][0]["results"][0]["partialFingerprints"]
    assert fp1 == fp2 == {sarif.FINGERPRINT_KEY: sarif.fingerprint(base)}


def test_not_checked_items_become_warning_notifications(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    run = _log(_sample(make_finding, make_result))["runs"][0]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert "registry unreachable" in notification["message"]["text"]
    assert "left-pad@1.3.0" in notification["message"]["text"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[notification["associatedRule"]["index"]]["id"] == "tarball-diff"


def test_message_carries_package_path_and_advisories(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    res = _log(_sample(make_finding, make_result))["runs"][0]["results"][0]
    text = res["message"]["text"]
    assert text.startswith("flatmap-stream@0.1.1: listed as malicious")
    assert "web > event-stream@3.3.6 > flatmap-stream@0.1.1" in text
    assert "MAL-2018-1" in text
    assert res["properties"]["package"] == "flatmap-stream"


def test_sub_rule_of_hygiene_is_kept_without_a_rule_of_its_own(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    run = _log(_sample(make_finding, make_result))["runs"][0]
    hygiene = [r for r in run["results"] if r["ruleId"] == "lockfile-hygiene"]
    assert hygiene[0]["properties"]["rule"] == "insecure-url"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]].count("lockfile-hygiene") == 1


def test_unknown_check_gets_a_generic_rule(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    log = _log(make_result(findings=[make_finding(check="brand-new")], checks_run=()))
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "brand-new"
    assert rule["name"] == "BrandNew"
    assert "brand-new" in rule["help"]["markdown"]


def test_only_url_in_the_log_is_the_schema(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    text = sarif.render(_sample(make_finding, make_result))
    assert set(re.findall(r"https?://[^\s\"]+", text)) == {sarif.SARIF_SCHEMA_URI}


def test_validates_against_the_published_schema(
    make_finding: MakeFinding, make_result: MakeResult, tmp_path: Path
) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema = pytest.importorskip("jsonschema")
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    for result in (
        _sample(make_finding, make_result),
        make_result(),
        make_result(lockfiles=()),
    ):
        errors = sorted(validator.iter_errors(_log(result, base_dir=tmp_path)), key=str)
        assert errors == [], errors[0].message if errors else ""
    # The validator must be able to fail: a region starting at line 0 breaks the schema.
    broken = _log(_sample(make_finding, make_result))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(validator.iter_errors(broken))
