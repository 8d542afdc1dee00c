"""Reader for the indentation-based text that both yarn lockfile generations write.

yarn classic writes ``key value`` / ``key:`` lines; yarn berry writes a YAML subset
(``key: value``). Neither needs a full YAML parser, and a hand-written reader gives the line of
every top-level entry (needed for SARIF) at a fraction of PyYAML's cost. Anything the two
formats never produce (flow collections, anchors, multi-line scalars) is rejected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.errors import LockfileError

Mapping = dict[str, "str | Mapping"]

MAX_LINES = 3_000_000
"""A real 64 MB yarn.lock has about 2 million lines; the largest in the corpus, 25,000."""
MAX_ENTRIES = 250_000
"""Ten times the packages of the largest real lockfiles seen."""
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_BARE_KEY = re.compile(r"[^\s:]+(?::[^\s:]+)*")


@dataclass(frozen=True, slots=True)
class Entry:
    """One top-level block: its descriptor keys, 1-based line, and body."""

    keys: tuple[str, ...]
    line: int
    body: Mapping


def _unquote(token: str, subject: str, line_no: int) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        raise LockfileError(f"line {line_no}: bad quoted string {token[:60]!r}", subject) from None
    if not isinstance(value, str):
        raise LockfileError(f"line {line_no}: bad quoted string {token[:60]!r}", subject)
    return value


def _quoted_end(text: str, start: int, subject: str, line_no: int) -> int:
    """Index just past the closing quote of the string opening at ``start``."""
    i = start + 1
    while True:
        j = text.find('"', i)
        if j < 0:
            raise LockfileError(f"line {line_no}: unterminated quoted string", subject)
        backslashes = 0
        k = j - 1
        while k > start and text[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2 == 0:
            return j + 1
        i = j + 1


def _split_top_level_key(text: str, subject: str, line_no: int) -> tuple[str, ...]:
    """``a@1, "b@npm:c@2":`` (classic) or ``"a@npm:1, b@npm:2":`` (berry) -> descriptors."""
    if not text.endswith(":"):
        raise LockfileError(f"line {line_no}: expected an entry key ending with ':'", subject)
    text = text[:-1]
    pieces: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            end = _quoted_end(text, i, subject, line_no)
            pieces.append(_unquote(text[i:end], subject, line_no))
            i = end
        else:
            end = text.find(",", i)
            end = len(text) if end < 0 else end
            pieces.append(text[i:end].strip())
            i = end
        while i < len(text) and text[i] in ", ":
            i += 1
    descriptors: list[str] = []
    for piece in pieces:
        descriptors.extend(part.strip() for part in piece.split(", ") if part.strip())
    if not descriptors:
        raise LockfileError(f"line {line_no}: empty entry key", subject)
    return tuple(descriptors)


def _split_field(text: str, subject: str, line_no: int) -> tuple[str, str | None]:
    """``key value`` / ``key: value`` / ``key:`` -> (key, value or None for a nested block)."""
    if text.startswith('"'):
        quoted = _QUOTED.match(text)
        if quoted is None:
            raise LockfileError(f"line {line_no}: unterminated quoted string", subject)
        key = _string_body(quoted.group(0), subject, line_no)
        end = quoted.end()
    else:
        bare = _BARE_KEY.match(text)
        if bare is None:
            raise LockfileError(f"line {line_no}: expected a key", subject)
        key, end = bare.group(0), bare.end()
    rest = text[end:]
    if rest.startswith(":"):
        rest = rest[1:]
    rest = rest.strip()
    if not rest:
        return key, None
    if rest.startswith('"'):
        quoted = _QUOTED.match(rest)
        if quoted is None:
            raise LockfileError(f"line {line_no}: unterminated quoted string", subject)
        if quoted.end() != len(rest):
            raise LockfileError(f"line {line_no}: unexpected text after a quoted value", subject)
        return key, _string_body(rest, subject, line_no)
    if rest[0] in "[{&*|>'":
        raise LockfileError(f"line {line_no}: unsupported value syntax {rest[:40]!r}", subject)
    return key, rest


def _string_body(token: str, subject: str, line_no: int) -> str:
    # Escapes are rare in lockfiles; only they need the JSON decoder.
    return _unquote(token, subject, line_no) if "\\" in token else token[1:-1]


def read_entries(text: str, subject: str) -> list[Entry]:
    """Every top-level block of a yarn lockfile, in file order.

    Raises :class:`LockfileError` naming the line for anything that is not this syntax, so a
    truncated or hand-mangled file is refused instead of half-read.
    """
    entries: list[Entry] = []
    stack: list[tuple[int, Mapping]] = []
    pending: tuple[int, Mapping, str, int] | None = None
    """A ``key:`` line whose nested block has not started yet: (indent, parent, key, line)."""
    lines = text.count("\n") + 1
    if lines > MAX_LINES:  # checked before the lines are split out (about 70 bytes each)
        raise LockfileError(f"{lines} lines, over the {MAX_LINES} line limit", subject)
    for line_no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if "\t" in raw[: indent + 1]:
            raise LockfileError(f"line {line_no}: tab indentation is not valid here", subject)
        body_text = raw[indent:].rstrip()
        if indent == 0:
            if pending is not None:
                pending[1][pending[2]] = {}
                pending = None
            keys = _split_top_level_key(body_text, subject, line_no)
            body: Mapping = {}
            entries.append(Entry(keys, line_no, body))
            if len(entries) > MAX_ENTRIES:
                raise LockfileError(
                    f"line {line_no}: more than {MAX_ENTRIES} entries", subject
                )
            stack = [(0, body)]
            continue
        if not stack:
            raise LockfileError(f"line {line_no}: indented line outside any entry", subject)
        if pending is not None:
            parent_indent, parent, key, _ = pending
            if indent > parent_indent:
                child: Mapping = {}
                parent[key] = child
                stack.append((indent, child))
            else:
                parent[key] = {}
            pending = None
        while len(stack) > 1 and indent < stack[-1][0]:
            stack.pop()
        level_indent, mapping = stack[-1]
        if level_indent == 0:
            stack[-1] = (indent, mapping)
        elif indent != level_indent:
            raise LockfileError(f"line {line_no}: inconsistent indentation", subject)
        key, value = _split_field(body_text, subject, line_no)
        if value is None:
            pending = (indent, mapping, key, line_no)
        else:
            mapping[key] = value
    if pending is not None:
        pending[1][pending[2]] = {}
    return entries


def declared_dependencies(entry: Entry, section: str, subject: str) -> Iterator[tuple[str, str]]:
    """``(name, range)`` pairs of one dependency section of a block, refusing malformed ones."""
    declared = entry.body.get(section)
    if declared is None:
        return
    if isinstance(declared, str):
        raise LockfileError(
            f"line {entry.line}: {section} of {entry.keys[0]} is not a list", subject
        )
    for dep_name, dep_spec in declared.items():
        if not isinstance(dep_spec, str):
            raise LockfileError(
                f"line {entry.line}: {section} entry {dep_name} of {entry.keys[0]} is not a range",
                subject,
            )
        yield dep_name, dep_spec
