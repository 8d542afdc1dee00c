"""Deciphering: symmetric and public-key decryption.

Detects ``createDecipher`` / ``createDecipheriv`` (on crypto or any receiver: the names mean
nothing else), ``privateDecrypt`` / ``publicDecrypt``, and WebCrypto's ``subtle.decrypt``.
``detail``: the function, and the algorithm when it is a literal
(``createDecipheriv:aes-256-cbc``).

Why: an encrypted payload is unreadable to reviewers and scanners until it runs; flatmap-stream
(the 2018 event-stream attack) decrypted its payload with a key taken from the victim
application's package description.

Ignores: encryption, hashing and signing; the names in comments and strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Detector,
    Handler,
    On,
    SignalSpec,
    Trigger,
    fixed,
    grouped,
    words,
)
from scanner.behaviour.syntax import arguments, literal_string

if TYPE_CHECKING:
    from tree_sitter import Node

DECIPHER_FUNCTIONS = frozenset(
    {"createDecipher", "createDecipheriv", "privateDecrypt", "publicDecrypt"}
)


class DecipherDetector(Detector):
    def handlers(self) -> Mapping[str, Handler | On]:
        return {"call_expression": On(self._call, DECIPHER_FUNCTIONS | {"decrypt"})}

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        name = self.ctx.qualified(function) if function is not None else None
        if not name:
            return
        last = name.rsplit(".", 1)[-1]
        if last in DECIPHER_FUNCTIONS:
            args = arguments(node)
            algorithm = literal_string(args[0], self.ctx.data) if args else None
            detail = (
                f"{last}:{algorithm.lower()}" if algorithm and last.startswith("create") else last
            )
            self.ctx.emit(Capability.DECIPHER, node, detail=detail)
        elif name.endswith("subtle.decrypt"):
            self.ctx.emit(Capability.DECIPHER, node, detail="subtle.decrypt")


SIGNAL = SignalSpec(
    id=Capability.DECIPHER.value,
    title="Decrypts data",
    capabilities=(Capability.DECIPHER,),
    detector=DecipherDetector,
    doc=__doc__ or "",
    triggers=(
        Trigger(texts=(b"createDecipher",), words=words("privateDecrypt publicDecrypt")),
        Trigger(texts=(b"subtle",), requires=(Trigger(words=words("decrypt")),)),
    ),
    patterns=(
        grouped(
            Capability.DECIPHER,
            rb"create(Decipher(?:iv)?)\s*\(",
            lambda found: (Capability.DECIPHER, "create" + found),
            lean=False,
        ),
        fixed(Capability.DECIPHER, rb"subtle\s*\.\s*decrypt\s*\(", "subtle.decrypt", lean=False),
    ),
)
