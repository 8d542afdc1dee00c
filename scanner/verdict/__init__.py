"""One verdict per incoming package, with its reasons, the way a reviewer would summarise it.

Inputs are behaviour profiles (:mod:`scanner.behaviour`) of the version coming in and, for an
update, of the version it replaces, plus manifest notes and registry metadata. The comparison is
in :mod:`.compare`, the facts in :mod:`.evidence`, and every severity decision in :mod:`.rules`.
Individual signals stay visible in the verdict (JSON, ``depscan diff``); what a pull request fails
on is the verdict's severity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.behaviour.model import PackageProfile, Signal
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict.evidence import PackageMetadata, gather
from scanner.verdict.notes import Note
from scanner.verdict.rules import Reason, decide

__all__ = ["PackageMetadata", "Reason", "Verdict", "judge"]

_SUMMARY_REASONS = 2


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    old_version: str | None
    new_version: str
    kind: ChangeKind
    severity: Severity
    summary: str
    """One sentence: what the release does that matters, most severe first."""
    reasons: tuple[Reason, ...]
    signals: tuple[Signal, ...]
    """The signals that stand for new behaviour (all of them for a new package)."""
    unparsed: tuple[str, ...] = ()
    """Files that could only be analysed with patterns."""

    @property
    def subject(self) -> str:
        if self.old_version is None:
            return f"{self.name}@{self.new_version}"
        return f"{self.name} {self.old_version} -> {self.new_version}"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "from_version": self.old_version,
            "to_version": self.new_version,
            "kind": self.kind.value,
            "severity": self.severity.label,
            "summary": self.summary,
            "reasons": [r.to_json() for r in self.reasons],
            "signals": [
                {
                    "capability": s.capability.value,
                    "file": s.file,
                    "line": s.line,
                    "evidence": s.evidence,
                    "detail": s.detail,
                    "count": s.count,
                    "method": s.method.value,
                }
                for s in self.signals
            ],
            "unparsed_files": list(self.unparsed),
        }


def judge(
    name: str,
    old_version: str | None,
    new_version: str,
    old: PackageProfile | None,
    new: PackageProfile,
    *,
    kind: ChangeKind | None = None,
    notes: Sequence[Note] = (),
    metadata: PackageMetadata | None = None,
) -> Verdict:
    """The verdict on ``new`` (compared with ``old`` when it is an update)."""
    if kind is None:
        kind = ChangeKind.NEW if old is None else ChangeKind.UPDATE
    if kind is ChangeKind.DOWNGRADE:
        return downgrade(name, old_version, new_version)
    evidence = gather(kind, old_version, new_version, old, new, notes, metadata)
    reasons = tuple(decide(evidence))
    severity = reasons[0].severity if reasons else Severity.INFO
    return Verdict(
        name=name,
        old_version=old_version,
        new_version=new_version,
        kind=kind,
        severity=severity,
        summary=_summary(reasons, kind),
        reasons=reasons,
        signals=tuple(p.signal for p in evidence.fresh),
        unparsed=evidence.unparsed,
    )


def downgrade(name: str, old_version: str | None, new_version: str) -> Verdict:
    """Older code coming back: not diffed as an upgrade, reported for what it is."""
    text = f"downgrade from {old_version} to {new_version}: older code comes back"
    return Verdict(
        name,
        old_version,
        new_version,
        ChangeKind.DOWNGRADE,
        Severity.LOW,
        text,
        (Reason(Severity.LOW, text, "downgrade"),),
        (),
    )


def _summary(reasons: Sequence[Reason], kind: ChangeKind) -> str:
    notable = [r for r in reasons if r.severity >= Severity.MEDIUM][:_SUMMARY_REASONS]
    if not notable and reasons and reasons[0].severity > Severity.INFO:
        notable = [reasons[0]]
    if not notable:
        if kind is ChangeKind.NEW:
            return "nothing notable in its code or metadata"
        return "no new behaviour of note"
    return "; ".join(r.text for r in notable)
