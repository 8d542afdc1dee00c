"""What kind of file a package path is: JavaScript/TypeScript code, shell, type-only, binary."""

from __future__ import annotations

from enum import StrEnum

from scanner.behaviour.signals.native_binary import native_kind

TYPE_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
CODE_SUFFIXES = (".js", ".cjs", ".mjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
SHELL_SUFFIXES = (".sh", ".bash", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".wsf", ".hta")
"""Scripts read with text patterns: shell, batch, PowerShell and Windows Script Host files
(VBScript droppers started by ``wscript`` from an install script)."""
_JS_INTERPRETERS = (b"node", b"bun", b"deno", b"tsx", b"ts-node")
_SHELLS = (b"/sh", b"bash", b"zsh", b"dash", b" sh")
MINIFIED_MIN_BYTES = 1024
MINIFIED_LINE_LENGTH = 250
"""Average bytes per line above which a file counts as minified (hand-written code averages
30-40, minified bundles thousands)."""


class FileKind(StrEnum):
    CODE = "code"
    SHELL = "shell"
    TYPES = "types"
    BINARY = "binary"
    OTHER = "other"


def file_kind(path: str, data: bytes, *, executable: bool = False) -> FileKind:
    """``executable``: the manifest runs this file (bin, install script), so a file without a
    code suffix or a shebang is still read as JavaScript, the way node would run it."""
    lowered = path.lower()
    if lowered.endswith(TYPE_SUFFIXES):
        return FileKind.TYPES
    if native_kind(path, data) is not None:
        return FileKind.BINARY
    if lowered.endswith(CODE_SUFFIXES):
        return FileKind.CODE
    if lowered.endswith(SHELL_SUFFIXES):
        return FileKind.SHELL
    if data.startswith(b"#!"):
        first = data[: data.find(b"\n")] if b"\n" in data else data[:200]
        if any(name in first for name in _JS_INTERPRETERS):
            return FileKind.CODE
        if any(name in first for name in _SHELLS):
            return FileKind.SHELL
        return FileKind.OTHER
    if executable and b"\0" not in data[:1024] and not lowered.endswith((".json", ".md")):
        return FileKind.CODE
    return FileKind.OTHER


def is_minified(data: bytes) -> bool:
    if len(data) < MINIFIED_MIN_BYTES:
        return False
    return len(data) / (data.count(b"\n") + 1) > MINIFIED_LINE_LENGTH
