"""The one place the benchmark asks depscan for a judgement.

When :mod:`scanner.verdict` provides ``judge_archives(old, new, *, packument=None, now=None)``
(one verdict per package update or new package), that is what is measured, called the way the
``tarball-diff`` check calls it. Before it existed, the judgement was the tarball risk notes, which
give the "before" numbers: for an update, the highest severity of
:func:`scanner.tarball.risk.assess` on the diff of the two archives; for a new package, nothing,
because no check inspected a new package's code. ``--judge risk-notes`` measures that on a
checkout that still has :mod:`scanner.tarball.risk`.
"""

from __future__ import annotations

import inspect
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
    """``judge_archives`` from :mod:`scanner.verdict` (or its ``assess`` module) when this
    checkout has it."""
    for module_name in ("scanner.verdict", "scanner.verdict.assess"):
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        found: VerdictFunction | None = getattr(module, "judge_archives", None)
        if callable(found):
            return found
    return None


def risk_notes_available() -> bool:
    try:
        import_module("scanner.tarball.risk")
    except ImportError:
        return False
    return True


def _keywords(function: VerdictFunction, related: Mapping[str, Packument]) -> dict[str, Any]:
    """Optional arguments the verdict takes: the registry documents of dependencies a release
    adds, the way the tarball-diff check passes them."""
    try:
        accepted = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
    if "lookups" not in accepted:
        return {}
    try:
        lookups = import_module("scanner.verdict.assess").Lookups
    except (ImportError, AttributeError):
        return {}
    return {"lookups": lookups(None, related.get)}


def _reason_text(reason: object) -> str:
    """``high rule: text (file)`` for a verdict's Reason, so reports group reasons by rule."""
    severity = getattr(reason, "severity", None)
    rule = getattr(reason, "rule", None)
    text = getattr(reason, "text", None)
    if isinstance(severity, Severity) and isinstance(rule, str) and isinstance(text, str):
        file = getattr(reason, "file", None)
        return f"{severity.label} {rule}: {text}" + (f" ({file})" if file else "")
    return str(reason)


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
    if function is not None:
        keywords = _keywords(function, related or {})
        started = time.perf_counter()
        verdict = function(old, new, packument=packument, now=now, **keywords)
        seconds = time.perf_counter() - started
        severity = getattr(verdict, "severity", None)
        reasons = tuple(_reason_text(r) for r in getattr(verdict, "reasons", ()))
        summary = str(getattr(verdict, "summary", "") or "")
        if summary and summary not in reasons:
            reasons = (*reasons, f"summary: {summary}")
        return Outcome(
            severity if isinstance(severity, Severity) else None,
            reasons[:_MAX_REASONS],
            seconds,
            VERDICT,
        )
    started = time.perf_counter()
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

    assess = import_module("scanner.tarball.risk").assess

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
