"""Wallet hijacking: hooks on the browser's network functions and wallet provider, and
crypto-address swapping.

Detects assignments that replace the global ``fetch`` (``window.fetch = ...``, ``fetch = ...``),
``XMLHttpRequest`` or its prototype's ``open``/``send``/``setRequestHeader`` (detail
``fetch-override``, ``xhr-override``); hooks on ``window.ethereum``: assigning it or its
``request``/``send``/``sendAsync``/``enable``, ``Object.defineProperty(window, 'ethereum')``,
``new Proxy(window.ethereum, ...)`` (``ethereum-hook``); and address swapping: a ``replace``
whose pattern is a crypto-address regex (Ethereum ``0x...{40}``, Bitcoin base58/bech32, Tron),
or an address regex together with ten or more literal addresses of two or more chains
(``address-swap``); an address regex in a file that reads or writes the system clipboard
(``navigator.clipboard``, clipboardy, ``pbcopy``/``xclip``/``Get-Clipboard``...) is a clipper
(``clipboard-swap``); a request to the browser wallet to sign or send a transaction
(``eth_sendTransaction``, ``personal_sign``... beside ``ethereum``: ``wallet-transaction``),
which wallet libraries make and a form library that starts making them should not.

Why: the September 2025 chalk/debug hijack shipped exactly this: it wrapped fetch and
XMLHttpRequest and the wallet provider, found addresses in responses and transactions with
regexes, and replaced them with the attacker's nearest-looking address from a long list.

Ignores: polyfills that only fill a missing fetch (``if (!self.fetch) self.fetch = ...``,
``self.fetch || (self.fetch = ...)``, ``??=``/``||=``); address regexes used to validate without
replacing; the words in comments and strings. Test mocks (fetch-mock, msw) do override fetch: the
verdict compares with the previous version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.context import FileContext, StringLiteral
from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Detector,
    FallbackPattern,
    Handler,
    On,
    Outcome,
    SignalSpec,
    Trigger,
    fixed,
    words,
)
from scanner.behaviour.syntax import GLOBAL_OBJECTS, arguments, literal_string, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

_XHR_METHODS = frozenset({"open", "send", "setRequestHeader"})
_ETHEREUM_METHODS = frozenset({"request", "send", "sendAsync", "enable"})
_ADDRESS_LITERALS = (
    ("eth", re.compile(r"^0x[a-fA-F0-9]{40}$")),
    ("btc", re.compile(r"^(?:bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})$")),
    ("tron", re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$")),
    ("sol", re.compile(r"^[1-9A-HJ-NP-Za-km-z]{43,44}$")),
)
_MIN_ADDRESSES = 10
CLIPBOARD_TOOLS = frozenset(
    {
        "pbcopy",
        "pbpaste",
        "xclip",
        "xsel",
        "wl-copy",
        "wl-paste",
        "clip",
        "clip.exe",
        "Get-Clipboard",
        "Set-Clipboard",
        "clipboardy",
    }
)
TRANSACTION_METHODS = frozenset(
    {
        "eth_sendTransaction",
        "eth_signTransaction",
        "eth_sign",
        "personal_sign",
        "eth_signTypedData_v4",
        "wallet_sendCalls",
    }
)
"""Wallet requests that move funds or sign for them: a drainer's ask, or a web3 library's job."""
_CLIPBOARD_APIS = (b"navigator.clipboard", b"clipboard.readText", b"clipboard.writeText")
_HOOKED_NAMES = _XHR_METHODS | _ETHEREUM_METHODS | {"fetch", "XMLHttpRequest", "ethereum"}


def is_address_regex(pattern: str) -> bool:
    return (
        ("0x" in pattern and "{40}" in pattern)
        or "bc1" in pattern
        or "a-km-zA-HJ-NP-Z" in pattern
        or "A-HJ-NP-Za-km-z" in pattern
        or ("T[" in pattern and "{33}" in pattern)
    )


def hook_kind(parts: list[str]) -> str | None:
    """What assigning to ``parts`` (``window.fetch``) hooks, if anything."""
    if parts[0] in GLOBAL_OBJECTS and len(parts) > 1:
        parts = parts[1:]
    if parts == ["fetch"]:
        return "fetch-override"
    if parts == ["XMLHttpRequest"] or (
        len(parts) == 3
        and parts[:2] == ["XMLHttpRequest", "prototype"]
        and parts[2] in _XHR_METHODS
    ):
        return "xhr-override"
    if parts == ["ethereum"] or (
        len(parts) == 2 and parts[0] == "ethereum" and parts[1] in _ETHEREUM_METHODS
    ):
        return "ethereum-hook"
    return None


class WalletHookDetector(Detector):
    wants_strings = True
    wants_regexes = True

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._address_regex: Node | None = None
        self._regex_names: set[str] = set()
        self._addresses: dict[str, int] = {}
        self._replace_calls: list[Node] = []
        self._clipboard = any(api in ctx.data for api in _CLIPBOARD_APIS)
        self._transaction: Node | None = None

    def handlers(self) -> Mapping[str, Handler | On]:
        return {
            "assignment_expression": On(self._assignment, _HOOKED_NAMES),
            "augmented_assignment_expression": On(self._assignment, _HOOKED_NAMES),
            "call_expression": On(
                self._call, frozenset({"defineProperty", "replace", "replaceAll"})
            ),
            "new_expression": On(self._new, frozenset({"Proxy"})),
        }

    def _assignment(self, node: Node) -> None:
        left = node.child_by_field_name("left")
        parts = self.ctx.parts(left) if left is not None else None
        if not parts:
            return
        kind = hook_kind(parts)
        if kind is None or _is_polyfill(self.ctx, node, left):  # type: ignore[arg-type]
            return
        self.ctx.emit(Capability.WALLET_HOOK, node, detail=kind)

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        name = self.ctx.qualified(function) if function is not None else None
        args = arguments(node)
        if name == "Object.defineProperty" and len(args) >= 2:
            target = self.ctx.parts(args[0])
            prop = literal_string(args[1], self.ctx.data)
            if target and target[0] in GLOBAL_OBJECTS and prop is not None:
                kind = hook_kind([prop])
                if kind is not None:
                    self.ctx.emit(Capability.WALLET_HOOK, node, detail=kind)
        elif name and name.rsplit(".", 1)[-1] in ("replace", "replaceAll") and args:
            self._replace_calls.append(node)

    def _new(self, node: Node) -> None:
        constructor = node.child_by_field_name("constructor")
        if constructor is None or self.ctx.text(constructor) != "Proxy":
            return
        args = arguments(node)
        target = self.ctx.parts(args[0]) if args else None
        kind = hook_kind(target) if target else None
        if kind is not None:
            self.ctx.emit(Capability.WALLET_HOOK, node, detail=kind)

    def on_regex(self, node: Node, pattern: str) -> None:
        if is_address_regex(pattern):
            self._note_regex(node)

    def on_string(self, literal: StringLiteral) -> None:
        value = literal.value
        if value in TRANSACTION_METHODS and self._transaction is None:
            self._transaction = literal.node
        if value in CLIPBOARD_TOOLS:
            self._clipboard = True
        if 25 <= len(value) <= 64:
            for chain, pattern in _ADDRESS_LITERALS:
                if pattern.match(value):
                    self._addresses[chain] = self._addresses.get(chain, 0) + 1
                    break
        elif len(value) < 200 and is_address_regex(value) and "{" in value:
            parent = literal.node.parent
            if parent is not None and parent.type == "arguments":
                self._note_regex(literal.node)  # new RegExp('0x[a-fA-F0-9]{40}')

    def _note_regex(self, node: Node) -> None:
        if self._address_regex is None:
            self._address_regex = node
        current = node.parent
        for _ in range(3):  # const re = /.../  or  const re = new RegExp('...')
            if current is None:
                break
            if current.type == "variable_declarator":
                name = current.child_by_field_name("name")
                if name is not None:
                    self._regex_names.add(self.ctx.text(name))
                break
            current = current.parent

    def finish(self) -> None:
        if self._transaction is not None and b"ethereum" in self.ctx.data:
            self.ctx.emit(
                Capability.WALLET_HOOK,
                self._transaction,
                "asks the browser wallet to sign or send a transaction",
                "wallet-transaction",
            )
        if self._address_regex is None:
            return
        if self._clipboard:
            # A clipper: crypto-address patterns beside the system clipboard.
            self.ctx.emit(
                Capability.WALLET_HOOK,
                self._address_regex,
                "a crypto-address pattern beside clipboard access",
                "clipboard-swap",
            )
        for call in self._replace_calls:
            first = unwrap(arguments(call)[0])
            if first.type == "regex":
                pattern = first.child_by_field_name("pattern")
                if pattern is not None and is_address_regex(self.ctx.text(pattern)):
                    self.ctx.emit(Capability.WALLET_HOOK, call, detail="address-swap")
                    return
            elif first.type == "identifier" and self.ctx.text(first) in self._regex_names:
                self.ctx.emit(Capability.WALLET_HOOK, call, detail="address-swap")
                return
        total = sum(self._addresses.values())
        if total >= _MIN_ADDRESSES and len(self._addresses) >= 2:
            self.ctx.emit(
                Capability.WALLET_HOOK,
                self._address_regex,
                f"an address regex and {total} literal addresses "
                f"({', '.join(sorted(self._addresses))})",
                "address-swap",
            )


def _is_polyfill(ctx: FileContext, assignment: Node, target: Node) -> bool:
    """``if (!self.fetch) self.fetch = f`` and ``self.fetch || (self.fetch = f)`` only fill a
    gap; a browser that has fetch never runs them."""
    operator = assignment.child_by_field_name("operator")
    if operator is not None and ctx.text(operator) in ("||=", "??="):
        return True
    name = ctx.text(target)
    current = assignment.parent
    for _ in range(6):
        if current is None:
            return False
        if current.type == "binary_expression":
            left = current.child_by_field_name("left")
            if left is not None and ctx.text(left) == name:
                return True
        if current.type == "if_statement":
            condition = current.child_by_field_name("condition")
            text = ctx.text(condition, 300) if condition is not None else ""
            compact = re.sub(r"\s+", "", text)
            return f"!{name}" in compact or ("undefined" in compact and name in compact)
        current = current.parent
    return False


def _global_fetch_assignment(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    before = data[max(0, match.start() - 12) : match.start()]
    if before.endswith((b"window.", b"globalThis.", b"self.", b"global.")):
        return [(Capability.WALLET_HOOK, "fetch-override")]
    return []


SIGNAL = SignalSpec(
    id=Capability.WALLET_HOOK.value,
    title="Hooks wallets or the network",
    capabilities=(Capability.WALLET_HOOK,),
    detector=WalletHookDetector,
    doc=__doc__ or "",
    triggers=(
        # The hooked names (the patterns find XMLHttpRequest and ethereum in longer names);
        # an address regex, which an address swap needs.
        # (``{40}``, ``{33}`` and ``A-HJ-NP-Z`` have the pieces 40, 33 and HJ.)
        Trigger(words=words("fetch 40 33 HJ"), texts=(b"XMLHttpRequest", b"ethereum", b"bc1")),
    ),
    patterns=(
        FallbackPattern(re.compile(rb"fetch\s*=(?![=>])"), _global_fetch_assignment, lean=False),
        fixed(
            Capability.WALLET_HOOK,
            rb"XMLHttpRequest\s*\.\s*prototype\s*\.\s*(?:open|send)\s*=(?!=)",
            "xhr-override",
        ),
        fixed(
            Capability.WALLET_HOOK,
            rb"ethereum\s*\.\s*(?:request|send|sendAsync)\s*=(?!=)",
            "ethereum-hook",
        ),
        fixed(
            Capability.WALLET_HOOK,
            rb"Proxy\s*\(\s*(?:window\s*\.\s*)?ethereum\b",
            "ethereum-hook",
            lean=False,
        ),
    ),
)
