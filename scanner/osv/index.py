"""The compiled advisory index: npm entries grouped by package name, in a fast-to-load form.

Parsing 22,330 OSV files takes over a second; a scan only needs the handful of records whose
package name occurs in the lockfile. The index file therefore holds, after a one-line JSON header:

1. the package names, sorted, joined by newlines (found by binary search at lookup);
2. a table of little-endian uint32 offsets, one per name plus an end marker, into
3. the payloads: per name, a compact JSON array of that name's advisories.

Loading reads the file, checks its CRC-32 and splits the names; no per-record work happens until
a name is looked up, and then only that name's payload is decoded. The file is plain data (JSON
and integers, never pickle), so a tampered cache can at worst give wrong answers for that cache,
not run code, and the CRC turns a truncated or damaged file into a rebuild.
"""

from __future__ import annotations

import json
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from scanner.osv.records import AdvisoryRecord, AffectedEntry, VersionRange

INDEX_FORMAT = "depscan-osv-index"
INDEX_VERSION = 2
"""Bump when the file layout or the matching-relevant compilation changes."""

_OFFSET_CODE = next(code for code in "IL" if array(code).itemsize == 4)
_OFFSET_SIZE = 4


class IndexFormatError(ValueError):
    """The bytes are not an index this code wrote for this source (callers rebuild it)."""


class CompiledIndex:
    """Advisories of one source by npm package name, decoded on demand."""

    def __init__(
        self,
        names: list[str],
        offsets: array[int],
        payloads: bytes | memoryview,
        record_count: int,
        withdrawn_count: int,
    ) -> None:
        self._names = names
        self._offsets = offsets
        self._payloads = payloads
        self._decoded: dict[str, tuple[AdvisoryRecord, ...]] = {}
        self.record_count = record_count
        self.withdrawn_count = withdrawn_count

    @classmethod
    def build(cls, records: Iterable[AdvisoryRecord]) -> CompiledIndex:
        """Group records by package name; withdrawn records are counted but never indexed."""
        by_name: dict[str, list[list[Any]]] = {}
        record_count = withdrawn_count = 0
        for record in records:
            record_count += 1
            if record.withdrawn:
                withdrawn_count += 1
                continue
            for name, entries in record.affected.items():
                by_name.setdefault(name, []).append(encode_advisory(record, entries))
        names = sorted(by_name)
        offsets = array(_OFFSET_CODE, [0])
        chunks: list[bytes] = []
        for name in names:
            chunk = json.dumps(by_name[name], ensure_ascii=False, separators=(",", ":"))
            chunks.append(chunk.encode("utf-8"))
            offsets.append(offsets[-1] + len(chunks[-1]))
        return cls(names, offsets, b"".join(chunks), record_count, withdrawn_count)

    @property
    def package_names(self) -> int:
        return len(self._names)

    def advisories_for(self, name: str) -> tuple[AdvisoryRecord, ...]:
        """Non-withdrawn records with npm entries for ``name`` (only that name's entries)."""
        decoded = self._decoded.get(name)
        if decoded is None:
            position = bisect_left(self._names, name)
            if position < len(self._names) and self._names[position] == name:
                start, end = self._offsets[position], self._offsets[position + 1]
                decoded = _decode_payload(name, bytes(self._payloads[start:end]))
            else:
                decoded = ()
            self._decoded[name] = decoded
        return decoded

    def to_bytes(self, source_key: str) -> bytes:
        names_block = "\n".join(_encode_name(name) for name in self._names).encode("utf-8")
        offsets = array(_OFFSET_CODE, self._offsets)
        if sys.byteorder == "big":
            offsets.byteswap()
        body = names_block + offsets.tobytes() + bytes(self._payloads)
        header = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "source_key": source_key,
            "records": self.record_count,
            "withdrawn": self.withdrawn_count,
            "names": len(self._names),
            "quoted_names": [i for i, name in enumerate(self._names) if _needs_quoting(name)],
            "names_bytes": len(names_block),
            "payload_bytes": len(self._payloads),
            "crc32": zlib.crc32(body),
        }
        return json.dumps(header, separators=(",", ":")).encode("ascii") + b"\n" + body

    @classmethod
    def from_bytes(cls, data: bytes, source_key: str) -> CompiledIndex:
        """Parse what :meth:`to_bytes` wrote; :class:`IndexFormatError` if anything is off."""
        header_end = data.find(b"\n")
        if header_end < 0:
            raise IndexFormatError("no header line")
        try:
            header = json.loads(data[:header_end])
        except (ValueError, RecursionError) as error:
            raise IndexFormatError(f"unreadable header: {error}") from None
        if not isinstance(header, dict):
            raise IndexFormatError("header is not an object")
        expected = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "source_key": source_key}
        if any(header.get(key) != value for key, value in expected.items()):
            raise IndexFormatError("written for another format version or source")
        name_count, names_bytes, payload_bytes, record_count, withdrawn_count = (
            _header_int(header, key)
            for key in ("names", "names_bytes", "payload_bytes", "records", "withdrawn")
        )
        quoted = header.get("quoted_names")
        if not isinstance(quoted, list):
            raise IndexFormatError("header has no quoted_names list")
        body = memoryview(data)[header_end + 1 :]
        table_bytes = _OFFSET_SIZE * (name_count + 1)
        if len(body) != names_bytes + table_bytes + payload_bytes:
            raise IndexFormatError("body length does not match the header")
        if zlib.crc32(body) != header.get("crc32"):
            raise IndexFormatError("body checksum mismatch")
        try:
            names = str(body[:names_bytes], "utf-8").split("\n") if name_count else []
        except UnicodeDecodeError as error:
            raise IndexFormatError(f"names are not UTF-8: {error}") from None
        if len(names) != name_count:
            raise IndexFormatError("name count does not match the header")
        for position in quoted:
            if not isinstance(position, int) or not 0 <= position < name_count:
                raise IndexFormatError("bad quoted name position")
            names[position] = _decode_name(names[position])
        offsets = array(_OFFSET_CODE)
        offsets.frombytes(body[names_bytes : names_bytes + table_bytes])
        if sys.byteorder == "big":
            offsets.byteswap()
        if offsets[0] != 0 or offsets[-1] != payload_bytes:
            raise IndexFormatError("offset table does not span the payloads")
        payloads = body[names_bytes + table_bytes :]
        return cls(names, offsets, payloads, record_count, withdrawn_count)


