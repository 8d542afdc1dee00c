"""Text patterns, for the files (or the parts of files) the parser could not be used on.

Each signal module declares its own :class:`~scanner.behaviour.signals.base.FallbackPattern`s
and the module names it recognises; this engine runs them. Every pattern starts with a literal,
so each is one C-speed search of the file (about a millisecond per MB); module references are
found by two shared passes (``require`` and ``import``) whose names are looked up in the
signals' tables. On a huge file only the *lean* patterns run. What a pattern finds is reported
with ``Method.PATTERN``: unlike the syntax signals it can be fooled by comments and strings, and
the file's note says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from scanner.behaviour.context import FileContext
from scanner.behaviour.model import Capability, Method
from scanner.behaviour.signals.base import Outcome, SignalSpec

FULL_PATTERN_BYTES = 4 * 1024 * 1024
"""Files up to this size get every pattern; larger ones only the lean ones."""
MAX_MATCHES = 50_000
"""Matches of one pattern looked at in one file (a pathological file cannot stall the scan)."""

_REQUIRE = re.compile(
    rb"require(?<![\w$.]require)\s*\(\s*(?:['\"`]([^'\"`\n]{1,300})['\"`]|([^\s'\"`)]))"
)
_IMPORT = re.compile(
    rb"import(?<![\w$.]import)(?:\s*\(\s*(?:['\"`]([^'\"`\n]{1,300})['\"`]|([^\s'\"`)]))"
    rb"|[^;'\"`()]{0,300}?\s*['\"]([^'\"\n]{1,300})['\"])"
)


def _module_table(specs: Sequence[SignalSpec]) -> Mapping[str, Outcome]:
    table: dict[str, Outcome] = {}
    for spec in specs:
        for name, detail in spec.modules.items():
            table.setdefault(name, (spec.capabilities[0], detail))
    return table


def _package(spec: str) -> str:
    pieces = spec.split("/")
    return "/".join(pieces[:2]) if spec.startswith("@") and len(pieces) > 1 else pieces[0]


def scan(
    ctx: FileContext,
    specs: Sequence[SignalSpec],
    start: int = 0,
    end: int | None = None,
    *,
    skip: set[tuple[Capability, str | None]] | None = None,
) -> tuple[int, list[str]]:
    """Run the patterns of ``specs`` over ``ctx.data[start:end]``.

    Returns how many signals were emitted and the literal module specifiers found.
    ``skip``: (capability, detail) pairs already found another way.
    """
    stop = len(ctx.data) if end is None else end
    lean = len(ctx.data) > FULL_PATTERN_BYTES
    found: dict[Outcome, list[int | str]] = {}
    counts: dict[Outcome, int] = {}
    minimum: dict[Outcome, int] = {}
    data = ctx.data

    def record(outcomes: Iterable[Outcome], match: re.Match[bytes], min_count: int) -> None:
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome not in found:
                found[outcome] = [match.start(), match.group()[:120].decode("utf-8", "replace")]
                minimum[outcome] = min_count

    specifiers = _scan_modules(data, start, stop, _module_table(specs), record)
    for spec in specs:
        for pattern in spec.patterns:
            if lean and not pattern.lean:
                continue
            spans = pattern.locate(data, start, stop) if pattern.locate else [(start, stop)]
            seen = 0
            for span_start, span_end in spans:
                for match in pattern.regex.finditer(data, span_start, span_end):
                    record(pattern.describe(match, data), match, pattern.min_count)
                    seen += 1
                    if seen >= MAX_MATCHES:
                        break
    emitted = 0
    line, counted_to = 1, 0
    previous, ctx.method = ctx.method, Method.PATTERN
    try:
        for outcome, (offset, evidence) in sorted(found.items(), key=lambda item: item[1][0]):
            if counts[outcome] < minimum[outcome] or (skip and outcome in skip):
                continue
            assert isinstance(offset, int) and isinstance(evidence, str)
            line += data.count(b"\n", counted_to, offset)
            counted_to = offset
            ctx.emit(outcome[0], None, evidence, outcome[1], line=line, count=counts[outcome])
            emitted += 1
    finally:
        ctx.method = previous
    return emitted, specifiers


def _scan_modules(
    data: bytes,
    start: int,
    end: int,
    table: Mapping[str, Outcome],
    record: object,
) -> list[str]:
    specifiers: list[str] = []
    for regex, kind in ((_REQUIRE, "require"), (_IMPORT, "import")):
        for count, match in enumerate(regex.finditer(data, start, end)):
            if count >= MAX_MATCHES:
                break
            literal = match.group(1) or (match.group(3) if kind == "import" else None)
            if literal is None:
                record(  # type: ignore[operator]
                    [(Capability.COMPUTED_REQUIRE, kind)], match, 1
                )
                continue
            spec = literal.decode("utf-8", "replace")
            specifiers.append(spec)
            name = spec[5:] if spec.startswith("node:") else spec
            outcome = table.get(name) or table.get(_package(name))
            if outcome is not None:
                record([outcome], match, 1)  # type: ignore[operator]
            elif name.startswith("data:"):
                record([(Capability.DYNAMIC_CODE, "data-import")], match, 1)  # type: ignore[operator]
    return specifiers
