"""Tar archives built block by block, so tests can write what no well-behaved tool writes."""

from __future__ import annotations

import gzip

BLOCK = 512
END = bytes(2 * BLOCK)


def header(
    name: bytes | str,
    *,
    kind: bytes = b"0",
    size: int = 0,
    mode: int = 0o644,
    linkname: bytes = b"",
    prefix: bytes = b"",
    magic: bytes = b"ustar\x0000",
    size_field: bytes | None = None,
    mode_field: bytes | None = None,
    checksum: bytes | None = None,
) -> bytes:
    """One 512-byte header; the ``*_field`` and ``checksum`` arguments write raw bytes."""
    raw_name = name.encode("utf-8", "surrogateescape") if isinstance(name, str) else name
    block = bytearray(BLOCK)
    block[0:100] = raw_name[:100].ljust(100, b"\0")
    block[100:108] = mode_field if mode_field is not None else b"%07o\0" % mode
    block[108:116] = b"0000000\0"
    block[116:124] = b"0000000\0"
    block[124:136] = size_field if size_field is not None else b"%011o\0" % size
    block[136:148] = b"14707751364\0"
    block[156:157] = kind
    block[157:257] = linkname[:100].ljust(100, b"\0")
    block[257:265] = magic
    block[345:500] = prefix[:155].ljust(155, b"\0")
    block[148:156] = b" " * 8
    block[148:156] = checksum if checksum is not None else b"%06o\0 " % sum(block)
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


def member(name: bytes | str, data: bytes = b"", **fields: object) -> bytes:
    """A header and its data, padded to whole blocks."""
    return header(name, size=len(data), **fields) + padded(data)  # type: ignore[arg-type]


def pax_record(key: str, value: bytes | str) -> bytes:
    """``"%d %s=%s\\n"`` with the length that includes its own digits."""
    body = key.encode() + b"=" + (value.encode() if isinstance(value, str) else value) + b"\n"
    length = len(body) + 2
    while len(b"%d " % length) + len(body) != length:
        length += 1
    return b"%d " % length + body


def pax(records: dict[str, str] | bytes, *, kind: bytes = b"x") -> bytes:
    """A pax extended header (``x``, or ``g`` for a global one) with ``records``."""
    payload = (
        records
        if isinstance(records, bytes)
        else b"".join(pax_record(k, v) for k, v in records.items())
    )
    return header(b"PaxHeader/x", kind=kind, size=len(payload)) + padded(payload)


def gnu_long(name: bytes, *, kind: bytes = b"L") -> bytes:
    """A GNU long-name (``L``) or long-link (``K``) header carrying ``name``."""
    payload = name + b"\0"
    return header(b"././@LongLink", kind=kind, size=len(payload), magic=b"ustar  \0") + padded(
        payload
    )


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def package(*members: bytes, end: bytes = END) -> bytes:
    """A gzip-compressed archive: a package.json, then ``members``, then ``end``."""
    manifest = member("package/package.json", b'{"name": "p", "version": "1.0.0"}\n')
    return gz(manifest + b"".join(members) + end)
