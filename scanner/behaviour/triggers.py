"""The pre-filter: what a file's bytes must contain for any signal to be found in it.

Each signal declares its triggers (:class:`~scanner.behaviour.signals.base.Trigger`): byte
strings, whole pieces and C-speed tests, at least one of which every detection of its detector
and of its fallback patterns needs. :func:`FileText.fires` tests them; a file where no signal's
trigger holds is not parsed (most small files of ordinary packages: lodash's ``_baseGetTag.js``
has no name any detector acts on), and a file where some hold runs only those signals'
detectors.

Why the tests are sound:

- Detectors compare names whole (a callee's last name, a module specifier, a property): such a
  name is a *piece* of the file, a maximal run of ASCII letters and digits (``child_process``
  gives the pieces ``child`` and ``process``). Pieces are read from the bytes once per file.
- A name can also come from a string literal's *value* (``obj['eval']``,
  ``require('child_process')``), which is the literal's text unless an escape spells part of
  it (``'\\x65val'``, ``'\\e'``): when a file has such an escape the tests also read the
  *cooked* file, every escape replaced by what it denotes (:func:`cooked`). A literal's value is
  a substring of it, because an escape never spans a literal's opening quote in valid code.
  Files over ``analyse.PREFILTER_MAX_BYTES`` are not pre-filtered: they are parsed and every
  detector runs.
- String detectors read values: credential paths, hosts (compared lower-cased, so the file is
  lower-cased with Python's Unicode rules, under which the Kelvin sign is a ``k``, and with
  the letters case-insensitive regexes equate with ASCII ones), encoded
  blobs (a literal of 200+ characters with under 2% whitespace has a run of 40 non-whitespace
  characters; see :func:`long_literal`).
- Module references for zones: a file that is not parsed gets its specifiers from
  :func:`module_references`, which reads ``require('x')``, ``import ... from 'x'``, ``import('x')``
  in their usual shapes and reports any other use of ``require``, ``import`` or ``from`` (a
  comment between, a computed argument, ``(0, require)(x)``) as needing the parser; that is also
  the computed-require signal's trigger. The shapes are read in comments and strings too, so
  the specifiers of an unparsed file can include a require that is only commented out: more
  local requires, never fewer (a zone can only reach further).

What the pre-filter cannot know without parsing is whether a file without triggers has syntax
errors: such a file's profile has no note about them (it has no signals either way).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING

from scanner.behaviour.syntax import cook

if TYPE_CHECKING:
    from scanner.behaviour.signals.base import Trigger

_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_TO_PIECES = bytes(byte if byte in _ALNUM else 32 for byte in range(256))
_RUN_OF_ALNUM = re.compile(rb"[A-Za-z0-9]+")
# An escape that can denote something other than a quote, a backslash or whitespace.
_SPELLING_ESCAPE = re.compile(rb"\\[^ntr'\"\\]")


def has_spelling_escape(data: bytes) -> bool:
    """An escape that can denote a letter, a digit or punctuation (``\\x65``, ``\\u0065``,
    ``\\e``, ``\\.``, a line continuation): a string literal's value may then hold a name the
    bytes do not, so the triggers also read the :func:`cooked` file."""
    return _SPELLING_ESCAPE.search(data) is not None


def cooked(data: bytes) -> bytes:
    """The file with every escape replaced by what it denotes and line continuations removed,
    as string literals' values are read (one literal's value is a substring of it: an escape
    never spans a literal's opening quote in valid code)."""
    return cook(data.decode("utf-8", "replace")).encode("utf-8", "surrogatepass")


# Python's case-insensitive regexes also equate these with ASCII letters (and "İ" lower-cases
# to "i" and a combining dot).
_FOLD_FIXES = (("\u0307", ""), ("\u0131", "i"), ("\u017f", "s"))
# The characters that lower-case, or compare case-insensitively, to ASCII letters (Kelvin sign,
# dotted and dotless I, long s), in UTF-8: without them the lower-cased file's pieces are the
# file's pieces lower-cased.
_FOLDS_TO_ASCII = (b"\xe2\x84\xaa", b"\xc4\xb0", b"\xc4\xb1", b"\xc5\xbf")


