"""Every bound an advisory feed update works within: sizes, counts, timeouts.

A feed is untrusted input from the network: a hostile or broken mirror must not be able to fill
the disk, the memory or the CI job's time. Each limit is far above what OSV's real npm export
needs (its ``all.zip`` is a few hundred MB, its largest record a few tens of KB) and is stated in
docs/advisories.md.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FeedLimits:
    timeout: float = 30.0
    """Seconds to connect, and to wait for each piece of an answer (a hung server fails here)."""
    deadline: float = 1800.0
    """Seconds for a whole update: a server that trickles bytes fails here."""
    max_archive_bytes: int = 4096 * MB
    """The downloaded ``all.zip``."""
    max_index_bytes: int = 256 * MB
    """``modified_id.csv`` (about 50 bytes a record)."""
    max_record_bytes: int = 4 * MB
    """One record, in an archive or fetched alone. Bigger records are skipped and reported."""
    max_members: int = 5_000_000
    """Entries in one archive."""
    max_total_bytes: int = 32 * 1024 * MB
    """Uncompressed bytes of one archive, all members together (overlapping-member zip bombs)."""
    max_single_fetches: int = 20_000
    """Changed records fetched one by one; past this the whole archive is downloaded instead."""
    max_delta_records: int = 10_000
    """Records changed since the last full import kept in the small delta file; past this the
    delta is merged into a new base (a few seconds, no download)."""
    max_skipped_fraction: float = 0.01
    """Unreadable records tolerated (skipped and reported); past this the source is broken."""
    fetch_workers: int = 8
    """Concurrent single-record requests."""


DEFAULT_LIMITS = FeedLimits()


def size_text(limit: int) -> str:
    """``4 MB``, ``8,192 bytes``: how limits appear in messages."""
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit:,} bytes"
