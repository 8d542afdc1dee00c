"""A strict, streaming reader of (gzip-compressed) tar archives from an untrusted source.

The archive is inflated as it is read, in pieces no larger than what the tar reader asks for, so
the decompressed stream is never held whole and the count of decompressed bytes is exact: a gzip
bomb stops at the limit whatever its headers claim. Every header is checked before anything it
describes is read, with the numbers parsed here (bounded fields, never Python's unbounded
``int()`` on attacker text).

Strict means: where tar readers disagree, the archive is refused instead of read one way. npm
extracts with node-tar, Python's ``tarfile`` reads differently in several places, and an attacker
can hide a file from a reviewer in the gap. Refused here:

- a header with a bad checksum (node-tar skips it and resynchronises on the next block);
- a non-zero block after a single zero block (node-tar reads on after one zero block, ``tarfile``
  stops);
- sparse members, GNU ``S`` or pax ``GNU.sparse.*`` (node-tar does not expand them, ``tarfile``
  does);
- a global pax header that sets ``path``, ``linkpath`` or ``size`` (node-tar ignores a global
  path, ``tarfile`` applies it to every member);
- two pax or two GNU long-name headers for one member, or both kinds naming it (the readers
  pick different winners); a pax record whose value holds a newline or whose length is wrong
  (node-tar splits records on newlines); a pax or long-name header over ``max_header_bytes``
  (node-tar ignores those);
- a header other than a link's that carries a link name, and a member without a name (node-tar
  skips the header and reads the member's data as the next header);
- numbers that are not numbers, names with NUL bytes, names longer than ``max_name_bytes``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.errors import TarballError

GZIP_MAGIC = b"\x1f\x8b"
BLOCK = 512
_ZERO_BLOCK = bytes(BLOCK)
# zlib's "gzip or zlib header" window bits; only used once the gzip magic was seen.
_AUTO_HEADER_WBITS = 32 + zlib.MAX_WBITS
_DRAIN_PIECE = 1024 * 1024
_INPUT_CHUNK = 256 * 1024
_MAX_NUMBER_DIGITS = 20
"""A decimal size in a pax header: 20 digits is more than any size a file system has."""

REGULAR = "regular"
DIRECTORY = "directory"
SYMLINK = "symlink"
HARDLINK = "hardlink"
DEVICE = "device or fifo"
SPARSE = "sparse file"

_KINDS = {
    b"0": REGULAR,
    b"\0": REGULAR,
    b"7": REGULAR,
    b"5": DIRECTORY,
    b"1": HARDLINK,
    b"2": SYMLINK,
    b"3": DEVICE,
    b"4": DEVICE,
    b"6": DEVICE,
    b"S": SPARSE,
}
_PAX_LOCAL, _PAX_GLOBAL, _GNU_LONG_NAME, _GNU_LONG_LINK = b"x", b"g", b"L", b"K"
_META = (_PAX_LOCAL, _PAX_GLOBAL, _GNU_LONG_NAME, _GNU_LONG_LINK)
_MAY_HAVE_LINK_NAME = (b"1", b"2", _PAX_LOCAL, _PAX_GLOBAL)


@dataclass(frozen=True, slots=True)
class StreamLimits:
    max_total_size: int
    """Decompressed bytes of the whole tar stream, headers and padding included."""
    max_header_bytes: int
    """Data of one pax or GNU long-name header."""
    max_name_bytes: int


@dataclass(frozen=True, slots=True)
class TarHeader:
    """One archive member as its headers describe it (extension headers already applied)."""

    name: str
    """As stored, undecodable bytes kept as surrogate escapes."""
    kind: str
    """:data:`REGULAR`, :data:`DIRECTORY`, ... or ``unsupported tar entry type 'X'``."""
    mode: int
    size: int
    """Bytes of data that follow (0 for a directory, as both node-tar and tarfile read it)."""
    linkname: str


class DecompressedStream:
    """The decompressed bytes of a tarball, read front to back and counted against a limit."""

    def __init__(self, data: bytes, subject: str, limit: int) -> None:
        self._subject = subject
        self._limit = limit
        self._gzip = data.startswith(GZIP_MAGIC)
        self._data = memoryview(data)
        self._offset = 0
        """Into ``data``: the next byte of a plain tar, or the next compressed chunk to feed."""
        self._inflater = zlib.decompressobj(_AUTO_HEADER_WBITS) if self._gzip else None
        self._tail: bytes | memoryview = b""
        """Compressed input given to the inflater and not consumed yet (at most one chunk)."""
        self._finished = not self._gzip
        self.produced = 0

    def read(self, size: int) -> bytes:
        """Exactly ``size`` bytes, or fewer only where the stream ends."""
        if size <= 0:
            return b""
        if self.produced + size > self._limit:
            self._refuse_size()
        if not self._gzip:
            piece = bytes(self._data[self._offset : self._offset + size])
            self._offset += len(piece)
            self.produced += len(piece)
            return piece
        pieces: list[bytes] = []
        wanted = size
        while wanted > 0 and not self._finished:
            piece = self._inflate(wanted)
            if piece:
                pieces.append(piece)
                wanted -= len(piece)
        # b"".join of one piece returns that piece itself: a member read in one call is not copied.
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def drain(self) -> None:
        """Inflate what is left (counted, then dropped), so that a corrupt or truncated gzip
        stream is reported even when the tar archive ended before it."""
        while not self._finished:
            if self.produced >= self._limit:
                self._refuse_size()
            self._inflate(min(_DRAIN_PIECE, self._limit - self.produced + 1))
            if self.produced > self._limit:
                self._refuse_size()

    def _inflate(self, wanted: int) -> bytes:
        """At most ``wanted`` more decompressed bytes (possibly none: call again)."""
        inflater = self._inflater
        assert inflater is not None
        more_input = self._offset < len(self._data)
        if not self._tail and more_input:
            # Fed a chunk at a time: zlib copies its unconsumed input on every call.
            self._tail = self._data[self._offset : self._offset + _INPUT_CHUNK]
            self._offset += len(self._tail)
        try:
            piece = inflater.decompress(self._tail, wanted)
        except zlib.error as exc:
            raise TarballError(f"corrupt gzip data ({_zlib_reason(exc)})", self._subject) from None
        self._tail = inflater.unconsumed_tail
        self.produced += len(piece)
        if inflater.eof:
            self._next_member(inflater.unused_data)
        elif not piece and not self._tail and not more_input:
            raise TarballError("truncated gzip stream", self._subject)
        return piece

    def _next_member(self, unused: bytes) -> None:
        """After one gzip member: another one follows, or the stream is over."""
        head = bytes(unused[:2])
        if len(head) < 2:
            head += bytes(self._data[self._offset : self._offset + 2 - len(head)])
        # Concatenated gzip members are one stream; zero padding after the last is harmless.
        if head == GZIP_MAGIC:
            self._inflater = zlib.decompressobj(_AUTO_HEADER_WBITS)
            self._tail = unused
        else:
            self._finished = True

    def _refuse_size(self) -> None:
        raise TarballError(
            f"decompressed size exceeds the {self._limit} byte limit (gzip bomb?)", self._subject
        )


class TarReader:
    """Iterate the members of a tar stream; read each member's data (or not) before the next."""

    def __init__(self, stream: DecompressedStream, subject: str, limits: StreamLimits) -> None:
        self._stream = stream
        self._subject = subject
        self._limits = limits
        self._unread = 0  # data and padding of the current member not yet consumed
        self._data_left = 0

    def members(self) -> Iterator[TarHeader]:
        local: dict[str, str] | None = None
        long_name: bytes | None = None
        long_link: bytes | None = None
        while True:
            self._skip_unread()
            block = self._stream.read(BLOCK)
            if not block:
                if local is not None or long_name is not None or long_link is not None:
                    self._fail("the archive ends after an extension header")
                return  # no end-of-archive blocks at all: tolerated, as by every reader
            if len(block) < BLOCK:
                self._fail("not a readable tar archive: it ends inside a header")
            if block == _ZERO_BLOCK:
                if local is not None or long_name is not None or long_link is not None:
                    self._fail("an extension header is followed by the end of the archive")
                following = self._stream.read(BLOCK)
                if following and following != _ZERO_BLOCK:
                    self._fail("data after a single zero block (tar readers disagree on it)")
                self._stream.drain()
                return
            header_type, size = self._check_header(block)
            if header_type not in _MAY_HAVE_LINK_NAME and block[157] != 0:
                # node-tar skips such a header and reads what follows it as the next header
                self._fail(f"a header of type {header_type!r} with a link name")
            if header_type in _META:
                data = self._meta_data(size)
                if header_type == _PAX_GLOBAL:
                    self._check_global(_pax_records(data, self._subject))
                elif header_type == _PAX_LOCAL:
                    if local is not None:
                        self._fail("two pax headers for one member")
                    local = _pax_records(data, self._subject)
                elif header_type == _GNU_LONG_NAME:
                    if long_name is not None:
                        self._fail("two GNU long-name headers for one member")
                    long_name = data.split(b"\0", 1)[0]
                else:
                    if long_link is not None:
                        self._fail("two GNU long-link headers for one member")
                    long_link = data.split(b"\0", 1)[0]
                continue
            yield self._member(block, header_type, size, local, long_name, long_link)
            local, long_name, long_link = None, None, None

    def read_data(self, member: TarHeader) -> bytes:
        """The data of the member just yielded (call at most once, before the next member)."""
        data = self._stream.read(self._data_left)
        if len(data) < self._data_left:
            self._fail(f"member {member.name!r} is cut short (truncated archive)")
        self._unread -= len(data)
        self._data_left = 0
        return data

    def _member(
        self,
        block: bytes,
        header_type: bytes,
        size: int,
        local: dict[str, str] | None,
        long_name: bytes | None,
        long_link: bytes | None,
    ) -> TarHeader:
        pax = local or {}
        if any(key.startswith("GNU.sparse.") for key in pax):
            kind = SPARSE
        else:
            kind = _KINDS.get(header_type, f"unsupported tar entry type {header_type!r}")
        if "path" in pax and long_name is not None:
            self._fail("both a pax path and a GNU long name for one member")
        if "linkpath" in pax and long_link is not None:
            self._fail("both a pax linkpath and a GNU long link name for one member")
        name = self._name(block, pax.get("path"), long_name)
        linkname = pax.get("linkpath")
        if linkname is None:
            linkname = _decode(long_link if long_link is not None else _field(block, 157, 100))
        if "size" in pax:
            size = _decimal(pax["size"], self._subject, "pax size")
        if kind == REGULAR and name.endswith("/"):
            kind = DIRECTORY  # old (V7) archives mark a folder with a trailing slash
        if kind in (REGULAR, DIRECTORY) and linkname:
            self._fail(f"refusing member {name!r}: a {kind} with a link name")
        if kind == DIRECTORY:
            size = 0  # what node-tar and tarfile both do: nothing follows a folder's header
        self._data_left = size
        self._unread = _padded(size)
        mode = _octal(block[100:108], self._subject, "mode")
        return TarHeader(name, kind, mode & 0o7777, size, linkname)

    def _name(self, block: bytes, pax_path: str | None, long_name: bytes | None) -> str:
        if pax_path is not None:
            raw = pax_path.encode("utf-8", "surrogateescape")
        elif long_name is not None:
            raw = long_name
        else:
            raw = _field(block, 0, 100)
            # The ustar name prefix, as node-tar reads it: POSIX ustar headers only. A pax or
            # GNU long name replaces prefix and name (npm itself writes both for long names).
            if block[257:265] == b"ustar\x0000":
                prefix = _field(block, 345, 155)
                if prefix:
                    raw = prefix + b"/" + raw
        if not raw:
            self._fail("a member without a name (node-tar skips the header, tarfile does not)")
        if b"\0" in raw:
            self._fail(f"a member name with a NUL byte: {_decode(raw)!r}")
        if len(raw) > self._limits.max_name_bytes:
            self._fail(
                f"a member name of {len(raw)} bytes, over the {self._limits.max_name_bytes} "
                "byte limit"
            )
        return _decode(raw)

    def _check_header(self, block: bytes) -> tuple[bytes, int]:
        try:
            stored: int | None = _octal(block[148:156], self._subject, "checksum")
        except TarballError:
            stored = None
        computed = sum(block[:148]) + 8 * 0x20 + sum(block[156:])
        if stored != computed:
            self._fail(
                f"not a readable tar archive: bad header checksum at offset "
                f"{self._stream.produced - BLOCK} (corrupt, or built to be read differently by "
                "different tools)"
            )
        return block[156:157], _octal(block[124:136], self._subject, "size")

    def _meta_data(self, size: int) -> bytes:
        if size > self._limits.max_header_bytes:
            self._fail(
                f"an extension header of {size} bytes, over the "
                f"{self._limits.max_header_bytes} byte limit"
            )
        data = self._stream.read(_padded(size))
        if len(data) < _padded(size):
            self._fail("truncated extension header")
        return data[:size]

    def _check_global(self, records: dict[str, str]) -> None:
        for key in records:
            if key in ("path", "linkpath", "size") or key.startswith("GNU.sparse."):
                self._fail(f"a global pax header sets {key!r} (tar readers disagree on it)")

    def _skip_unread(self) -> None:
        while self._unread > 0:
            piece = self._stream.read(min(self._unread, _DRAIN_PIECE))
            if not piece:
                self._fail("truncated archive")
            self._unread -= len(piece)
        self._data_left = 0

    def _fail(self, message: str) -> None:
        raise TarballError(message, self._subject)


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _field(block: bytes, start: int, length: int) -> bytes:
    return block[start : start + length].split(b"\0", 1)[0]


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _octal(field: bytes, subject: str, what: str) -> int:
    """A header number: octal text (space or NUL padded), or GNU base-256 when the top bit is
    set. At most 12 bytes, so never more than 96 bits."""
    if field and field[0] == 0x80:
        return int.from_bytes(field[1:], "big")
    if field and field[0] == 0xFF:
        raise TarballError(f"negative {what} in a tar header", subject)
    text = field.split(b"\0", 1)[0].strip(b" ")
    if not text:
        return 0
    if any(c not in b"01234567" for c in text):
        raise TarballError(f"{what} in a tar header is not a number: {text[:20]!r}", subject)
    return int(text, 8)


