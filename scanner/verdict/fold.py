"""One finding per package: facts other checks know only from metadata join the verdict.

The install-scripts check learns from the registry that a release added or changed an install
script; the verdict learned the same thing and also what the script's code does. Two findings for
one fact make a pull request comment read like an alarm list and let the less informed one set the
severity. So when a package has a verdict, the install-scripts finding about the same version's
new scripts is folded into it (kept in its ``details``); without a verdict (no base to compare
with, the tarball could not be fetched) it stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from scanner.model import Finding

VERDICT_CHECK = "tarball-diff"
_FOLDED = {"install-scripts": ("added-or-changed", "first-release")}


def _key(finding: Finding) -> tuple[str, str, str | None] | None:
    pkg = finding.package
    return (pkg.name, pkg.version, finding.lockfile) if pkg else None


def fold_into_verdicts(findings: Sequence[Finding]) -> list[Finding]:
    verdicts = {
        key: index
        for index, f in enumerate(findings)
        if f.check == VERDICT_CHECK and (key := _key(f)) is not None
    }
    if not verdicts:
        return list(findings)
    folded: dict[int, list[dict[str, object]]] = {}
    kept: list[Finding | None] = list(findings)
    for index, finding in enumerate(findings):
        changes = _FOLDED.get(finding.check)
        key = _key(finding)
        if not changes or key not in verdicts or finding.details.get("change") not in changes:
            continue
        folded.setdefault(verdicts[key], []).append(
            {"check": finding.check, "severity": finding.severity.label, "message": finding.message}
        )
        kept[index] = None
    for index, extra in folded.items():
        verdict = findings[index]
        kept[index] = replace(verdict, details={**verdict.details, "folded": extra})
    return [f for f in kept if f is not None]
