"""The one walk of a file's syntax tree, and the dispatch of its nodes to the signal detectors.

The tree is visited once, by a tree-sitter query over the union of the node types the file's
detectors asked for (plus the few the walker needs itself); tree-sitter runs it in C and hands
back only those nodes, grouped by type and in source order. The walker first records what names
hold which modules (``const cp = require('child_process')``, ``import {exec} from ...``), then
gives each detector its nodes, module references, string literals and regex literals, and finally
lets each finish in order. No detector walks the tree itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

from scanner.behaviour.context import FileContext, ModuleRef, StringLiteral
from scanner.behaviour.parser import Grammar, node_query, run_query
from scanner.behaviour.signals.base import Handler, On, SignalSpec
from scanner.behaviour.syntax import (
    arguments,
    callee,
    last_name,
    literal_string,
    member_parts,
    string_value,
    template_text,
    text,
    unwrap,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

_CORE_TYPES = frozenset(
    {
        "call_expression",
        "import_statement",
        "export_statement",
        "variable_declarator",
        "function_declaration",
        "class_declaration",
    }
)
_STRING_TYPES = ("string", "template_string")
_SOURCE_ORDER = attrgetter("start_byte", "end_byte")
_MODULE_CALL_STARTS = (b"require", b"import", b"module", b"(")
# Where the name an ``On`` handler filters on sits, per node type.
_NAMED_FIELDS = {
    "call_expression": "function",
    "new_expression": "constructor",
    "assignment_expression": "left",
    "augmented_assignment_expression": "left",
}


def walk(ctx: FileContext, tree: Tree, grammar: Grammar, specs: Sequence[SignalSpec]) -> None:
    detectors = [spec.detector(ctx) for spec in specs if spec.detector is not None]
    handlers: dict[str, list[Handler]] = {}
    by_name: dict[str, dict[str, list[Handler]]] = {}
    for detector in detectors:
        for node_type, handler in detector.handlers().items():
            if isinstance(handler, On):
                table = by_name.setdefault(node_type, {})
                for name in handler.names:
                    table.setdefault(name, []).append(handler.handler)
            else:
                handlers.setdefault(node_type, []).append(handler)
    wants_strings = [d for d in detectors if d.wants_strings]
    wants_regexes = [d for d in detectors if d.wants_regexes]
    wanted = set(handlers) | set(by_name) | _CORE_TYPES
    if wants_strings:
        wanted.update(_STRING_TYPES)
    if wants_regexes:
        wanted.add("regex")
    captures = run_query(node_query(grammar, frozenset(wanted)), tree.root_node)
    for captured in captures.values():
        # tree-sitter does not return captures in source order (nor the same order for the
        # same tree every time): sorted, the first occurrence is the evidence, and state that
        # detectors keep in order (aliases, the first hook) is the same on every run.
        captured.sort(key=_SOURCE_ORDER)
    ctx.root = tree.root_node

    _record_bindings(ctx, captures)
    for detector in (d for d in detectors if d.wants_modules):
        for ref in ctx.modules:
            detector.on_module(ref)
    for node_type in sorted(set(handlers) | set(by_name)):
        nodes = captures.get(node_type, ())
        for handler in handlers.get(node_type, ()):
            for node in nodes:
                handler(node)
        named = by_name.get(node_type)
        if named:
            field = _NAMED_FIELDS[node_type]
            for node in nodes:
                target = node.child_by_field_name(field)
                found = last_name(target, ctx.data) if target is not None else None
                for handler in named.get(found or "", ()):
                    handler(node)
    if wants_strings:
        for literal in _string_literals(ctx.data, captures):
            for detector in wants_strings:
                detector.on_string(literal)
    for node in captures.get("regex", ()):
        pattern = node.child_by_field_name("pattern")
        source = text(pattern, ctx.data) if pattern is not None else ""
        for detector in wants_regexes:
            detector.on_regex(node, source)
    for detector in detectors:
        detector.finish()


def _string_literals(data: bytes, captures: dict[str, list[Node]]) -> list[StringLiteral]:
    literals: list[StringLiteral] = []
    for node in captures.get("string", ()):
        raw = text(node, data)[1:-1]
        value = string_value(node, data)
        literals.append(StringLiteral(node, value if value is not None else raw, raw, False))
    for node in captures.get("template_string", ()):
        raw = text(node, data)[1:-1]
        literals.append(StringLiteral(node, template_text(node, data), raw, True))
    literals.sort(key=lambda literal: literal.node.start_byte)
    return literals


def _record_bindings(ctx: FileContext, captures: dict[str, list[Node]]) -> None:
    data = ctx.data
    for node in captures.get("function_declaration", ()):
        name = node.child_by_field_name("name")
        if name is not None:
            ctx.declared.add(text(name, data))
            ctx.values.setdefault(text(name, data), node)
    for node in captures.get("class_declaration", ()):
        name = node.child_by_field_name("name")
        if name is not None:
            ctx.declared.add(text(name, data))
    for node in captures.get("import_statement", ()):
        source = literal_string(node.child_by_field_name("source"), data)
        ctx.modules.append(ModuleRef(source, "import", node, node.child_by_field_name("source")))
        if source is not None:
            _bind_import(ctx, node, _strip_node(source))
    for node in captures.get("export_statement", ()):
        source_node = node.child_by_field_name("source")
        if source_node is not None:
            ctx.modules.append(
                ModuleRef(literal_string(source_node, data), "export-from", node, source_node)
            )
    # ``var r = require`` (flatmap-stream's loader): calls of r are requires too.
    aliases = _require_aliases(captures.get("variable_declarator", ()), data)
    starts = _MODULE_CALL_STARTS + tuple(a.encode() for a in aliases)
    for node in captures.get("call_expression", ()):
        # require(...), require.resolve(...), module.require(...), import(...), (0, require)(...)
        if data.startswith(starts, node.start_byte):
            ref = _module_call(node, data, aliases)
            if ref is not None:
                ctx.modules.append(ref)
    for node in captures.get("variable_declarator", ()):
        _bind_declarator(ctx, node)
    for alias in aliases:  # r(...) reads as require(...) to every detector
        ctx.bindings[alias] = "require"
        ctx.declared.discard(alias)
    ctx.modules.sort(key=lambda ref: ref.node.start_byte)


def _require_aliases(declarators: Iterable[Node], data: bytes) -> frozenset[str]:
    """Names declared as ``require`` itself (``var r = require``)."""
    found: set[str] = set()
    for node in declarators:
        target = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        if target is None or value is None or target.type != "identifier":
            continue
        value = unwrap(value)
        if value.type == "identifier" and text(value, data) == "require":
            found.add(text(target, data))
    return frozenset(found)


def _module_call(
    node: Node, data: bytes, aliases: frozenset[str] = frozenset()
) -> ModuleRef | None:
    function = callee(node)
    if function is None:
        return None
    if function.type == "identifier" and aliases and text(function, data) in aliases:
        args = arguments(node)
        first = args[0] if args else None
        return ModuleRef(literal_string(first, data), "require", node, first)
    if last_name(function, data) not in ("require", "import", "resolve"):
        return None
    kind: str | None = None
    if function.type == "import":
        kind = "dynamic-import"
    elif function.type == "identifier" and text(function, data) == "require":
        kind = "require"
    else:
        parts = member_parts(function, data)
        if parts == ["module", "require"]:
            kind = "require"
        elif parts == ["require", "resolve"]:
            kind = "require-resolve"
    if kind is None:
        return None
    args = arguments(node)
    first = args[0] if args else None
    return ModuleRef(literal_string(first, data), kind, node, first)


def _strip_node(spec: str) -> str:
    return spec[5:] if spec.startswith("node:") else spec


def _bind_import(ctx: FileContext, node: Node, module: str) -> None:
    data = ctx.data
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":  # import x from 'm'
                ctx.bindings[text(part, data)] = module
            elif part.type == "namespace_import":  # import * as x from 'm'
                for name in part.named_children:
                    if name.type == "identifier":
                        ctx.bindings[text(name, data)] = module
            elif part.type == "named_imports":  # import {a, b as c} from 'm'
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    imported = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or imported
                    if imported is not None and alias is not None:
                        ctx.bindings[text(alias, data)] = f"{module}.{text(imported, data)}"


def _bind_declarator(ctx: FileContext, node: Node) -> None:
    data = ctx.data
    target = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if target is None:
        return
    if value is None:
        if target.type == "identifier":
            ctx.declared.add(text(target, data))
        return
    value = unwrap(value)
    module = _module_of(ctx, value)
    if target.type == "identifier":
        name = text(target, data)
        if module is not None:
            ctx.bindings.setdefault(name, module)
        else:
            ctx.declared.add(name)
        ctx.values.setdefault(name, value)
    elif target.type == "object_pattern" and module is not None:
        for prop in target.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                name = text(prop, data)
                ctx.bindings.setdefault(name, f"{module}.{name}")
            elif prop.type == "pair_pattern":
                key = prop.child_by_field_name("key")
                alias = prop.child_by_field_name("value")
                if key is not None and alias is not None and alias.type == "identifier":
                    key_name = literal_string(key, data) or text(key, data)
                    ctx.bindings.setdefault(text(alias, data), f"{module}.{key_name}")


def _module_of(ctx: FileContext, value: Node) -> str | None:
    """The module (member) an initialiser evaluates to: ``require('m')``, ``require('m').x``,
    ``await import('m')``, or a name already bound to one (``const e = cp.exec``)."""
    if value.type == "call_expression":
        function = callee(value)
        if function is not None and (
            function.type == "import"
            or (function.type == "identifier" and text(function, ctx.data) == "require")
        ):
            args = arguments(value)
            spec = literal_string(args[0], ctx.data) if args else None
            return _strip_node(spec) if spec is not None else None
        return None
    if value.type in ("member_expression", "subscript_expression", "identifier"):
        parts = member_parts(value, ctx.data)
        if not parts:
            return None
        head = parts[0]
        if head.startswith("require:"):
            return ".".join([_strip_node(head[len("require:") :]), *parts[1:]])
        if head in ctx.bindings:
            return ".".join([ctx.bindings[head], *parts[1:]])
    return None
