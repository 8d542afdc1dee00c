"""What every hygiene rule shares: the check id and how a rule's finding is shaped."""

from __future__ import annotations

from scanner.model import Finding, Lockfile, PackageNode, PackageRef, Severity

CHECK_ID = "lockfile-hygiene"


def rule_finding(
    lockfile: Lockfile,
    node: PackageNode,
    rule: str,
    severity: Severity,
    message: str,
    **details: object,
) -> Finding:
    """A finding of one hygiene rule about ``node``, pointing at its entry in the lockfile."""
    return Finding(
        check=CHECK_ID,
        severity=severity,
        message=message,
        package=PackageRef.of(node),
        lockfile=str(lockfile.path),
        line=node.line,
        details={"rule": rule, "location": node.location, **details},
    )
