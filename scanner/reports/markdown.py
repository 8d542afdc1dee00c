"""Markdown report meant to be posted as a pull-request comment.

A summary table first, then one entry per finding grouped by severity. Low and info findings are
folded into ``<details>`` blocks and every section is capped, so a lockfile with hundreds of
findings still gives a readable comment; the whole text stays under GitHub's comment limit and
says so when it had to leave things out. Everything that comes from a lockfile or the registry is
escaped: a package name must not be able to inject markup into the comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from scanner.model import Finding, Lockfile, ScanResult, Severity
from scanner.reports.describe import (
    not_checked_text,
    path_text,
    repo_relative,
    sub_rule,
    subject,
)

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_ROWS = 50
FOLDED = frozenset({Severity.LOW, Severity.INFO})
TRUNCATED_NOTE = (
    "_This comment was truncated to fit GitHub's 65,536-character limit: "
    "run depscan with the JSON or SARIF report for the full list._"
)
SHORTENED_NOTE = (
    "_Some sections were shortened to fit GitHub's 65,536-character comment limit: "
    "run depscan with the JSON or SARIF report for the full list._"
)

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~])")
_BACKTICK_RUN = re.compile(r"`+")


def escape(text: str) -> str:
    """Plain text that renders as itself: HTML and inline markdown neutralised, one line."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def code(text: str) -> str:
    """An inline code span that holds ``text`` whatever backticks it contains."""
    text = " ".join(text.split())
    longest = max((len(m) for m in _BACKTICK_RUN.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def render(
    result: ScanResult,
    *,
    base_dir: Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_chars: int = GITHUB_COMMENT_LIMIT,
) -> str:
    """The comment text: at most ``max_rows`` entries per section and ``max_chars`` characters."""
    rows = max(max_rows, 1)
    text = _render(result, base_dir, rows, shortened=False)
    while len(text) > max_chars and rows > 1:
        rows //= 2
        text = _render(result, base_dir, rows, shortened=True)
    if len(text) > max_chars:
        text = _cut(text, max_chars)
    return text


def _render(result: ScanResult, base_dir: Path | None, rows: int, *, shortened: bool) -> str:
    blocks = [_headline(result), _summary_table(result), _scope(result, base_dir, rows)]
    if result.not_checked:
        blocks.append(_not_checked(result, rows))
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    for severity in sorted(Severity, reverse=True):
        group = [f for f in findings if f.severity == severity]
        if group:
            blocks.append(_section(severity, group, base_dir, rows))
    if shortened:
        blocks.append(SHORTENED_NOTE)
    return "\n\n".join(blocks) + "\n"


def _headline(result: ScanResult) -> str:
    total = len(result.findings)
    failing = len(result.failing)
    fail_on = result.fail_on.label
    if failing:
        head = f"### ❌ depscan: {_count(failing, 'finding')} at or above {fail_on}"
    elif total:
        head = f"### ⚠️ depscan: {_count(total, 'finding')}, none at or above {fail_on}"
    else:
        head = "### ✅ depscan: no findings"
    if result.not_checked:
        head += f" ({_count(len(result.not_checked), 'item')} not checked)"
    return head


def _summary_table(result: ScanResult) -> str:
    lines = ["| Severity | Findings |", "| --- | ---: |"]
    lines += [f"| {label} | {n} |" for label, n in result.counts().items()]
    lines.append(f"| **not checked** | {len(result.not_checked)} |")
    return "\n".join(lines)


def _scope(result: ScanResult, base_dir: Path | None, rows: int) -> str:
    lines = [f"**Lockfiles scanned:** {len(result.lockfiles)}"]
    lines += [f"- {_lockfile_line(lock, base_dir)}" for lock in result.lockfiles[:rows]]
    if len(result.lockfiles) > rows:
        lines.append(f"- … and {len(result.lockfiles) - rows} more lockfiles")
    if result.checks_run:
        lines.append("")
        lines.append("**Checks run:** " + ", ".join(code(c) for c in result.checks_run))
    return "\n".join(lines)


def _lockfile_line(lock: Lockfile, base_dir: Path | None) -> str:
    where = code(repo_relative(str(lock.path), base_dir))
    kind = escape(f"{lock.format} {lock.format_version}".strip())
    return f"{where} ({kind}, {_count(len(lock.packages()), 'package')})"


def _not_checked(result: ScanResult, rows: int) -> str:
    items = result.not_checked
    lines = [
        f"#### ⚠️ Not checked ({len(items)})",
        "",
        "These could not be examined. They are **not** known to be clean.",
        "",
    ]
    lines += [f"- {escape(not_checked_text(item))}" for item in items[:rows]]
    if len(items) > rows:
        lines.append(f"- … and {len(items) - rows} more not checked")
    return "\n".join(lines)


def _section(severity: Severity, group: Sequence[Finding], base_dir: Path | None, rows: int) -> str:
    title = f"{severity.label.capitalize()} ({len(group)})"
    entries = [_entry(f, base_dir) for f in group[:rows]]
    if len(group) > rows:
        entries.append(f"- … and {len(group) - rows} more {severity.label} findings")
    body = "\n".join(entries)
    if severity in FOLDED:
        return f"<details>\n<summary><strong>{title}</strong></summary>\n\n{body}\n\n</details>"
    return f"#### {title}\n\n{body}"


def _entry(finding: Finding, base_dir: Path | None) -> str:
    check = finding.check
    rule = sub_rule(finding)
    if rule is not None:
        check += f"/{rule}"
    head = f"- **{code(subject(finding))}** {code(check)}: {escape(finding.message)}"
    lines = [head]
    if finding.paths:
        first = code(path_text(finding.paths[0]))
        more = len(finding.paths) - 1
        lines.append(f"  - path: {first}" + (f" (and {_count(more, 'more path')})" if more else ""))
    if finding.advisories:
        lines.append("  - advisories: " + ", ".join(code(a) for a in finding.advisories))
    reach = _reach(finding)
    if reach:
        lines.append(f"  - reach: {reach}")
    if finding.lockfile:
        where = repo_relative(finding.lockfile, base_dir)
        if finding.line is not None:
            where += f":{finding.line}"
        lines.append(f"  - in {code(where)}")
    return "\n".join(lines)


def _reach(finding: Finding) -> str:
    """``direct, prod``: whether a reviewer's own manifest pulls it in, and for what."""
    parts = []
    if finding.direct is not None:
        parts.append("direct" if finding.direct else "transitive")
    if finding.reach:
        parts.append(escape(finding.reach))
    return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _cut(text: str, max_chars: int) -> str:
    """Cut at a line boundary, close a fold left open, and say that it was cut."""
    budget = max_chars - len(TRUNCATED_NOTE) - len("\n\n</details>\n\n\n") - 1
    head = text[: max(budget, 0)]
    if "\n" in head:
        head = head[: head.rindex("\n")]
    if head.count("<details>") > head.count("</details>"):
        head += "\n\n</details>"
    return f"{head}\n\n{TRUNCATED_NOTE}\n"
