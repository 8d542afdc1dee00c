"""Reading the JSON members of a large, untrusted zip archive one at a time, within limits.

``zipfile`` builds a ``ZipInfo`` object for every member when it opens an archive: for a
500,000-record feed that is 3.5 s and over 300 MB before the first record is read. This reader
walks the central directory sequentially instead, so memory stays flat whatever the member count,
and it checks everything an archive from the network can get wrong:

* member names: absolute paths, ``..`` components, backslashes, drive letters and NUL are refused
  (members are never written to disk, but such a name only comes from a forged archive);
* sizes: a member's declared size above the record limit is skipped and reported; the sum of
  declared sizes above the archive limit (overlapping-member zip bombs) refuses the archive;
  decompression never produces more than the declared size plus one byte;
* integrity: every member's data must lie before the central directory, decompress to exactly its
  declared size and match its CRC-32, so a truncated or corrupted download is an error, never a
  silently shorter database;
* no encryption, no multi-disk archives, only stored and deflated members (what zip writers use).
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from scanner.osv.feed_limits import FeedLimits, size_text
from scanner.osv.feed_source import FeedError

_EOCD = struct.Struct("<IHHHHIIH")
_EOCD_SIGNATURE = 0x06054B50
_ZIP64_LOCATOR = struct.Struct("<IIQI")
_ZIP64_LOCATOR_SIGNATURE = 0x07064B50
_ZIP64_EOCD = struct.Struct("<IQHHIIQQQQ")
_ZIP64_EOCD_SIGNATURE = 0x06064B50
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_CENTRAL_SIGNATURE = 0x02014B50
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50
_ZIP64_EXTRA = 0x0001
_STORED, _DEFLATED = 0, 8
_FLAG_ENCRYPTED, _FLAG_UTF8 = 0x1, 0x800
_MAX_COMMENT = 0xFFFF
_BUFFER = 1024 * 1024


class Packed(NamedTuple):
    """A member's data as stored, to be inflated by :func:`inflate` (perhaps in another process)."""

    method: int
    size: int
    crc: int
    data: bytes


class Located(NamedTuple):
    """Where a member's data is, checked against the archive's layout, for a worker process to
    read itself (:func:`read_located`): sending it the 500 MB of data would cost more."""

    path: str
    offset: int
    end: int
    """Where the central directory starts: no member data may run past it."""
    method: int
    size: int
    crc: int
    compressed: int
    name_length: int


@dataclass(frozen=True, slots=True)
class Member:
    """One JSON member: its data or location, or why it was skipped (``packed`` is ``None``)."""

    name: str
    packed: Packed | Located | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int
    name_length: int


def json_members(
    path: Path,
    limits: FeedLimits,
    subject: str,
    wanted: Callable[[str], bool] | None = None,
    deadline: float | None = None,
    locate_only: bool = False,
) -> Iterator[Member]:
    """The ``*.json`` members of the archive at ``path`` in central-directory order.

    ``wanted`` sees each member's base name and can skip it unread. ``locate_only`` gives each
    member's :class:`Located` instead of its data. Anything wrong with the archive itself raises
    :class:`FeedError` naming ``subject`` (the source, not the temp file).
    """
    try:
        with path.open("rb", buffering=_BUFFER) as directory, path.open("rb") as data:
            where = str(path) if locate_only else None
            yield from _members(directory, data, limits, subject, wanted, deadline, where)
    except OSError as error:
        raise FeedError(f"cannot read the archive: {error.strerror or error}", subject) from None


def archive_entries(path: Path, subject: str) -> int:
    """How many entries the archive's central directory declares."""
    try:
        with path.open("rb") as handle:
            return _central_directory(handle, subject)[0]
    except OSError as error:
        raise FeedError(f"cannot read the archive: {error.strerror or error}", subject) from None


