"""The GitHub Actions job summary: every lockfile's Markdown report, under GitHub's 1 MiB limit.

GitHub drops a step's whole summary when it is larger than 1 MiB, so the budget is shared out:
each lockfile, in order, gets an equal share of what is left (so short reports leave room for long
ones) but never less than :data:`MIN_SECTION_BYTES`, its report shortens itself to fit, and when
the budget is spent the remaining lockfiles are counted in a last line instead. Every cut says how
much it left out and where the full list is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.model import ScanResult
from scanner.reports import markdown
from scanner.reports.escape import markdown_code, markdown_text

SUMMARY_LIMIT_BYTES = 1024 * 1024
"""GitHub's limit for one step's summary."""
SUMMARY_BUDGET_BYTES = SUMMARY_LIMIT_BYTES - 16 * 1024
"""What depscan lets itself use: room is left for an error line appended after it."""
MIN_SECTION_BYTES = 4 * 1024
"""Below this a lockfile's report cannot show its headline, table and a finding or two."""
WHERE_TO_FIND_ALL = (
    "the annotations, the SARIF file uploaded to code scanning and "
    "`depscan lockfile --format json` have every finding"
)


@dataclass(frozen=True, slots=True)
class SummarySection:
    lockfile: str
    """The lockfile as the repository names it."""
    result: ScanResult
    changes: str | None = None
    """Pull-request mode: what changed, as a sentence."""
    change_lines: tuple[str, ...] = ()


def job_summary(
    sections: Sequence[SummarySection],
    base: str | None,
    *,
    base_dir: Path | None = None,
    max_bytes: int = SUMMARY_BUDGET_BYTES,
) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``, at most ``max_bytes`` bytes of UTF-8."""
    blocks: list[str] = []
    if base is not None:
        blocks.append(
            "**depscan pull-request mode**: only what this change brings in, "
            f"compared with {markdown_code(base)}."
        )
    # The closing line is written last but its room is kept from the start.
    reserve = _size(_left_out_line(len(sections), len(sections), 10**9, 10**9)) + 4
    used = sum(_size(b) + 2 for b in blocks)
    shown = 0
    for i, section in enumerate(sections):
        left = max_bytes - used - reserve
        if left < MIN_SECTION_BYTES:
            break
        # An equal share of what is left, but never too small to be read: with very many
        # lockfiles the first ones are shown and the rest counted.
        share = min(left, max(left // (len(sections) - i), MIN_SECTION_BYTES))
        block = _section(section, share, base_dir)
        blocks.append(block)
        used += _size(block) + 2
        shown += 1
    rest = sections[shown:]
    if rest:
        findings = sum(len(s.result.findings) for s in rest)
        not_checked = sum(len(s.result.not_checked) for s in rest)
        blocks.append(_left_out_line(len(rest), len(sections), findings, not_checked))
    return "\n\n".join(blocks) + "\n"


def _section(section: SummarySection, share: int, base_dir: Path | None) -> str:
    parts: list[str] = []
    if section.changes is not None:
        parts.append(_changes(section, share // 2))
    budget = share - sum(_size(p) + 2 for p in parts)
    parts.append(
        markdown.render(
            section.result,
            base_dir=base_dir,
            max_bytes=budget,
            max_chars=min(budget, markdown.GITHUB_COMMENT_LIMIT),
        ).rstrip()
    )
    return "\n\n".join(parts)


def _changes(section: SummarySection, budget: int) -> str:
    head = f"**{markdown_code(section.lockfile)}**: {markdown_text(section.changes or '')}"
    if not section.change_lines:
        return head
    opening = f"{head}\n\n<details><summary>Package changes</summary>\n\n"
    closing = "\n\n</details>"
    listing: list[str] = []
    room = budget - _size(opening) - _size(closing) - 100
    for line in section.change_lines:
        item = f"- {markdown_code(line)}"
        if _size(item) + 1 > room:
            break
        listing.append(item)
        room -= _size(item) + 1
    more = len(section.change_lines) - len(listing)
    if more:
        listing.append(f"- … and {more} more changes (`depscan lockfile --base` lists them)")
    return opening + "\n".join(listing) + closing


def _left_out_line(rest: int, total: int, findings: int, not_checked: int) -> str:
    return (
        f"_{rest} of {total} lockfiles are not shown here, to keep this summary under GitHub's "
        f"1 MiB limit ({findings} findings, {not_checked} not checked); {WHERE_TO_FIND_ALL}._"
    )


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
