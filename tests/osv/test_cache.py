"""The compiled index cache: built once, reused, invalidated by content, rebuilt when damaged."""

from __future__ import annotations

import itertools
import json
import os
import zipfile
from pathlib import Path

import pytest

from scanner.osv import cache as cache_module
from scanner.osv.database import AdvisoryDatabase
from scanner.osv.index import CompiledIndex, IndexFormatError
from scanner.osv.records import compile_record


def record(record_id: str, name: str, version: str) -> dict[str, object]:
    return {
        "id": record_id,
        "summary": f"{name} {version}",
        "affected": [{"package": {"ecosystem": "npm", "name": name}, "versions": [version]}],
    }


def write_zip(path: Path, *records: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in records:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    return path


def load(source: Path, cache_dir: Path | None) -> AdvisoryDatabase:
    return AdvisoryDatabase.load([source], cache_dir=cache_dir, include_bundled=False)


def ids(database: AdvisoryDatabase, name: str, version: str) -> list[str]:
    return [match.advisory.id for match in database.match(name, version)]


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: object, subject: str) -> object:
        raise AssertionError(f"record {subject} parsed although a valid cache exists")

    monkeypatch.setattr(cache_module, "compile_record", refuse)


@pytest.fixture
def zip_source(tmp_path: Path) -> Path:
    return write_zip(
        tmp_path / "all.zip", record("Z-1", "evil", "1.0.0"), record("Z-2", "bad", "2.0.0")
    )


def test_zip_index_is_built_once_then_read_without_parsing(
    tmp_path: Path, zip_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    first = load(zip_source, cache_dir)
    assert first.cache_origins == ("built",)
    assert len(list((cache_dir / "osv-index").glob("*.idx"))) == 1
    forbid_parsing(monkeypatch)
    second = load(zip_source, cache_dir)
    assert second.cache_origins == ("cache",)
    assert ids(second, "evil", "1.0.0") == ["Z-1"]
    assert ids(second, "bad", "2.0.0") == ["Z-2"]
    assert ids(second, "evil", "2.0.0") == []
    assert second.sources == first.sources == (f"{zip_source} (2 records)",)


def test_folder_index_is_reused_and_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "F-1.json").write_text(json.dumps(record("F-1", "evil", "1.0.0")))
    cache_dir = tmp_path / "cache"
    assert load(folder, cache_dir).cache_origins == ("built",)
    with monkeypatch.context() as patch:
        forbid_parsing(patch)
        assert load(folder, cache_dir).cache_origins == ("cache",)
    (folder / "nested").mkdir()
    (folder / "nested" / "F-2.json").write_text(json.dumps(record("F-2", "worse", "3.0.0")))
    updated = load(folder, cache_dir)
    assert updated.cache_origins == ("built",)
    assert ids(updated, "worse", "3.0.0") == ["F-2"]
    (folder / "F-1.json").unlink()
    assert ids(load(folder, cache_dir), "evil", "1.0.0") == []


def test_changed_zip_content_gets_a_new_index(tmp_path: Path, zip_source: Path) -> None:
    cache_dir = tmp_path / "cache"
    load(zip_source, cache_dir)
    write_zip(zip_source, record("Z-3", "evil", "1.0.1"))
    changed = load(zip_source, cache_dir)
    assert changed.cache_origins == ("built",)
    assert ids(changed, "evil", "1.0.0") == []
    assert ids(changed, "evil", "1.0.1") == ["Z-3"]