def _folded(view: bytes) -> bytes:
    """Lower-cased as ``str.lower`` and case-insensitive regexes see it."""
    if view.isascii():
        return view.lower()
    text = view.decode("utf-8", "replace").lower()
    for special, letter in _FOLD_FIXES:
        if special in text:
            text = text.replace(special, letter)
    return text.encode("utf-8", "surrogatepass")


def _pieces(views: Iterable[bytes]) -> frozenset[bytes]:
    found: set[bytes] = set()
    for view in views:
        found.update(view.translate(_TO_PIECES).split())
    return frozenset(found)


@cache
def _runs_of(text: bytes) -> tuple[frozenset[bytes], tuple[bytes, ...], bool]:
    """A text's runs of letters and digits: those with separators on both sides (whole
    pieces wherever the text occurs), those at an end (part of a piece), and whether the text
    is one run (then it occurs exactly when a piece contains it)."""
    runs = list(_RUN_OF_ALNUM.finditer(text))
    inner = frozenset(r.group() for r in runs if r.start() > 0 and r.end() < len(text))
    outer = tuple(r.group() for r in runs if r.start() == 0 or r.end() == len(text))
    return inner, outer, len(runs) == 1 and runs[0].group() == text


def _gate(text: bytes) -> tuple[frozenset[bytes], frozenset[bytes]]:
    """The most selective necessary part of a text: its whole pieces if it has some, else its
    longest run (which some piece must contain)."""
    inner, outer, _ = _runs_of(text)
    if inner:
        return inner, frozenset()
    return frozenset(), frozenset(sorted(outer, key=len)[-1:])


class _Vocabulary:
    """Every piece and piece-part the registered triggers name, and what each piece of the
    files seen so far contains of them (pieces recur across files: ``function``, ``value``).

    A file's pieces are then compared with set operations in C; only pieces never seen before
    are examined in Python, a few microseconds each."""

    MAX_PIECES = 500_000

    def __init__(self, triggers: Iterable[Trigger]) -> None:
        top = list(triggers)
        every = self._named(_flatten(top), _runs_of)
        self.exact, parts, self.folded_exact, folded_parts = every
        self.parts = tuple(sorted(parts))
        self.folded_parts = tuple(sorted(folded_parts))
        # What the triggers themselves (not what they require) name: a file with none of it
        # can only pass the triggers' tests.
        self.top = self._named(top, lambda text: (*_gate(text), False))
        self._known: set[bytes] = set()
        self._interesting: set[bytes] = set()
        self._found: dict[bytes, tuple[frozenset[bytes], frozenset[bytes], frozenset[bytes]]] = {}

    @staticmethod
    def _named(
        triggers: Iterable[Trigger],
        runs: Callable[[bytes], tuple[frozenset[bytes], Iterable[bytes], bool]],
    ) -> tuple[frozenset[bytes], ...]:
        """(pieces, parts of pieces, folded pieces, parts of folded pieces) they name, with
        ``runs`` giving a text's whole pieces and parts."""
        exact: set[bytes] = set()
        parts: set[bytes] = set()
        folded_exact: set[bytes] = set()
        folded_parts: set[bytes] = set()
        for trigger in triggers:
            exact.update(trigger.words)
            folded_exact.update(trigger.folded)
            for text in trigger.texts:
                inner, outer, _ = runs(text)
                exact.update(inner)
                parts.update(outer)
            for text in trigger.folded_texts:
                inner, outer, _ = runs(text)
                folded_exact.update(inner)
                folded_parts.update(outer)
        return frozenset(exact), frozenset(parts), frozenset(folded_exact), frozenset(folded_parts)

    def found(
        self, pieces: frozenset[bytes]
    ) -> tuple[frozenset[bytes], frozenset[bytes], frozenset[bytes]]:
        """(parts in some piece, lower-cased pieces named, parts of lower-cased pieces)."""
        if len(self._known) > self.MAX_PIECES:
            self._known.clear()
            self._interesting.clear()
            self._found.clear()
        for piece in pieces - self._known:
            self._learn(piece)
        parts: set[bytes] = set()
        folded: set[bytes] = set()
        folded_parts: set[bytes] = set()
        for piece in pieces & self._interesting:
            p, f, fp = self._found[piece]
            parts |= p
            folded |= f
            folded_parts |= fp
        return frozenset(parts), frozenset(folded), frozenset(folded_parts)

    def _learn(self, piece: bytes) -> None:
        self._known.add(piece)
        lowered = piece.lower()
        found = (
            frozenset(part for part in self.parts if part in piece),
            frozenset((lowered,)) if lowered in self.folded_exact else frozenset(),
            frozenset(part for part in self.folded_parts if part in lowered),
        )
        if found[0] or found[1] or found[2]:
            self._interesting.add(piece)
            self._found[piece] = found


