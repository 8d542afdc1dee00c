"""Decoding: data turned back into text at run time.

Detects ``Buffer.from(x, 'hex' | 'base64' | 'base64url')`` (and ``new Buffer``/``Buffer(x,
enc)``), ``atob`` (bare or ``window.atob``), ``Base64.decode``-style calls on a name that says
base64, ``String.fromCharCode`` over a spread or ``apply``'d array, with eight or more arguments,
or mapped over a numeric array literal, and the output of a decipher (``.update``/``.final`` of a
``createDecipher*`` object). ``detail``: ``hex``, ``base64``, ``atob``, ``char-codes``,
``decipher``.

Why: alone it is ordinary (images, tokens, binary protocols all decode base64), so it weighs
little; it matters as the source the decoded-exec signal follows into require, eval and exec.
Long encoded literals themselves are reported by the obfuscation signal.

Ignores: ``String.fromCharCode(code)`` with a few arguments (string utilities do that
everywhere), encoding (``toString('base64')``), and the words in comments and strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Describe,
    Detector,
    FallbackPattern,
    Handler,
    On,
    Outcome,
    SignalSpec,
)
from scanner.behaviour.signals.decoded_exec import DECODE_TRIGGERS, sink_before
from scanner.behaviour.signals.dynamic_code import global_name
from scanner.behaviour.syntax import arguments, callee, literal_string, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

_CALL_NAMES = frozenset(
    {"from", "Buffer", "atob", "fromCharCode", "apply", "decode", "update", "final"}
)
ENCODINGS = {"hex": "hex", "base64": "base64", "base64url": "base64"}
_CHAR_CODE_ARGS = 8
_MAPPED_ARRAY = 8


def decode_kind(ctx: FileContext, node: Node) -> str | None:
    function = callee(node)
    if function is None:
        return None
    name = ctx.qualified(function) or ""
    args = arguments(node)
    if name in ("Buffer.from", "Buffer", "buffer.Buffer.from", "buffer.Buffer"):
        encoding = literal_string(args[1], ctx.data) if len(args) > 1 else None
        return ENCODINGS.get(encoding or "")
    if node.type == "new_expression":
        return None
    if global_name(ctx, function) == "atob":
        return "atob"
    if name.endswith("fromCharCode") or name.endswith("fromCharCode.apply"):
        return _char_codes(ctx, node, name, args)
    head, _, last = name.rpartition(".")
    if last == "decode" and "base64" in head.lower():
        return "base64"
    if last in ("update", "final") and _from_decipher(ctx, function):
        return "decipher"
    return None


def _char_codes(ctx: FileContext, node: Node, name: str, args: list[Node]) -> str | None:
    if name.endswith(".apply") or len(args) >= _CHAR_CODE_ARGS:
        return "char-codes"
    if any(a.type == "spread_element" for a in args):
        return "char-codes"
    # [104, 105, ...].map(c => String.fromCharCode(c))
    current = node.parent
    for _ in range(6):
        if current is None:
            return None
        if current.type == "call_expression":
            function = current.child_by_field_name("function")
            if function is not None and function.type == "member_expression":
                obj = function.child_by_field_name("object")
                obj = unwrap(obj) if obj is not None else None
                if obj is not None and obj.type == "array" and _numeric(obj):
                    return "char-codes"
        current = current.parent
    return None


def _numeric(array: Node) -> bool:
    items = array.named_children
    return len(items) >= _MAPPED_ARRAY and all(i.type == "number" for i in items[:64])


def _from_decipher(ctx: FileContext, function: Node) -> bool:
    """Whether ``x.update``'s ``x`` is a decipher: ``createDecipheriv(...)`` itself or a name
    initialised to one."""
    obj = function.child_by_field_name("object") if function.type == "member_expression" else None
    if obj is None:
        return False
    obj = unwrap(obj)
    if obj.type == "identifier":
        value = ctx.values.get(ctx.text(obj))
        obj = unwrap(value) if value is not None else obj
    if obj.type != "call_expression":
        return False
    inner = obj.child_by_field_name("function")
    name = ctx.qualified(inner) if inner is not None else None
    return bool(name) and name.rsplit(".", 1)[-1] in ("createDecipher", "createDecipheriv")  # type: ignore[union-attr]


class DecodeDetector(Detector):
    def handlers(self) -> Mapping[str, Handler | On]:
        return {
            "call_expression": On(self._call, _CALL_NAMES),
            "new_expression": On(self._call, frozenset({"Buffer"})),
        }

    def _call(self, node: Node) -> None:
        kind = decode_kind(self.ctx, node)
        if kind is not None:
            self.ctx.decoded.append((node, kind))
            self.ctx.emit(Capability.DECODE, node, detail=kind)


def _decoded(detail: str) -> Describe:
    """A decode found by text; a sink right before it (``eval(atob(``) is decoded-exec too."""

    def describe(match: re.Match[bytes], data: bytes) -> list[Outcome]:
        found: list[Outcome] = [(Capability.DECODE, detail or match.group(1).decode())]
        sink = sink_before(data, match.start())
        if sink is not None:
            found.append((Capability.DECODED_EXEC, sink))
        return found

    return describe


SIGNAL = SignalSpec(
    id=Capability.DECODE.value,
    title="Decodes data",
    capabilities=(Capability.DECODE,),
    detector=DecodeDetector,
    doc=__doc__ or "",
    triggers=DECODE_TRIGGERS,
    order=10,
    patterns=(
        FallbackPattern(
            re.compile(
                rb"Buffer\s*(?:\.\s*from)?\s*\([^()]{0,200}?,\s*['\"](hex|base64)(?:url)?['\"]\s*\)"
            ),
            _decoded(""),
        ),
        FallbackPattern(re.compile(rb"atob(?<![\w$.]atob)\s*\("), _decoded("atob")),
        FallbackPattern(
            re.compile(rb"fromCharCode\s*(?:\.\s*apply\s*\(|\(\s*\.\.\.)"), _decoded("char-codes")
        ),
    ),
)
