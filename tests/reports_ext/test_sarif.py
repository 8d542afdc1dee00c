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
from scanner.reports.rules import CHECKS_DOCS_URL, REPOSITORY_URL, RULES

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
    assert driver["informationUri"] == REPOSITORY_URL
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == [
        "known-malicious",
        "install-scripts",
        "lockfile-hygiene",
        "tarball-diff",
        "lockfile-hygiene/insecure-url/low",
    ]
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{CHECKS_DOCS_URL}#{rule['properties']['check']}"
        assert rule["shortDescription"]["text"]
        assert "**Risk:**" in rule["help"]["markdown"] and "**Fix:**" in rule["help"]["markdown"]
        assert "Risk:" in rule["help"]["text"] and "**" not in rule["help"]["text"]
        float(rule["properties"]["security-severity"])
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        physical = res["locations"][0]["physicalLocation"]
        assert "region" not in physical or physical["region"]["startLine"] >= 1


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


def test_rule_metadata_comes_from_the_rule_not_from_the_run(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    def rules(*severities: Severity) -> dict[str, dict[str, Any]]:
        findings = [
            make_finding(check="install-scripts", severity=s, name=f"p{i}")
            for i, s in enumerate(severities)
        ]
        log = _log(make_result(findings=findings))
        return {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}

    low_only = rules(Severity.LOW)
    mixed = rules(Severity.LOW, Severity.HIGH, Severity.MEDIUM)
    # The check's own rule keeps its usual severity whatever the run reported.
    assert low_only["install-scripts"] == mixed["install-scripts"]
    assert mixed["install-scripts"]["properties"]["security-severity"] == "5.5"
    # Other severities are rules of their own, identical from run to run.
    assert low_only["install-scripts/low"] == mixed["install-scripts/low"]
    assert mixed["install-scripts/low"]["properties"]["security-severity"] == "3.0"
    assert mixed["install-scripts/high"]["properties"]["security-severity"] == "8.0"
    assert mixed["install-scripts/high"]["defaultConfiguration"]["level"] == "error"
    assert mixed["install-scripts/high"]["name"] == "InstallScriptsHigh"
    assert "high severity" in mixed["install-scripts/high"]["shortDescription"]["text"]
    expected = sarif.SECURITY_SEVERITY[RULES["known-malicious"].default_severity]
    assert mixed["known-malicious"]["properties"]["security-severity"] == expected


def test_rule_id_names_check_sub_rule_and_unusual_severity() -> None:
    assert sarif.rule_id("known-malicious", None, Severity.CRITICAL) == "known-malicious"
    assert sarif.rule_id("lockfile-hygiene", "host", Severity.HIGH) == "lockfile-hygiene/host/high"
    assert (
        sarif.rule_id("lockfile-hygiene", "integrity-missing", Severity.MEDIUM)
        == "lockfile-hygiene/integrity-missing"
    )
    # A sub-rule named like its check adds nothing.
    assert sarif.rule_id("trust-downgrade", "trust-downgrade", Severity.HIGH) == "trust-downgrade"


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


def test_unknown_line_has_no_region_and_its_own_line_hash(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    result = make_result(
        findings=[
            make_finding(line=None),
            make_finding(name="other", lockfile=None, line=0),
            make_finding(name="located", line=7),
        ]
    )
    by_package = {r["properties"]["package"]: r for r in _log(result)["runs"][0]["results"]}
    hashes = set()
    for name in ("flatmap-stream", "other"):
        res = by_package[name]
        physical = res["locations"][0]["physicalLocation"]
        # The missing lockfile falls back to the scanned one.
        assert physical == {"artifactLocation": {"uri": "web/package-lock.json"}}
        hashes.add(res["partialFingerprints"][sarif.LINE_HASH_KEY])
    assert len(hashes) == 2  # two findings, two alerts
    # With a line, the upload action hashes the lockfile's text there: depscan supplies none.
    located = by_package["located"]
    assert sarif.LINE_HASH_KEY not in located["partialFingerprints"]
    assert located["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}


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


def test_sub_rule_of_hygiene_gets_a_rule_and_keeps_its_property(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    run = _log(_sample(make_finding, make_result))["runs"][0]
    hygiene = [r for r in run["results"] if r["properties"]["check"] == "lockfile-hygiene"]
    assert hygiene[0]["ruleId"] == "lockfile-hygiene/insecure-url/low"
    assert hygiene[0]["properties"]["rule"] == "insecure-url"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))


def test_unknown_check_gets_a_generic_rule(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    log = _log(make_result(findings=[make_finding(check="brand-new")], checks_run=()))
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    # Unknown checks usually report medium; this finding is critical.
    assert rule["id"] == "brand-new/critical"
    assert rule["name"] == "BrandNewCritical"
    assert "brand-new" in rule["help"]["markdown"]
    assert rule["helpUri"] == CHECKS_DOCS_URL


def test_results_are_capped_most_severe_first_and_the_cap_is_announced(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(severity=Severity.LOW, name=f"low{i}") for i in range(5)
    ] + [make_finding(severity=Severity.CRITICAL, name=f"crit{i}") for i in range(2)]
    log = sarif.build_log(make_result(findings=findings), max_results=3)
    run = log["runs"][0]
    assert [r["properties"]["severity"] for r in run["results"]] == ["critical", "critical", "low"]
    assert run["properties"]["resultsOmitted"] == 4
    assert run["properties"]["resultsTotal"] == 7
    last = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert last["descriptor"]["id"] == "results-omitted"
    assert "4 of 7 results were left out" in last["message"]["text"]
    assert "--format json" in last["message"]["text"]
    assert sarif.MAX_RESULTS == 25_000


def test_only_url_in_the_log_is_the_schema(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    text = sarif.render(_sample(make_finding, make_result))
    urls = set(re.findall(r"https?://[^\s\"]+", text))
    assert sarif.SARIF_SCHEMA_URI in urls
    assert all(u == sarif.SARIF_SCHEMA_URI or u.startswith(REPOSITORY_URL) for u in urls)


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


def test_fingerprint_tells_sub_rules_apart(make_finding: MakeFinding) -> None:
    host = make_finding(check="lockfile-hygiene", details={"rule": "host"})
    insecure = make_finding(check="lockfile-hygiene", details={"rule": "insecure-protocol"})
    assert sarif.fingerprint(host) != sarif.fingerprint(insecure)


def test_message_text_shows_hidden_characters_and_escapes_embedded_links(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(
        name="evil\u202e[x](https://e.test)", message="a\\b\n::error::c \x1b[31m \\[y\\](z)"
    )
    text = _log(make_result(findings=[finding]))["runs"][0]["results"][0]["message"]["text"]
    assert text == (
        "evil\\u202e\\[x\\](https://e.test)@0.1.1: "
        "a\\b\\x0a::error::c \\x1b\\[31m \\\\\\[y\\\\\\](z)"
    )


def test_real_render_caps_at_code_scanning_limit(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [make_finding(name=f"p{i}", severity=Severity.LOW) for i in range(25_003)]
    findings.append(make_finding(name="worst", severity=Severity.CRITICAL))
    run = _log(make_result(findings=findings))["runs"][0]
    assert len(run["results"]) == 25_000
    assert run["results"][0]["properties"]["package"] == "worst"
    assert run["properties"]["resultsOmitted"] == 4
