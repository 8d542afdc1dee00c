"""The compiled advisory index: npm entries grouped by package name, in a fast-to-load text form.

Parsing 22,330 OSV files takes over a second; a scan only needs the handful of records whose
package name occurs in the lockfile. The index therefore stores one line per package name::

    <name> TAB <JSON array of that name's advisories>

after a one-line JSON header. Loading splits lines and keeps each payload as an undecoded string;
a payload is decoded only when its name is looked up. It is plain JSON text (never pickle), so a
tampered cache can at worst produce wrong data for that cache, not run code, and the header's
CRC-32 over the body turns a truncated or damaged file into a rebuild.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from typing import Any

from scanner.osv.records import AdvisoryRecord, AffectedEntry, VersionRange

INDEX_FORMAT = "depscan-osv-index"
INDEX_VERSION = 1
"""Bump when the payload layout or the matching-relevant compilation changes."""


class IndexFormatError(ValueError):
    """The bytes are not an index this code wrote for this source (callers rebuild it)."""


class CompiledIndex:
    """Advisories of one source by npm package name, decoded on demand."""

    def __init__(self, payloads: dict[str, str], record_count: int, withdrawn_count: int) -> None:
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
                by_name.setdefault(name, []).append(_encode_advisory(record, entries))
        payloads = {
            name: json.dumps(advisories, ensure_ascii=False, separators=(",", ":"))
            for name, advisories in sorted(by_name.items())
        }
        return cls(payloads, record_count, withdrawn_count)

    @property
    def package_names(self) -> int:
        return len(self._payloads)

    def advisories_for(self, name: str) -> tuple[AdvisoryRecord, ...]:
        """Non-withdrawn records with npm entries for ``name`` (only that name's entries)."""
        decoded = self._decoded.get(name)
        if decoded is None:
            payload = self._payloads.get(name)
            decoded = () if payload is None else _decode_payload(name, payload)
            self._decoded[name] = decoded
        return decoded

    def to_bytes(self, source_key: str) -> bytes:
        body = "".join(
            f"{_encode_name(name)}\t{payload}\n" for name, payload in self._payloads.items()
        ).encode("utf-8")
        header = {
            "format": INDEX_FORMAT,
            "version": INDEX_VERSION,
            "source_key": source_key,
            "records": self.record_count,
            "withdrawn": self.withdrawn_count,
            "names": len(self._payloads),
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
        body = data[header_end + 1 :]
        if zlib.crc32(body) != header.get("crc32"):
            raise IndexFormatError("body checksum mismatch")
        try:
            lines = body.decode("utf-8").split("\n")
        except UnicodeDecodeError as error:
            raise IndexFormatError(f"body is not UTF-8: {error}") from None
        if lines.pop() != "":
            raise IndexFormatError("body does not end with a newline")
        payloads: dict[str, str] = {}
        for line in lines:
            name, tab, payload = line.partition("\t")
            if not tab:
                raise IndexFormatError("line without a tab")
            payloads[_decode_name(name) if name.startswith('"') else name] = payload
        counts = (header.get("names"), header.get("records"), header.get("withdrawn"))
        if counts[0] != len(payloads) or not all(isinstance(c, int) for c in counts[1:]):
            raise IndexFormatError("header counts do not match the body")
        record_count, withdrawn_count = header["records"], header["withdrawn"]
        return cls(payloads, record_count, withdrawn_count)


def _encode_advisory(record: AdvisoryRecord, entries: tuple[AffectedEntry, ...]) -> list[Any]:
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


def _decode_payload(name: str, payload: str) -> tuple[AdvisoryRecord, ...]:
    # The CRC guards against damage; a payload that still fails here was written by other code.
    advisories = json.loads(payload)
    return tuple(
        AdvisoryRecord(
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
        for record_id, aliases, summary, published, modified, references, entries in advisories
    )


def _encode_name(name: str) -> str:
    """Names are written raw unless they could be confused with the line syntax."""
    if name.startswith('"') or any(char in name for char in "\t\n\r"):
        return json.dumps(name)
    return name


def _decode_name(encoded: str) -> str:
    try:
        name = json.loads(encoded)
    except ValueError as error:
        raise IndexFormatError(f"bad quoted name: {error}") from None
    if not isinstance(name, str):
        raise IndexFormatError("quoted name is not a string")
    return name
