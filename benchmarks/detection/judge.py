"""The one place the benchmark asks depscan for a judgement.

When :mod:`scanner.verdict` provides ``judge_archives(old, new, *, packument=None, now=None)``
(one verdict per package update or new package), that is what is measured. Until then the
fallback is today's behaviour, which gives the "before" numbers: for an update, the highest
severity of the tarball risk notes (:func:`scanner.tarball.risk.assess` on the diff of the two
archives, as the ``tarball-diff`` check computes them); for a new package, nothing, because
today no check inspects a new package's code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from importlib import import_module
from typing import Any

from benchmarks.detection.cases import Outcome
from scanner.model import Severity
from scanner.registry.packument import Packument, Unavailable
from scanner.tarball.archive import PackageArchive

VERDICT = "verdict"
RISK_NOTES = "risk-notes"
_MAX_REASONS = 12

VerdictFunction = Callable[..., Any]


def verdict_function() -> VerdictFunction | None:
    """``scanner.verdict.judge_archives`` when this checkout has it."""
    try:
        module = import_module("scanner.verdict")
    except ImportError:
        return None
    found = getattr(module, "judge_archives", None)
    return found if callable(found) else None


def judge(
    old: PackageArchive | None,
    new: PackageArchive,
    packument: Packument | None,
    *,
    now: datetime,
    related: Mapping[str, Packument] | None = None,
    use_verdict: bool = True,
) -> Outcome:
    """Judge one update (``old`` given) or one new package (``old`` None).

    ``related`` holds documents of other packages the case involves (a dependency the update
    adds); only the fallback reads them, the way the tarball-diff check looks up a new
    dependency's age.
    """
    function = verdict_function() if use_verdict else None
    started = time.perf_counter()
    if function is not None:
        verdict = function(old, new, packument=packument, now=now)
        seconds = time.perf_counter() - started
        severity = getattr(verdict, "severity", None)
        reasons = tuple(str(r) for r in getattr(verdict, "reasons", ()))
        summary = str(getattr(verdict, "summary", "") or "")
        if summary and summary not in reasons:
            reasons = (summary, *reasons)
        return Outcome(
            severity if isinstance(severity, Severity) else None,
            reasons[:_MAX_REASONS],
            seconds,
            VERDICT,
        )
    severity, reasons = _risk_notes(old, new, packument, now=now, related=related or {})
    return Outcome(severity, reasons, time.perf_counter() - started, RISK_NOTES)


def _risk_notes(
    old: PackageArchive | None,
    new: PackageArchive,
    packument: Packument | None,
    *,
    now: datetime,
    related: Mapping[str, Packument],
) -> tuple[Severity | None, tuple[str, ...]]:
    if old is None:
        return None, ()
    from scanner.tarball.compare import diff_archives
    from scanner.tarball.risk import assess

    manifest = new.manifest() or {}
    version = manifest.get("version")
    info = packument.versions.get(version) if packument and isinstance(version, str) else None
    diff = diff_archives(old, new, new_info=info)

    def lookup(name: str) -> Packument | Unavailable | None:
        return related.get(name)

    notes = assess(diff, packument_lookup=lookup, now=now)
    if not notes:
        return None, ()
    ranked = sorted(notes, key=lambda n: (-n.severity, n.kind, n.file or ""))
    reasons = tuple(
        f"{n.severity.label} {n.kind}: {n.message}" + (f" ({n.file})" if n.file else "")
        for n in ranked[:_MAX_REASONS]
    )
    return ranked[0].severity, reasons
