"""The JSON report: a stable, documented schema (docs/output.md) for machines and CI.

Bump ``SCHEMA_VERSION`` on any incompatible change; adding keys is compatible.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.model import Finding, ScanResult

SCHEMA_VERSION = "1.0"


def render(result: ScanResult, *, base_dir: Path | None = None) -> str:
    return json.dumps(to_document(result), indent=2, sort_keys=False) + "\n"


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
        "line": finding.line,
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