class _Compiled:
    """A trigger as set operations: the pieces, parts, folded pieces and folded parts any of
    which makes it hold, the texts that need a search of the bytes, the tests."""

    __slots__ = ("folded", "folded_parts", "folded_texts", "parts", "tests", "texts", "words")

    def __init__(self, trigger: Trigger) -> None:
        parts: set[bytes] = set()
        folded_parts: set[bytes] = set()
        texts: list[bytes] = []
        folded_texts: list[bytes] = []
        for text in trigger.texts:
            if _runs_of(text)[2]:
                parts.add(text)  # one run: in a piece exactly when in the file
            else:
                texts.append(text)
        for text in trigger.folded_texts:
            if _runs_of(text)[2]:
                folded_parts.add(text)
            else:
                folded_texts.append(text)
        self.words = trigger.words
        self.parts = frozenset(parts)
        self.folded = trigger.folded
        self.folded_parts = frozenset(folded_parts)
        self.texts = tuple(texts)
        self.folded_texts = tuple(folded_texts)
        self.tests = trigger.tests


_COMPILED: dict[int, tuple[Trigger, _Compiled]] = {}


def _compiled(trigger: Trigger) -> _Compiled:
    # By identity: triggers are module constants, and hashing a dataclass costs more than
    # evaluating it. The trigger is kept with its compiled form so that its id stays its own.
    found = _COMPILED.get(id(trigger))
    if found is None:
        found = _COMPILED[id(trigger)] = (trigger, _Compiled(trigger))
    return found[1]


class _Gate:
    """What any of a signal's triggers needs first: a file with none of these pieces and parts
    can only pass the triggers' tests."""

    __slots__ = ("exact", "folded", "folded_parts", "parts", "tests")

    def __init__(self, triggers: tuple[Trigger, ...]) -> None:
        exact, parts, folded, folded_parts = _Vocabulary._named(
            triggers, lambda text: (*_gate(text), False)
        )
        self.exact, self.parts, self.folded, self.folded_parts = exact, parts, folded, folded_parts
        self.tests = any(trigger.tests for trigger in triggers)


_GATES: dict[int, tuple[tuple[Trigger, ...], _Gate]] = {}


def _gate_of(triggers: tuple[Trigger, ...]) -> _Gate:
    found = _GATES.get(id(triggers))
    if found is None:
        found = _GATES[id(triggers)] = (triggers, _Gate(triggers))
    return found[1]


def _flatten(triggers: Iterable[Trigger]) -> list[Trigger]:
    found: list[Trigger] = []
    stack = list(triggers)
    while stack:
        trigger = stack.pop()
        found.append(trigger)
        stack.extend(trigger.requires)
    return found


_vocabulary: _Vocabulary | None = None


def vocabulary() -> _Vocabulary:
    global _vocabulary
    if _vocabulary is None:
        from scanner.behaviour.signals import all_signals

        _vocabulary = _Vocabulary(t for spec in all_signals() for t in spec.triggers)
    return _vocabulary


