"""One hard ceiling on the memory a depscan run may use, whatever its input.

Two layers keep hostile input from growing the process without bound:

1. Every reader bounds its input before it allocates: file sizes from fstat, decompressed bytes
   counted while inflating, tar members vetted from their headers, JSON memory estimated from the
   text and YAML nodes counted as they are built (see :mod:`scanner.untrusted`,
   :mod:`scanner.untrusted_yaml`, :mod:`scanner.tarball.tar_stream`).
2. A backstop for whatever those bounds do not foresee (a later stage that multiplies what a
   reader accepted): the CLI caps the process's data segment, ``RLIMIT_DATA``, at
   ``$DEPSCAN_MAX_MEMORY`` MiB (default 960). On Linux that limit counts every private writable
   mapping (heap, mmap'd arenas, thread stacks) but not the program and libraries mapped from
   files, so it measures what input can make depscan allocate; the resident set can exceed it
   by those mapped pages (about 30 MiB), so 960 keeps the whole process under 1 GiB. An
   allocation past it raises ``MemoryError``, which the readers turn into their one-line error
   naming the file or package, and the CLI into exit 2.

``DEPSCAN_MAX_MEMORY=0`` turns the backstop off. It is never raised above a limit the process
already has.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from scanner.errors import UsageError

ENV_VARIABLE = "DEPSCAN_MAX_MEMORY"
DEFAULT_CEILING_MB = 960
OUT_OF_MEMORY = (
    f"needs more memory than depscan's ceiling (${ENV_VARIABLE}, default {DEFAULT_CEILING_MB} MiB)"
)


_READING: list[str] = []


def note_input(*subjects: str) -> None:
    """Record what the running command reads, for the line printed if memory runs out in a
    stage that names no file itself."""
    _READING[:] = subjects


def input_names() -> str:
    return " ".join(_READING) or "the input"


def ceiling_bytes(environ: Mapping[str, str]) -> int | None:
    """The configured ceiling in bytes; ``None`` when turned off."""
    raw = environ.get(ENV_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_CEILING_MB * 1024 * 1024
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise UsageError(f"{ENV_VARIABLE} must be a whole number of MiB (0 turns it off)")
    megabytes = int(raw)
    return megabytes * 1024 * 1024 if megabytes else None


def apply_ceiling(environ: Mapping[str, str] = os.environ) -> int | None:
    """Cap this process's data segment at the configured ceiling; returns the cap in force.

    A no-op where ``RLIMIT_DATA`` does not exist or does not count mmap (only Linux is
    relied on).
    """
    limit = ceiling_bytes(environ)
    if limit is None:
        return None
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - refused by the system: keep its limit
        return None
    return limit
