"""Fixtures for the OSV tests: hand-written records in temp folders, the real shared data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scanner.osv.database import AdvisoryDatabase
from tests.osv.helpers import feed_of

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "osv"
SHARED_ADVISORIES = Path("/work/shared/advisories")
SHARED_ZIP = SHARED_ADVISORIES / "ossf-malicious-npm.zip"

RecordFactory = Callable[..., dict[str, Any]]
FolderFactory = Callable[..., Path]


def npm_record(
    record_id: str,
    name: str,
    versions: list[str] | None = None,
    ranges: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"package": {"ecosystem": "npm", "name": name}}
    if versions is not None:
        entry["versions"] = versions
    if ranges is not None:
        entry["ranges"] = ranges
    record: dict[str, Any] = {
        "schema_version": "1.5.0",
        "id": record_id,
        "summary": f"test record for {name}",
        "affected": [entry],
    }
    record.update(fields)
    return record


def semver_range(*events: tuple[str, str], kind: str = "SEMVER") -> dict[str, Any]:
    return {"type": kind, "events": [{key: value} for key, value in events]}


@pytest.fixture
def make_record() -> RecordFactory:
    return npm_record


@pytest.fixture
def make_range() -> Callable[..., dict[str, Any]]:
    return semver_range


@pytest.fixture
def osv_folder(tmp_path: Path) -> FolderFactory:
    """Write records (dicts, or raw text for broken ones) as ``<name>.json`` into a new folder."""
    counter = 0

    def write(*records: dict[str, Any] | tuple[str, str]) -> Path:
        nonlocal counter
        counter += 1
        folder = tmp_path / f"osv-{counter}"
        folder.mkdir()
        for record in records:
            if isinstance(record, tuple):
                file_name, text = record
                (folder / file_name).write_text(text)
            else:
                (folder / f"{record['id']}.json").write_text(json.dumps(record))
        return folder

    return write


@pytest.fixture(params=["index", "feed"])
def database_of(
    request: pytest.FixtureRequest, osv_folder: FolderFactory, tmp_path: Path
) -> Callable[..., AdvisoryDatabase]:
    """A database holding only the given hand-written records (no bundled set, no cache).

    Every matcher test runs twice: records read as an ``--advisories`` folder (compiled index),
    and the same records imported by ``depscan db update`` into a feed database (SQLite).
    """

    def load(*records: dict[str, Any]) -> AdvisoryDatabase:
        folder = osv_folder(*records)
        if request.param == "index":
            return AdvisoryDatabase.load([folder], cache_dir=None, include_bundled=False)
        return feed_of(folder, tmp_path / f"feed-{folder.name}")

    return load


@pytest.fixture(scope="session")
def shared_zip() -> Path:
    if not SHARED_ZIP.is_file():
        pytest.skip(f"shared OSV zip not present at {SHARED_ZIP} (read-only input of this project)")
    return SHARED_ZIP


@pytest.fixture(scope="session")
def zip_database(shared_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> AdvisoryDatabase:
    """The 22,330-record zip, built once per test session into a private cache."""
    cache = tmp_path_factory.mktemp("osv-zip-cache")
    return AdvisoryDatabase.load([shared_zip], cache_dir=cache, include_bundled=False)


@pytest.fixture(scope="session")
def bundled_database() -> AdvisoryDatabase:
    return AdvisoryDatabase.load([], cache_dir=None, include_bundled=True)