class FileText:
    """One file's bytes as the triggers see them; every answer is computed once."""

    __slots__ = (
        "_folded",
        "_folded_parts",
        "_folded_views",
        "_modules",
        "_named",
        "_parts",
        "_tests",
        "_texts",
        "defer",
        "pieces",
        "views",
    )

    def __init__(self, data: bytes) -> None:
        self.views: tuple[bytes, ...] = (
            (data, cooked(data)) if has_spelling_escape(data) else (data,)
        )
        self.defer: bool | None = None
        self.pieces = _pieces(self.views)
        known = vocabulary()
        self._parts, self._folded, self._folded_parts = known.found(self.pieces)
        self._folded_views: tuple[bytes, ...] | None = None
        if any(special in view for view in self.views for special in _FOLDS_TO_ASCII):
            # Unicode lower-casing makes ASCII letters of these (the Kelvin sign is a k).
            _, folded, parts = known.found(_pieces(self.folded_views))
            self._folded |= folded
            self._folded_parts |= parts
        top_exact, top_parts, top_folded, top_folded_parts = known.top
        self._named = not (
            top_exact.isdisjoint(self.pieces)
            and top_parts.isdisjoint(self._parts)
            and top_folded.isdisjoint(self._folded)
            and top_folded_parts.isdisjoint(self._folded_parts)
        )
        self._texts: dict[tuple[bytes, bool], bool] = {}
        self._tests: dict[Callable[[bytes], bool], bool] = {}
        self._modules: tuple[tuple[str, ...] | None] | None = None

    @property
    def folded_views(self) -> tuple[bytes, ...]:
        if self._folded_views is None:
            self._folded_views = tuple(_folded(view) for view in self.views)
        return self._folded_views

    def has_text(self, text: bytes, folded: bool = False) -> bool:
        key = (text, folded)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = self._search(text, folded)
        return found

    def _search(self, text: bytes, folded: bool) -> bool:
        inner, outer, whole = _runs_of(text)
        if folded:
            if not (inner <= self._folded and all(r in self._folded_parts for r in outer)):
                return False
        elif not (inner <= self.pieces and all(r in self._parts for r in outer)):
            return False
        if whole:
            return True
        views = self.folded_views if folded else self.views
        return any(text in view for view in views)

    def passes(self, test: Callable[[bytes], bool]) -> bool:
        if self.defer is not None and test in DEFERRED_TESTS:
            return self.defer
        found = self._tests.get(test)
        if found is None:
            if test is unexplained_module_reference:  # shares its work with the specifiers
                found = self.module_references() is None
            else:
                found = any(test(view) for view in self.views)
            self._tests[test] = found
        return found

    def holds(self, trigger: Trigger) -> bool:
        return self._any(_compiled(trigger)) and all(
            self.holds(needed) for needed in trigger.requires
        )

    def _any(self, trigger: _Compiled) -> bool:
        if self._named and (
            not trigger.words.isdisjoint(self.pieces)
            or not trigger.parts.isdisjoint(self._parts)
            or not trigger.folded.isdisjoint(self._folded)
            or not trigger.folded_parts.isdisjoint(self._folded_parts)
            or any(self.has_text(text) for text in trigger.texts)
            or any(self.has_text(text, folded=True) for text in trigger.folded_texts)
        ):
            return True
        # No word or text of any trigger (the usual case): only the tests can hold.
        return any(self.passes(test) for test in trigger.tests)

    def fires_any(self, triggers: tuple[Trigger, ...]) -> bool:
        """:meth:`fires` for a signal's triggers, first rejecting in a few set operations a
        file that has none of what they need."""
        gate = _gate_of(triggers)
        if not gate.tests and (
            not self._named
            or (
                gate.exact.isdisjoint(self.pieces)
                and gate.parts.isdisjoint(self._parts)
                and gate.folded.isdisjoint(self._folded)
                and gate.folded_parts.isdisjoint(self._folded_parts)
            )
        ):
            return False
        return self.fires(triggers)

    def fires(self, triggers: Iterable[Trigger]) -> bool:
        if not self._named:  # the usual case: only triggers with tests need a look
            return any(_compiled(trigger).tests and self.holds(trigger) for trigger in triggers)
        return any(self.holds(trigger) for trigger in triggers)

    def module_references(self) -> tuple[str, ...] | None:
        """:func:`module_references` of every view: None when one needs the parser."""
        if self._modules is None:
            found = [module_references(view) for view in self.views]
            self._modules = (None if None in found else found[0],)
        modules: tuple[str, ...] | None = self._modules[0]
        return modules


# --- module references ---------------------------------------------------------------------