def _members(
    directory: BinaryIO,
    data: BinaryIO,
    limits: FeedLimits,
    subject: str,
    wanted: Callable[[str], bool] | None,
    deadline: float | None,
    locate_in: str | None,
) -> Iterator[Member]:
    count, cd_offset, cd_size = _central_directory(directory, subject)
    if count > limits.max_members:
        raise FeedError(
            f"archive has {count:,} entries, more than the {limits.max_members:,} limit", subject
        )
    directory.seek(cd_offset)
    entries = _CentralEntries(directory, cd_size, subject)
    declared_total = 0
    for position in range(count):
        if deadline is not None and position % 1024 == 0 and time.monotonic() > deadline:
            raise FeedError("reading the archive took longer than the update's time limit", subject)
        entry = entries.next()
        name = entry.name
        base = name.rsplit("/", 1)[-1]
        if name.endswith("/") or base.startswith(".") or not base.lower().endswith(".json"):
            continue
        if wanted is not None and not wanted(base):
            continue
        _check_supported(entry, subject)
        declared_total += entry.size
        if declared_total > limits.max_total_bytes:
            raise FeedError("archive expands to more than the "
                            f"{limits.max_total_bytes // (1024 * 1024):,} MB limit", subject)
        too_big = limits.max_record_bytes
        if entry.size > too_big or entry.compressed > too_big + 65536:
            yield Member(name, None, f"larger than the {size_text(too_big)} record limit")
            continue
        if locate_in is not None:
            if entry.offset + _LOCAL.size + entry.name_length + entry.compressed > cd_offset:
                raise FeedError(f"corrupt archive: {name[:80]!r} runs into the central directory",
                                subject)
            yield Member(name, Located(locate_in, entry.offset, cd_offset, entry.method,
                                       entry.size, entry.crc, entry.compressed,
                                       entry.name_length))
            continue
        yield Member(name, _read_member(data, entry, cd_offset, subject))


class _CentralEntries:
    """The central directory read in 1 MB pieces, one entry at a time (memory stays flat)."""

    def __init__(self, handle: BinaryIO, size: int, subject: str) -> None:
        self._handle = handle
        self._left = size
        self._subject = subject
        self._buffer = b""
        self._at = 0

    def _need(self, length: int) -> None:
        if len(self._buffer) - self._at >= length:
            return
        more = min(max(length, _BUFFER), self._left)
        chunk = self._handle.read(more)
        self._left -= len(chunk)
        self._buffer = self._buffer[self._at :] + chunk
        self._at = 0
        if len(self._buffer) < length:
            raise FeedError("truncated or corrupt archive: the central directory ends early",
                            self._subject)

    def next(self) -> _Entry:
        self._need(_CENTRAL.size)
        fields = _CENTRAL.unpack_from(self._buffer, self._at)
        if fields[0] != _CENTRAL_SIGNATURE:
            raise FeedError("corrupt archive: bad central directory entry", self._subject)
        name_length, extra_length, comment_length = fields[10], fields[11], fields[12]
        variable = name_length + extra_length + comment_length
        self._need(_CENTRAL.size + variable)
        start = self._at + _CENTRAL.size
        raw_name = self._buffer[start : start + name_length]
        extra = self._buffer[start + name_length : start + name_length + extra_length]
        self._at = start + variable
        flags, compressed, size, offset = fields[3], fields[8], fields[9], fields[16]
        try:
            name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437")
        except UnicodeDecodeError:
            raise FeedError("corrupt archive: a member name is not valid UTF-8",
                            self._subject) from None
        _vet_name(name, self._subject)
        if 0xFFFFFFFF in (compressed, size, offset):
            size, compressed, offset = _zip64_sizes(extra, size, compressed, offset, self._subject)
        return _Entry(name, flags, fields[4], fields[7], compressed, size, offset, name_length)


def _central_directory(handle: BinaryIO, subject: str) -> tuple[int, int, int]:
    """(entries, offset, size) of the central directory, from the (zip64) end records."""
    handle.seek(0, 2)
    file_size = handle.tell()
    tail_size = min(file_size, _EOCD.size + _MAX_COMMENT)
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    position = len(tail) - _EOCD.size
    while True:
        position = tail.rfind(b"PK\x05\x06", 0, position + 4)
        if position < 0:
            raise FeedError("not a zip archive, or a truncated one (no end of central directory)",
                            subject)
        fields = _EOCD.unpack_from(tail, position)
        if position + _EOCD.size + fields[7] <= len(tail):
            break
        position -= 1
    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = fields
    eocd_at = file_size - tail_size + position
    if disk or cd_disk:
        raise FeedError("multi-disk zip archives are not supported", subject)
    end = eocd_at
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        count, cd_size, cd_offset, end = _zip64_directory(handle, eocd_at, subject)
    if cd_offset + cd_size > end:
        raise FeedError("corrupt or truncated archive: the central directory lies past its end",
                        subject)
    return count, cd_offset, cd_size


