"""Small questions asked of tree-sitter nodes: what a string literal says, what a call calls.

Everything here is iterative and bounded: a hostile file can nest expressions thousands deep, and
Python's recursion limit must not be what stops the analysis.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

STRING_TYPES = frozenset({"string", "template_string"})
FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
# Wrappers that do not change what an expression evaluates to (TypeScript's casts included).
_TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
        "await_expression",
    }
)
GLOBAL_OBJECTS = frozenset({"window", "globalThis", "global", "self"})
TEMPLATE_HOLE = "${}"

_ESCAPE = re.compile(
    r"\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|([0-7]{1,3})|(\r\n|[\s\S]))"
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescape(match: re.Match[str]) -> str:
    hex2, braced, hex4, octal, other = match.groups()
    code = hex2 or braced or hex4
    if code:
        value = int(code, 16)
        return chr(value) if value <= 0x10FFFF else ""
    if octal:
        return chr(int(octal, 8)) if octal != "0" else "\0"
    if other in ("\n", "\r\n", "\r", "\u2028", "\u2029"):
        return ""  # a line continuation
    return _SIMPLE_ESCAPES.get(other, other)


def cook(raw: str) -> str:
    """A literal's source text (between the quotes) as the string value it denotes."""
    return _ESCAPE.sub(_unescape, raw) if "\\" in raw else raw


def text(node: Node, data: bytes, limit: int | None = None) -> str:
    end = node.end_byte if limit is None else min(node.end_byte, node.start_byte + limit)
    return data[node.start_byte : end].decode("utf-8", "replace")


def line(node: Node) -> int:
    return node.start_point[0] + 1


def unwrap(node: Node) -> Node:
    """The expression inside parentheses, casts and ``await``; the last of a comma sequence
    (``(0, eval)`` calls eval)."""
    for _ in range(64):
        if node.type in _TRANSPARENT or node.type == "sequence_expression":
            inner = node.named_children
            inner = [n for n in inner if n.type != "comment"]
            if not inner:
                return node
            node = inner[-1] if node.type == "sequence_expression" else inner[0]
            if node.type in ("type_annotation",):
                return node
            continue
        return node
    return node


def string_value(node: Node, data: bytes) -> str | None:
    """The value of a string literal, or of a template literal without substitutions."""
    if node.type == "string":
        return cook(text(node, data)[1:-1])
    if node.type == "template_string":
        if any(child.type == "template_substitution" for child in node.children):
            return None
        return cook(text(node, data)[1:-1])
    return None


def template_text(node: Node, data: bytes) -> str:
    """A template literal's text with each substitution replaced by ``${}``."""
    pieces: list[str] = []
    for child in node.children:
        if child.type == "template_substitution":
            pieces.append(TEMPLATE_HOLE)
        elif child.type in ("string_fragment", "escape_sequence"):
            pieces.append(cook(text(child, data)))
    return "".join(pieces)


def literal_string(node: Node | None, data: bytes) -> str | None:
    return None if node is None else string_value(unwrap(node), data)


def arguments(call: Node) -> list[Node]:
    """The argument expressions of a call or ``new`` expression (comments left out)."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    if args.type == "template_string":  # a tagged template: tag`...`
        return [args]
    return [child for child in args.named_children if child.type != "comment"]


def callee(call: Node) -> Node | None:
    field = "constructor" if call.type == "new_expression" else "function"
    found = call.child_by_field_name(field)
    return unwrap(found) if found is not None else None


def member_parts(node: Node, data: bytes, limit: int = 8) -> list[str] | None:
    """``a.b['c'].d`` as ``['a', 'b', 'c', 'd']``; ``require('m').x`` as ``['require:m', 'x']``.

    ``None`` when some part is computed (``a[b]``) or the chain is longer than ``limit``.
    """
    parts: list[str] = []
    current = unwrap(node)
    for _ in range(limit):
        kind = current.type
        if kind == "member_expression":
            prop = current.child_by_field_name("property")
            obj = current.child_by_field_name("object")
            if prop is None or obj is None:
                return None
            parts.append(text(prop, data))
            current = unwrap(obj)
        elif kind == "subscript_expression":
            index = current.child_by_field_name("index")
            obj = current.child_by_field_name("object")
            value = literal_string(index, data)
            if value is None or obj is None:
                return None
            parts.append(value)
            current = unwrap(obj)
        elif kind in ("identifier", "this", "property_identifier", "shorthand_property_identifier"):
            parts.append(text(current, data))
            parts.reverse()
            return parts
        elif kind == "call_expression":
            module = required_module(current, data)
            if module is None:
                return None
            parts.append(f"require:{module}")
            parts.reverse()
            return parts
        else:
            return None
    return None


def last_name(node: Node, data: bytes) -> str | None:
    """The name at the end of an expression: ``c`` for ``a.b.c``, ``a['c']`` and ``c``."""
    node = unwrap(node)
    kind = node.type
    if kind == "identifier":
        return text(node, data)
    if kind == "member_expression":
        prop = node.child_by_field_name("property")
        return text(prop, data) if prop is not None else None
    if kind == "subscript_expression":
        return literal_string(node.child_by_field_name("index"), data)
    if kind == "import":
        return "import"
    return None


def required_module(call: Node, data: bytes) -> str | None:
    """``m`` for ``require('m')`` or ``import('m')`` with a literal argument."""
    if call.type != "call_expression":
        return None
    function = callee(call)
    if function is None:
        return None
    if function.type == "import" or (
        function.type == "identifier" and text(function, data) == "require"
    ):
        args = arguments(call)
        return literal_string(args[0], data) if args else None
    return None


def descendants(node: Node, limit: int) -> Iterator[Node]:
    """``node`` and the nodes under it, depth first, at most ``limit`` of them."""
    stack = [node]
    seen = 0
    while stack and seen < limit:
        current = stack.pop()
        seen += 1
        yield current
        stack.extend(reversed(current.children))


def enclosing(node: Node, types: frozenset[str], limit: int = 200) -> Node | None:
    current = node.parent
    for _ in range(limit):
        if current is None:
            return None
        if current.type in types:
            return current
        current = current.parent
    return None


def function_name(function: Node, data: bytes) -> str | None:
    """The name a function can be called by: its own, or the variable or property it is assigned
    to (``const f = () => ...``, ``exports.f = function () {...}``)."""
    name = function.child_by_field_name("name")
    if name is not None:
        return text(name, data)
    parent = function.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        target = parent.child_by_field_name("name")
        return text(target, data) if target is not None and target.type == "identifier" else None
    if parent.type == "assignment_expression":
        target = parent.child_by_field_name("left")
        parts = member_parts(target, data) if target is not None else None
        return parts[-1] if parts else None
    if parent.type == "pair":
        key = parent.child_by_field_name("key")
        return literal_string(key, data) or (text(key, data) if key is not None else None)
    return None


def parameter_names(function: Node, data: bytes) -> list[str]:
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is None:
        return []
    if params.type == "identifier":
        return [text(params, data)]
    names: list[str] = []
    for child in params.named_children:
        target = child
        if target.type in ("required_parameter", "optional_parameter"):
            target = child.child_by_field_name("pattern") or child
        if target.type == "assignment_pattern":
            target = target.child_by_field_name("left") or target
        names.append(text(target, data) if target.type == "identifier" else "")
    return names
