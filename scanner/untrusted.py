"""Reading input that an attacker may have written: files, JSON and TOML, bounded and total.

Every lockfile, package.json, registry answer and configuration file depscan reads can come from a
stranger's pull request or a hostile server. These readers never block on a FIFO, never read a
device or a directory as if it were a file, never read more than a stated number of bytes, and turn
every way JSON or TOML can be pathological (nesting that exhausts the stack, numbers of thousands
of digits, NaN, a document that would need gigabytes once parsed, dotted keys that make Python's
TOML parser quadratic) into a :class:`~scanner.errors.DepscanError` of the caller's class, so the
CLI prints one line and exits 2 instead of a traceback. YAML is in :mod:`scanner.untrusted_yaml`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from scanner.errors import DepscanError
from scanner.memory_ceiling import OUT_OF_MEMORY

MAX_JSON_DEPTH = 128
"""Deepest nesting accepted. Real lockfiles stay under 40 (npm v1 nests two levels per folder)."""
MAX_NUMBER_DIGITS = 64
"""Longer numbers are refused: Python's int() has a conversion limit, and nothing depscan reads
needs a number this long."""
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
"""A project's package.json or pnpm-workspace.yaml: real ones are a few kB."""
MAX_DOCUMENT_MEMORY = 512 * 1024 * 1024
"""What one parsed JSON document may cost in memory, estimated from its text before parsing."""
_ESTIMATE_ABOVE = 4 * 1024 * 1024
"""Below this many characters the worst case (about 24 bytes of objects per character, a text of
nothing but ``{},``) stays under 100 MB, so the estimate is not worth its scan."""
MAX_TOML_DOTS_PER_LINE = 64
"""tomllib's time and memory grow with the square of a dotted key's length (``a.a.a...``)."""


def read_file(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    error: type[DepscanError] = DepscanError,
    subject: str | None = None,
    what: str = "file",
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, else ``error`` naming the file.

    Opened non-blocking and checked with fstat on the open descriptor, so a FIFO cannot hang the
    run, /dev/zero cannot fill memory, and a file swapped after a check is still the one checked.
    ``what`` names the kind of file in messages (``cannot read policy file: ...``).
    """
    name = subject or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}", subject=name) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"is a directory, not a {what}", subject=name)
        if not stat.S_ISREG(info.st_mode):
            raise error("is not a regular file (a device, FIFO or socket)", subject=name)
        if info.st_size > max_bytes:
            raise error(f"is larger than the {_size(max_bytes)} limit", subject=name)
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:  # the file grew past the limit while it was read
            raise error(f"is larger than the {_size(max_bytes)} limit", subject=name)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}", subject=name) from None
    except MemoryError:
        raise error(f"cannot read {what}: {OUT_OF_MEMORY}", subject=name) from None
    finally:
        os.close(fd)


def read_text(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    error: type[DepscanError] = DepscanError,
    subject: str | None = None,
    what: str = "file",
) -> str:
    """:func:`read_file` decoded as UTF-8 (a byte-order mark is dropped)."""
    data = read_file(path, max_bytes=max_bytes, error=error, subject=subject, what=what)
    return decode_text(data, subject=subject or str(path), error=error)


def decode_text(data: bytes, *, subject: str, error: type[DepscanError] = DepscanError) -> str:
    """UTF-8 text (a byte-order mark dropped), else ``error`` naming the offending byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text (byte {exc.start})", subject=subject) from None


def _refuse_number(text: str) -> float:
    raise ValueError(f"number {text[:20]!r} is not allowed")


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {len(text)} digits")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {len(text)} characters")
    return float(text)


