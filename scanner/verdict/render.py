"""A verdict as text lines, for ``depscan diff`` and ``depscan inspect``."""

from __future__ import annotations

from scanner.model import Severity
from scanner.reports.escape import printable
from scanner.verdict import Verdict

_MAX_SIGNALS = 40
_TEXT_LIMIT = 400


def verdict_lines(verdict: Verdict) -> list[str]:
    """The verdict, its reasons and the signals behind them (attacker text escaped)."""
    kind = "new package" if verdict.old_version is None else verdict.kind.value
    lines = [
        f"verdict: {verdict.severity.label.upper()} ({kind}) "
        + printable(verdict.summary, _TEXT_LIMIT)
    ]
    shown = [r for r in verdict.reasons if r.severity > Severity.INFO] or list(verdict.reasons)
    if shown:
        lines.append("reasons:")
        for reason in shown:
            lines.append(
                f"  [{reason.severity.label}] {printable(reason.rule, 80)}: "
                f"{printable(reason.text, _TEXT_LIMIT)}"
            )
    if verdict.signals:
        total = len(verdict.signals)
        lines.append(f"new behaviour ({total} signal{'s' if total != 1 else ''}):")
        for signal in verdict.signals[:_MAX_SIGNALS]:
            where = f"{signal.file}:{signal.line}" if signal.line else signal.file
            detail = f" -> {signal.detail}" if signal.detail else ""
            lines.append(
                f"  {printable(where, 120)}  {signal.capability.value}{printable(detail, 120)}"
                f"  {printable(signal.evidence, 120)}"
            )
        if total > _MAX_SIGNALS:
            lines.append(f"  ... and {total - _MAX_SIGNALS} more (--format json lists them all)")
    if verdict.unparsed:
        shown_files = ", ".join(printable(p, 120) for p in verdict.unparsed[:5])
        more = f" and {len(verdict.unparsed) - 5} more" if len(verdict.unparsed) > 5 else ""
        lines.append(f"analysed with patterns only (not parsed): {shown_files}{more}")
    return lines
