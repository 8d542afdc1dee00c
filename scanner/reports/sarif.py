"""SARIF 2.1.0 report, shaped for GitHub code scanning.

One result per finding located at the package's entry in the lockfile, and every
:class:`NotChecked` as a tool-execution notification so an upload never looks cleaner than the
scan was.

Rules are stable: code scanning takes an alert's security severity from its rule, so a rule's
metadata must not depend on the run. A finding's rule is its check, plus the check's sub-rule
(``details["rule"]``) when it has one, plus its severity when that differs from the check's usual
one: ``known-malicious``, ``lockfile-hygiene/host/high``, ``install-scripts/low``. The same id
always carries the same name, help, level and ``security-severity``.

Alert identity: ``partialFingerprints.primaryLocationLineHash`` is the only fingerprint code
scanning reads. For a finding with a lockfile line, the upload action computes it from the text of
that line (the package's entry), which is why depscan leaves it out there: supplying one makes the
action warn on every result. A finding without a line has no region, so the action computes
nothing and depscan supplies it. ``depscanFinding/v1`` is depscan's own identity of a finding
(check, rule, package, version, advisories) for other consumers; code scanning ignores it.

At most :data:`MAX_RESULTS` results (code scanning's limit per run), most severe first; a
notification and ``properties.resultsOmitted`` say how many were left out.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import scanner
from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports.databases import databases_json, stale_warnings
from scanner.reports.describe import (
    not_checked_text,
    path_text,
    repo_relative,
    sub_rule,
    subject,
)
from scanner.reports.escape import json_text, printable
from scanner.reports.rules import REPOSITORY_URL, RuleInfo, rule_for

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "depscanFinding/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
MAX_RESULTS = 25_000
"""Code scanning refuses a run with more results than this."""
MAX_PATHS_IN_MESSAGE = 3
MAX_LISTED = 100
"""Dependency paths per result and packages per notification kept in ``properties``."""
MAX_MESSAGE_CHARS = 4000

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
# SARIF message text reads ``[text](target)`` as an embedded link (3.11.6): literal brackets are
# escaped, and so are backslashes in front of one (elsewhere a backslash stands for itself).
_MESSAGE_SPECIALS = re.compile(r"\\(?=\\*[\[\]])|[\[\]]")


def render(result: ScanResult, *, base_dir: Path | None = None) -> str:
    """The SARIF log as JSON text. ``base_dir`` (the repository root) makes URIs relative."""
    return json_text(build_log(result, base_dir=base_dir)) + "\n"


def rule_id(check: str, rule: str | None, severity: Severity) -> str:
    """The SARIF rule of a finding: the check, its sub-rule, and its severity when unusual."""
    parts = [check]
    if rule and rule != check:
        parts.append(rule)
    if severity is not rule_for(check).default_severity:
        parts.append(severity.label)
    return "/".join(parts)


def finding_rule_id(finding: Finding) -> str:
    return rule_id(finding.check, sub_rule(finding), finding.severity)


def build_log(
    result: ScanResult, *, base_dir: Path | None = None, max_results: int = MAX_RESULTS
) -> dict[str, Any]:
    """The SARIF log as plain data (what :func:`render` serialises)."""
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    kept = findings[:max_results]
    omitted = len(findings) - len(kept)
    descriptors = _descriptors(result, kept)
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    fallback_uri = _fallback_uri(result, base_dir)
    notifications = [_notification(item, index) for item in result.not_checked]
    notifications += [_stale_notification(text) for text in stale_warnings(result)]
    if omitted:
        notifications.append(_omitted_notification(omitted, len(findings), max_results))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "depscan",
                "version": scanner.__version__,
                "semanticVersion": scanner.__version__,
                "informationUri": REPOSITORY_URL,
                "rules": descriptors,
            }
        },
        "invocations": [
            {"executionSuccessful": True, "toolExecutionNotifications": notifications}
        ],
        "results": [
            _result(f, index, base_dir=base_dir, fallback_uri=fallback_uri) for f in kept
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "checksRun": list(result.checks_run),
            "failOn": result.fail_on.label,
            "lockfiles": [repo_relative(str(lock.path), base_dir) for lock in result.lockfiles],
            "advisorySources": list(result.advisory_sources),
            "advisoryDatabases": databases_json(result),
            "notChecked": len(result.not_checked),
            "resultsTotal": len(findings),
            "resultsOmitted": omitted,
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def fingerprint(finding: Finding) -> str:
    """Stable across runs and machines: check, rule, package, version and advisories."""
    pkg = finding.package
    parts = [finding.check, pkg.name if pkg else "", pkg.version if pkg else ""]
    parts.append(",".join(sorted(finding.advisories)))
    rule = sub_rule(finding)
    if rule is not None:
        parts.append(rule)
    if pkg is None:
        # A scan-wide finding has nothing else that identifies it across runs.
        parts.append(finding.message)
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


def line_hash(finding: Finding, uri: str) -> str:
    """``primaryLocationLineHash`` for a finding without a line: its identity in its file."""
    digest = hashlib.sha256(f"{uri}\x1f{fingerprint(finding)}".encode()).hexdigest()
    return f"{digest[:16]}:1"


def message_text(text: str, limit: int | None = MAX_MESSAGE_CHARS) -> str:
    """SARIF plain-text message: visible escapes for hidden characters, literal brackets."""
    return _MESSAGE_SPECIALS.sub(lambda m: "\\" + m.group(), printable(text, limit))


def _descriptors(result: ScanResult, findings: list[Finding]) -> list[dict[str, Any]]:
    """One rule per check run (at its usual severity), then one per other id the results use."""
    wanted: dict[str, tuple[str, str | None, Severity]] = {}
    checks = list(dict.fromkeys([*result.checks_run, *(n.check for n in result.not_checked)]))
    for check in checks:
        wanted.setdefault(check, (check, None, rule_for(check).default_severity))
    for f in findings:
        wanted.setdefault(finding_rule_id(f), (f.check, sub_rule(f), f.severity))
    return [_descriptor(rid, *key) for rid, key in wanted.items()]


def _descriptor(rid: str, check: str, rule: str | None, severity: Severity) -> dict[str, Any]:
    info: RuleInfo = rule_for(check)
    qualifiers = []
    if rule and rule != check:
        qualifiers.append(f"rule {rule}")
    if severity is not info.default_severity:
        qualifiers.append(f"{severity.label} severity")
    summary = info.summary + (f" ({', '.join(qualifiers)})" if qualifiers else "")
    name = info.name + "".join(_pascal(q) for q in rid.split("/")[1:])
    return {
        "id": rid,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
        "help": {"text": info.help_text, "markdown": info.help_markdown},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": ["security", "supply-chain", "npm"],
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[severity],
            "check": check,
        },
    }


def _pascal(text: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", text) if p)


def _uri(lockfile: str, base_dir: Path | None) -> str:
    text = repo_relative(lockfile, base_dir)
    try:
        # A name git could not decode keeps its original bytes.
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    return quote(raw, safe=_URI_SAFE)


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
    return message_text(text)


def _result(
    finding: Finding, index: dict[str, int], *, base_dir: Path | None, fallback_uri: str | None
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "check": finding.check,
        "severity": finding.severity.label,
        "security-severity": SECURITY_SEVERITY[finding.severity],
    }
    if finding.package is not None:
        properties["package"] = finding.package.name
        properties["version"] = finding.package.version
    if finding.advisories:
        properties["advisories"] = list(finding.advisories)
    if finding.paths:
        properties["paths"] = [path_text(p) for p in finding.paths[:MAX_LISTED]]
    if finding.direct is not None:
        properties["direct"] = finding.direct
    if finding.reach is not None:
        properties["reach"] = finding.reach
    rule = sub_rule(finding)
    if rule is not None:
        properties["rule"] = rule
    rid = finding_rule_id(finding)
    fingerprints = {FINGERPRINT_KEY: fingerprint(finding)}
    out: dict[str, Any] = {
        "ruleId": rid,
        "ruleIndex": index[rid],
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "partialFingerprints": fingerprints,
        "properties": properties,
    }
    uri = _uri(finding.lockfile, base_dir) if finding.lockfile else fallback_uri
    if uri is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if finding.line is not None and finding.line >= 1:
            physical["region"] = {"startLine": finding.line}
        else:
            fingerprints[LINE_HASH_KEY] = line_hash(finding, uri)
        out["locations"] = [{"physicalLocation": physical}]
    return out


def _stale_notification(text: str) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {"text": message_text(f"Stale advisory data: {text}")},
        "descriptor": {"id": "advisory-db/stale"},
    }


def _notification(item: NotChecked, index: dict[str, int]) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "warning",
        "message": {"text": message_text(f"Not checked: {not_checked_text(item)}")},
        "descriptor": {"id": f"not-checked/{item.check}"},
        "associatedRule": {"id": item.check, "index": index[item.check]},
    }
    if item.packages:
        notification["properties"] = {
            "packages": list(item.packages[:MAX_LISTED]),
            "packagesTotal": len(item.packages),
        }
    return notification


def _omitted_notification(omitted: int, total: int, kept: int) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {
            "text": f"{omitted} of {total} results were left out: code scanning accepts "
            f"{kept} per run, so the most severe were kept. Run depscan lockfile --format json "
            "for every finding."
        },
        "descriptor": {"id": "results-omitted"},
    }
