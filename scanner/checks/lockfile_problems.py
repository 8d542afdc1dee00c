"""Inconsistencies inside the lockfile itself.

A declared dependency that the lockfile has no package for means the file was edited by hand, merged
badly, or written by a tool with a bug: whatever runs on install is then not what the lockfile says.
Reported per problem at the lockfile line of the package that declares it.
"""

from __future__ import annotations

from typing import ClassVar

from scanner.checks.base import ScanContext
from scanner.model import CheckResult, Finding, PackageRef, Severity


class LockfileProblemsCheck:
    id: ClassVar[str] = "lockfile-problem"
    title: ClassVar[str] = "Lockfile inconsistencies (declared dependencies with no package)"
    needs_registry: ClassVar[bool] = False

    def run(self, context: ScanContext) -> CheckResult:
        lockfile = context.lockfile
        findings = []
        for problem in lockfile.problems:
            node = lockfile.nodes.get(problem.location) if problem.location is not None else None
            findings.append(
                Finding(
                    check=self.id,
                    severity=Severity.LOW,
                    message=problem.message,
                    package=PackageRef.of(node) if node is not None and node.location else None,
                    lockfile=str(lockfile.path),
                    line=problem.line,
                )
            )
        return CheckResult(findings=tuple(findings))
