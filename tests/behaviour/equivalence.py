"""The pre-filter's promise: an analysis with it finds what the full analysis finds."""

from __future__ import annotations

from scanner.behaviour.analyse import FileAnalysis


def differences(filtered: FileAnalysis, full: FileAnalysis) -> list[str]:
    """What the pre-filtered analysis of a file got wrong, compared with the full one.

    Signals, whether the file counts as parsed, its note and minified must be identical. The
    specifiers of a file the pre-filter did not parse may include more (a require in a
    comment), never fewer. Only a file without triggers that has syntax errors may lack the
    full analysis's note about them (its signals are empty either way)."""
    found: list[str] = []
    if filtered.signals != full.signals:
        found.append(f"signals: {filtered.signals!r} != {full.signals!r}")
    if filtered.minified != full.minified:
        found.append("minified")
    if (filtered.parsed, filtered.note) != (full.parsed, full.note):
        syntax = full.note is not None and full.note.startswith(("syntax errors", "not parseable"))
        if not (filtered.note is None and not full.signals and syntax):
            found.append(f"note: {filtered.note!r} != {full.note!r}")
    missing = set(full.specifiers) - set(filtered.specifiers)
    if missing:
        found.append(f"specifiers missing: {sorted(missing)}")
    return found
