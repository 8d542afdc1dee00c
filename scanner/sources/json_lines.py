"""Map object keys of a pretty-printed JSON document back to the line they start on.

SARIF results and pull-request annotations must point at the lockfile line of a package entry,
and ``json.loads`` keeps no positions. npm writes lockfiles indented, one key per line, so one
regex pass that tracks nesting by indentation recovers the key path of every object-valued key.
A minified file gives no lines; reports then fall back to line 1.
"""

from __future__ import annotations

import json
import re

_OBJECT_KEY = re.compile(r'^([ \t]*)"((?:[^"\\]|\\.)*)"[ \t]*:[ \t]*\{', re.MULTILINE)


def object_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Return ``{key path: 1-based line}`` for every key whose value is an object."""
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str]] = []
    line = 1
    last = 0
    for match in _OBJECT_KEY.finditer(text):
        start = match.start()
        line += text.count("\n", last, start)
        last = start
        indent = len(match.group(1))
        raw = match.group(2)
        key = json.loads(f'"{raw}"') if "\\" in raw else raw
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        path = tuple(k for _, k in stack)
        lines.setdefault(path, line)
    return lines


def member_key_lines(text: str, member: str) -> dict[str, int]:
    """Lines of the keys of one top-level object member, e.g. npm's ``packages``.

    A faster special case of :func:`object_key_lines`: only keys at the indentation of the
    member's first entry are collected, which is what npm's own layout gives.
    """
    opening = re.search(r'^([ \t]*)"' + re.escape(member) + r'"[ \t]*:[ \t]*\{', text, re.MULTILINE)
    if opening is None:
        return {}
    outer = opening.group(1)
    start = opening.end()
    closing = re.compile("^" + re.escape(outer) + r"\}", re.MULTILINE).search(text, start)
    end = closing.start() if closing else len(text)
    entry = re.compile(r'^([ \t]+)"((?:[^"\\]|\\.)*)"[ \t]*:[ \t]*\{', re.MULTILINE)
    first = entry.search(text, start, end)
    if first is None:
        return {}
    at_depth = re.compile(
        "^" + re.escape(first.group(1)) + r'"((?:[^"\\]|\\.)*)"[ \t]*:[ \t]*\{', re.MULTILINE
    )
    lines: dict[str, int] = {}
    line = text.count("\n", 0, start) + 1
    last = start
    for match in at_depth.finditer(text, start, end):
        line += text.count("\n", last, match.start())
        last = match.start()
        raw = match.group(1)
        lines.setdefault(json.loads(f'"{raw}"') if "\\" in raw else raw, line)
    return lines