def encode_advisory(record: AdvisoryRecord, entries: tuple[AffectedEntry, ...]) -> list[Any]:
    """One advisory with one package name's entries, as compact JSON-ready lists."""
    return [
        record.id,
        list(record.aliases),
        record.summary,
        record.published,
        record.modified,
        list(record.references),
        [
            [list(entry.versions), [[r.type, [list(e) for e in r.events]] for r in entry.ranges]]
            for entry in entries
        ],
    ]


def _header_int(header: dict[str, Any], key: str) -> int:
    value = header.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise IndexFormatError(f"header field {key!r} is missing or not a count")
    return value


def _decode_payload(name: str, payload: bytes) -> tuple[AdvisoryRecord, ...]:
    # The CRC guards against damage; a payload that still fails here was written by other code.
    return tuple(decode_advisory(name, item) for item in json.loads(payload))


def decode_advisory(name: str, item: list[Any]) -> AdvisoryRecord:
    """The record :func:`encode_advisory` wrote, with ``name``'s entries only."""
    record_id, aliases, summary, published, modified, references, entries = item
    return AdvisoryRecord(
        id=record_id,
        aliases=tuple(aliases),
        summary=summary,
        published=published,
        modified=modified,
        references=tuple(references),
        withdrawn=False,
        affected={
            name: tuple(
                AffectedEntry(
                    versions=tuple(versions),
                    ranges=tuple(
                        VersionRange(range_type, tuple((k, v) for k, v in events))
                        for range_type, events in ranges
                    ),
                )
                for versions, ranges in entries
            )
        },
    )


def _needs_quoting(name: str) -> bool:
    return "\n" in name


def _encode_name(name: str) -> str:
    """Names are written raw unless they contain the block separator."""
    return json.dumps(name) if _needs_quoting(name) else name


def _decode_name(encoded: str) -> str:
    try:
        name = json.loads(encoded)
    except ValueError as error:
        raise IndexFormatError(f"bad quoted name: {error}") from None
    if not isinstance(name, str):
        raise IndexFormatError("quoted name is not a string")
    return name
