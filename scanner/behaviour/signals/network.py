"""Network access: modules that open connections, and real calls of the browser-style globals.

Detects require/import of ``http``, ``https``, ``http2``, ``net``, ``tls`` and ``dgram`` (detail:
the module), of HTTP and socket client libraries (axios, node-fetch, undici, got, ws, ...;
detail ``library:<name>``), calls of the global ``fetch`` (bare, or as ``window.fetch`` /
``globalThis.fetch`` / ``self.fetch``), ``new XMLHttpRequest``, ``new WebSocket``, ``new
EventSource`` and ``navigator.sendBeacon``.

Why: a payload has to send what it stole somewhere, or fetch its second stage.

Ignores: methods that happen to be named fetch (``this.fetch()``, ``cache.fetch(key)``), a
``fetch`` the file declares or imports itself (then it is that library, or not network at all),
and the words in comments, strings and regex literals, which are not code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.context import ModuleRef
from scanner.behaviour.model import Capability
from scanner.behaviour.signals._modules import module_table, package_name
from scanner.behaviour.signals.base import (
    Detector,
    Handler,
    On,
    SignalSpec,
    Trigger,
    fixed,
    words,
)
from scanner.behaviour.syntax import GLOBAL_OBJECTS, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

NETWORK_MODULES = ("http", "https", "http2", "net", "tls", "dgram")
NETWORK_LIBRARIES = (
    "axios",
    "node-fetch",
    "undici",
    "got",
    "request",
    "superagent",
    "needle",
    "ws",
    "cross-fetch",
    "isomorphic-fetch",
    "make-fetch-happen",
    "minipass-fetch",
    "ky",
    "phin",
    "socket.io-client",
)
GLOBAL_CALLS = {"fetch": "fetch", "navigator.sendBeacon": "sendBeacon"}
GLOBAL_CONSTRUCTORS = ("XMLHttpRequest", "WebSocket", "EventSource")
NETWORK_TRIGGER = Trigger(
    # The modules, a piece of each library's name, the global fetch; the constructors and
    # sendBeacon also as text (the patterns find them inside longer names).
    words=words(
        "http https http2 net tls dgram axios fetch undici got request superagent needle ws ky"
        " phin socket sendBeacon"
    ),
    texts=(b"XMLHttpRequest", b"WebSocket", b"EventSource", b"sendBeacon"),
)


class NetworkDetector(Detector):
    wants_modules = True

    def handlers(self) -> Mapping[str, Handler | On]:
        return {
            "call_expression": On(self._call, frozenset({"fetch", "sendBeacon"})),
            "new_expression": On(self._new, frozenset(GLOBAL_CONSTRUCTORS)),
        }

    def on_module(self, ref: ModuleRef) -> None:
        module = ref.module
        if module is None or ref.kind == "require-resolve":
            return
        if module in NETWORK_MODULES:
            self.ctx.emit(Capability.NETWORK, ref.node, detail=module)
        elif package_name(module) in NETWORK_LIBRARIES:
            self.ctx.emit(Capability.NETWORK, ref.node, detail=f"library:{package_name(module)}")

    def _global(self, node: Node | None) -> str | None:
        """The global name an expression denotes, if nothing in the file shadows it."""
        if node is None:
            return None
        node = unwrap(node)
        parts = self.ctx.parts(node)
        if not parts:
            return None
        if parts[0] in GLOBAL_OBJECTS and len(parts) > 1:
            parts = parts[1:]
        elif not self.ctx.is_global(parts[0]):
            return None
        return ".".join(parts)

    def _call(self, node: Node) -> None:
        name = self._global(node.child_by_field_name("function"))
        if name in GLOBAL_CALLS:
            self.ctx.emit(Capability.NETWORK, node, detail=GLOBAL_CALLS[name])

    def _new(self, node: Node) -> None:
        name = self._global(node.child_by_field_name("constructor"))
        if name in GLOBAL_CONSTRUCTORS:
            self.ctx.emit(Capability.NETWORK, node, detail=name)


SIGNAL = SignalSpec(
    id=Capability.NETWORK.value,
    title="Reaches the network",
    capabilities=(Capability.NETWORK,),
    detector=NetworkDetector,
    doc=__doc__ or "",
    triggers=(NETWORK_TRIGGER,),
    modules=module_table(NETWORK_MODULES, NETWORK_LIBRARIES),
    patterns=(
        fixed(Capability.NETWORK, rb"fetch(?<![\w$.]fetch)\s*\(", "fetch", lean=False),
        fixed(Capability.NETWORK, rb"XMLHttpRequest\b", "XMLHttpRequest", lean=False),
        fixed(Capability.NETWORK, rb"WebSocket\s*\(", "WebSocket", lean=False),
        fixed(Capability.NETWORK, rb"EventSource\s*\(", "EventSource", lean=False),
        fixed(Capability.NETWORK, rb"sendBeacon\s*\(", "sendBeacon", lean=False),
    ),
)
