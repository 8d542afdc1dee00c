"""Reading input that an attacker may have written: files and JSON, bounded and total.

Every lockfile, package.json, registry answer and configuration file depscan reads can come from a
stranger's pull request or a hostile server. These readers never block on a FIFO, never read a
device or a directory as if it were a file, never read more than a stated number of bytes, and turn
every way JSON can be pathological (nesting that exhausts the stack, numbers of thousands of
digits, NaN) into a :class:`~scanner.errors.DepscanError` of the caller's class, so the CLI prints
one line and exits 2 instead of a traceback.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from scanner.errors import DepscanError

MAX_JSON_DEPTH = 128
"""Deepest nesting accepted. Real lockfiles stay under 40 (npm v1 nests two levels per folder)."""
MAX_NUMBER_DIGITS = 64
"""Longer numbers are refused: Python's int() has a conversion limit, and nothing depscan reads
needs a number this long."""
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024


def read_file(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    error: type[DepscanError] = DepscanError,
    subject: str | None = None,
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, else ``error`` naming the file.

    Opened non-blocking and checked with fstat on the open descriptor, so a FIFO cannot hang the
    run, /dev/zero cannot fill memory, and a file swapped after a check is still the one checked.
    """
    name = subject or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", subject=name) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error("is a directory, not a file", subject=name)
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
        raise error(f"cannot read file: {exc.strerror or exc}", subject=name) from None
    finally:
        os.close(fd)


def read_text(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    error: type[DepscanError] = DepscanError,
    subject: str | None = None,
) -> str:
    """:func:`read_file` decoded as UTF-8 (a byte-order mark is dropped)."""
    data = read_file(path, max_bytes=max_bytes, error=error, subject=subject)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text (byte {exc.start})", subject=subject or str(path)) from None


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
) -> object:
    """Parse untrusted JSON; anything pathological raises ``error`` with a one-line message."""
    try:
        value = json.loads(
            data,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
            parse_constant=_refuse_number,
        )
    except RecursionError:
        raise error(f"JSON nested deeper than {max_depth} levels", subject=subject) from None
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text (byte {exc.start})", subject=subject) from None
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg} (line {exc.lineno})", subject=subject) from None
    except ValueError as exc:
        raise error(f"not valid JSON: {exc}", subject=subject) from None
    if _depth_exceeds(value, max_depth):
        raise error(f"JSON nested deeper than {max_depth} levels", subject=subject)
    return value


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
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
