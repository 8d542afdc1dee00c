"""Helpers shared by the OSV tests."""

from __future__ import annotations

from pathlib import Path

from scanner.osv.database import AdvisoryDatabase
from scanner.osv.feed_source import parse_source
from scanner.osv.feed_update import update_feed


def feed_of(source: Path, cache: Path, all_records: bool = True) -> AdvisoryDatabase:
    """``source`` imported by ``depscan db update`` into ``cache``, as a scan would query it."""
    update_feed(parse_source(str(source)), cache, all_records=all_records)
    return AdvisoryDatabase.load([], cache_dir=None, include_bundled=False, feeds_in=cache)