def test_touched_but_identical_zip_is_rehashed_and_reuses_the_index(
    tmp_path: Path, zip_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    load(zip_source, cache_dir)
    status = zip_source.stat()
    os.utime(zip_source, ns=(status.st_atime_ns, status.st_mtime_ns + 5_000_000_000))
    forbid_parsing(monkeypatch)
    assert load(zip_source, cache_dir).cache_origins == ("cache",)


def test_a_copy_of_the_same_zip_shares_the_index_but_keeps_its_own_label(
    tmp_path: Path, zip_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    load(zip_source, cache_dir)
    copy = tmp_path / "copy.zip"
    copy.write_bytes(zip_source.read_bytes())
    forbid_parsing(monkeypatch)
    database = load(copy, cache_dir)
    assert database.cache_origins == ("cache",)
    assert database.match("evil", "1.0.0")[0].advisory.source == str(copy)


def _other_version(data: bytes) -> bytes:
    header_line, _, body = data.partition(b"\n")
    header = json.loads(header_line)
    header["version"] += 1
    return json.dumps(header).encode() + b"\n" + body


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"garbage\n",
        lambda data: data[: len(data) // 2],
        lambda data: data.replace(b"evil", b"evjl"),
        _other_version,
        lambda data: b"\x80\x04\x95pickle?\n" + data,
    ],
    ids=["empty", "garbage", "truncated", "flipped-body", "other-version", "binary-prefix"],
)
def test_damaged_index_is_rebuilt_not_fatal(
    tmp_path: Path, zip_source: Path, damage: object
) -> None:
    cache_dir = tmp_path / "cache"
    load(zip_source, cache_dir)
    (index_file,) = (cache_dir / "osv-index").glob("*.idx")
    assert callable(damage)
    index_file.write_bytes(damage(index_file.read_bytes()))
    rebuilt = load(zip_source, cache_dir)
    assert rebuilt.cache_origins == ("built",)
    assert ids(rebuilt, "evil", "1.0.0") == ["Z-1"]
    assert load(zip_source, cache_dir).cache_origins == ("cache",)


def test_damaged_stat_memo_is_ignored(tmp_path: Path, zip_source: Path) -> None:
    cache_dir = tmp_path / "cache"
    load(zip_source, cache_dir)
    for memo in (cache_dir / "osv-index" / "memo").glob("*.json"):
        memo.write_text("{broken")
    database = load(zip_source, cache_dir)
    assert database.cache_origins == ("cache",)  # re-hashed the zip, found the same index
    assert ids(database, "evil", "1.0.0") == ["Z-1"]


def test_unusable_cache_dir_falls_back_to_memory(tmp_path: Path, zip_source: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    database = load(zip_source, blocked)
    assert database.cache_origins == ("memory",)
    assert ids(database, "evil", "1.0.0") == ["Z-1"]
    assert load(zip_source, None).cache_origins == ("memory",)


def test_index_file_is_plain_data_and_written_atomically(tmp_path: Path, zip_source: Path) -> None:
    cache_dir = tmp_path / "cache"
    load(zip_source, cache_dir)
    load(write_zip(tmp_path / "second.zip", record("Z-9", "x", "1.0.0")), cache_dir)
    index_files = list((cache_dir / "osv-index").glob("*.idx"))
    assert len(index_files) == 2
    for index_file in index_files:
        header_line, _, body = index_file.read_bytes().partition(b"\n")
        header = json.loads(header_line)
        assert header["format"] == "depscan-osv-index"
        names = body[: header["names_bytes"]].decode().split("\n")
        table_end = header["names_bytes"] + 4 * (len(names) + 1)
        offsets = [
            int.from_bytes(body[i : i + 4], "little")
            for i in range(header["names_bytes"], table_end, 4)
        ]
        payloads = body[table_end:]
        for start, end in itertools.pairwise(offsets):
            assert isinstance(json.loads(payloads[start:end]), list)
        assert offsets[-1] == len(payloads)
    leftovers = [p.name for p in (cache_dir / "osv-index").rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == []


def test_index_round_trip_keeps_awkward_names_and_checks_its_key() -> None:
    names = ['"quoted', "tab\tname", "new\nline", "plain", "@scope/pkg", "ünïcode"]
    records = [
        compile_record(record(f"N-{i}", name, "1.0.0"), f"N-{i}") for i, name in enumerate(names)
    ]
    withdrawn = record("W-1", "plain", "1.0.0")
    withdrawn["withdrawn"] = "2024-01-01T00:00:00Z"
    records.append(compile_record(withdrawn, "W-1"))
    built = CompiledIndex.build(records)
    data = built.to_bytes("key-a")
    loaded = CompiledIndex.from_bytes(data, "key-a")
    assert (loaded.record_count, loaded.withdrawn_count) == (7, 1)
    for i, name in enumerate(names):
        (found,) = loaded.advisories_for(name)
        assert found.id == f"N-{i}"
        assert found.affected[name][0].versions == ("1.0.0",)
    assert loaded.advisories_for("missing") == ()
    with pytest.raises(IndexFormatError):
        CompiledIndex.from_bytes(data, "key-b")
