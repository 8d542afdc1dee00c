"""The SQLite file: lookups by name, changes applied to a copy, publishing, damaged files."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from scanner.osv.feed_db import FeedDatabase, delta_path
from scanner.osv.feed_decode import Decoded, encode
from scanner.osv.feed_source import FeedError
from scanner.osv.feed_write import FeedWriter, merge
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
    directory.mkdir(parents=True, exist_ok=True)
    writer.publish(target)
    return target


def ids(database: FeedDatabase, name: str) -> list[str]:
    return [r.id for r in database.advisories_for(name)]


def versions(database: FeedDatabase, name: str) -> list[tuple[str, ...]]:
    return [e.versions for r in database.advisories_for(name) for e in r.affected[name]]


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


def test_changes_go_to_a_delta_and_a_reader_of_the_old_files_is_unaffected(
    tmp_path: Path,
) -> None:
    path = build(tmp_path, decoded("MAL-1", "a", ["1.0.0"]), decoded("MAL-2", "b", ["1.0.0"]))
    old_reader = FeedDatabase.open(path)
    writer = FeedWriter.delta_for(old_reader, tmp_path, "k")
    writer.replace(decoded("MAL-1", "a", ["9.9.9"]), "m-new")
    assert writer.remove("MAL-2") and not writer.remove("MAL-404")
    writer.finish(SETTINGS, changed=True, previous=old_reader.meta)
    writer.publish(delta_path(path))
    assert versions(old_reader, "a") == [("1.0.0",)]  # it keeps reading what it opened
    assert ids(old_reader, "b") == ["MAL-2"]
    new_reader = FeedDatabase.open(path)
    assert versions(new_reader, "a") == [("9.9.9",)]
    assert ids(new_reader, "b") == []
    assert new_reader.stored_modified() == {"MAL-1": "m-new"}
    assert (new_reader.meta.records, new_reader.meta.names) == (1, 1)
    assert new_reader.meta.built_at == old_reader.meta.built_at
    assert new_reader.meta.token != old_reader.meta.token
    assert new_reader.meta.base_token == old_reader.meta.token


def test_a_delta_counts_like_a_rebuild_and_merges_into_the_same_database(tmp_path: Path) -> None:
    before = [decoded(f"MAL-{n}", f"p{n % 7}", [f"1.0.{n}"]) for n in range(30)]
    before.append(decoded("MAL-w", "withdrawn-one", ["1.0.0"], withdrawn="2025-01-01T00:00:00Z"))
    path = build(tmp_path / "a", *before)
    live = FeedDatabase.open(path)
    writer = FeedWriter.delta_for(live, path.parent, "k")
    expected = {d.record_id: d for d in before}
    for n in range(0, 30, 3):  # changed: some move to a new package name
        changed = decoded(f"MAL-{n}", f"q{n % 4}", [f"2.0.{n}"])
        writer.replace(changed, changed.modified)
        expected[changed.record_id] = changed
    for n in (1, 2, 4):
        writer.remove(f"MAL-{n}")
        del expected[f"MAL-{n}"]
    writer.remove("MAL-w")
    del expected["MAL-w"]
    for n in range(100, 105):
        new = decoded(f"MAL-{n}", f"new{n}", ["0.1.0"], withdrawn="2025-01-01T00:00:00Z"
                      if n == 104 else None)
        writer.add(new, new.modified)
        expected[new.record_id] = new
    writer.finish(SETTINGS, changed=True, previous=live.meta)
    writer.publish(delta_path(path))
    with_delta = FeedDatabase.open(path)
    rebuilt = FeedDatabase.open(build(tmp_path / "b", *expected.values()))
    for field in ("records", "withdrawn", "names"):
        assert getattr(with_delta.meta, field) == getattr(rebuilt.meta, field), field
    names = {f"p{n}" for n in range(7)} | {f"q{n}" for n in range(4)} | {f"new{n}" for n in
                                                                          range(100, 105)}
    for name in names:
        assert ids(with_delta, name) == ids(rebuilt, name), name
    merged = merge(with_delta, path.parent, "k", SETTINGS)
    assert not delta_path(path).exists()
    after = FeedDatabase.open(path)
    assert after.meta.token == merged.token and after.delta_meta is None
    for name in names:
        assert ids(after, name) == ids(rebuilt, name), name
    assert (after.meta.records, after.meta.withdrawn, after.meta.names) == (
        rebuilt.meta.records, rebuilt.meta.withdrawn, rebuilt.meta.names)


def test_a_delta_for_another_base_is_ignored(tmp_path: Path) -> None:
    path = build(tmp_path, decoded("MAL-1", "a", ["1.0.0"]))
    live = FeedDatabase.open(path)
    writer = FeedWriter.delta_for(live, tmp_path, "k")
    writer.remove("MAL-1")
    writer.finish(SETTINGS, changed=True, previous=live.meta)
    writer.publish(delta_path(path))
    assert ids(FeedDatabase.open(path), "a") == []
    build(tmp_path, decoded("MAL-1", "a", ["1.0.0"]))  # a full import replaced the base
    assert ids(FeedDatabase.open(path), "a") == ["MAL-1"]


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
