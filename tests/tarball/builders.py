"""Building small package tarballs in memory, the way ``npm pack`` lays them out."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Callable, Mapping

# Fixed so that the same files always give the same bytes (and the same integrity hash).
_MTIME = 499162500


def tar_bytes(
    files: Mapping[str, bytes | str],
    *,
    root: str = "package",
    modes: Mapping[str, int] | None = None,
    extra: Callable[[tarfile.TarFile], None] | None = None,
    compress: bool = True,
    tar_format: int = tarfile.PAX_FORMAT,
) -> bytes:
    """A package tarball with ``files`` under ``root/``; ``extra`` may add raw members.

    ``tarfile.GNU_FORMAT`` keeps names with newlines readable: a pax path holding a newline is
    refused (node-tar reads pax records line by line), a GNU long name is not.
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tar_format) as archive:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{root}/{path}" if root else path)
            info.size = len(data)
            info.mode = (modes or {}).get(path, 0o644)
            info.mtime = _MTIME
            archive.addfile(info, io.BytesIO(data))
        if extra is not None:
            extra(archive)
    raw = buffer.getvalue()
    return gzip.compress(raw, mtime=0) if compress else raw


def manifest(name: str, version: str, **fields: object) -> str:
    return json.dumps({"name": name, "version": version, **fields}, indent=2) + "\n"


def package(
    name: str,
    version: str,
    files: Mapping[str, bytes | str] | None = None,
    *,
    tar_format: int = tarfile.PAX_FORMAT,
    **fields: object,
) -> bytes:
    """A tarball with a package.json for ``name@version`` plus ``files``."""
    return tar_bytes(
        {"package.json": manifest(name, version, **fields), **(files or {})},
        tar_format=tar_format,
    )
