"""The JSON report: a stable, documented schema for machines and CI.

docs/output.md explains it and docs/report.schema.json is its JSON Schema (the tests validate real
reports against it). Bump ``SCHEMA_VERSION`` on any incompatible change; adding keys is
compatible. Values are kept exactly, except that surrogates (which no JSON reader can decode) are
written as their visible escape text: see :func:`scanner.reports.escape.json_text`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.model import Finding, ScanResult
from scanner.reports.databases import databases_json, stale_warnings
from scanner.reports.escape import json_text

SCHEMA_VERSION = "1.0"


def render(result: ScanResult, *, base_dir: Path | None = None) -> str:
    return json_text(to_document(result)) + "\n"


def to_document(result: ScanResult) -> dict[str, Any]:
    failing = result.failing
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "depscan", "version": __version__},
        "lockfiles": [
            {
                "path": str(lf.path),
                "format": lf.format,
                "format_version": lf.format_version,
                "packages": len(lf.packages()),
                "roots": len(lf.roots),
            }
            for lf in result.lockfiles
        ],
        "findings": [finding_to_dict(f) for f in result.findings],
        "summary": {
            "counts": result.counts(),
            "total": len(result.findings),
            "fail_on": result.fail_on.label,
            "failing": len(failing),
            "checks_run": list(result.checks_run),
            "advisory_sources": list(result.advisory_sources),
            "advisory_databases": databases_json(result),
            "warnings": stale_warnings(result),
            "not_checked": [
                {"check": n.check, "reason": n.reason, "packages": list(n.packages)}
                for n in result.not_checked
            ],
            "policy": result.policy,
            "ignored": [finding_to_dict(f) for f in result.suppressed],
        },
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    pkg = finding.package
    return {
        "check": finding.check,
        "severity": finding.severity.label,
        "package": (
            {"name": pkg.name, "version": pkg.version, "location": pkg.location} if pkg else None
        ),
        "paths": [list(p) for p in finding.paths],
        "direct": finding.direct,
        "reach": finding.reach,
        "advisory": list(finding.advisories),
        "message": finding.message,
        "lockfile": finding.lockfile,
        "line": finding.line if finding.line is not None and finding.line >= 1 else None,
        "details": _jsonable(finding.details),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