_STR = rb"""(?:'([^'\\\n\r]*)'|"([^"\\\n\r]*)")"""
_KEYWORD = re.compile(rb"(?<![\w$])(?:require|(?<!\.)import|(?<!\.)from)(?![\w$])")
_SPACE = re.compile(rb"\s*")
_CALL = re.compile(rb"\(\s*" + _STR + rb"\s*[,)]")
_BARE = re.compile(_STR)
_RESOLVE = re.compile(rb"\.\s*resolve(?![\w$])\s*")
_WORD = re.compile(rb"[A-Za-z_$][\w$]*")
_MAX_KEYWORDS = 20_000
# After ``require``: what can follow the callee of a call (or a cast of it).
_CALLEE_FOLLOWERS = frozenset(b"()[`'\"/<")


def module_references(data: bytes) -> tuple[str, ...] | None:
    """The literal specifiers of ``require('x')``, ``require.resolve('x')``, ``import('x')``,
    ``import 'x'`` and ``... from 'x'`` in source order, or None when some ``require``,
    ``import`` or ``from`` is used in another shape the parser must read (a computed argument,
    a comment before the argument, ``(0, require)(x)``, ``require?.(x)``, an escape in the
    specifier). Prose and member uses (``require.cache``, ``import.meta``, ``Array.from``)
    are neither."""
    found: list[str] = []
    for count, match in enumerate(_KEYWORD.finditer(data)):
        if count >= _MAX_KEYWORDS:
            return None
        keyword = match.group()
        at = _SPACE.match(data, match.end()).end()  # type: ignore[union-attr]
        char = data[at : at + 1]
        if keyword == b"require":
            spec = _after_require(data, at, char)
        elif keyword == b"import":
            spec = _after_import(data, at, char)
        else:
            spec = _after_from(data, at, char)
        if spec is None:
            return None
        if spec:
            found.append(spec)
    return tuple(found)


def _literal(match: re.Match[bytes] | None) -> str | None:
    """The specifier of a matched call or string, "" when there is no match."""
    if match is None:
        return None
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return value.decode("utf-8", "replace")


def _after_require(data: bytes, at: int, char: bytes) -> str | None:
    if char == b"(":
        return _literal(_CALL.match(data, at))
    if char == b".":
        resolve = _RESOLVE.match(data, at)
        if resolve is None:
            after = _SPACE.match(data, at + 1).end()  # type: ignore[union-attr]
            # require.cache, require.main: members; anything else (a comment) needs the parser.
            return "" if _WORD.match(data, after) else None
        at = resolve.end()
        char = data[at : at + 1]
        if char == b"(":
            return _literal(_CALL.match(data, at))
        return None if (char and char[0] in _CALLEE_FOLLOWERS) or char in (b"?", b"!") else ""
    return _after_value(data, at, char)


def _after_value(data: bytes, at: int, char: bytes) -> str | None:
    """``require`` not followed by a call: only what cannot make it a callee is ""."""
    if not char:
        return ""
    if char[0] in _CALLEE_FOLLOWERS:
        return None
    if char == b"?":
        return None if data[at + 1 : at + 2] == b"." else ""
    if char == b"!":
        return "" if data[at + 1 : at + 2] == b"=" else None
    word = _WORD.match(data, at)
    if word is not None and word.group() in (b"as", b"satisfies"):
        return None  # (require as any)(x)
    return ""


def _after_import(data: bytes, at: int, char: bytes) -> str | None:
    if char == b"(":
        return _literal(_CALL.match(data, at))
    if char in (b"'", b'"'):
        return _literal(_BARE.match(data, at))
    if not char or char in (b"/", b"`", b"?", b"!", b")"):
        return None if char else ""
    return ""  # a clause (its specifier follows ``from``), import.meta, prose


def _after_from(data: bytes, at: int, char: bytes) -> str | None:
    if char in (b"'", b'"'):
        return _literal(_BARE.match(data, at))
    if char in (b"/", b"`"):
        return None
    return ""


def unexplained_module_reference(data: bytes) -> bool:
    """A ``require``/``import``/``from`` :func:`module_references` cannot read: the
    computed-require signal's trigger."""
    return module_references(data) is None


