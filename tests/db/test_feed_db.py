"""The SQLite file: lookups by name, changes applied to a copy, publishing, damaged files."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from scanner.osv.feed_db import FeedDatabase, FeedWriter
from scanner.osv.feed_decode import Decoded, encode
from scanner.osv.feed_source import FeedError
from scanner.osv.records import compile_record
from tests.db.conftest import all_versions, record

SETTINGS = {"source": "https://mirror.example.test/npm/", "kind": "export", "all_records": "0",
            "skipped": "0", "skipped_examples": "[]"}


def decoded(
    record_id: str, name: str, versions: list[str] | None = None, **fields: Any
) -> Decoded:
    return encode(compile_record(record(record_id, name, versions, **fields), "test"))


def build(directory: Path, *items: Decoded) -> Path:
    writer = FeedWriter.create(directory, "k")
    for item in items:
        assert writer.add(item, item.modified)
    writer.finish(SETTINGS, changed=True, previous=None)
    target = directory / "k.sqlite3"
    writer.publish(target)
    return target


def ids(database: FeedDatabase, name: str) -> list[str]:
    return [r.id for r in database.advisories_for(name)]


def test_lookups_return_only_that_names_entries(tmp_path: Path) -> None:
    two_packages = compile_record({
        "id": "MAL-2", "modified": "2025-01-01T00:00:00Z", "affected": [
            {"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]},
            {"package": {"ecosystem": "npm", "name": "b"}, "versions": ["2.0.0"]},
        ]}, "t")
    path = build(tmp_path, decoded("MAL-1", "a", ranges=all_versions()), encode(two_packages),
                 decoded("MAL-3", "gone", ["1.0.0"], withdrawn="2025-01-02T00:00:00Z"))
    database = FeedDatabase.open(path)
    assert ids(database, "a") == ["MAL-1", "MAL-2"]
    (b_record,) = database.advisories_for("b")
    assert list(b_record.affected) == ["b"] and b_record.affected["b"][0].versions == ("2.0.0",)
    assert database.advisories_for("gone") == ()
    assert (database.meta.records, database.meta.withdrawn, database.meta.names) == (3, 1, 2)
    assert database.meta.source == "https://mirror.example.test/npm/"


def test_a_second_record_with_the_same_id_is_refused(tmp_path: Path) -> None:
    writer = FeedWriter.create(tmp_path, "k")
    assert writer.add(decoded("MAL-1", "a", ["1.0.0"]), "m1")
    assert not writer.add(decoded("MAL-1", "b", ["1.0.0"]), "m2")
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_changes_go_to_a_copy_and_a_reader_of_the_old_file_is_unaffected(tmp_path: Path) -> None:
    path = build(tmp_path, decoded("MAL-1", "a", ["1.0.0"]), decoded("MAL-2", "b", ["1.0.0"]))
    old_reader = FeedDatabase.open(path)
    writer = FeedWriter.copy_of(path, tmp_path, "k")
    writer.replace(decoded("MAL-1", "a", ["9.9.9"]), "m-new")
    assert writer.remove("MAL-2") and not writer.remove("MAL-404")
    writer.finish(SETTINGS, changed=True, previous=old_reader.meta)
    writer.publish(path)
    assert [e.versions for r in old_reader.advisories_for("a") for e in r.affected["a"]] == [
        ("1.0.0",)]
    assert ids(old_reader, "b") == ["MAL-2"]
    new_reader = FeedDatabase.open(path)
    assert [e.versions for r in new_reader.advisories_for("a") for e in r.affected["a"]] == [
        ("9.9.9",)]
    assert ids(new_reader, "b") == []
    assert new_reader.stored_modified() == {"MAL-1": "m-new"}
    assert new_reader.meta.built_at == old_reader.meta.built_at
    assert new_reader.meta.token != old_reader.meta.token


def test_a_read_only_database_is_readable(tmp_path: Path) -> None:
    path = build(tmp_path, decoded("MAL-1", "a", ["1.0.0"]))
    os.chmod(path, stat.S_IRUSR)
    os.chmod(tmp_path, stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert ids(FeedDatabase.open(path), "a") == ["MAL-1"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["k.sqlite3"]  # no journal, no lock
    finally:
        os.chmod(tmp_path, stat.S_IRWXU)


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100, b"SQLite format 3\x00"])
def test_damaged_or_foreign_files_are_errors_naming_the_file(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "x.sqlite3"
    path.write_bytes(content)
    with pytest.raises(FeedError) as raised:
        FeedDatabase.open(path)
    assert raised.value.subject == str(path)


def test_a_truncated_database_fails_on_lookup_with_one_line(tmp_path: Path) -> None:
    items = [decoded(f"MAL-{n}", f"pkg-{n}", ["1.0.0"], details="x" * 2000) for n in range(300)]
    path = build(tmp_path, *items)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    try:
        database = FeedDatabase.open(path)
    except FeedError:
        return  # damage found at once: also fine
    with pytest.raises(FeedError, match="damaged advisory database"):
        for n in range(300):
            database.advisories_for(f"pkg-{n}")