def _decimal(text: str, subject: str, what: str) -> int:
    if not (0 < len(text) <= _MAX_NUMBER_DIGITS and text.isascii() and text.isdigit()):
        raise TarballError(f"{what} is not a number: {text[:20]!r}", subject)
    return int(text)


def _pax_records(data: bytes, subject: str) -> dict[str, str]:
    """``"%d %s=%s\\n"`` records; strict, because node-tar reads them line by line."""
    records: dict[str, str] = {}
    position = 0
    while position < len(data):
        if data[position] == 0:  # NUL padding after the last record
            if data[position:].strip(b"\0"):
                raise TarballError("malformed pax header (data after NUL padding)", subject)
            break
        space = data.find(b" ", position, position + _MAX_NUMBER_DIGITS + 1)
        length_text = data[position:space] if space > position else b""
        if not length_text.isdigit():
            raise TarballError("malformed pax header (a record without a length)", subject)
        end = position + int(length_text)
        record = data[space + 1 : end]
        if end > len(data) or not record.endswith(b"\n") or b"=" not in record:
            raise TarballError("malformed pax header (a record of the wrong length)", subject)
        key, _, value = record[:-1].partition(b"=")
        if b"\n" in value or not key:
            raise TarballError(
                "malformed pax header (a newline inside a value: tar readers disagree on it)",
                subject,
            )
        records[_decode(key)] = _decode(value)
        position = end
    return records


def _zlib_reason(exc: zlib.error) -> str:
    text = str(exc)
    # "Error -3 while decompressing data: invalid distance too far back" -> the reason only
    return text.split(": ", 1)[1] if ": " in text else text