def _zip64_directory(handle: BinaryIO, eocd_at: int, subject: str) -> tuple[int, int, int, int]:
    if eocd_at < _ZIP64_LOCATOR.size:
        raise FeedError("corrupt zip64 archive: no zip64 locator", subject)
    handle.seek(eocd_at - _ZIP64_LOCATOR.size)
    signature, _, record_at, _ = _ZIP64_LOCATOR.unpack(handle.read(_ZIP64_LOCATOR.size))
    if signature != _ZIP64_LOCATOR_SIGNATURE or record_at > eocd_at - _ZIP64_EOCD.size:
        raise FeedError("corrupt zip64 archive: bad zip64 locator", subject)
    handle.seek(record_at)
    fields = _ZIP64_EOCD.unpack(handle.read(_ZIP64_EOCD.size))
    if fields[0] != _ZIP64_EOCD_SIGNATURE:
        raise FeedError("corrupt zip64 archive: bad zip64 end record", subject)
    return fields[7], fields[8], fields[9], record_at


def _zip64_sizes(
    extra: bytes, size: int, compressed: int, offset: int, subject: str
) -> tuple[int, int, int]:
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        position += 4 + length
        if kind != _ZIP64_EXTRA:
            continue
        values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
        out = []
        for value in (size, compressed, offset):
            if value == 0xFFFFFFFF:
                if not values:
                    break
                value = values.pop(0)
            out.append(value)
        else:
            return out[0], out[1], out[2]
    raise FeedError("corrupt zip64 archive: a member lacks its zip64 sizes", subject)


def _vet_name(name: str, subject: str) -> None:
    if (
        "\x00" in name
        or "\\" in name
        or name[:1] == "/"
        or name[1:2] == ":"
        or (".." in name and "/../" in f"/{name}/")
    ):
        raise FeedError(f"refusing an archive with an unsafe member name {name[:80]!r}", subject)


def _check_supported(entry: _Entry, subject: str) -> None:
    if entry.flags & _FLAG_ENCRYPTED:
        raise FeedError(f"encrypted archive member {entry.name[:80]!r}", subject)
    if entry.method not in (_STORED, _DEFLATED):
        raise FeedError(
            f"archive member {entry.name[:80]!r} uses unsupported compression {entry.method}",
            subject,
        )


_OPEN: dict[str, BinaryIO] = {}
"""Archives a worker process reads members of, open for the life of the process."""


def read_located(located: Located, name: str, subject: str) -> Packed:
    handle = _OPEN.get(located.path)
    if handle is None:
        try:
            handle = _OPEN[located.path] = open(located.path, "rb")  # noqa: SIM115
        except OSError as error:
            raise FeedError(f"cannot read the archive: {error.strerror}", subject) from None
    entry = _Entry(name, 0, located.method, located.crc, located.compressed, located.size,
                   located.offset, located.name_length)
    return _read_member(handle, entry, located.end, subject)


def _read_member(handle: BinaryIO, entry: _Entry, cd_offset: int, subject: str) -> Packed:
    # One read for the local header, name, a little extra field and the data, usually.
    handle.seek(entry.offset)
    guess = _LOCAL.size + entry.name_length + 64 + entry.compressed
    piece = handle.read(min(guess, max(cd_offset - entry.offset, 0)))
    if len(piece) < _LOCAL.size or _LOCAL.unpack_from(piece)[0] != _LOCAL_SIGNATURE:
        raise FeedError(f"corrupt archive: bad local header for {entry.name[:80]!r}", subject)
    fields = _LOCAL.unpack_from(piece)
    skip = _LOCAL.size + fields[9] + fields[10]
    if entry.offset + skip + entry.compressed > cd_offset:
        raise FeedError(f"corrupt archive: {entry.name[:80]!r} runs into the central directory",
                        subject)
    if len(piece) >= skip + entry.compressed:
        compressed = piece[skip : skip + entry.compressed]
    else:
        handle.seek(entry.offset + skip)
        compressed = handle.read(entry.compressed)
    if len(compressed) != entry.compressed:
        raise FeedError(f"truncated archive: {entry.name[:80]!r} ends early", subject)
    return Packed(entry.method, entry.size, entry.crc, compressed)


def inflate(packed: Packed, name: str, subject: str) -> bytes:
    """The member's bytes, exactly its declared size and CRC, else :class:`FeedError`."""
    if packed.method == _STORED:
        content = packed.data
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(packed.data, packed.size + 1)
        except zlib.error:
            raise FeedError(f"corrupt archive: {name[:80]!r} does not inflate", subject) from None
        if not inflater.eof:
            content = b""  # more output than declared, or the stream stops short
    if len(content) != packed.size or zlib.crc32(content) != packed.crc:
        raise FeedError(f"corrupt archive: {name[:80]!r} fails its size or CRC check", subject)
    return content
