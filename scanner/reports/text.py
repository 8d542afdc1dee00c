"""The report for people: findings grouped by severity, each with the path that brought it in.

Every value from a lockfile, the registry or an advisory goes through :func:`escape.inline`, and the
whole report through :func:`escape.defuse_lines`: the report is printed to terminals and CI logs.
"""

from __future__ import annotations

from pathlib import Path

from scanner.model import Finding, ScanResult, Severity
from scanner.reports.databases import databases_line, stale_warnings
from scanner.reports.escape import defuse_lines, inline

_REACH = {"prod": "production", "dev": "dev only", "unreachable": "not reachable from a root"}
# Low and info findings can number in the hundreds (sha1-only hashes on an old lockfile); past this
# many per check and rule the rest are counted, not listed. Higher severities are always listed.
FOLD_AFTER = 10


def render(result: ScanResult, *, base_dir: Path | None = None) -> str:
    out: list[str] = []
    for lf in result.lockfiles:
        out.append(
            f"Scanned {inline(lf.path)} ({inline(lf.format)} v{inline(lf.format_version)}, "
            f"{len(lf.packages())} packages)"
        )
    # Advisory databases (issue 12): which were used, and a warning for each stale one.
    out.extend(inline(line) for line in [databases_line(result)] if line)
    out.extend(f"WARNING: {inline(warning)}" for warning in stale_warnings(result))
    out.append("")
    if not result.findings:
        out.extend(["No findings.", ""])
    for severity in sorted(Severity, reverse=True):
        group = [f for f in result.findings if f.severity is severity]
        if not group:
            continue
        out.append(f"{severity.label.upper()} ({len(group)})")
        shown: dict[tuple[str, object], int] = {}
        for finding in group:
            key = (finding.check, finding.details.get("rule"))
            shown[key] = shown.get(key, 0) + 1
            if severity >= Severity.MEDIUM or shown[key] <= FOLD_AFTER:
                out.extend(_finding_lines(finding))
        for (check, rule), count in shown.items():
            if severity < Severity.MEDIUM and count > FOLD_AFTER:
                label = inline(f"{check} ({rule})" if rule else check)
                out.append(
                    f"  ... and {count - FOLD_AFTER} more {label} findings "
                    "(all of them are in --format json)"
                )
        out.append("")
    if result.not_checked:
        out.append("NOT CHECKED (these are not clean, they were not examined)")
        for item in result.not_checked:
            line = f"  - {inline(item.check)}: {inline(item.reason)}"
            if item.packages:
                listed = ", ".join(inline(p) for p in item.packages[:5])
                more = f" and {len(item.packages) - 5} more" if len(item.packages) > 5 else ""
                line += f" ({listed}{more})"
            out.append(line)
        out.append("")
    if result.suppressed:
        out.append(
            f"IGNORED by {inline(result.policy)} ({len(result.suppressed)}): "
            + ", ".join(
                inline(f"{f.check} {f.package.name}@{f.package.version}" if f.package else f.check)
                for f in result.suppressed[:10]
            )
            + (" ..." if len(result.suppressed) > 10 else "")
        )
        out.append("")
    out.append(_summary_line(result))
    return defuse_lines("\n".join(out) + "\n")


def _finding_lines(finding: Finding) -> list[str]:
    pkg = finding.package
    head = f"  [{inline(finding.check)}] "
    head += inline(f"{pkg.name}@{pkg.version}") if pkg else "(lockfile)"
    if finding.advisories:
        head += f"  ({', '.join(inline(a) for a in finding.advisories)})"
    lines = [head, f"      {inline(finding.message)}"]
    for path in finding.paths:
        lines.append(f"      path: {' > '.join(inline(step) for step in path)}")
    facts = []
    if finding.direct is not None:
        facts.append("direct dependency" if finding.direct else "transitive dependency")
    if finding.reach:
        facts.append(_REACH.get(finding.reach) or inline(finding.reach))
    if finding.lockfile:
        where = inline(finding.lockfile)
        facts.append(f"{where}:{finding.line}" if finding.line else where)
    if facts:
        lines.append(f"      ({'; '.join(facts)})")
    return lines


def _summary_line(result: ScanResult) -> str:
    counts = ", ".join(f"{n} {label}" for label, n in result.counts().items() if n)
    failing = len(result.failing)
    verdict = (
        f"{failing} at or above --fail-on {result.fail_on.label}: failing"
        if failing
        else f"nothing at or above --fail-on {result.fail_on.label}"
    )
    return f"Summary: {counts or 'no findings'}; {verdict}."
