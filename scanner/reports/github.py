"""GitHub Actions annotations: one ``::error``/``::warning``/``::notice`` command per line.

GitHub shows only the first few annotations of each level per step (10 errors, 10 warnings and
10 notices), so each lockfile gets its :data:`MAX_PER_FILE` most severe findings and one notice
counting the rest, and at most :data:`MAX_NOT_CHECKED` not-checked warnings; a last notice says
how much was left out and where the full list is. What could not be checked is announced as
warnings too: a green check mark must not hide it.

Every value goes through :mod:`scanner.reports.escape` (visible escapes, no workflow command), then
through GitHub's own percent-escaping, so a package name can neither end nor forge a command.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports.databases import stale_warnings
from scanner.reports.describe import (
    not_checked_text,
    path_text,
    repo_relative,
    sub_rule,
    subject,
)
from scanner.reports.escape import command_data, command_property, inline

MAX_PATHS = 3
MAX_PER_FILE = 10
"""Annotations per lockfile: GitHub displays about ten of each level per step."""
MAX_NOT_CHECKED = 5
WHERE_TO_FIND_ALL = (
    "every finding is in the job summary, the SARIF upload (code scanning) and "
    "`depscan lockfile --format json`"
)

COMMANDS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """A command's message: visible escapes, then ``%``, CR and LF as the runner unescapes them."""
    return command_data(inline(text, limit=None))


def escape_property(text: str) -> str:
    """A property value: as data, plus the ``:`` and ``,`` that delimit properties."""
    return command_property(text)


def render(
    result: ScanResult,
    *,
    base_dir: Path | None = None,
    max_per_file: int = MAX_PER_FILE,
    max_not_checked: int = MAX_NOT_CHECKED,
) -> str:
    """Annotation lines, most severe first per lockfile; empty when there is nothing to say."""
    by_file: dict[str | None, list[Finding]] = {}
    for finding in sorted(result.findings, key=lambda f: f.sort_key):
        by_file.setdefault(finding.lockfile, []).append(finding)
    lines: list[str] = []
    left_out = 0
    for lockfile, findings in by_file.items():
        shown = findings[:max_per_file]
        lines.extend(annotation(f, base_dir=base_dir) for f in shown)
        rest = findings[len(shown):]
        if rest:
            left_out += len(rest)
            lines.append(_rest_notice(lockfile, rest, base_dir))
    lines.extend(not_checked_annotation(item) for item in result.not_checked[:max_not_checked])
    unannounced = len(result.not_checked) - max_not_checked
    if unannounced > 0:
        lines.append(_command(
            "warning",
            [("title", "depscan: more not checked")],
            f"{unannounced} more items were not checked (not clean); the job summary and "
            "`depscan lockfile --format json` list them all",
        ))
    lines.extend(
        _command("warning", [("title", "depscan: stale advisory database")], inline(text))
        for text in stale_warnings(result)
    )
    if left_out:
        lines.append(_command(
            "notice",
            [("title", "depscan: annotations capped")],
            f"{left_out} of {len(result.findings)} findings were not annotated "
            f"(at most {max_per_file} per lockfile); {WHERE_TO_FIND_ALL}",
        ))
    return "".join(line + "\n" for line in lines)


def annotation(finding: Finding, *, base_dir: Path | None = None) -> str:
    properties: list[tuple[str, str]] = []
    if finding.lockfile:
        properties.append(("file", repo_relative(finding.lockfile, base_dir)))
        if finding.line is not None and finding.line >= 1:
            properties.append(("line", str(finding.line)))
    title = f"{finding.check}: {subject(finding)}" if finding.package else finding.check
    rule = sub_rule(finding)
    if rule is not None:
        title += f" ({rule})"
    properties.append(("title", f"depscan {finding.severity.label}: {title}"))
    return _command(COMMANDS[finding.severity], properties, _message(finding))


def not_checked_annotation(item: NotChecked) -> str:
    return _command(
        "warning",
        [("title", f"depscan: not checked: {item.check}")],
        f"Not checked, not clean: {inline(not_checked_text(item))}",
    )


def _rest_notice(lockfile: str | None, rest: Sequence[Finding], base_dir: Path | None) -> str:
    counts = Counter(f.severity for f in rest)
    breakdown = ", ".join(
        f"{counts[s]} {s.label}" for s in sorted(Severity, reverse=True) if counts[s]
    )
    properties = [("file", repo_relative(lockfile, base_dir))] if lockfile else []
    properties.append(("title", "depscan: more findings"))
    where = "in this lockfile" if lockfile else "about the scan as a whole"
    return _command(
        "notice",
        properties,
        f"{len(rest)} more findings {where} are not annotated ({breakdown}); {WHERE_TO_FIND_ALL}",
    )


def _message(finding: Finding) -> str:
    parts = [inline(finding.message)]
    for path in finding.paths[:MAX_PATHS]:
        parts.append(f"path: {inline(path_text(path))}")
    if len(finding.paths) > MAX_PATHS:
        parts.append(f"and {len(finding.paths) - MAX_PATHS} more paths")
    if finding.advisories:
        parts.append(f"advisories: {inline(', '.join(finding.advisories))}")
    return "\n".join(parts)


def _command(name: str, properties: list[tuple[str, str]], message: str) -> str:
    """One command line. ``message`` holds escaped values joined by the report's own newlines."""
    props = ",".join(f"{key}={command_property(value)}" for key, value in properties)
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{command_data(message)}"
