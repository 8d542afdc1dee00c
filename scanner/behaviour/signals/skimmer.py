"""Browser skimming: a form hook, a password or card field, and a network call in one file.

Detects files that have all three of: a hook on user input (``addEventListener('submit' |
'input' | 'change' | 'keyup' | 'keydown' | 'blur' | 'paste', ...)``, ``.on('submit', ...)``,
or an assignment to ``onsubmit``/``oninput``/``onchange``/``onkeyup``/``onblur``); a reference
to a password or payment-card field in a string (``input[type=password]``, ``type="password"``,
names and ids such as ``cc-number``, ``cardnumber``, ``cvv``, ``cvc``, ``card_expiry``,
``autocomplete=cc-exp``, or ``el.type === 'password'``); and a way to send it (any network signal
in the file, or an image beacon, ``new Image()``). ``detail``: ``password``, ``card`` or
``password+card``.

Why: Magecart-style skimmers shipped in npm packages (and injected into hijacked front-end
libraries) hook checkout forms and post what is typed to the attacker; none of the three parts is
suspicious alone, which is why the signal is the combination.

Ignores: any one or two of the three parts; field names in comments. Analytics SDKs that
auto-capture forms and name password fields in order to skip them do look like this: the verdict
compares with the previous version, where they had it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from scanner.behaviour.context import FileContext, StringLiteral
from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import Detector, Handler, On, SignalSpec, Trigger, words
from scanner.behaviour.signals.network import NETWORK_TRIGGER
from scanner.behaviour.signals.process_spawn import SPAWN_TRIGGER
from scanner.behaviour.syntax import arguments, literal_string

if TYPE_CHECKING:
    from tree_sitter import Node

INPUT_EVENTS = frozenset(
    {"submit", "input", "change", "keyup", "keydown", "keypress", "blur", "paste"}
)
_HANDLER_PROPERTIES = frozenset({f"on{event}" for event in INPUT_EVENTS})
_PASSWORD = re.compile(r"type\s*=\s*['\"]?password\b|\[\s*type\s*=\s*['\"]?password", re.IGNORECASE)
_FIELD_HINT = re.compile(r"(?i)pass|c[cv]|card|cs|secur|credit|exp")
_CARD = re.compile(
    r"(?:^|[^a-z])(?:cc-?(?:num|number|exp|csc|cvv|cvc|name)|card-?(?:number|num|holder|cvc|cvv|expir\w*|code)"
    r"|cvv2?|cvc2?|security-?code|credit-?card|exp-?date|expiry(?:-?date)?)(?:[^a-z]|$)",
    re.IGNORECASE,
)


class SkimmerDetector(Detector):
    wants_strings = True

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._hook: Node | None = None
        self._fields: set[str] = set()
        self._beacon = False

    def handlers(self) -> Mapping[str, Handler | On]:
        return {
            "call_expression": On(self._call, frozenset({"addEventListener", "on"})),
            "assignment_expression": On(self._assignment, _HANDLER_PROPERTIES),
            "new_expression": On(self._new, frozenset({"Image"})),
        }

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return
        prop = function.child_by_field_name("property")
        name = self.ctx.text(prop) if prop is not None else ""
        if name not in ("addEventListener", "on"):
            return
        args = arguments(node)
        event = literal_string(args[0], self.ctx.data) if args else None
        if event is not None and event.lower() in INPUT_EVENTS and self._hook is None:
            self._hook = node

    def _assignment(self, node: Node) -> None:
        left = node.child_by_field_name("left")
        if left is None or left.type != "member_expression":
            return
        prop = left.child_by_field_name("property")
        if (
            prop is not None
            and self.ctx.text(prop).lower() in _HANDLER_PROPERTIES
            and self._hook is None
        ):
            self._hook = node

    def _new(self, node: Node) -> None:
        constructor = node.child_by_field_name("constructor")
        if constructor is not None and self.ctx.text(constructor) in ("Image", "window.Image"):
            self._beacon = True

    def on_string(self, literal: StringLiteral) -> None:
        value = literal.value
        if len(value) > 300 or not _FIELD_HINT.search(value):
            return
        normalised = value.replace("_", "-")
        if _PASSWORD.search(value) or (
            value == "password" and _compares_type(self.ctx, literal.node)
        ):
            self._fields.add("password")
        if _CARD.search(normalised):
            self._fields.add("card")

    def finish(self) -> None:
        if self._hook is None or not self._fields:
            return
        if not (self._beacon or self.ctx.has(Capability.NETWORK)):
            return
        detail = "+".join(sorted(self._fields, key=lambda f: f != "password"))
        self.ctx.emit(
            Capability.SKIMMER,
            self._hook,
            f"input hook, {detail} field and a network call: {self.ctx.text(self._hook, 80)}",
            detail,
        )


def _compares_type(ctx: FileContext, node: Node) -> bool:
    parent = node.parent
    return (
        parent is not None
        and parent.type == "binary_expression"
        and ".type" in ctx.text(parent, 200)
    )


SIGNAL = SignalSpec(
    id=Capability.SKIMMER.value,
    title="Skims form input",
    capabilities=(Capability.SKIMMER,),
    detector=SkimmerDetector,
    doc=__doc__ or "",
    # All three parts: a hook, a password or card field (compared case-insensitively, with
    # ``_`` read as ``-``), a network call or an image beacon.
    triggers=(
        Trigger(
            words=words(["addEventListener", "on", *sorted(_HANDLER_PROPERTIES)]),
            requires=(
                Trigger(
                    folded_texts=(
                        b"password",
                        b"card",
                        b"cvv",
                        b"cvc",
                        b"security",
                        b"expiry",
                        b"expdate",
                        b"exp-date",
                        b"exp_date",
                        b"cc-",
                        b"cc_",
                        b"ccnum",
                        b"ccexp",
                        b"cccsc",
                        b"ccname",
                    )
                ),
                # A network signal (also a spawned downloader's) or an image beacon.
                replace(
                    NETWORK_TRIGGER,
                    words=NETWORK_TRIGGER.words | SPAWN_TRIGGER.words | words("Image"),
                ),
            ),
        ),
    ),
    order=90,
)
