"""known-malicious: installed registry packages whose exact version an OSV advisory lists.

This is the check that catches a published incident (event-stream 3.3.6, the chalk/debug
hijack, Shai-Hulud) in any lockfile that pins an affected version, without network access. Only
nodes installed from the registry are matched: a workspace, link, folder, tarball or git
dependency that happens to share a malicious package's name is different code, and flagging it
would teach users to ignore the check.
"""

from __future__ import annotations

from typing import ClassVar

from scanner.checks.base import ScanContext
from scanner.model import (
    CheckResult,
    Finding,
    NotChecked,
    PackageNode,
    PackageRef,
    Severity,
    SourceKind,
)
from scanner.osv.advisory import AdvisoryMatch


class KnownMaliciousCheck:
    id: ClassVar[str] = "known-malicious"
    title: ClassVar[str] = "Known-malicious package versions (OSV advisories)"
    needs_registry: ClassVar[bool] = False

    def run(self, context: ScanContext) -> CheckResult:
        database = context.advisories
        if database is None:
            reason = "no advisory database was loaded"
            return CheckResult(not_checked=(NotChecked(check=self.id, reason=reason),))
        findings = []
        for node in context.lockfile.packages():
            if node.source is not SourceKind.REGISTRY:
                continue
            matches = database.match(node.name, node.version)
            if matches:
                findings.append(self._finding(context, node, matches))
        return CheckResult(findings=tuple(findings))

    def _finding(
        self, context: ScanContext, node: PackageNode, matches: list[AdvisoryMatch]
    ) -> Finding:
        advisory_ids = tuple(
            dict.fromkeys(ident for match in matches for ident in match.advisory.all_ids)
        )
        primary = ", ".join(match.advisory.id for match in matches)
        installed_as = f" (installed as {node.alias})" if node.alias else ""
        # The first advisory's own summary says what happened; generic summaries add nothing.
        summary = matches[0].advisory.summary.strip()
        said = f": {summary}" if summary and not summary.startswith("Malicious code in") else ""
        return Finding(
            check=self.id,
            severity=Severity.CRITICAL,
            message=f"{node.spec_id}{installed_as} is a known-malicious version ({primary}){said}",
            package=PackageRef.of(node),
            advisories=advisory_ids,
            lockfile=str(context.lockfile.path),
            line=node.line,
            details={
                "matches": [
                    {
                        "advisory": match.advisory.id,
                        "aliases": list(match.advisory.aliases),
                        "summary": match.advisory.summary,
                        "source": match.advisory.source,
                        "reason": match.reason,
                    }
                    for match in matches
                ]
            },
        )
