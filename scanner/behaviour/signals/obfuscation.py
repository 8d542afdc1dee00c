"""Obfuscation: obfuscator output and encoded payloads hidden in string literals.

Detects:

- ``obfuscator-identifiers``: 20 or more identifiers named like ``_0x1a2b`` (at least 5
  distinct), the naming javascript-obfuscator and its kin produce; ``count`` is the number.
- ``string-array-rotation``: ``arr.push(arr.shift())`` / ``arr['push'](arr['shift']())``, the
  loop that un-rotates an obfuscator's string table at start-up.
- ``encoded-names``: names and commands written encoded or assembled, the way loaders hide which
  module they load and what they run: string literals of hex (8 to 128 digits) that decode to
  printable names, base64 literals that decode to a sensitive name (``child_process``,
  ``exec``, ``curl``...), text built from char codes (``String.fromCharCode(99, 104, ...)``),
  and sensitive names joined from literal pieces (``['req', 'uire'].join('')``); counted when
  there are two or more, or one is sensitive. ``evidence`` shows the decoded names.
- ``hex-blob``, ``base64-blob``, ``escaped-string``, ``high-entropy-string``: one string literal
  that is 256+ hex digits, 512+ base64 characters without spaces, written as 64+ ``\\xNN``
  escapes, or 200+ ASCII characters of 5.2+ bits/character Shannon entropy with almost no
  whitespace (under 2%: HTML, CSS and prose templates reach the entropy too) and few lowercase
  words (minified code and CSS kept in a string, such as React's inline scripts or a bundled
  stylesheet, are half words; encoded data a tenth at most). Entropy is measured
  on the value of one literal from the syntax tree, never across code. ``detail`` is the kind and
  ``sha256:`` + the first 16 hex digits of the literal's value, so that the verdict can tell a
  literal the previous version already had (same hash, anywhere in the package) from a new one.

Why: the 2025 chalk/debug payload was javascript-obfuscator output on one line of index.js;
loaders keep their second stage as a hex or base64 literal.

Ignores: inline source maps and any ``data:`` URI of an image, font, audio, video, JSON or
WebAssembly; base64 WebAssembly without a data: prefix (it starts ``AGFzbQ``, the ``\\0asm``
magic); PEM certificates and keys; text that is mostly non-ASCII (translations, Unicode tables);
minified code as such (that is ``FileProfile.minified``, not a signal).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections import Counter
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
from scanner.behaviour.syntax import arguments, literal_string, member_parts, unwrap
from scanner.behaviour.triggers import encoded_literal, long_literal, many_hex_escapes

if TYPE_CHECKING:
    from tree_sitter import Node

OBFUSCATED_NAME = re.compile(r"^_0x[0-9a-fA-F]{4,}$")
MIN_OBFUSCATED_NAMES = 20
MIN_DISTINCT_NAMES = 5
HEX_BLOB = re.compile(r"(?:0x)?[0-9a-fA-F]{256,}")
BASE64_BLOB = re.compile(r"[A-Za-z0-9+/_-]{512,}={0,2}")
ESCAPES_MIN = 64
ENTROPY_MIN_LENGTH = 200
ENTROPY_THRESHOLD = 5.2
MAX_BLOB_SIGNALS = 50
_BENIGN_DATA = re.compile(
    r"^data:(?:image|font|audio|video)/|^data:application/(?:json|wasm|(?:x-)?font|octet-stream"
    r"|vnd\.ms-fontobject)",
    re.IGNORECASE,
)
_WASM_BASE64 = "AGFzbQ"


def entropy(value: str) -> float:
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


def literal_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def blob_kind(value: str, raw: str) -> str | None:
    """What kind of encoded payload a literal's value looks like, if any."""
    if len(value) < ENTROPY_MIN_LENGTH and raw.count("\\x") < ESCAPES_MIN:
        return None
    if _BENIGN_DATA.match(value) or "sourceMappingURL=" in value or "-----BEGIN " in value:
        return None
    if raw.count("\\x") >= ESCAPES_MIN and raw.count("\\x") * 4 > len(raw) // 2:
        return "escaped-string"
    if len(value) < ENTROPY_MIN_LENGTH:
        return None
    if sum(1 for ch in value if ord(ch) > 127) * 10 > len(value):
        return None
    if HEX_BLOB.fullmatch(value):
        return "hex-blob"
    if value.startswith(_WASM_BASE64):
        return None
    if BASE64_BLOB.fullmatch(value):
        return "base64-blob"
    # Markup, CSS and prose templates reach the threshold too; encoded data has no spaces.
    if sum(1 for ch in value if ch.isspace()) * 50 > len(value):
        return None
    if entropy(value) >= ENTROPY_THRESHOLD and readable_share(value) < READABLE_SHARE:
        return "high-entropy-string"
    return None


_WORD = re.compile(r"[a-z]{3,}")
READABLE_SHARE = 0.35
"""Share of a literal in lowercase runs of three or more letters above which it reads as code,
CSS or text: measured 0.47 to 0.51 on minified scripts and stylesheets in strings, 0.15 on
base64 and under 0.10 on base85, XOR-ed and packed data."""


