"""Turning raw record files into database rows, in worker processes when there are many.

Decoding is the CPU-heavy part of an import: bounded JSON parsing (:func:`scanner.untrusted.loads`),
strict validation (:func:`scanner.osv.records.compile_record`) and encoding the rows, about 45 µs
a record on the development machine, where inflating and storing it take about 25 µs. For a
500,000-record archive the records are therefore decoded by a small process pool in batches while
the main process reads the archive and writes the database; smaller jobs stay in one process.
Results come back in input order, and at most a few batches are in flight, so memory stays flat.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

from scanner.errors import AdvisoryError
from scanner.osv.feed_source import MALICIOUS_PREFIX, FeedError
from scanner.osv.index import encode_advisory
from scanner.osv.records import AdvisoryRecord, compile_record
from scanner.osv.zip_reader import Located, Packed, inflate, read_located
from scanner.untrusted import loads

POOL_THRESHOLD = 50_000
"""Fewer records than this are decoded in the main process: below it, starting the pool and
passing records between processes cost more than they save."""
BATCH = 512


class Decoded(NamedTuple):
    """One record, ready to store: its rows, keyed by package name. (Tuples: results cross a
    process boundary, and a tuple pickles 20 times faster than a dataclass.)"""

    record_id: str
    modified: str
    """The record's own ``modified`` (``""`` when it has none)."""
    withdrawn: bool
    names: str
    """The package names as a JSON list (to find the rows again when the record changes)."""
    rows: tuple[tuple[str, str], ...]
    """``(package name, encoded advisory)``; empty for a withdrawn record."""


class Skipped(NamedTuple):
    label: str
    reason: str


@dataclass(frozen=True, slots=True)
class RawRecord:
    label: str
    """How a person finds it: the record id, archive member or file."""
    subject: str
    """What errors name: the URL or path, with the member for an archive."""
    data: bytes | Packed | Located | None
    """The file's bytes, or an archive member still compressed, or where it is."""
    problem: str | None = None
    """Why ``data`` is ``None`` (too large)."""


# One encoder for every row: json.dumps with options builds a new encoder per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode(record: AdvisoryRecord) -> Decoded:
    names = sorted(record.affected)
    rows = () if record.withdrawn else tuple(
        (name, _COMPACT(encode_advisory(record, record.affected[name]))) for name in names
    )
    return Decoded(record.id, record.modified or "", record.withdrawn, _COMPACT(names), rows)


def decode(raw: RawRecord, keep_all: bool) -> Decoded | Skipped | None:
    """The rows of one record; ``Skipped`` with the reason; ``None`` when the filter drops it."""
    if raw.data is None:
        return Skipped(raw.label, raw.problem or "unreadable")
    # A member that fails its CRC is a damaged archive, not a bad record: that error propagates.
    data = raw.data
    if isinstance(data, Located):
        data = read_located(data, raw.label, raw.subject)
    if isinstance(data, Packed):
        data = inflate(data, raw.label, raw.subject)
    try:
        record = compile_record(loads(data, subject=raw.subject, error=FeedError), raw.subject)
    except AdvisoryError as error:
        return Skipped(raw.label, error.message)
    if not keep_all and not record.id.startswith(MALICIOUS_PREFIX):
        return None
    return encode(record)


_Wire = tuple[str, str, Any, str | None]
"""(label, subject, data as bytes or a plain tuple of a Packed or Located, problem)."""


def _decode_batch(
    batch: list[_Wire], keep_all: bool
) -> list[tuple[str, ...] | tuple[str, str, bool, str, tuple[tuple[str, str], ...]] | None]:
    out: list[tuple[str, ...] | tuple[str, str, bool, str, tuple[tuple[str, str], ...]] | None] = []
    for label, subject, wired, problem in batch:
        data = wired
        if isinstance(wired, tuple):
            data = Located(*wired) if len(wired) == len(Located._fields) else Packed(*wired)
        result = decode(RawRecord(label, subject, data, problem), keep_all)
        out.append(None if result is None else (type(result).__name__, *result))
    return out


def _unwire(
    results: list[tuple[str, ...] | tuple[str, str, bool, str, tuple[tuple[str, str], ...]] | None],
) -> Iterator[Decoded | Skipped | None]:
    for item in results:
        if item is None:
            yield None
        elif item[0] == "Decoded":
            yield Decoded(*item[1:])
        else:
            yield Skipped(*item[1:])


def use_workers(expected: int) -> bool:
    return expected >= POOL_THRESHOLD and (os.cpu_count() or 1) >= 2


def decode_all(
    records: Iterable[RawRecord], keep_all: bool, expected: int
) -> Iterator[Decoded | Skipped | None]:
    """Decode in input order; in worker processes when ``expected`` records justify it."""
    workers = min(2, os.cpu_count() or 1)
    if not use_workers(expected):
        for raw in records:
            yield decode(raw, keep_all)
        return
    # Not fork: a forked worker would start out sharing this process's memory (the listing of
    # every record), which then counts twice; a fresh worker only imports what decoding needs.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    in_flight: deque[Future[list[Any]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            batch: list[_Wire] = []
            for raw in records:
                # Plain tuples: a NamedTuple pickles six times slower.
                data = tuple(raw.data) if isinstance(raw.data, tuple) else raw.data
                batch.append((raw.label, raw.subject, data, raw.problem))
                if len(batch) == BATCH:
                    in_flight.append(pool.submit(_decode_batch, batch, keep_all))
                    batch = []
                    if len(in_flight) > 2 * workers:
                        yield from _unwire(in_flight.popleft().result())
            if batch:
                in_flight.append(pool.submit(_decode_batch, batch, keep_all))
            while in_flight:
                yield from _unwire(in_flight.popleft().result())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
