"""Markdown report meant to be posted as a pull-request comment, and written to the job summary.

A summary table first, then one entry per finding grouped by severity. Low and info findings are
folded into ``<details>`` blocks and every section is capped, so a lockfile with hundreds of
findings still gives a readable comment; the whole text stays under a size limit (GitHub's
comment limit by default; the Action gives each lockfile its share of the job summary's 1 MiB)
and says so, with how much it left out, when it had to.

Everything that comes from a lockfile, the registry or an advisory goes through
:func:`escape.markdown_text` or :func:`escape.markdown_code`: no HTML, no Markdown, no link, no
image and no @mention can come from a package name or a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner.model import Finding, Lockfile, NotChecked, ScanResult, Severity
from scanner.reports.databases import databases_line, stale_warnings
from scanner.reports.describe import (
    path_text,
    repo_relative,
    sub_rule,
    subject,
)
from scanner.reports.escape import defuse_lines, markdown_code, markdown_text

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_ROWS = 50
FOLDED = frozenset({Severity.LOW, Severity.INFO})
FULL_LIST = "`depscan lockfile --format json` and the SARIF upload list every finding"
SHORTENED_NOTE = (
    "_Some sections were shortened to fit GitHub's size limit (each says how many entries it "
    f"left out): {FULL_LIST}._"
)
ENTRY_PREFIX = "- **"
"""How every finding entry starts, so a cut report can count what it still shows."""


def escape(text: str) -> str:
    """Plain text that renders as itself: no HTML, Markdown, link or mention; one line."""
    return markdown_text(text)


def code(text: str) -> str:
    """An inline code span that holds ``text`` whatever backticks it contains."""
    return markdown_code(text)


def truncated_note(left_out: int) -> str:
    """The last line of a report cut short: how many findings it does not show, and where."""
    return (
        f"_Cut to fit GitHub's size limit: {_count(left_out, 'finding')} not shown here; "
        f"{FULL_LIST}._"
    )


def render(
    result: ScanResult,
    *,
    base_dir: Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_chars: int = GITHUB_COMMENT_LIMIT,
    max_bytes: int | None = None,
) -> str:
    """The report: at most ``max_rows`` entries per section, ``max_chars`` characters and, when
    given, ``max_bytes`` bytes of UTF-8 (the job summary's limit is in bytes)."""

    def fits(text: str) -> bool:
        return len(text) <= max_chars and (max_bytes is None or _size(text) <= max_bytes)

    rows = max(max_rows, 1)
    text = _render(result, base_dir, rows, shortened=False)
    while not fits(text) and rows > 1:
        rows //= 2
        text = _render(result, base_dir, rows, shortened=True)
    if not fits(text):
        text = _cut(text, len(result.findings), max_chars, max_bytes)
    return text


def _render(result: ScanResult, base_dir: Path | None, rows: int, *, shortened: bool) -> str:
    blocks = [_headline(result), _summary_table(result), _scope(result, base_dir, rows)]
    blocks += _databases(result)
    if result.not_checked:
        blocks.append(_not_checked(result, rows))
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    for severity in sorted(Severity, reverse=True):
        group = [f for f in findings if f.severity == severity]
        if group:
            blocks.append(_section(severity, group, base_dir, rows))
    if shortened:
        blocks.append(SHORTENED_NOTE)
    return defuse_lines("\n\n".join(blocks) + "\n")


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


def _databases(result: ScanResult) -> list[str]:
    """Which advisory databases were used (issue 12), and a warning block per stale one."""
    line = databases_line(result)
    out = [escape(line)] if line else []
    out += [f"> ⚠️ **Stale advisory data:** {escape(text)}" for text in stale_warnings(result)]
    return out


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
    lines += [f"- {_not_checked_line(item)}" for item in items[:rows]]
    if len(items) > rows:
        lines.append(
            f"- … and {len(items) - rows} more not checked "
            "(`depscan lockfile --format json` lists all)"
        )
    return "\n".join(lines)


def _not_checked_line(item: NotChecked, max_packages: int = 10) -> str:
    text = f"{escape(item.check)}: {escape(item.reason)}"
    if item.packages:
        shown = ", ".join(code(p) for p in item.packages[:max_packages])
        more = len(item.packages) - max_packages
        text += f" ({shown}" + (f" and {more} more)" if more > 0 else ")")
    return text


def _section(severity: Severity, group: Sequence[Finding], base_dir: Path | None, rows: int) -> str:
    title = f"{severity.label.capitalize()} ({len(group)})"
    entries = [_entry(f, base_dir) for f in group[:rows]]
    if len(group) > rows:
        entries.append(
            f"- … and {len(group) - rows} more {severity.label} findings "
            "(`depscan lockfile --format json` lists all)"
        )
    body = "\n".join(entries)
    if severity in FOLDED:
        return f"<details>\n<summary><strong>{title}</strong></summary>\n\n{body}\n\n</details>"
    return f"#### {title}\n\n{body}"


def _entry(finding: Finding, base_dir: Path | None) -> str:
    check = finding.check
    rule = sub_rule(finding)
    if rule is not None:
        check += f"/{rule}"
    head = f"{ENTRY_PREFIX}{code(subject(finding))}** {code(check)}: {escape(finding.message)}"
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


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, findings: int, max_chars: int, max_bytes: int | None) -> str:
    """Cut at a line boundary, close a fold left open, and say how much was left out."""
    closing = "\n\n</details>"
    budget = max_chars
    while True:
        head = text[: max(budget - len(truncated_note(findings)) - len(closing) - 8, 0)]
        if "\n" in head:
            head = head[: head.rindex("\n")]
        if head.count("<details>") > head.count("</details>"):
            head += closing
        shown = head.count("\n" + ENTRY_PREFIX)
        out = f"{head}\n\n{truncated_note(findings - shown)}\n"
        over = 0 if max_bytes is None else _size(out) - max_bytes
        if (over <= 0 and len(out) <= max_chars) or not head:
            return out
        budget = min(budget, len(out)) - max(over, 1)