def readable_share(value: str) -> float:
    return sum(len(m.group()) for m in _WORD.finditer(value)) / len(value) if value else 0.0


_HEX_NAME = re.compile(r"(?:[0-9a-fA-F]{2}){4,64}")
_BASE64_NAME = re.compile(r"[A-Za-z0-9+/]{8,88}={0,2}")
_NAME_TEXT = re.compile(r"[A-Za-z0-9_./@:$ \-|&;=?%]{3,}")
SENSITIVE_NAMES = (
    "child_process",
    "exec",
    "spawn",
    "eval",
    "require",
    "http",
    "https",
    "net",
    "dns",
    "process",
    "env",
    "curl",
    "wget",
    "powershell",
    "constructor",
    "_compile",
    "decipher",
    "Decipher",
    "crypto",
    ".npmrc",
    "/bin/sh",
    "cmd.exe",
    "fromCharCode",
    "Buffer",
)
MIN_ENCODED_NAMES = 2


def decoded_name(value: str) -> tuple[str, bool] | None:
    """(the name a short encoded literal spells, whether it is sensitive), or None."""
    raw: bytes | None = None
    hex_form = _HEX_NAME.fullmatch(value) is not None
    if hex_form:
        raw = bytes.fromhex(value)
    elif _BASE64_NAME.fullmatch(value) and len(value) % 4 == 0:
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            return None
    if raw is None:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not _NAME_TEXT.fullmatch(text) or sum(c.isalpha() for c in text) < 3:
        return None
    sensitive = any(name in text for name in SENSITIVE_NAMES)
    # A base64 word that happens to decode to letters is too common to count unless it spells
    # something a loader would hide.
    return (text, sensitive) if hex_form or sensitive else None


_MIN_CHAR_CODES = 4
_MAX_ASSEMBLED_WORDS = 4


def assembled_name(text: str) -> tuple[str, bool] | None:
    """(text, whether it is sensitive) when assembled text reads as a name or a short command,
    or None for prose: messages joined line by line name ``process`` or ``http`` in passing."""
    words = text.split()
    if not _NAME_TEXT.fullmatch(text) or len(text) > 128 or len(words) > _MAX_ASSEMBLED_WORDS:
        return None
    if len(words) == 1:
        return text, any(name in text for name in SENSITIVE_NAMES)
    # A command: its program is what it hides.
    program = words[0].rsplit("/", 1)[-1]
    return text, program in SENSITIVE_NAMES or words[0] in SENSITIVE_NAMES


def assembled_text(ctx: FileContext, call: Node, parts: list[str]) -> str | None:
    """The text a call assembles from literal pieces: ``['child', 'process'].join('_')``,
    ``String.fromCharCode(99, 104, 105)``, ``String.fromCharCode.apply(null, [99, 104])``."""
    args = arguments(call)
    if parts[-1] == "join":
        function = call.child_by_field_name("function")
        target = function.child_by_field_name("object") if function is not None else None
        target = unwrap(target) if target is not None else None
        if target is None or target.type != "array" or len(args) > 1:
            return None
        pieces = [literal_string(item, ctx.data) for item in target.named_children]
        separator = literal_string(args[0], ctx.data) if args else ","
        if len(pieces) < 2 or separator is None or any(p is None for p in pieces):
            return None
        return separator.join(p for p in pieces if p is not None)
    if parts[-1] == "apply" and parts[-2:-1] == ["fromCharCode"] and len(args) == 2:
        array = unwrap(args[1])
        numbers = array.named_children if array.type == "array" else []
    elif parts[-1] == "fromCharCode":
        numbers = [unwrap(a) for a in args]
    else:
        return None
    if len(numbers) < _MIN_CHAR_CODES or any(n.type != "number" for n in numbers):
        return None
    try:
        text = "".join(chr(int(ctx.text(n), 0)) for n in numbers)
    except ValueError:
        return None
    return text if text.isprintable() and sum(c.isalpha() for c in text) >= 3 else None


