"""Builders for scan results the report tests render."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from scanner.model import (
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    PackageRef,
    ScanResult,
    Severity,
    SourceKind,
)

LOCKFILE = "web/package-lock.json"

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]


def _lockfile(path: str) -> Lockfile:
    root = PackageNode("", "web", "1.0.0", SourceKind.ROOT, line=1)
    nodes = {"": root}
    for i, name in enumerate(("event-stream", "flatmap-stream", "left-pad")):
        loc = f"node_modules/{name}"
        nodes[loc] = PackageNode(loc, name, f"{i + 1}.0.0", SourceKind.REGISTRY, line=10 * (i + 1))
    return Lockfile(Path(path), "npm-package-lock", "3", nodes, ("",))


@pytest.fixture
def make_finding() -> MakeFinding:
    def make(
        check: str = "known-malicious",
        severity: Severity = Severity.CRITICAL,
        name: str | None = "flatmap-stream",
        version: str = "0.1.1",
        message: str = "listed as malicious",
        advisories: Sequence[str] = (),
        paths: Sequence[Sequence[str]] = (),
        lockfile: str | None = LOCKFILE,
        line: int | None = 42,
        details: dict[str, object] | None = None,
    ) -> Finding:
        package = PackageRef(name, version, f"node_modules/{name}") if name else None
        return Finding(
            check=check,
            severity=severity,
            message=message,
            package=package,
            advisories=tuple(advisories),
            paths=tuple(tuple(p) for p in paths),
            lockfile=lockfile,
            line=line,
            details=dict(details or {}),
        )

    return make


@pytest.fixture
def make_result() -> MakeResult:
    def make(
        findings: Sequence[Finding] = (),
        not_checked: Sequence[NotChecked] = (),
        checks_run: Sequence[str] = ("known-malicious", "install-scripts"),
        lockfiles: Sequence[str] = (LOCKFILE,),
        fail_on: Severity = Severity.HIGH,
    ) -> ScanResult:
        return ScanResult(
            lockfiles=tuple(_lockfile(p) for p in lockfiles),
            findings=tuple(findings),
            not_checked=tuple(not_checked),
            checks_run=tuple(checks_run),
            fail_on=fail_on,
        )

    return make
