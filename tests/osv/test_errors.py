"""Corrupt advisory input ends in one AdvisoryError line naming the file or zip member."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import AdvisoryError, DepscanError
from scanner.osv.database import AdvisoryDatabase


def load(path: Path, cache_dir: Path | None = None) -> AdvisoryDatabase:
    return AdvisoryDatabase.load([path], cache_dir=cache_dir, include_bundled=False)


def expect_error(path: Path, subject: str, fragment: str) -> AdvisoryError:
    with pytest.raises(AdvisoryError) as caught:
        load(path)
    error = caught.value
    assert error.subject == subject
    assert fragment in error.message
    assert "\n" not in error.one_line()
    assert isinstance(error, DepscanError)
    return error


GOOD = {"id": "G-1", "affected": [{"package": {"ecosystem": "npm", "name": "a"}}]}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('"text"', "not a JSON object"),
        ('{"affected": []}', "has no 'id'"),
        ('{"id": "", "affected": []}', "has no 'id'"),
        ('{"id": "X-1"}', "no 'affected' list"),
        ('{"id": "X-1", "affected": {}}', "no 'affected' list"),
        ('{"id": "X-1", "schema_version": "2.0.0", "affected": []}', "unsupported schema_version"),
        ('{"id": "X-1", "aliases": "GHSA-x", "affected": []}', "aliases must be a list"),
        ('{"id": "X-1", "affected": [7]}', "affected[0] is not an object"),
        ('{"id": "X-1", "affected": [{"package": "npm"}]}', "package is not an object"),
        ('{"id": "X-1", "affected": [{"package": {"ecosystem": "npm"}}]}', "has no 'name'"),
    ],
)
def test_bad_record_in_a_folder(tmp_path: Path, content: str, fragment: str) -> None:
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    bad = tmp_path / "sub" / "bad.json"
    bad.parent.mkdir()
    bad.write_text(content)
    expect_error(tmp_path, str(bad), fragment)


@pytest.mark.parametrize(
    ("entry_fields", "fragment"),
    [
        ({"versions": "1.0.0"}, "versions must be a list of strings"),
        ({"versions": [1]}, "versions must be a list of strings"),
        ({"ranges": {}}, "ranges is not a list"),
        ({"ranges": [{"events": [{"introduced": "0"}]}]}, "has no 'type'"),
        ({"ranges": [{"type": "SEMVER", "events": []}]}, "has no 'events' list"),
        ({"ranges": [{"type": "SEMVER", "events": [{"introduced": 0}]}]}, "non-string version"),
        ({"ranges": [{"type": "SEMVER", "events": [{"removed": "1"}]}]}, "unknown event"),
        (
            {"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]},
            "exactly one key",
        ),
    ],
)
def test_bad_npm_entry(tmp_path: Path, entry_fields: dict[str, Any], fragment: str) -> None:
    entry: dict[str, Any] = {"package": {"ecosystem": "npm", "name": "a"}, **entry_fields}
    record = {"id": "X-1", "affected": [entry]}
    path = tmp_path / "X-1.json"
    path.write_text(json.dumps(record))
    error = expect_error(tmp_path, str(path), fragment)
    assert error.message.startswith("X-1: affected[0]")


def test_other_ecosystems_are_not_validated_as_npm(tmp_path: Path) -> None:
    record = {"id": "P-1", "affected": [{"package": {"ecosystem": "PyPI"}, "versions": 3}]}
    (tmp_path / "P-1.json").write_text(json.dumps(record))
    assert load(tmp_path).record_count == 1


def test_non_utf8_record(tmp_path: Path) -> None:
    path = tmp_path / "X.json"
    path.write_bytes(b'{"id": "\xff\xfe"}')
    expect_error(tmp_path, str(path), "not valid JSON")


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.zip"
    expect_error(missing, str(missing), "does not exist")


def test_single_json_file_source(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(GOOD))
    assert load(path).match("a", "1.0.0")[0].advisory.id == "G-1"
    path.write_text("{")
    expect_error(path, str(path), "not valid JSON")


def test_file_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    path.write_text("this is not a zip archive")
    expect_error(path, str(path), "not a readable zip archive")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_member_that_is_not_json(tmp_path: Path) -> None:
    path = _zip(tmp_path / "all.zip", {"G-1.json": json.dumps(GOOD).encode(), "B-1.json": b"{"})
    expect_error(path, f"{path}:B-1.json", "not valid JSON")


def test_zip_member_that_is_not_a_record(tmp_path: Path) -> None:
    path = _zip(tmp_path / "all.zip", {"nested/B-2.json": b'{"id": "B-2"}'})
    expect_error(path, f"{path}:nested/B-2.json", "no 'affected' list")


def test_zip_with_a_damaged_member(tmp_path: Path) -> None:
    payload = json.dumps({**GOOD, "summary": "x" * 200}).encode()
    path = _zip(tmp_path / "all.zip", {"G-1.json": payload})
    data = bytearray(path.read_bytes())
    position = data.find(b"x" * 200)
    data[position + 10] = ord("y")  # stored member: the CRC no longer matches its bytes
    path.write_bytes(bytes(data))
    expect_error(path, f"{path}:G-1.json", "broken zip member")


def test_zip_skips_folders_and_non_json_members(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "all.zip",
        {"README.txt": b"not a record", "dir/": b"", "G-1.json": json.dumps(GOOD).encode()},
    )
    database = load(path)
    assert database.record_count == 1
    assert database.match("a", "0.0.1")[0].advisory.id == "G-1"


def test_folder_ignores_other_files_and_hidden_folders(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# not a record")
    (tmp_path / "INDEX.tsv").write_text("id\tpackage\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "junk.json").write_text("{")
    (tmp_path / "G-1.json").write_text(json.dumps(GOOD))
    assert load(tmp_path).record_count == 1


def test_broken_source_is_reported_even_with_a_cache(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "bad.json").write_text("[]")
    with pytest.raises(AdvisoryError):
        load(source, cache_dir=tmp_path / "cache")
    # Nothing half-built was left behind as if it were valid.
    assert not list((tmp_path / "cache").rglob("*.idx"))
