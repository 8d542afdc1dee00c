"""Dynamic code: strings turned into code at run time.

Detects ``eval`` (also ``(0, eval)(...)`` and ``window.eval``), ``Function(...)`` and ``new
Function(...)``, ``vm.runInThisContext`` / ``runInNewContext`` / ``runInContext`` /
``compileFunction`` and ``new vm.Script``, ``module._compile``, hooks installed in
``require.extensions`` / ``Module._extensions``, ``setTimeout``/``setInterval`` given a string, and
``import()`` of a ``data:`` URL; the Function constructor reached another way
(``Function.constructor``, ``(function(){}).constructor``, ``Object.getPrototypeOf(async
function(){}).constructor``); and in browser code a ``<script>`` element created with a remote
``src``, or ``import()`` of an ``http(s):`` URL (``remote-script``: code fetched and run from a
host the package does not ship). ``detail`` names the mechanism (``eval``, ``Function``, ``vm``,
``vm.Script``, ``module._compile``, ``require.extensions``, ``timer-string``, ``data-import``,
``remote-script``);
``eval(literal)`` and ``Function(literal)`` mark calls whose arguments are all string literals
(bundlers write ``eval('require')`` to hide a require from themselves).

Why: every packed or encrypted payload ends in one of these (flatmap-stream's decrypted code ran
through ``module._compile``).

Ignores: ``Function('return this')()``, the standard way to reach the global object in old
runtimes (core-js, lodash, regenerator); methods named eval on other objects; a local function
named ``eval``; the words in comments and strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.context import ModuleRef
from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Detector,
    Handler,
    On,
    SignalSpec,
    Trigger,
    fixed,
    words,
)
from scanner.behaviour.syntax import GLOBAL_OBJECTS, arguments, string_value, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

VM_FUNCTIONS = frozenset({"runInThisContext", "runInNewContext", "runInContext", "compileFunction"})
CALL_NAMES = VM_FUNCTIONS | {
    "eval",
    "Function",
    "_compile",
    "setTimeout",
    "setInterval",
    "constructor",
    "createElement",
    "importScripts",
}
NEW_NAMES = frozenset({"Function", "Script", "SourceTextModule", "constructor"})
_FUNCTION_EXPRESSIONS = frozenset({"function_expression", "function", "arrow_function"})
_REMOTE = re.compile(r"^(?:https?:)?//[^/\s]")
_GLOBAL_THIS_BODY = re.compile(r"^\s*return\s+this\s*;?\s*$")
_STRINGISH = frozenset({"string", "template_string", "binary_expression"})


def global_name(ctx: FileContext, node: Node | None) -> str | None:
    """``eval`` for ``eval``, ``window.eval`` or ``(0, eval)``, when not shadowed locally."""
    if node is None:
        return None
    parts = ctx.parts(unwrap(node))
    if not parts:
        return None
    if parts[0] in GLOBAL_OBJECTS and len(parts) > 1:
        return ".".join(parts[1:])
    return ".".join(parts) if ctx.is_global(parts[0]) else None


def dynamic_code_kind(ctx: FileContext, node: Node) -> str | None:
    """The mechanism a call or ``new`` expression runs code with, if it is one (the sinks the
    decoded-exec signal follows values into)."""
    is_new = node.type == "new_expression"
    function = node.child_by_field_name("constructor" if is_new else "function")
    if function is None:
        return None
    name = global_name(ctx, function)
    if name == "eval" and not is_new:
        return "eval"
    if name in ("Function", "Function.constructor") or _function_constructor(ctx, function):
        return "Function"
    qualified = ctx.qualified(function) or ""
    last = qualified.rsplit(".", 1)[-1]
    if is_new:
        return "vm.Script" if qualified in ("vm.Script", "vm.SourceTextModule") else None
    if last in VM_FUNCTIONS:
        return "vm"
    if last == "_compile":
        return "module._compile"
    return None


def _function_constructor(ctx: FileContext, function: Node) -> bool:
    """``(function(){}).constructor`` or ``Object.getPrototypeOf(async function(){}).constructor``:
    the Function constructor without its name."""
    function = unwrap(function)
    if function.type != "member_expression":
        return False
    prop = function.child_by_field_name("property")
    if prop is None or ctx.text(prop) != "constructor":
        return False
    target = function.child_by_field_name("object")
    target = unwrap(target) if target is not None else None
    if target is None:
        return False
    if target.type in _FUNCTION_EXPRESSIONS:
        return True
    if target.type == "call_expression":
        name = ctx.qualified(target.child_by_field_name("function") or target) or ""
        args = arguments(target)
        return (
            name.endswith("getPrototypeOf")
            and bool(args)
            and (unwrap(args[0]).type in _FUNCTION_EXPRESSIONS)
        )
    return False


def _all_literal(ctx: FileContext, args: list[Node]) -> bool:
    return bool(args) and all(string_value(unwrap(a), ctx.data) is not None for a in args)


_FUNCTION = re.compile(rb"(?<![\w$])Function(?![\w$])\s*(.?)")
_CALLEE_NEXT = frozenset(b"()`?!<'\"/a")


def function_callee(data: bytes) -> bool:
    """Whether ``Function`` can be called or constructed here: some ``Function`` is followed
    by what can follow a callee (``(``, a template, ``?.``, ``)`` of ``(0, Function)``, a
    quote of ``obj['Function']``, a comment, ``as``/``!`` casts), or the file has ``new`` (after
    which anything but ``.`` and ``[`` can follow). ``Function.prototype`` and JSDoc's
    ``{Function}`` in a file without ``new`` cannot."""
    has_new: bool | None = None
    for match in _FUNCTION.finditer(data):
        following = match.group(1)
        if following and following[0] in _CALLEE_NEXT:
            return True
        if following in (b".", b"["):
            continue
        if has_new is None:
            has_new = re.search(rb"(?<![\w$])new(?![\w$])", data) is not None
        if has_new:
            return True
    return False


class DynamicCodeDetector(Detector):
    wants_modules = True

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._script_elements = False
        self._remote_src: Node | None = None

    def handlers(self) -> Mapping[str, Handler | On]:
        return {
            "call_expression": On(self._call, CALL_NAMES),
            "new_expression": On(self._call, NEW_NAMES),
            "assignment_expression": self._assignment,
        }

    def _call(self, node: Node) -> None:
        kind = dynamic_code_kind(self.ctx, node)
        args = arguments(node)
        if kind is None:
            if node.type == "call_expression":
                self._timer(node, args)
                self._browser(node, args)
            return
        if kind == "Function" and args:
            body = string_value(unwrap(args[-1]), self.ctx.data)
            if body is not None and _GLOBAL_THIS_BODY.match(body) and _all_literal(self.ctx, args):
                return
        if kind in ("eval", "Function") and _all_literal(self.ctx, args):
            kind += "(literal)"
        self.ctx.emit(Capability.DYNAMIC_CODE, node, detail=kind)

    def _timer(self, node: Node, args: list[Node]) -> None:
        name = global_name(self.ctx, node.child_by_field_name("function"))
        if name in ("setTimeout", "setInterval") and args and unwrap(args[0]).type in _STRINGISH:
            self.ctx.emit(Capability.DYNAMIC_CODE, node, detail="timer-string")

    def _browser(self, node: Node, args: list[Node]) -> None:
        name = self.ctx.qualified(node.child_by_field_name("function") or node) or ""
        last = name.rsplit(".", 1)[-1]
        if last == "createElement" and args:
            if (literal_value(self.ctx, args[0]) or "").lower() == "script":
                self._script_elements = True
        elif last == "importScripts" and any(_remote(self.ctx, a) for a in args):
            self.ctx.emit(Capability.DYNAMIC_CODE, node, detail="remote-script")

    def finish(self) -> None:
        if self._script_elements and self._remote_src is not None:
            self.ctx.emit(Capability.DYNAMIC_CODE, self._remote_src, detail="remote-script")

    def _assignment(self, node: Node) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if (
            left is not None
            and right is not None
            and left.type == "member_expression"
            and self.ctx.data.endswith(b"src", left.start_byte, left.end_byte)
            and _remote(self.ctx, right)
        ):
            self._remote_src = self._remote_src or node
        if left is None or b"xtensions" not in self.ctx.data[left.start_byte : left.end_byte]:
            return
        parts = self.ctx.parts(left) if left is not None else None
        if parts and len(parts) >= 2 and parts[-2] in ("extensions", "_extensions"):
            self.ctx.emit(Capability.DYNAMIC_CODE, node, detail="require.extensions")

    def on_module(self, ref: ModuleRef) -> None:
        if ref.spec is not None and ref.spec.startswith("data:"):
            self.ctx.emit(Capability.DYNAMIC_CODE, ref.node, detail="data-import")
        elif ref.kind == "dynamic-import" and ref.spec is not None and _REMOTE.match(ref.spec):
            self.ctx.emit(Capability.DYNAMIC_CODE, ref.node, detail="remote-script")


def literal_value(ctx: FileContext, node: Node) -> str | None:
    return string_value(unwrap(node), ctx.data)


def _remote(ctx: FileContext, node: Node) -> bool:
    """An http(s) or protocol-relative URL literal, or a concatenation or template starting
    with one."""
    node = unwrap(node)
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        return left is not None and _remote(ctx, left)
    if node.type == "template_string":
        return _REMOTE.match(ctx.text(node, 16)[1:]) is not None
    value = string_value(node, ctx.data)
    return value is not None and _REMOTE.match(value) is not None


SIGNAL = SignalSpec(
    id=Capability.DYNAMIC_CODE.value,
    title="Runs strings as code",
    capabilities=(Capability.DYNAMIC_CODE,),
    detector=DynamicCodeDetector,
    doc=__doc__ or "",
    triggers=(
        # ``_compile`` and ``vm.Script`` have the pieces ``compile`` and ``Script``; the
        # patterns find ``runIn...Context`` and ``compileFunction`` in longer names.
        Trigger(
            words=words(
                "eval runInThisContext runInNewContext runInContext compileFunction Script"
                " SourceTextModule setTimeout setInterval extensions compile"
            ),
            texts=(b"runIn", b"compileFunction"),
        ),
        Trigger(words=words("data"), requires=(Trigger(texts=(b"data:",)),)),
        Trigger(words=words("Function"), requires=(Trigger(tests=(function_callee,)),)),
        Trigger(texts=(b"Function.constructor", b"}).constructor", b"}.constructor")),
        Trigger(
            words=words("createElement importScripts import"),
            requires=(Trigger(texts=(b"http:", b"https:", b"'//", b'"//', b"`//")),),
        ),
    ),
    patterns=(
        fixed(Capability.DYNAMIC_CODE, rb"eval(?<![\w$.]eval)\s*\(", "eval"),
        fixed(
            Capability.DYNAMIC_CODE,
            rb"Function(?<![\w$.]Function)\s*\((?!\s*['\"]return this['\"]\s*\))",
            "Function",
        ),
        fixed(Capability.DYNAMIC_CODE, rb"_compile\s*\(", "module._compile", lean=False),
        fixed(Capability.DYNAMIC_CODE, rb"runIn(?:This|New)?Context\s*\(", "vm", lean=False),
        fixed(Capability.DYNAMIC_CODE, rb"compileFunction\s*\(", "vm", lean=False),
        fixed(Capability.DYNAMIC_CODE, rb"Script(?<=vm\.Script)\s*\(", "vm.Script", lean=False),
        fixed(
            Capability.DYNAMIC_CODE,
            rb"extensions(?<=require\.extensions|Module\._extensions)\s*\[[^\]]{1,40}\]\s*=[^=]",
            "require.extensions",
            lean=False,
        ),
    ),
)
