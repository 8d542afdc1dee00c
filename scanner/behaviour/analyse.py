"""One file's analysis: parse, walk, and fall back to patterns where parsing cannot be used.

The result depends only on the bytes and on how the file is read (its grammar), so it is
memoised by content hash: a file unchanged between the two versions of a diff, or shared by
several packages, is analysed once per process.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from scanner.behaviour import fallback
from scanner.behaviour.context import FileContext
from scanner.behaviour.files import is_minified
from scanner.behaviour.model import Capability, FileProfile, Signal
from scanner.behaviour.parser import (
    MAX_PARSE_BYTES,
    PARSE_SECONDS,
    Grammar,
    ParseTimeout,
    error_bytes,
    error_ranges,
    grammar_for,
    parse,
)
from scanner.behaviour.signals import all_signals, code_signals
from scanner.behaviour.signals.base import SignalSpec
from scanner.behaviour.triggers import FileText
from scanner.behaviour.walk import walk

MOSTLY_ERRORS = 0.5
"""Above this share of bytes in syntax errors the tree is not trusted at all."""
MEMO_ENTRIES = 20_000
PREFILTER_MAX_BYTES = 4 * 1024
"""Larger files are parsed with every detector: most have some trigger, and reading their bytes
for triggers (about 50 ns a byte, cooking escapes included) costs what the detectors it would
leave out cost (``bench_behaviour.py --by-size``; docs/behaviour.md, "Speed")."""
_BOM = b"\xef\xbb\xbf"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v") + b"\x7f"


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    """What a file's bytes say, before it is placed in a package (no path in the signals)."""

    signals: tuple[Signal, ...]
    parsed: bool
    note: str | None
    specifiers: tuple[str, ...]
    """Every literal module specifier it requires, imports or re-exports."""
    minified: bool

    def profile(self, path: str, local_requires: tuple[str, ...] = ()) -> FileProfile:
        return FileProfile(
            path=path,
            signals=tuple(replace(s, file=path) for s in self.signals),
            parsed=self.parsed,
            note=self.note,
            local_requires=local_requires,
            minified=self.minified,
        )


MemoKey = tuple[int, int, str, int, int]
_memo: OrderedDict[MemoKey, FileAnalysis] = OrderedDict()


def analyse_code(path: str, data: bytes, *, max_parse_bytes: int = MAX_PARSE_BYTES) -> FileAnalysis:
    """Analyse a JavaScript or TypeScript file (memoised by content)."""
    key = memo_key(path, data, max_parse_bytes)
    found = _memo.get(key)
    if found is not None:
        _memo.move_to_end(key)
        return found
    result = _analyse(data, grammar_for(path), max_parse_bytes, path.count("/"))
    _memo[key] = result
    if len(_memo) > MEMO_ENTRIES:
        _memo.popitem(last=False)
    return result


def analyse_unfiltered(
    path: str, data: bytes, *, max_parse_bytes: int = MAX_PARSE_BYTES
) -> FileAnalysis:
    """:func:`analyse_code` without the pre-filter: always parsed, every detector run, not
    memoised. The reference the pre-filter is tested against (tests/behaviour/test_triggers.py)."""
    return _analyse(data, grammar_for(path), max_parse_bytes, path.count("/"), prefilter=False)


def memo_key(path: str, data: bytes, max_parse_bytes: int = MAX_PARSE_BYTES) -> MemoKey:
    """Content identity for this process: Python's keyed bytes hash (cached on the object,
    a third of the cost of SHA-256) and the length; how the file is read (grammar, cap)."""
    return (len(data), hash(data), grammar_for(path).value, max_parse_bytes, path.count("/"))


def remember(key: MemoKey, analysis: FileAnalysis) -> None:
    """Store an analysis made elsewhere (in a forked child) in this process's memo."""
    _memo[key] = analysis


def recall(key: MemoKey) -> FileAnalysis | None:
    return _memo.get(key)


