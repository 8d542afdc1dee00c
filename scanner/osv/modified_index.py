"""``modified_id.csv``: which records an export holds and when each last changed; what to fetch.

OSV's exporter writes one ``<modified>,<ID>`` row per record of the ecosystem, no header, newest
first (google/osv.dev, go/cmd/exporter). An update compares it with the ``modified`` values the
database stored from the previous listing: a new or different value means fetch that record, an
id no longer listed means drop it. Comparing the exact strings costs ~0.3 s for 500,000 rows;
only rows that differ are validated, because unchanged ones were validated when first stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from scanner.osv.feed_source import FeedError
from scanner.timestamps import parse_time

_RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
"""Ids become URL path segments and file names (``<ID>.json``): no slash, no ``..``, no ``%``."""


@dataclass(slots=True)
class Changes:
    changed: dict[str, str] = field(default_factory=dict)
    """Listed ids that are new or whose ``modified`` differs, with the listed value: fetch them."""
    removed: list[str] = field(default_factory=list)
    """Stored ids the listing no longer has."""
    invalid: int = 0
    """Listed rows whose id or time is unusable (ignored; a stored record stays as it is)."""

    @property
    def empty(self) -> bool:
        return not (self.changed or self.removed)


def parse_listing(data: bytes, subject: str, keep: Callable[[str], bool]) -> dict[str, str]:
    """``{id: modified}`` of the rows whose id ``keep`` accepts; FeedError if it is unreadable."""
    return dict(_rows(data, subject, keep))


def diff_listing(
    data: bytes, subject: str, stored: dict[str, str], keep: Callable[[str], bool]
) -> Changes:
    """What differs between the stored ``{id: modified}`` and the listing (``stored`` is used up).

    Streams the rows rather than building a second dictionary of the whole listing.
    """
    changes = Changes()
    for record_id, modified in _rows(data, subject, keep):
        before = stored.pop(record_id, None)
        if before == modified:
            continue
        if not valid_id(record_id) or parse_time(modified) is None:
            changes.invalid += 1
        elif before is None or not same_instant(before, modified):
            # The same instant spelt differently (``.450Z``, ``.45Z``) is the same revision.
            changes.changed[record_id] = modified
    changes.removed = sorted(stored)
    return changes


def diff_listings(
    previous: bytes, listing: bytes, subject: str, keep: Callable[[str], bool]
) -> Changes:
    """What differs between the listing the database was last brought up to and a new one.

    The same answer as :func:`diff_listing` when the database holds exactly what ``previous``
    lists, found with set operations on whole lines: ~0.2 s for 500,000 rows instead of ~1 s.
    """
    before = set(_text(previous, subject).splitlines())
    after = set(_text(listing, subject).splitlines())
    gone: dict[str, str] = {}
    for line in before - after:
        modified, _, record_id = line.partition(",")
        gone[record_id] = modified
    changes = Changes()
    touched: set[str] = set()
    for record_id, modified in _rows_of(after - before, subject, len(after), keep):
        touched.add(record_id)
        if not valid_id(record_id) or parse_time(modified) is None:
            changes.invalid += 1
        elif record_id not in gone or not same_instant(gone[record_id], modified):
            changes.changed[record_id] = modified
    # An id whose old line is gone and that has no new line is no longer listed.
    changes.removed = sorted(i for i in gone if i not in touched and keep(i))
    return changes


def _text(data: bytes, subject: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FeedError(f"not a modified_id.csv (not UTF-8 text, byte {error.start})",
                        subject) from None


def _rows(data: bytes, subject: str, keep: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    lines = _text(data, subject).splitlines()
    return _rows_of(lines, subject, len(lines), keep)


def _rows_of(
    lines: Iterable[str], subject: str, total: int, keep: Callable[[str], bool]
) -> Iterator[tuple[str, str]]:
    malformed = 0
    for line in lines:
        if not line:
            continue
        modified, comma, record_id = line.partition(",")
        if not comma or not modified:
            malformed += 1
            continue
        if keep(record_id):
            yield record_id, modified
    if malformed > max(10, total // 100):
        raise FeedError(f"not a modified_id.csv ({malformed:,} of {total:,} lines are not "
                        "'<modified>,<id>')", subject)


def valid_id(record_id: str) -> bool:
    return _RECORD_ID.fullmatch(record_id) is not None and ".." not in record_id


def same_instant(left: str, right: str) -> bool:
    """``2024-01-02T03:04:05.450Z`` and ``2024-01-02T03:04:05.45Z`` are the same revision."""
    first, second = parse_time(left), parse_time(right)
    return first is not None and first == second
