"""What a signal module declares: its metadata, a detector run once per file, and the text
patterns used in its place where a file could not be parsed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from scanner.behaviour.model import Capability

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext, ModuleRef, StringLiteral

Handler = Callable[["Node"], None]


@dataclass(frozen=True, slots=True)
class On:
    """A handler that wants only the calls (or ``new``s, or assignments) whose callee's last
    name is one of ``names``: ``fetch`` for ``fetch(x)``, ``window.fetch(x)`` and
    ``obj['fetch'](x)``. The walker computes each node's name once and skips the rest, which is
    most of them."""

    handler: Handler
    names: frozenset[str]


class Detector:
    """Looks for one capability in one file. The walker creates one per file, hands it the nodes
    of the types :meth:`handlers` names (and, if asked, every module reference and string
    literal), then calls :meth:`finish`."""

    wants_modules: ClassVar[bool] = False
    wants_strings: ClassVar[bool] = False
    wants_regexes: ClassVar[bool] = False

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def handlers(self) -> Mapping[str, Handler | On]:
        """Node type -> what to call with each node of that type (``On``: only named ones)."""
        return {}

    def on_module(self, ref: ModuleRef) -> None:
        """A require/import/export-from, with its specifier when literal."""

    def on_string(self, literal: StringLiteral) -> None:
        """A string or template literal of the code."""

    def on_regex(self, node: Node, pattern: str) -> None:
        """A regular-expression literal (its pattern text)."""

    def finish(self) -> None:
        """Called after every node was seen: file-level combinations are decided here."""


Outcome = tuple[Capability, "str | None"]
Describe = Callable[["re.Match[bytes]", bytes], "list[Outcome]"]


@dataclass(frozen=True, slots=True)
class FallbackPattern:
    """A text pattern standing in for a detector on a file that could not be parsed.

    ``regex`` must start with a literal: the regex engine then searches for that literal at
    C speed, which keeps a pass over a multi-megabyte bundle near a millisecond per MB (a
    pattern that starts with an alternation or a look-behind is tried at every byte, 30 times
    slower). Put look-behinds after the literal (``fetch(?<![\\w$.]fetch)``).
    ``describe`` turns a match (and the file's bytes, for context) into what to emit.
    """

    regex: re.Pattern[bytes]
    describe: Describe
    min_count: int = 1
    """Matches needed before anything is emitted (obfuscator identifiers come in crowds)."""
    lean: bool = True
    """Also used on huge files (over :data:`scanner.behaviour.fallback.FULL_PATTERN_BYTES`).
    Each pattern is one pass over the file (about 4 ms per 9 MB), so huge bundles get only the
    payload core: module loads, eval/Function, process.env, URLs, decoding, obfuscator names,
    encoded blobs, XMLHttpRequest and wallet-provider hooks."""
    locate: Callable[[bytes, int, int], list[tuple[int, int]]] | None = None
    """Instead of searching the whole range: a function giving the spans to search."""


def fixed(
    capability: Capability, regex: bytes, detail: str | None, *, flags: int = 0, **options: Any
) -> FallbackPattern:
    """A pattern that always emits ``capability`` with ``detail``."""
    return FallbackPattern(
        re.compile(regex, flags), lambda match, data: [(capability, detail)], **options
    )


def grouped(
    capability: Capability,
    regex: bytes,
    classify: Callable[[str], Outcome | None] | None = None,
    *,
    flags: int = 0,
    **options: Any,
) -> FallbackPattern:
    """A pattern whose detail is its first matching group (optionally re-classified)."""

    def describe(match: re.Match[bytes], data: bytes) -> list[Outcome]:
        group = next((g for g in match.groups() if g is not None), match.group())
        text = group.decode("utf-8", "replace")
        if classify is None:
            return [(capability, text)]
        outcome = classify(text)
        return [outcome] if outcome is not None else []

    return FallbackPattern(re.compile(regex, flags), describe, **options)


def words(names: str | Iterable[str]) -> frozenset[bytes]:
    """Pieces for a :class:`Trigger`, from a space-separated string or names."""
    items = names.split() if isinstance(names, str) else names
    return frozenset(name.encode() for name in items)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A necessary condition of a detection, tested on a file's bytes before anything is parsed.

    It holds when any of its ``words``, ``texts``, ``folded``, ``folded_texts`` or ``tests``
    holds, and every trigger in ``requires`` holds too. Everything is tested on the file's bytes
    and, when the file has escapes that could spell a name (``'\\x65val'``), on the same bytes
    with every escape replaced by what it denotes (:mod:`scanner.behaviour.triggers`), so a
    string literal's value is always a substring of something tested.
    """

    words: frozenset[bytes] = frozenset()
    """Pieces (maximal runs of ASCII letters and digits) that must occur whole, case-sensitively:
    ``b"eval"`` holds for ``eval(x)`` and ``obj['eval']`` but not for ``evaluate``. A name a
    detector compares whole (a callee's last name, a module) is a piece of the file."""
    texts: tuple[bytes, ...] = ()
    """Byte strings that may occur anywhere (for names a pattern finds inside longer words)."""
    folded: frozenset[bytes] = frozenset()
    """Lower-case pieces of the lower-cased file (hosts, compared case-insensitively)."""
    folded_texts: tuple[bytes, ...] = ()
    """Lower-case byte strings of the lower-cased file."""
    tests: tuple[Callable[[bytes], bool], ...] = ()
    """Other C-speed tests of the bytes (runs of a character class, a count)."""
    requires: tuple[Trigger, ...] = ()


@dataclass(frozen=True, slots=True)
class SignalSpec:
    id: str
    """Stable id, the capability's value for single-capability modules."""
    title: str
    capabilities: tuple[Capability, ...]
    detector: type[Detector] | None
    """None for signals found from bytes rather than the syntax tree (native binaries)."""
    doc: str
    """The module docstring: what it detects, why it matters, what it deliberately ignores."""
    triggers: tuple[Trigger, ...] = ()
    """Necessary conditions: a file in which none holds cannot give this signal, by its
    detector or by its patterns (:mod:`scanner.behaviour.triggers`). The detector runs only on
    files where one holds, and a file where no signal's trigger holds is not parsed at all.
    tests/behaviour/test_triggers.py checks that on real packages and every test snippet."""
    patterns: tuple[FallbackPattern, ...] = ()
    modules: Mapping[str, str] = field(default_factory=dict)
    """Module or package name -> detail, for the fallback's require/import pass (which emits
    the spec's first capability for them)."""
    order: int = 50
    """Detectors finish in this order: combinations (skimmer) come after what they combine."""

    def applies_to(self, data: bytes) -> bool:
        """Whether one of the triggers holds in ``data`` (see :func:`fires` for many specs)."""
        from scanner.behaviour.triggers import FileText

        return FileText(data).fires(self.triggers)