def _analyse(
    data: bytes, grammar: Grammar, max_parse_bytes: int, depth: int, *, prefilter: bool = True
) -> FileAnalysis:
    minified = is_minified(data)
    if len(data) > max_parse_bytes:
        over = f"{_size(len(data))}, over the {_size(max_parse_bytes)} parse cap"
        return _by_patterns(data, f"{over}: text patterns used", minified)
    if _looks_binary(data):
        return _by_patterns(data, "not text (NUL or control bytes): text patterns used", minified)
    if prefilter and len(data) <= PREFILTER_MAX_BYTES:
        text = FileText(data)
        specs = code_signals(text)
        if not specs:
            # No signal can be found here (the triggers are necessary conditions, of the
            # patterns too), and computed-require's trigger did not hold, so every module
            # reference has a shape module_references reads.
            modules = text.module_references()
            assert modules is not None
            return FileAnalysis((), True, None, modules, minified)
    else:
        specs = tuple(spec for spec in all_signals() if spec.detector is not None)
    source = b"   " + data[3:] if data.startswith(_BOM) else data
    try:
        return _parsed(data, source, grammar, minified, depth, specs)
    except ParseTimeout:
        note = f"parsing took over {PARSE_SECONDS:.0f} s: text patterns used"
        return _by_patterns(data, note, minified)


def _looks_binary(data: bytes) -> bool:
    """Control bytes other than whitespace: JavaScript source has none (tree-sitter's error
    recovery on such bytes is also what makes it slow)."""
    if b"\0" in data:
        return True
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return controls * 1000 > len(data)


def _parsed(
    data: bytes,
    source: bytes,
    grammar: Grammar,
    minified: bool,
    depth: int,
    specs: tuple[SignalSpec, ...],
) -> FileAnalysis:
    tree = parse(source, grammar)
    errors = error_ranges(tree.root_node) if tree.root_node.has_error else []
    if errors and grammar is Grammar.JAVASCRIPT:
        # Flow annotations and JSX with types: the TSX grammar reads both.
        retry = parse(source, Grammar.TSX)
        retry_errors = error_ranges(retry.root_node) if retry.root_node.has_error else []
        if error_bytes(retry_errors) < error_bytes(errors):
            tree, errors, grammar = retry, retry_errors, Grammar.TSX
    if errors and error_bytes(errors) > MOSTLY_ERRORS * max(len(data), 1):
        where = f"syntax error at line {errors[0][2]}"
        return _by_patterns(data, f"not parseable ({where}): text patterns used", minified)
    ctx = FileContext(path="", data=source, depth=depth)
    walk(ctx, tree, grammar, specs)
    note: str | None = None
    parsed = True
    if errors:
        found = {(s.capability, s.detail) for s in ctx.signals()}
        added = 0
        for start, end, _ in errors:
            # Whole lines around the error: the pattern must see the statement it broke.
            line_start = source.rfind(b"\n", 0, start) + 1
            line_end = source.find(b"\n", end)
            emitted, _ = fallback.scan(
                ctx,
                all_signals(),
                line_start,
                len(source) if line_end == -1 else line_end,
                skip=found,
            )
            added += emitted
        lines = ", ".join(str(line) for line in sorted({line for _, _, line in errors})[:3])
        if added:
            parsed = False
            note = f"syntax errors at line {lines}: text patterns used there"
        else:
            note = f"syntax errors at line {lines} (patterns found nothing the parser missed)"
    specifiers = tuple(ref.spec for ref in ctx.modules if ref.spec is not None)
    specifiers += tuple(ctx.references)
    return FileAnalysis(ctx.signals(), parsed, note, specifiers, minified)


def _by_patterns(data: bytes, note: str, minified: bool) -> FileAnalysis:
    ctx = FileContext(path="", data=data)
    _, specifiers = fallback.scan(ctx, all_signals())
    return FileAnalysis(ctx.signals(), False, note, tuple(specifiers), minified)


SHELL_NOTE = "shell script: text patterns only"


def analyse_shell(data: bytes) -> FileAnalysis:
    """A shell script (run by an install script, or a bin): the shell patterns plus the
    credential, endpoint and blob patterns of the JavaScript signals."""
    from scanner.behaviour.shell import SHELL_SIGNAL

    ctx = FileContext(path="", data=data)
    wanted = {Capability.CREDENTIAL_ACCESS, Capability.EXFIL_ENDPOINT, Capability.OBFUSCATION}
    specs = [s for s in all_signals() if set(s.capabilities) & wanted]
    fallback.scan(ctx, [SHELL_SIGNAL, *specs])
    return FileAnalysis(ctx.signals(), False, SHELL_NOTE, (), False)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"
