"""A small OSV export written per test, served on 127.0.0.1, and helpers to update and query."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scanner.osv.database import AdvisoryDatabase
from scanner.osv.feed_limits import DEFAULT_LIMITS, FeedLimits
from scanner.osv.feed_source import parse_source
from scanner.osv.feed_update import UpdateOutcome, update_feed
from tests.db.export_server import ExportServer

TEST_LIMITS = replace(DEFAULT_LIMITS, timeout=1.0, deadline=30.0)
"""A hung server fails in about a second."""


def record(
    record_id: str,
    name: str,
    versions: list[str] | None = None,
    ranges: list[dict[str, Any]] | None = None,
    modified: str = "2025-01-01T00:00:00Z",
    **fields: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"package": {"ecosystem": "npm", "name": name}}
    if versions is not None:
        entry["versions"] = versions
    if ranges is not None:
        entry["ranges"] = ranges
    out: dict[str, Any] = {
        "schema_version": "1.5.0",
        "id": record_id,
        "modified": modified,
        "published": "2025-01-01T00:00:00Z",
        "summary": f"Malicious code in {name} (npm)",
        "details": "test record",
        "affected": [entry],
    }
    out.update(fields)
    return out


def all_versions() -> list[dict[str, Any]]:
    return [{"type": "SEMVER", "events": [{"introduced": "0"}]}]


class Export:
    """The files of an export folder: ``all.zip``, ``modified_id.csv`` and ``<ID>.json``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.records: dict[str, dict[str, Any]] = {}

    def put(self, *records: dict[str, Any]) -> Export:
        for item in records:
            self.records[item["id"]] = item
        return self

    def drop(self, record_id: str) -> Export:
        del self.records[record_id]
        (self.root / f"{record_id}.json").unlink(missing_ok=True)
        return self

    def write(self, archive: bool = True, listing: bool = True) -> Export:
        """Write the single records and, unless told not to, the archive and the listing."""
        self.root.mkdir(parents=True, exist_ok=True)
        for record_id, item in self.records.items():
            (self.root / f"{record_id}.json").write_text(json.dumps(item, indent=2))
        if archive:
            self.write_archive()
        if listing:
            self.write_listing()
        return self

    def write_archive(self) -> None:
        with zipfile.ZipFile(self.root / "all.zip", "w", zipfile.ZIP_DEFLATED) as out:
            for record_id in sorted(self.records):
                out.writestr(f"{record_id}.json", json.dumps(self.records[record_id], indent=2))

    def write_listing(self) -> None:
        rows = sorted(self.records.values(), key=lambda r: (r["modified"], r["id"]), reverse=True)
        (self.root / "modified_id.csv").write_text(
            "".join(f"{r['modified']},{r['id']}\n" for r in rows)
        )


@pytest.fixture
def export(tmp_path: Path) -> Export:
    return Export(tmp_path / "export" / "npm")


@pytest.fixture
def server(export: Export) -> Iterator[ExportServer]:
    export.root.mkdir(parents=True, exist_ok=True)
    with ExportServer(export.root) as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


Update = Callable[..., UpdateOutcome]


@pytest.fixture
def update(cache: Path) -> Update:
    def run(source: str, limits: FeedLimits = TEST_LIMITS, **options: Any) -> UpdateOutcome:
        return update_feed(parse_source(source), cache, limits=limits, **options)

    return run


def feed_database(cache: Path) -> AdvisoryDatabase:
    """What a scan would query: only the feed databases under ``cache``."""
    return AdvisoryDatabase.load([], cache_dir=None, include_bundled=False, feeds_in=cache)


def matched(cache: Path, name: str, version: str) -> set[str]:
    return {m.advisory.id for m in feed_database(cache).match(name, version)}