class ObfuscationDetector(Detector):
    wants_strings = True

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._names: Counter[str] = Counter()
        self._first_name: Node | None = None
        self._blobs = 0
        self._encoded: dict[str, bool] = {}
        self._first_encoded: Node | None = None

    def handlers(self) -> Mapping[str, Handler | On]:
        wanted: dict[str, Handler | On] = {}
        data = self.ctx.data
        if b"_0x" in data:
            wanted["identifier"] = self._identifier
        names = set()
        if b"push" in data and b"shift" in data:
            names.add("push")
        if b"].join(" in data or b"fromCharCode" in data:
            names |= {"join", "fromCharCode", "apply"}
        if names:
            wanted["call_expression"] = On(self._call, frozenset(names))
        return wanted

    def _identifier(self, node: Node) -> None:
        if not self.ctx.data.startswith(b"_0x", node.start_byte):
            return
        name = self.ctx.text(node)
        if OBFUSCATED_NAME.match(name):
            self._names[name] += 1
            if self._first_name is None:
                self._first_name = node

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        parts = member_parts(function, self.ctx.data) if function is not None else None
        prop = function.child_by_field_name("property") if function is not None else None
        if parts is None and prop is not None and self.ctx.text(prop) == "join":
            parts = ["[]", "join"]  # an array literal's join: member_parts has no name for it
        if parts and parts[-1] in ("join", "fromCharCode", "apply"):
            assembled = assembled_text(self.ctx, node, parts)
            found = assembled_name(assembled) if assembled is not None else None
            if found is not None and (found[1] or parts[-1] != "join"):
                self._encoded.setdefault(*found)
                self._first_encoded = self._first_encoded or node
            return
        if not parts or parts[-1] != "push":
            return
        args = arguments(node)
        if len(args) != 1 or args[0].type != "call_expression":
            return
        inner = args[0].child_by_field_name("function")
        inner_parts = member_parts(inner, self.ctx.data) if inner is not None else None
        if inner_parts and inner_parts[-1] == "shift" and inner_parts[:-1] == parts[:-1]:
            self.ctx.emit(Capability.OBFUSCATION, node, detail="string-array-rotation")

    def on_string(self, literal: StringLiteral) -> None:
        if len(literal.value) <= 128 and not literal.template:
            found = decoded_name(literal.value)
            if found is not None:
                self._encoded.setdefault(found[0], found[1])
                self._first_encoded = self._first_encoded or literal.node
        kind = blob_kind(literal.value, literal.raw)
        if kind is None:
            return
        self._blobs += 1
        value = literal.value
        if self._blobs > MAX_BLOB_SIGNALS:
            detail = f"{kind} (more)"
        else:
            detail = f"{kind} sha256:{literal_digest(value)}"
        evidence = f"a {len(value):,} character {kind.replace('-', ' ')}: {value[:40]}"
        self.ctx.emit(Capability.OBFUSCATION, literal.node, evidence, detail)

    def finish(self) -> None:
        encoded = self._encoded
        if len(encoded) >= MIN_ENCODED_NAMES or any(encoded.values()):
            shown = ", ".join(sorted(encoded)[:6])
            self.ctx.emit(
                Capability.OBFUSCATION,
                self._first_encoded,
                f"names written encoded: {shown}",
                "encoded-names",
                count=len(encoded),
            )
        total = sum(self._names.values())
        if total >= MIN_OBFUSCATED_NAMES and len(self._names) >= MIN_DISTINCT_NAMES:
            self.ctx.emit(
                Capability.OBFUSCATION,
                self._first_name,
                f"{total} obfuscator-style identifiers ({len(self._names)} distinct, e.g. "
                f"{next(iter(self._names))})",
                "obfuscator-identifiers",
                count=total,
            )


_BLOB_BYTES = bytes(
    1 if b in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" else 0
    for b in range(256)
)
_RUN = b"\x01" * 256


def blob_spans(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Spans around runs of 256+ base64/hex characters: translate and find run in C, where a
    regex over a multi-megabyte bundle costs a fifth of a second."""
    classes = data[start:end].translate(_BLOB_BYTES)
    spans: list[tuple[int, int]] = []
    position = classes.find(_RUN)
    while position != -1 and len(spans) < 1000:
        run_end = classes.find(b"\x00", position)
        run_end = len(classes) if run_end == -1 else run_end
        spans.append((max(start, start + position - 4), min(end, start + run_end + 4)))
        position = classes.find(_RUN, run_end)
    return spans


def _blob(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    value = match.group(1).decode("ascii", "replace")
    kind = blob_kind(value, value)
    return [(Capability.OBFUSCATION, f"{kind} sha256:{literal_digest(value)}")] if kind else []


SIGNAL = SignalSpec(
    id=Capability.OBFUSCATION.value,
    title="Obfuscated code or encoded payloads",
    capabilities=(Capability.OBFUSCATION,),
    detector=ObfuscationDetector,
    doc=__doc__ or "",
    triggers=(
        Trigger(
            texts=(b"_0x", b"].join(", b"fromCharCode"),
            tests=(many_hex_escapes, long_literal, encoded_literal),
        ),
        Trigger(words=words("shift"), requires=(Trigger(texts=(b"push",)),)),
    ),
    patterns=(
        fixed(
            Capability.OBFUSCATION,
            rb"_0x(?<![\w$]_0x)[0-9a-fA-F]{4,}\b",
            "obfuscator-identifiers",
            min_count=MIN_OBFUSCATED_NAMES,
        ),
        fixed(
            Capability.OBFUSCATION,
            rb"push['\"]\s*\]\s*\(\s*[\w$]+\s*\[\s*['\"]shift['\"]\s*\]\s*\(\s*\)\s*\)",
            "string-array-rotation",
            lean=False,
        ),
        FallbackPattern(
            re.compile(rb"['\"`]((?:0x)?[0-9a-fA-F]{256,}|[A-Za-z0-9+/]{512,}={0,2})['\"`]"),
            _blob,
            locate=blob_spans,
        ),
    ),
)
