"""Environment reads: the whole environment, secret-looking variables, and ordinary ones.

Detects reads of ``process.env`` (and ``Bun.env``, ``Deno.env.toObject()``). One module for three
capabilities, because they are one decision about one expression:

- ``env-all``: ``process.env`` used as a value: serialised (``JSON.stringify``, a template,
  ``util.inspect``), enumerated (``Object.keys/entries/values``, ``for ... in``), copied
  (``Object.assign``), spread (``{...process.env}``), destructured with a rest element, or passed
  on (an argument, a property value such as ``{env: process.env}``, a return value). ``detail``
  says which, so the verdict can weigh serialising above handing the environment to a child
  process, as every process-spawning tool does. A local alias (``const env = process.env``) is
  followed one step: its member reads are named reads, its serialisation is ``env-all``.
- ``env-secret``: named reads whose name looks like a secret: NPM_TOKEN, NODE_AUTH_TOKEN,
  GITHUB_TOKEN, GH_TOKEN, AWS_*, and any name with a TOKEN, SECRET, PASSWORD, PASSWD,
  PASSPHRASE, KEY, APIKEY, CREDENTIAL(S), AUTH or PRIVATE part (``detail``: the name).
- ``env-named``: every other named read (NODE_ENV, DEBUG, CI, HOME; ``detail``: the name, or
  ``[computed]`` for ``process.env[name]``). Ordinary; weighs nothing alone, but a payload's
  first step is often a CI check, so the names are kept.

Why: stealing tokens from CI and developer machines is the most common goal of npm malware
(the 2025 Shai-Hulud worm and s1ngularity both harvested GITHUB_TOKEN/NPM_TOKEN).

Ignores: writes (``process.env.X = ...``), truthiness tests of ``process.env`` itself, and the
text in comments and strings. ``import.meta.env`` (replaced at build time by bundlers) is not
the process environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Detector,
    FallbackPattern,
    Handler,
    On,
    Outcome,
    SignalSpec,
    Trigger,
    words,
)
from scanner.behaviour.syntax import literal_string, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

_SECRET_PARTS = frozenset(
    {
        "TOKEN",
        "TOKENS",
        "SECRET",
        "SECRETS",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PASSPHRASE",
        "KEY",
        "KEYS",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "AUTH",
        "AUTHTOKEN",
        "PRIVATE",
        "COOKIE",
    }
)
_SECRET_PREFIXES = ("AWS_", "NPM_CONFIG__AUTH", "NPM_CONFIG_//")
_SECRET_SUFFIXES = ("TOKEN", "SECRET", "PASSWORD", "APIKEY", "PRIVATEKEY")
_ENV_OBJECTS = (["process", "env"], ["Bun", "env"])
_ROOTS = (b"process", b"Bun", b"Deno", b"global", b"window")
_MAX_ALIAS_USES = 200
_SERIALISE = frozenset({"JSON.stringify", "util.inspect", "String", "inspect"})
_ENUMERATE = frozenset(
    {
        "Object.keys",
        "Object.entries",
        "Object.values",
        "Object.getOwnPropertyNames",
        "Reflect.ownKeys",
    }
)
_COPY = frozenset({"Object.assign", "structuredClone", "Object.fromEntries"})


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    if upper.startswith(_SECRET_PREFIXES) or upper.endswith(_SECRET_SUFFIXES):
        return True
    return any(part in _SECRET_PARTS for part in re.split(r"[^A-Z0-9]+", upper))


def named_capability(name: str) -> Capability:
    return Capability.ENV_SECRET if is_secret_name(name) else Capability.ENV_NAMED


class EnvironmentDetector(Detector):
    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._aliases: set[str] = set()
        self._prefixes: tuple[bytes, ...] = _ROOTS

    def handlers(self) -> Mapping[str, Handler | On]:
        return {"member_expression": self._member, "subscript_expression": self._member}

    def _is_env(self, node: Node) -> bool:
        parts = self.ctx.parts(node)
        if parts is None:
            return False
        if parts[0] in ("global", "globalThis", "window") and len(parts) > 2:
            parts = parts[1:]
        return parts in _ENV_OBJECTS

    def _member(self, node: Node) -> None:
        # Most member expressions start with some other name: a prefix test in C skips them.
        if not self.ctx.data.startswith(self._prefixes, node.start_byte):
            return
        obj = node.child_by_field_name("object")
        if obj is None:
            return
        obj = unwrap(obj)
        if obj.type == "identifier" and self.ctx.text(obj) in self._aliases:
            self._named_read(node)
        elif self._is_env(node):  # process.env, process['env'], globalThis.process.env
            self._env_value(node)
        elif self.ctx.parts(node) == ["Deno", "env", "toObject"]:
            self.ctx.emit(Capability.ENV_ALL, node, detail="enumerated")

    def _named_read(self, node: Node) -> None:
        parent = node.parent
        if parent is not None and parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            if left is not None and left.id == node.id:
                return  # a write
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            name = self.ctx.text(prop) if prop is not None else None
        else:
            name = literal_string(node.child_by_field_name("index"), self.ctx.data)
        if name is None:
            self.ctx.emit(Capability.ENV_NAMED, node, detail="[computed]")
        else:
            self.ctx.emit(named_capability(name), node, detail=name)

    def _env_value(self, node: Node) -> None:
        """``node`` is ``process.env``: what its surroundings do with it."""
        parent = node.parent
        if parent is None:
            return
        if parent.type in ("member_expression", "subscript_expression"):
            obj = parent.child_by_field_name("object")
            if obj is not None and unwrap(obj).id == node.id:
                self._named_read(parent)
            return
        child, context = node, parent
        for _ in range(8):
            if not self._passes_through(child, context):
                break
            child, parent_next = context, context.parent
            if parent_next is None:
                return
            context = parent_next
        if context.type in ("binary_expression", "ternary_expression", "unary_expression"):
            return  # only tested: process.env && ..., typeof process.env, cond ? ... : ...
        self._classify_use(node, child, context)

    def _passes_through(self, child: Node, context: Node) -> bool:
        """Whether ``context`` evaluates to ``child``'s value: ``(x)``, ``x || {}``, ``x ?? {}``,
        ``a && x`` and ``c ? x : y`` do; the left of ``&&`` and a condition are only tested."""
        kind = context.type
        if kind in ("parenthesized_expression", "as_expression", "non_null_expression"):
            return True
        if kind == "ternary_expression":
            condition = context.child_by_field_name("condition")
            return condition is None or condition.id != child.id
        if kind == "binary_expression":
            operator = context.child_by_field_name("operator")
            symbol = self.ctx.text(operator) if operator is not None else ""
            if symbol in ("||", "??"):
                return True
            if symbol == "&&":
                right = context.child_by_field_name("right")
                return right is not None and right.id == child.id
        return False

    def _classify_use(self, node: Node, child: Node, context: Node) -> None:
        kind = context.type
        emit = self.ctx.emit
        if kind == "arguments" and context.parent is not None:
            function = context.parent.child_by_field_name("function")
            name = self.ctx.qualified(function) if function is not None else None
            emit(Capability.ENV_ALL, node, detail=_call_detail(name))
        elif kind == "spread_element":
            emit(Capability.ENV_ALL, node, detail="spread")
        elif kind in ("pair", "return_statement", "array", "arrow_function"):
            emit(Capability.ENV_ALL, node, detail="passed")
        elif kind in ("template_substitution",) or (
            kind == "binary_expression"
            and self.ctx.text(context.child_by_field_name("operator") or context) == "+"
        ):
            emit(Capability.ENV_ALL, node, detail="serialised")
        elif kind == "for_in_statement":
            emit(Capability.ENV_ALL, node, detail="enumerated")
        elif kind == "variable_declarator":
            self._declared(node, context)
        elif kind == "assignment_expression":
            left = context.child_by_field_name("left")
            if left is None or left.id == child.id:
                return
            if left.type == "identifier":
                self._alias(self.ctx.text(left))
            else:
                emit(Capability.ENV_ALL, node, detail="passed")

    def _declared(self, node: Node, declarator: Node) -> None:
        target = declarator.child_by_field_name("name")
        if target is None:
            return
        if target.type == "identifier":
            self._alias(self.ctx.text(target))
            return
        if target.type != "object_pattern":
            return
        for prop in target.named_children:
            if prop.type == "rest_pattern":
                self.ctx.emit(Capability.ENV_ALL, node, detail="destructured-rest")
                continue
            key = prop
            if prop.type == "pair_pattern":
                key = prop.child_by_field_name("key") or prop
            elif prop.type == "object_assignment_pattern":
                key = prop.child_by_field_name("left") or prop
            name = literal_string(key, self.ctx.data) or self.ctx.text(key)
            self.ctx.emit(named_capability(name), prop, detail=name)

    def _alias(self, name: str) -> None:
        self._aliases.add(name)
        self._prefixes = (*self._prefixes, name.encode())

    def finish(self) -> None:
        """Uses of an alias other than member reads (those the member handler saw):
        ``JSON.stringify(env)``, ``{...env}``, ``send(env)``."""
        root = self.ctx.root
        if not self._aliases or root is None:
            return
        data = self.ctx.data
        for alias in sorted(self._aliases):
            pattern = re.compile(rb"(?<![\w$.])" + re.escape(alias.encode()) + rb"(?![\w$])")
            for count, match in enumerate(pattern.finditer(data)):
                if count >= _MAX_ALIAS_USES:
                    break
                node = root.descendant_for_byte_range(match.start(), match.end())
                if node is None or node.type != "identifier" or node.start_byte != match.start():
                    continue
                parent = node.parent
                if parent is None or parent.type in (
                    "member_expression",
                    "subscript_expression",
                    "variable_declarator",
                ):
                    continue
                self._env_value(node)


def _call_detail(name: str | None) -> str:
    if name in _SERIALISE:
        return "serialised"
    if name in _ENUMERATE:
        return "enumerated"
    if name in _COPY:
        return "copied"
    return "passed"


_BEFORE_ENV = (
    (re.compile(rb"(?:JSON\s*\.\s*stringify|inspect)\s*\(\s*$"), "serialised"),
    (re.compile(rb"Object\s*\.\s*(?:keys|entries|values)\s*\(\s*$"), "enumerated"),
    (re.compile(rb"\.\.\.\s*$"), "spread"),
)
_NAMED = re.compile(rb"\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*['\"]([^'\"\n]{1,100})['\"]\s*\])")


def _env_use(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    """``process.env`` found by text: a named read, or the whole of it serialised, enumerated
    or spread (judged from the bytes around it)."""
    named = _NAMED.match(data, match.end())
    if named is not None:
        name = (named.group(1) or named.group(2)).decode("utf-8", "replace")
        return [(named_capability(name), name)]
    before = data[max(0, match.start() - 40) : match.start()]
    for pattern, detail in _BEFORE_ENV:
        if pattern.search(before):
            return [(Capability.ENV_ALL, detail)]
    return []


SIGNAL = SignalSpec(
    id="environment",
    title="Reads the environment",
    capabilities=(Capability.ENV_ALL, Capability.ENV_SECRET, Capability.ENV_NAMED),
    detector=EnvironmentDetector,
    doc=__doc__ or "",
    triggers=(
        # process.env, Bun.env, Deno.env (also as process['env']); the pattern's
        # ``process.env`` may end a longer name.
        Trigger(
            words=words("env"),
            requires=(Trigger(words=words("Bun Deno"), texts=(b"process",)),),
        ),
    ),
    patterns=(FallbackPattern(re.compile(rb"process\s*\.\s*env\b"), _env_use),),
)
