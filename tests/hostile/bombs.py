"""Gzip bombs built in milliseconds: precompressed pieces of zeros, concatenated.

Each piece is a raw deflate stream cut at a full flush, so it is byte-aligned, non-final and
refers to nothing before it: pieces concatenate into one valid deflate stream, whatever they
were compressed separately. The stream is wrapped as one gzip member whose trailer (CRC and
size) is left wrong on purpose: a reader that stops at its limit never reaches it, and one that
does not has already lost.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

from tests.tarball.raw_tar import header

MIB = 1024 * 1024
_GZIP_HEADER = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x00\x03"
_FINAL_EMPTY_BLOCK = b"\x03\x00"


def _piece(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


@cache
def _zeros(size: int) -> bytes:
    return _piece(bytes(size))


def zeros(size: int) -> list[bytes]:
    """Pieces inflating to ``size`` zero bytes (a multiple of 1 MiB, or less than one)."""
    if size < MIB:
        return [_zeros(size)]
    assert size % MIB == 0
    sixteen, rest = divmod(size // MIB, 16)
    return [_zeros(16 * MIB)] * sixteen + [_zeros(MIB)] * rest


def gzip_of(pieces: list[bytes]) -> bytes:
    return _GZIP_HEADER + b"".join(pieces) + _FINAL_EMPTY_BLOCK + b"\0" * 8


def members_of_zeros(count: int, size: int, *, prefix: str = "package/blob") -> bytes:
    """A gzip tarball of ``count`` members of ``size`` zero bytes each, distinct names."""
    pieces: list[bytes] = [_piece(header("package/package.json", size=2) + b"{}".ljust(512, b"\0"))]
    for index in range(count):
        pieces.append(_piece(header(f"{prefix}{index}.bin", size=size)))
        pieces += zeros(size)  # sizes used here are whole blocks, so no padding is needed
    return gzip_of(pieces)


def zeros_after_the_archive(size: int) -> bytes:
    """A tiny valid archive followed by ``size`` zero bytes inside the same gzip stream."""
    archive = header("package/package.json", size=2) + b"{}".ljust(512, b"\0")
    return gzip_of([_piece(archive), *zeros(size)])