DEFERRED_TESTS = frozenset({unexplained_module_reference})
"""Tests that cost a Python step per ``require`` of the file: when some other signal's trigger
holds, the file is parsed anyway and the signals behind these tests run without them."""


# --- tests for string-literal detectors -------------------------------------------------------

_WHITESPACE = bytes(range(9, 14)) + bytes(range(28, 33))
_NON_SPACE = bytes(0 if byte in _WHITESPACE else 1 for byte in range(256))
_RUN = b"\x01" * 40
_CONTINUATIONS = (b"\\\n", b"\\\r", b"\\\xe2\x80\xa8", b"\\\xe2\x80\xa9")
_HOLE = re.compile(rb"\$\{[^{}`]*\}")
_LONG_LINE = 202
"""A quoted literal of 200 characters and its quotes."""
_LONG_GAP = 201
"""From a template's opening backtick to its closing one, around 200 characters."""
_MAX_RUNS = 10_000


def long_literal(data: bytes) -> bool:
    """Whether the file can hold a string literal of 200+ characters with under 2% whitespace
    (the obfuscation signal's encoded blobs and high-entropy strings).

    Such a value has a run of 40 non-whitespace characters: ``k`` whitespace characters split
    at least ``50k`` into ``k + 1`` runs, the longest at least ``49k / (k + 1)`` >= 39.2. Its
    source has that run too (escapes only lengthen it), on one line of 202+ bytes for a quoted
    string, or between two backticks 202+ bytes apart for a template once each substitution
    is shortened to ``${}`` (as the value counts it). Line continuations, escaped backticks and
    substitutions with braces or backticks inside are not followed: they make the test hold.
    """
    if any(continuation in data for continuation in _CONTINUATIONS):
        return True
    if b"\\`" in data or b"\\$" in data:
        return True
    runs = _runs(data)
    if len(runs) >= _MAX_RUNS:
        return True
    for start, end in runs:
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", end)
        if (len(data) if line_end == -1 else line_end) - line_start >= _LONG_LINE:
            return True
    if b"`" not in data:
        return False
    shortened = _HOLE.sub(b"${}", data) if b"${" in data else data
    if shortened.count(b"${") != shortened.count(b"${}"):
        return True  # a substitution with braces or a template inside
    ticks = [m.start() for m in re.finditer(rb"`", shortened)]
    return any(b - a >= _LONG_GAP and _runs(shortened, a, b) for a, b in itertools.pairwise(ticks))


def _runs(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    classes = data[start:end].translate(_NON_SPACE)
    found: list[tuple[int, int]] = []
    position = classes.find(_RUN)
    while position != -1 and len(found) < _MAX_RUNS:
        run_end = classes.find(b"\x00", position)
        run_end = len(classes) if run_end == -1 else run_end
        found.append((start + position, start + run_end))
        position = classes.find(_RUN, run_end)
    return found


_SHORT_ENCODED = re.compile(
    rb"['\"`](?:(?:[0-9a-fA-F]{2}){4,64}|[A-Za-z0-9+/]{8,88}={0,2})['\"`]"
)


def encoded_literal(data: bytes) -> bool:
    """A quoted run of 8+ hex digits or base64 characters: where the obfuscation signal looks
    for names written encoded (``d('6368696c645f70726f63657373')``)."""
    return _SHORT_ENCODED.search(data) is not None


def many_hex_escapes(data: bytes) -> bool:
    """64+ ``\\x`` escapes: the obfuscation signal's escaped strings."""
    return data.count(b"\\x") >= 64


_A_TO_P = bytes(1 if ord("a") <= byte <= ord("p") else 0 for byte in range(256))


def extension_id(data: bytes) -> bool:
    """A run of 32 letters a-p: a browser extension id."""
    return data.translate(_A_TO_P).find(b"\x01" * 32) != -1


_IP = re.compile(rb":(?://[0-9]|(?<=[0-9]:)[0-9]{2})")


def raw_ip(data: bytes) -> bool:
    """``scheme://1.2.3.4`` or ``1.2.3.4:80``: what an IP endpoint needs."""
    return _IP.search(data) is not None
