"""What the signal detectors of one file share: the bytes, the names bound to modules, and the
signals found so far (one per capability and detail, counted)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.behaviour.model import Capability, Method, Signal
from scanner.behaviour.syntax import GLOBAL_OBJECTS, member_parts, text, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

EVIDENCE_LIMIT = 120
DETAIL_LIMIT = 160
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(value: str, limit: int) -> str:
    """Attacker text made safe to print: control and bidi characters escaped, length capped."""
    cleaned = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    cleaned = " ".join(cleaned.split()) if "\n" in value else cleaned
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """A ``require``/``import`` of a module: ``spec`` is None when the argument is computed."""

    spec: str | None
    kind: str
    """``require``, ``import``, ``dynamic-import``, ``export-from``, ``require-resolve``."""
    node: Node
    argument: Node | None

    @property
    def module(self) -> str | None:
        """The spec without a ``node:`` prefix."""
        if self.spec is None:
            return None
        return self.spec[5:] if self.spec.startswith("node:") else self.spec


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """A string or template literal of the code (never a comment or a regex)."""

    node: Node
    value: str
    """The cooked value; a template's substitutions are ``${}``."""
    raw: str
    """The source text between the quotes."""
    template: bool


@dataclass(slots=True)
class _Found:
    line: int | None
    evidence: str
    count: int
    method: Method


@dataclass(slots=True)
class FileContext:
    path: str
    data: bytes
    depth: int = 0
    """How many folders deep the file sits in the package (``lib/x.js``: 1): all a detector may
    know of its path, so that an analysis can be shared by every file with the same bytes."""
    method: Method = Method.SYNTAX
    bindings: dict[str, str] = field(default_factory=dict)
    """Local name -> the module (member) it holds: ``cp`` -> ``child_process``, ``exec`` ->
    ``child_process.exec`` (from require, import and destructuring)."""
    values: dict[str, Node] = field(default_factory=dict)
    """Local name -> the expression of its first declaration (``const x = <expr>``)."""
    declared: set[str] = field(default_factory=set)
    """Names declared in the file as functions, classes or variables not bound to a module."""
    modules: list[ModuleRef] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    """Package files that process-spawning calls run (see :mod:`scanner.behaviour.references`)."""
    decoded: list[tuple[Node, str]] = field(default_factory=list)
    """Decode operations found by the decode signal (node, kind), for the decoded-exec signal."""
    root: Node | None = None
    _names: dict[int, str | None] = field(default_factory=dict)
    _found: dict[tuple[Capability, str | None], _Found] = field(default_factory=dict)

    # --- reading nodes -----------------------------------------------------------------------

    def text(self, node: Node, limit: int | None = None) -> str:
        return text(node, self.data, limit)

    def parts(self, node: Node) -> list[str] | None:
        return member_parts(node, self.data)

    def qualified(self, node: Node) -> str | None:
        """The dotted name of an expression with local names replaced by the modules they hold
        and a leading ``window.``/``globalThis.`` dropped: ``cp.exec`` -> ``child_process.exec``.

        Memoised by node: every detector asks it of every callee.
        """
        key = node.id
        if key in self._names:
            return self._names[key]
        name = self._qualified(node)
        self._names[key] = name
        return name

    def _qualified(self, node: Node) -> str | None:
        parts = member_parts(unwrap(node), self.data)
        if not parts:
            return None
        head = parts[0]
        if head.startswith("require:"):
            module = head[len("require:") :]
            parts[0] = module[5:] if module.startswith("node:") else module
        elif head in self.bindings:
            parts[0] = self.bindings[head]
        elif head in GLOBAL_OBJECTS and len(parts) > 1:
            parts = parts[1:]
        return ".".join(parts)

    def is_global(self, name: str) -> bool:
        """Whether a bare name still means the global of that name (nothing in the file
        declares or imports it)."""
        return name not in self.bindings and name not in self.declared

    # --- recording signals -------------------------------------------------------------------

    def emit(
        self,
        capability: Capability,
        node: Node | None,
        evidence: str | None = None,
        detail: str | None = None,
        *,
        line: int | None = None,
        count: int = 1,
    ) -> None:
        if node is not None and line is None:
            line = node.start_point[0] + 1
        if evidence is None:
            evidence = self.text(node, EVIDENCE_LIMIT) if node is not None else capability.value
        detail = printable(detail, DETAIL_LIMIT) if detail is not None else None
        key = (capability, detail)
        found = self._found.get(key)
        if found is None:
            self._found[key] = _Found(line, printable(evidence, EVIDENCE_LIMIT), count, self.method)
            return
        found.count += count
        if line is not None and (found.line is None or line < found.line):
            found.line = line
            found.evidence = printable(evidence, EVIDENCE_LIMIT)

    def has(self, capability: Capability) -> bool:
        return any(key[0] is capability for key in self._found)

    def signals(self) -> tuple[Signal, ...]:
        return tuple(
            Signal(cap, self.path, f.line, f.evidence, detail, f.count, f.method)
            for (cap, detail), f in sorted(
                self._found.items(),
                key=lambda item: (item[1].line or 0, item[0][0], item[0][1] or ""),
            )
        )
