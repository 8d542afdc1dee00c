"""Find the lockfile(s) to scan and pick the reader for each, by file name and then by content.

Each format lives in its own module exposing ``parse(path, text) -> Lockfile`` and
``sniff(text) -> bool``; adding a format means one module and one entry in :data:`FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from scanner.errors import LockfileError
from scanner.memory_ceiling import OUT_OF_MEMORY
from scanner.model import Lockfile
from scanner.untrusted import read_text

Parser = Callable[[Path, str], Lockfile]


@dataclass(frozen=True, slots=True)
class LockfileFormat:
    label: str
    file_names: tuple[str, ...]
    module: str


# Order matters twice: it is the order of content sniffing, and within one directory npm reads
# npm-shrinkwrap.json in preference to package-lock.json.
FORMATS: tuple[LockfileFormat, ...] = (
    LockfileFormat("npm", ("npm-shrinkwrap.json", "package-lock.json"), "scanner.sources.npm"),
    LockfileFormat("yarn v1", ("yarn.lock",), "scanner.sources.yarn_v1"),
    LockfileFormat("yarn berry", ("yarn.lock",), "scanner.sources.yarn_berry"),
    LockfileFormat("pnpm", ("pnpm-lock.yaml",), "scanner.sources.pnpm"),
    LockfileFormat("bun", ("bun.lock",), "scanner.sources.bun"),
)
LOCKFILE_NAMES = tuple(dict.fromkeys(n for f in FORMATS for n in f.file_names))
MAX_LOCKFILE_BYTES = 64 * 1024 * 1024
"""30 times the largest real lockfile in the shared corpus (2 MB, 2,589 packages). Parsing a
lockfile costs 3 to 40 bytes per byte of text, so this keeps the parse under the memory ceiling."""


def find_lockfiles(target: Path) -> list[Path]:
    """The lockfiles to scan for a path given on the command line."""
    if not target.exists():
        raise LockfileError("no such file or directory", subject=str(target))
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise LockfileError("is neither a file nor a directory", subject=str(target))
    found = [target / n for n in LOCKFILE_NAMES if (target / n).is_file()]
    if (target / "npm-shrinkwrap.json") in found and (target / "package-lock.json") in found:
        found.remove(target / "package-lock.json")  # npm ignores it when a shrinkwrap exists
    if not found:
        names = ", ".join(LOCKFILE_NAMES)
        raise LockfileError(f"no lockfile found in this directory (looked for {names})",
                            subject=str(target))
    return found


def read_lockfile(path: Path) -> Lockfile:
    """Read and parse one lockfile; every failure is a one-line :class:`LockfileError`.

    Only a regular file is read (a FIFO or device named like a lockfile is refused without
    blocking), at most :data:`MAX_LOCKFILE_BYTES` of it; running out of memory while parsing is
    reported against the file too.
    """
    text = read_text(path, max_bytes=MAX_LOCKFILE_BYTES, error=LockfileError, what="lockfile")
    try:
        return parser_for(path, text)(path, text)
    except MemoryError:
        raise LockfileError(OUT_OF_MEMORY, subject=str(path)) from None


def parser_for(path: Path, text: str) -> Parser:
    by_name = [f for f in FORMATS if path.name in f.file_names]
    candidates = by_name or list(FORMATS)
    for fmt in candidates:
        module = _load(fmt)
        if module is None:
            continue
        if len(candidates) == 1 or module.sniff(text):
            parse: Parser = module.parse
            return parse
    if by_name:
        missing = [f.label for f in by_name if _load(f) is None]
        if missing:
            raise LockfileError(
                f"{' / '.join(missing)} lockfiles are not supported by this version of depscan",
                subject=str(path),
            )
        raise LockfileError(f"is not a {by_name[0].label} lockfile depscan can read",
                            subject=str(path))
    if not text.strip():
        raise LockfileError("the file is empty", subject=str(path))
    raise LockfileError(
        "is not a lockfile depscan recognises (expected one of: " + ", ".join(LOCKFILE_NAMES) + ")",
        subject=str(path),
    )


class FormatModule(Protocol):
    def sniff(self, text: str) -> bool: ...

    def parse(self, path: Path, text: str) -> Lockfile: ...


def _load(fmt: LockfileFormat) -> FormatModule | None:
    try:
        module = importlib.import_module(fmt.module)
    except ModuleNotFoundError as exc:
        if exc.name == fmt.module:
            return None
        raise
    return cast(FormatModule, module)
