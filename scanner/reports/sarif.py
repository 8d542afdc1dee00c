"""SARIF 2.1.0 report, shaped for GitHub code scanning.

One rule per check id, one result per finding located at the package's entry in the lockfile,
and every :class:`NotChecked` as a tool-execution notification so an upload never looks cleaner
than the scan was. GitHub reads ``security-severity`` from the rule, not the result, so a rule
carries the highest severity its check reported in this run; each result carries its own too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import scanner
from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports.describe import (
    not_checked_text,
    path_text,
    repo_relative,
    sub_rule,
    subject,
)
from scanner.reports.rules import RuleInfo, rule_for

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "depscanFinding/v1"
MAX_PATHS_IN_MESSAGE = 3

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# The scale GitHub maps to its critical/high/medium/low labels (>= 9.0, >= 7.0, >= 4.0, > 0).
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

# Characters a relative URI reference may keep as they are; everything else is percent-encoded.
_URI_SAFE = "/-._~!$&'()*+,;=:@"


def render(result: ScanResult, *, base_dir: Path | None = None) -> str:
    """The SARIF log as JSON text. ``base_dir`` (the repository root) makes URIs relative."""
    return json.dumps(build_log(result, base_dir=base_dir), indent=2, ensure_ascii=False) + "\n"


def build_log(result: ScanResult, *, base_dir: Path | None = None) -> dict[str, Any]:
    """The SARIF log as plain data (what :func:`render` serialises)."""
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    rule_ids = _rule_ids(result, findings)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    fallback_uri = _fallback_uri(result, base_dir)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "depscan",
                "version": scanner.__version__,
                "semanticVersion": scanner.__version__,
                "rules": [_rule(rule_for(r), _worst(findings, r)) for r in rule_ids],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    _notification(item, index) for item in result.not_checked
                ],
            }
        ],
        "results": [
            _result(f, index[f.check], base_dir=base_dir, fallback_uri=fallback_uri)
            for f in findings
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "checksRun": list(result.checks_run),
            "failOn": result.fail_on.label,
            "lockfiles": [repo_relative(str(lock.path), base_dir) for lock in result.lockfiles],
            "advisorySources": list(result.advisory_sources),
            "notChecked": len(result.not_checked),
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def fingerprint(finding: Finding) -> str:
    """Stable across runs and machines: check, package, version and advisories, nothing else."""
    pkg = finding.package
    parts = [finding.check, pkg.name if pkg else "", pkg.version if pkg else ""]
    parts.append(",".join(sorted(finding.advisories)))
    if pkg is None:
        # A scan-wide finding has nothing else that identifies it across runs.
        parts.append(sub_rule(finding) or finding.message)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _rule_ids(result: ScanResult, findings: list[Finding]) -> list[str]:
    ids = list(dict.fromkeys(result.checks_run))
    for f in findings:
        if f.check not in ids:
            ids.append(f.check)
    for item in result.not_checked:
        if item.check not in ids:
            ids.append(item.check)
    return ids


def _worst(findings: list[Finding], check: str) -> Severity | None:
    severities = [f.severity for f in findings if f.check == check]
    return max(severities) if severities else None


def _rule(info: RuleInfo, worst: Severity | None) -> dict[str, Any]:
    severity = worst if worst is not None else info.default_severity
    return {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.summary},
        "help": {"text": info.help_text, "markdown": info.help_markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": ["security", "supply-chain", "npm"],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[severity],
        },
    }


def _uri(lockfile: str, base_dir: Path | None) -> str:
    return quote(repo_relative(lockfile, base_dir), safe=_URI_SAFE)


def _fallback_uri(result: ScanResult, base_dir: Path | None) -> str | None:
    if not result.lockfiles:
        return None
    return _uri(str(result.lockfiles[0].path), base_dir)


def _message(finding: Finding) -> str:
    text = f"{subject(finding)}: {finding.message}" if finding.package else finding.message
    if finding.paths:
        shown = "; ".join(path_text(p) for p in finding.paths[:MAX_PATHS_IN_MESSAGE])
        more = len(finding.paths) - MAX_PATHS_IN_MESSAGE
        text += f" (via {shown}" + (f"; and {more} more paths)" if more > 0 else ")")
    if finding.advisories:
        text += f" [{', '.join(finding.advisories)}]"
    return text


def _result(
    finding: Finding, rule_index: int, *, base_dir: Path | None, fallback_uri: str | None
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "severity": finding.severity.label,
        "security-severity": SECURITY_SEVERITY[finding.severity],
    }
    if finding.package is not None:
        properties["package"] = finding.package.name
        properties["version"] = finding.package.version
    if finding.advisories:
        properties["advisories"] = list(finding.advisories)
    if finding.paths:
        properties["paths"] = [path_text(p) for p in finding.paths]
    if finding.direct is not None:
        properties["direct"] = finding.direct
    if finding.reach is not None:
        properties["reach"] = finding.reach
    rule = sub_rule(finding)
    if rule is not None:
        properties["rule"] = rule
    out: dict[str, Any] = {
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
        "properties": properties,
    }
    uri = _uri(finding.lockfile, base_dir) if finding.lockfile else fallback_uri
    if uri is not None:
        line = finding.line if finding.line is not None and finding.line >= 1 else 1
        out["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": line},
                }
            }
        ]
    return out


def _notification(item: NotChecked, index: dict[str, int]) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "warning",
        "message": {"text": f"Not checked: {not_checked_text(item)}"},
        "descriptor": {"id": f"not-checked/{item.check}"},
        "associatedRule": {"id": item.check, "index": index[item.check]},
    }
    if item.packages:
        notification["properties"] = {"packages": list(item.packages)}
    return notification
