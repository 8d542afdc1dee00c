"""GitHub Actions annotations: one ``::error``/``::warning``/``::notice`` command per line.

GitHub shows only the first few annotations of each level per step, so lines come most severe
first. What could not be checked is announced as warnings too: a green check mark must not hide it.
"""

from __future__ import annotations

from pathlib import Path

from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports.describe import (
    not_checked_text,
    path_text,
    repo_relative,
    sub_rule,
    subject,
)

MAX_PATHS = 3

COMMANDS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message so a newline or ``%`` in it cannot end or forge a command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus the ``:`` and ``,`` that delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult, *, base_dir: Path | None = None) -> str:
    """Annotation lines for every finding and not-checked item; empty when there are none."""
    lines = [
        annotation(f, base_dir=base_dir) for f in sorted(result.findings, key=lambda f: f.sort_key)
    ]
    lines.extend(not_checked_annotation(item) for item in result.not_checked)
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
        f"Not checked, not clean: {not_checked_text(item)}",
    )


def _message(finding: Finding) -> str:
    parts = [finding.message]
    for path in finding.paths[:MAX_PATHS]:
        parts.append(f"path: {path_text(path)}")
    if len(finding.paths) > MAX_PATHS:
        parts.append(f"and {len(finding.paths) - MAX_PATHS} more paths")
    if finding.advisories:
        parts.append(f"advisories: {', '.join(finding.advisories)}")
    return "\n".join(parts)


def _command(name: str, properties: list[tuple[str, str]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{escape_data(message)}"