def loads(
    data: str | bytes,
    *,
    subject: str,
    error: type[DepscanError] = DepscanError,
    max_depth: int = MAX_JSON_DEPTH,
    max_memory: int = MAX_DOCUMENT_MEMORY,
    label: str = "JSON",
) -> object:
    """Parse untrusted JSON; anything pathological raises ``error`` with a one-line message.

    ``label`` names the syntax in messages (``JSONC`` for a file whose comments were blanked).
    """
    if len(data) > _ESTIMATE_ABOVE:
        needed = estimated_json_memory(data)
        if needed > max_memory:
            raise error(
                f"{label} would need about {_size(needed)} of memory once parsed, over the "
                f"{_size(max_memory)} limit for one document",
                subject=subject,
            )
    try:
        value = json.loads(
            data,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            parse_constant=_refuse_number,
        )
    except RecursionError:
        raise error(f"{label} nested deeper than {max_depth} levels", subject=subject) from None
    except UnicodeDecodeError as exc:
        raise error(
            f"is not valid {label} (not UTF-8 text, byte {exc.start})", subject=subject
        ) from None
    except json.JSONDecodeError as exc:
        raise error(
            f"is not valid {label} (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            subject=subject,
        ) from None
    except ValueError as exc:
        raise error(f"is not valid {label}: {exc}", subject=subject) from None
    except MemoryError:
        raise error(f"{label} {OUT_OF_MEMORY}", subject=subject) from None
    if _brackets(data) > max_depth and _depth_exceeds(value, max_depth):
        raise error(f"{label} nested deeper than {max_depth} levels", subject=subject)
    return value


def _brackets(data: str | bytes) -> int:
    """Opening brackets in the text: a document with fewer cannot nest deeper (a cheap test
    that spares small documents the walk)."""
    if isinstance(data, bytes):
        return data.count(b"[") + data.count(b"{")
    return data.count("[") + data.count("{")


def estimated_json_memory(data: str | bytes) -> int:
    """An upper estimate of what ``json.loads(data)`` allocates, from a scan of the text.

    Per object up to 192 bytes (a small dict with its key table), per array 64, per further
    value 64 (a string or number object and its slot), plus the characters themselves.
    """
    if isinstance(data, bytes):
        objects, arrays, commas = data.count(b"{"), data.count(b"["), data.count(b",")
    else:
        objects, arrays, commas = data.count("{"), data.count("["), data.count(",")
    return 192 * objects + 64 * arrays + 64 * commas + len(data)


def loads_toml(
    text: str,
    *,
    subject: str,
    error: type[DepscanError] = DepscanError,
    max_depth: int = MAX_JSON_DEPTH,
) -> dict[str, object]:
    """Parse untrusted TOML (``tomllib``); anything pathological raises ``error``.

    Syntax errors read ``line L: invalid TOML: <what> (column C)``. Callers bound the text's size
    (:func:`read_text`); this refuses dotted keys long enough to make tomllib quadratic, nesting
    that exhausts the stack and numbers of thousands of digits.
    """
    import tomllib  # only callers with a TOML file pay for the parser

    for number, line in enumerate(text.splitlines(), start=1):
        if line.count(".") > MAX_TOML_DOTS_PER_LINE:
            raise error(
                f"line {number}: more than {MAX_TOML_DOTS_PER_LINE} dots in one line",
                subject=subject,
            )
    try:
        value = tomllib.loads(text, parse_float=_bounded_float)
    except tomllib.TOMLDecodeError as exc:
        raise error(_toml_syntax_message(str(exc)), subject=subject) from None
    except RecursionError:
        raise error(f"TOML nested deeper than {max_depth} levels", subject=subject) from None
    except ValueError as exc:  # int() past Python's digit limit, or _bounded_float
        reason = "a number with too many digits" if "digits" in str(exc) else str(exc)
        raise error(f"invalid TOML: {reason}", subject=subject) from None
    if _depth_exceeds(value, max_depth):
        raise error(f"TOML nested deeper than {max_depth} levels", subject=subject)
    return value


_TOML_ERROR_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _toml_syntax_message(error: str) -> str:
    match = _TOML_ERROR_POSITION.search(error)
    if match is None:
        return f"invalid TOML: {error}"
    detail = error[: match.start()]
    return f"line {match.group(1)}: invalid TOML: {detail} (column {match.group(2)})"


def _depth_exceeds(value: object, limit: int) -> bool:
    """Whether containers nest deeper than ``limit``: level by level, so it cannot overflow the
    stack itself, and in list comprehensions (8 ms on a 2 MB lockfile)."""
    level: list[object] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[object] = []
        for item in level:
            values = item.values() if type(item) is dict else item
            below.extend([v for v in values if type(v) is dict or type(v) is list])  # type: ignore[attr-defined]
        level = below
    return False


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024)} MB"
    return f"{limit // 1024} kB" if limit >= 1024 else f"{limit} bytes"

