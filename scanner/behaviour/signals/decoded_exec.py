"""Decoded data that gets executed: a decode feeding require, eval, vm or a process spawn.

Detects it by starting from each decode the decode signal found (``Buffer.from(s, 'hex')``,
``atob``, char-code arrays, a decipher's output) and following the value outwards through the
expressions around it: method calls on it (``.toString()``), calls that wrap it, a variable it is
assigned to (then every use of that variable), a function that returns it (then every call of that
function), and one level of function call (``run(decoded)`` where ``run`` passes its parameter to
``eval``). When it reaches an argument of a sink it emits ``decoded-exec`` with ``detail`` naming
the sink: ``eval``, ``Function``, ``vm``, ``vm.Script``, ``module._compile``, ``require``,
``import`` or ``child_process``; the evidence says what was decoded and through which function.
Bytes handed to ``WebAssembly`` are not followed: they run sandboxed and come out as a module.

Why: decoding something and running it is what packed payloads do and what ordinary code almost
never does (flatmap-stream deciphered its payload and ran it with ``module._compile``; the
common loader shape is ``eval(atob('...'))`` or ``require(Buffer.from('...','hex').toString())``).

Ignores: data flow through object properties, arrays, closures over several functions, and names
reused in different scopes (a variable declared in a function is followed inside that function;
module-level names and functions are matched file-wide, which can over-report in a file that
reuses a short name; it does not follow more than one call level). Deliberately simple: the
signal is for the loader shapes above, not general taint tracking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import Detector, SignalSpec, Trigger, words
from scanner.behaviour.signals.dynamic_code import dynamic_code_kind
from scanner.behaviour.signals.process_spawn import SPAWN_FUNCTIONS
from scanner.behaviour.syntax import (
    FUNCTION_TYPES,
    arguments,
    callee,
    enclosing,
    function_name,
    parameter_names,
    string_value,
    unwrap,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

_MAX_WORK = 64
_MAX_DECODES = 256
_MAX_USES = 200
_MAX_CLIMB = 32
_PATTERN_SINKS = {
    "_compile": "module._compile",
    "runInThisContext": "vm",
    "runInNewContext": "vm",
    "execSync": "child_process",
    "exec": "child_process",
    "spawn": "child_process",
}
DECODE_TRIGGERS = (
    # The decode signal's triggers (declared here, where decode.py already looks for sinks):
    # Buffer (also buffer.Buffer), atob, fromCharCode (the detector takes any name ending with
    # it), a decipher's update/final; a base64 library's decode.
    Trigger(words=words("atob"), texts=(b"Buffer", b"fromCharCode", b"createDecipher")),
    Trigger(words=words("decode"), requires=(Trigger(folded_texts=(b"base64",)),)),
)
_SINK = Trigger(
    words=words(
        "eval Function require import runInThisContext runInNewContext runInContext"
        " compileFunction Script SourceTextModule"
    )
    | words(SPAWN_FUNCTIONS),
    texts=(b"_compile",),
)
_STOP = frozenset({"program", "statement_block", "class_body", "switch_body"})


def sink_kind(ctx: FileContext, call: Node) -> str | None:
    kind = dynamic_code_kind(ctx, call)
    if kind is not None:
        return kind
    if call.type != "call_expression":
        return None
    function = callee(call)
    if function is None:
        return None
    if function.type == "import":
        return "import"
    name = ctx.qualified(function) or ""
    if name in ("require", "module.require") and ctx.is_global("require"):
        return "require"
    head, _, last = name.rpartition(".")
    if head == "child_process" and last in SPAWN_FUNCTIONS:
        return "child_process"
    return None


@dataclass(frozen=True, slots=True)
class _Work:
    kind: str
    """``name`` (a variable holding decoded data), ``decoder`` (a function returning it) or
    ``param`` (a parameter that receives it)."""
    name: str
    source: str
    via: str | None
    scope: tuple[int, int] | None = None


class DecodedExecDetector(Detector):
    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._queue: list[_Work] = []
        self._seen: set[tuple[str, str, tuple[int, int] | None]] = set()

    def finish(self) -> None:
        if not self.ctx.decoded or self.ctx.root is None:
            return
        # A decode inside another (atob(atob(x))) is followed by the outer one. tree-sitter
        # finds a node's parent by walking down from the root, so climbing costs the depth of
        # the tree at every step: the number of climbs is capped for hostile nesting.
        covered_to = -1
        climbs = 0
        for node, kind in sorted(self.ctx.decoded, key=lambda item: item[0].start_byte):
            if node.end_byte <= covered_to:
                continue
            covered_to = node.end_byte
            climbs += 1
            if climbs > _MAX_DECODES:
                break
            what = "literal" if self._literal_input(node) else "data"
            self._climb(node, f"{kind}-decoded {what}", None)
        done = 0
        while self._queue and done < _MAX_WORK:
            work = self._queue.pop(0)
            done += 1
            self._follow(work)

    def _is_literal(self, node: Node) -> bool:
        """A string literal, a variable initialised to one, or an array of numbers."""
        node = unwrap(node)
        if node.type == "identifier":
            value = self.ctx.values.get(self.ctx.text(node))
            node = unwrap(value) if value is not None else node
        if string_value(node, self.ctx.data) is not None:
            return True
        return node.type == "array" and all(
            child.type == "number" for child in node.named_children
        )

    def _literal_input(self, decode: Node) -> bool:
        """Whether a decode's input is written in the file (``Buffer.from('6368...', 'hex')``,
        ``atob(PAYLOAD)``, ``String.fromCharCode(...[104, 105])``)."""
        if decode.type != "call_expression":
            return False
        args = arguments(decode)
        if not args:
            return False
        first = unwrap(args[0])
        if first.type == "spread_element" and first.named_children:
            first = first.named_children[0]
        return self._is_literal(first)

    def _enqueue(self, work: _Work) -> None:
        key = (work.kind, work.name, work.scope)
        if work.name and key not in self._seen:
            self._seen.add(key)
            self._queue.append(work)

    def _climb(self, start: Node, source: str, via: str | None) -> None:
        """Follow a decoded value from ``start`` up to where it is used."""
        ctx = self.ctx
        current = start
        for _ in range(_MAX_CLIMB):
            parent = current.parent
            if parent is None:
                return
            kind = parent.type
            if kind == "arguments" and parent.parent is not None:
                call = parent.parent
                if _is_webassembly(ctx, call):
                    # Bytes compiled as WebAssembly (es-module-lexer, cjs-module-lexer inline
                    # theirs in base64) run sandboxed, with only the imports the code gives
                    # them: what comes out is a module, not decoded code.
                    return
                sink = sink_kind(ctx, call)
                if sink is not None:
                    how = f"{source} reaches {sink}" + (f" through {via}()" if via else "")
                    # A literal the package itself decodes and runs is a packed payload; decoded
                    # run-time data (a source map, a config) is what loaders and test runners do.
                    detail = f"literal:{sink}" if "decoded literal" in source else sink
                    ctx.emit(Capability.DECODED_EXEC, call, how, detail)
                    return
                if via is None:
                    self._into_function(call, current, source)
                current = call
                continue
            if kind == "variable_declarator":
                if _is_field(parent, "value", current):
                    target = parent.child_by_field_name("name")
                    if target is not None and target.type == "identifier":
                        scope = _function_scope(parent)
                        self._enqueue(_Work("name", ctx.text(target), source, via, scope))
                return
            if kind == "assignment_expression":
                left = parent.child_by_field_name("left")
                if (
                    _is_field(parent, "right", current)
                    and left is not None
                    and left.type == "identifier"
                ):
                    assigned = ctx.text(left)
                    scope = _declaring_scope(ctx, parent, assigned)
                    self._enqueue(_Work("name", assigned, source, via, scope))
                return
            if (
                kind == "arrow_function"
                and parent.parent is not None
                and (parent.parent.type == "arguments")
            ):
                # A callback (``codes.map(c => String.fromCharCode(c))``): its results are the
                # call's result.
                current = parent.parent
                continue
            if kind == "return_statement" or (
                kind == "arrow_function" and _is_field(parent, "body", current)
            ):
                function = parent if kind == "arrow_function" else enclosing(parent, FUNCTION_TYPES)
                name = function_name(function, ctx.data) if function is not None else None
                if name is not None and via is None:
                    self._enqueue(_Work("decoder", name, source, via))
                return
            if kind in _STOP or kind.endswith(("_statement", "_declaration")):
                return
            current = parent

    def _into_function(self, call: Node, argument: Node, source: str) -> None:
        """``f(decoded)``: follow the parameter inside ``f``, one level deep."""
        function = callee(call)
        if function is None or function.type != "identifier":
            return
        name = self.ctx.text(function)
        definition = self.ctx.values.get(name)
        if definition is None or definition.type not in FUNCTION_TYPES:
            return
        args = arguments(call)
        index = next((i for i, a in enumerate(args) if a.id == argument.id), None)
        params = parameter_names(definition, self.ctx.data)
        if index is None or index >= len(params) or not params[index]:
            return
        body = definition.child_by_field_name("body")
        if body is None:
            return
        self._enqueue(_Work("param", params[index], source, name, (body.start_byte, body.end_byte)))

    def _follow(self, work: _Work) -> None:
        for node in self._uses(work.name, work.scope):
            if work.kind == "decoder":
                parent = node.parent
                if (
                    parent is not None
                    and parent.type == "call_expression"
                    and _is_field(parent, "function", node)
                ):
                    source = work.source
                    if any(self._is_literal(a) for a in arguments(parent)):
                        source = source.replace("decoded data", "decoded literal")
                    self._climb(parent, f"{source} returned by {work.name}()", None)
                continue
            parent = node.parent
            if (
                parent is not None
                and parent.type == "variable_declarator"
                and _is_field(parent, "name", node)
            ):
                continue
            self._climb(node, work.source, work.via)

    def _uses(self, name: str, scope: tuple[int, int] | None) -> list[Node]:
        """Identifier nodes spelled ``name`` (strings and comments are left out by the tree)."""
        root = self.ctx.root
        assert root is not None
        start, end = scope or (0, len(self.ctx.data))
        pattern = re.compile(rb"(?<![\w$])" + re.escape(name.encode()) + rb"(?![\w$])")
        found: list[Node] = []
        for match in pattern.finditer(self.ctx.data, start, end):
            node = root.descendant_for_byte_range(match.start(), match.end())
            if (
                node is not None
                and node.type in ("identifier", "shorthand_property_identifier")
                and node.start_byte == match.start()
                and node.end_byte == match.end()
            ):
                found.append(node)
            if len(found) >= _MAX_USES:
                break
        return found


def _is_webassembly(ctx: FileContext, call: Node) -> bool:
    function = call.child_by_field_name(
        "constructor" if call.type == "new_expression" else "function"
    )
    return function is not None and ctx.text(function).startswith("WebAssembly.")


def _function_scope(declarator: Node) -> tuple[int, int] | None:
    """The byte range of the function a variable is declared in (``None`` at module level).
    Minifiers reuse one-letter names in every function: a ``const Q`` holding decoded data in
    one function says nothing about the ``Q`` of the next."""
    function = enclosing(declarator, FUNCTION_TYPES)
    if function is None:
        return None
    return (function.start_byte, function.end_byte)


def _declaring_scope(ctx: FileContext, node: Node, name: str) -> tuple[int, int] | None:
    """The byte range of the innermost function around ``node`` that declares ``name`` (as a
    parameter, or with const/let/var, destructuring included), or ``None`` for a module-level
    name: ``code = Buffer.from(code, 'base64')`` in one function reassigns that function's
    ``code``, not every ``code`` in the file."""
    declared = re.compile(
        rb"\b(?:const|let|var)\s+(?:[{\[][^}\]]{0,400}?)?(?<![\w$])"
        + re.escape(name.encode())
        + rb"(?![\w$])"
    )
    function = enclosing(node, FUNCTION_TYPES)
    while function is not None:
        body = function.child_by_field_name("body")
        if name in parameter_names(function, ctx.data) or (
            body is not None and declared.search(ctx.data, body.start_byte, body.end_byte)
        ):
            return (function.start_byte, function.end_byte)
        function = enclosing(function, FUNCTION_TYPES)
    return None


def _is_field(parent: Node, field: str, child: Node) -> bool:
    value = parent.child_by_field_name(field)
    return value is not None and value.id == child.id


_SINK_BEFORE = re.compile(
    rb"(eval|Function|require|_compile|runInThisContext|runInNewContext|execSync|exec|spawn)"
    rb"\s*\(\s*(?:new\s+)?(?:String\s*\.\s*)?$"
)


def sink_before(data: bytes, offset: int) -> str | None:
    """The sink a decode found by text is the argument of, if one directly precedes it."""
    match = _SINK_BEFORE.search(data[max(0, offset - 48) : offset])
    if match is None:
        return None
    name = match.group(1).decode()
    return _PATTERN_SINKS.get(name, name)


SIGNAL = SignalSpec(
    id=Capability.DECODED_EXEC.value,
    title="Executes decoded data",
    capabilities=(Capability.DECODED_EXEC,),
    detector=DecodedExecDetector,
    doc=__doc__ or "",
    # A decode (found by the decode signal, whose detector runs first) and a sink.
    triggers=tuple(
        replace(decode, requires=(*decode.requires, _SINK)) for decode in DECODE_TRIGGERS
    ),
    order=60,
    # Found by text through the decode signal's patterns (a sink right before a decode).
)
