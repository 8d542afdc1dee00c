"""Folding metadata-only findings into the verdict on the same package (scanner/verdict/fold.py)."""

from __future__ import annotations

from scanner.model import Finding, PackageRef, Severity
from scanner.verdict.fold import fold_into_verdicts


def _finding(check: str, version: str, severity: Severity, **details: object) -> Finding:
    return Finding(
        check=check,
        severity=severity,
        message=f"{check} says so",
        package=PackageRef("pkg", version, "node_modules/pkg"),
        lockfile="package-lock.json",
        details=dict(details),
    )


def test_a_new_script_finding_joins_the_verdict_that_saw_the_code() -> None:
    verdict = _finding("tarball-diff", "1.0.1", Severity.MEDIUM, rule="update")
    scripts = _finding("install-scripts", "1.0.1", Severity.HIGH, change="added-or-changed")
    folded = fold_into_verdicts([scripts, verdict])
    assert len(folded) == 1
    assert folded[0].check == "tarball-diff"
    assert folded[0].severity is Severity.MEDIUM
    assert folded[0].details["folded"] == [
        {"check": "install-scripts", "severity": "high", "message": "install-scripts says so"}
    ]


def test_without_a_verdict_for_that_version_every_finding_stays() -> None:
    verdict = _finding("tarball-diff", "1.0.1", Severity.MEDIUM)
    other_version = _finding("install-scripts", "2.0.0", Severity.HIGH, change="added-or-changed")
    long_standing = _finding("install-scripts", "1.0.1", Severity.LOW, change="unchanged")
    publisher = _finding("publishers", "1.0.1", Severity.HIGH)
    findings = [verdict, other_version, long_standing, publisher]
    assert fold_into_verdicts(findings) == findings
