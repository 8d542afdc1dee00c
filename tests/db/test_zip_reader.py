"""The bounded zip reader: forged names, bombs, damage and truncation never pass as records."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.osv.feed_limits import DEFAULT_LIMITS
from scanner.osv.feed_source import FeedError
from scanner.osv.zip_reader import archive_entries, inflate, json_members


def build(path: Path, members: dict[str, bytes], **options: object) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data, **options)  # type: ignore[arg-type]
    return path


def read_all(path: Path, **limits: int) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for member in json_members(path, replace(DEFAULT_LIMITS, **limits), "SOURCE"):
        if member.packed is None:
            out[member.name] = member.problem or ""
        else:
            out[member.name] = inflate(member.packed, member.name, "SOURCE")
    return out


def test_reads_json_members_and_skips_the_rest(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", {
        "MAL-1.json": b'{"id": "MAL-1"}',
        "osv/malicious/npm/x/MAL-2.json": b'{"id": "MAL-2"}',
        "README.md": b"hello",
        ".hidden.json": b"{}",
        "folder/": b"",
    })
    assert read_all(archive) == {
        "MAL-1.json": b'{"id": "MAL-1"}',
        "osv/malicious/npm/x/MAL-2.json": b'{"id": "MAL-2"}',
    }
    assert archive_entries(archive, "SOURCE") == 5


def test_stored_and_zip64_archives_read_the_same(tmp_path: Path) -> None:
    stored = tmp_path / "stored.zip"
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as out:
        out.writestr("MAL-1.json", b"{}")
    assert read_all(stored) == {"MAL-1.json": b"{}"}
    forced = tmp_path / "zip64.zip"
    with zipfile.ZipFile(forced, "w", compression=zipfile.ZIP_DEFLATED) as out, out.open(
        "MAL-1.json", "w", force_zip64=True
    ) as member:
        member.write(b'{"id": "MAL-1"}')
    assert read_all(forced) == {"MAL-1.json": b'{"id": "MAL-1"}'}


@pytest.mark.parametrize(
    "name", ["../evil.json", "a/../../evil.json", "/etc/evil.json", "a\\evil.json", "C:evil.json"]
)
def test_unsafe_member_names_refuse_the_archive(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as out:
        info = zipfile.ZipInfo("placeholder.json")
        info.filename = name  # zipfile itself would normalise some of these away
        out.writestr(info, b"{}")
    with pytest.raises(FeedError, match="unsafe member name") as raised:
        read_all(archive)
    assert raised.value.subject == "SOURCE"


def test_a_member_over_the_record_limit_is_reported_not_read(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", {"MAL-1.json": b" " * 5000, "MAL-2.json": b"{}"})
    assert read_all(archive, max_record_bytes=4096) == {
        "MAL-1.json": "larger than the 4,096 bytes record limit",
        "MAL-2.json": b"{}",
    }


def test_declared_sizes_over_the_archive_limit_refuse_it(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", {f"MAL-{n}.json": b"x" * 1000 for n in range(5)})
    with pytest.raises(FeedError, match="expands to more than"):
        read_all(archive, max_total_bytes=3000)
    with pytest.raises(FeedError, match="more than the 3 limit"):
        read_all(archive, max_members=3)


def test_a_member_that_inflates_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    # A 10 MB run of zeros declared as 100 bytes: inflating stops at 101 bytes and fails.
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = bomb.compress(bytes(10 * 1024 * 1024)) + bomb.flush()
    archive = tmp_path / "bomb.zip"
    name = b"MAL-1.json"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(payload), 100,
                        len(name), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0,
                          len(payload), 100, len(name), 0, 0, 0, 0, 0, 0)
    body = local + name + payload
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), len(body), 0)
    archive.write_bytes(body + central + name + end)
    with pytest.raises(FeedError, match="fails its size or CRC check"):
        read_all(archive)


def test_damaged_data_fails_its_crc(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", {"MAL-1.json": b'{"id": "MAL-1", "pad": "' + b"a" * 400
                                         + b'"}'}, compress_type=zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    data[60] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(FeedError, match="CRC"):
        read_all(archive)


def test_truncated_archives_are_errors(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", {f"MAL-{n}.json": b"{}" * 200 for n in range(20)})
    data = archive.read_bytes()
    (tmp_path / "half.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(FeedError, match="truncated"):
        read_all(tmp_path / "half.zip")
    (tmp_path / "empty.zip").write_bytes(b"")
    with pytest.raises(FeedError, match="not a zip archive"):
        read_all(tmp_path / "empty.zip")


def test_encrypted_and_unknown_compression_are_refused(tmp_path: Path) -> None:
    bz = tmp_path / "bz.zip"
    with zipfile.ZipFile(bz, "w", compression=zipfile.ZIP_BZIP2) as out:
        out.writestr("MAL-1.json", b"{}")
    with pytest.raises(FeedError, match="unsupported compression 12"):
        read_all(bz)
    plain = build(tmp_path / "enc.zip", {"MAL-1.json": b"{}"})
    data = bytearray(plain.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x01  # the encrypted flag
    plain.write_bytes(bytes(data))
    with pytest.raises(FeedError, match="encrypted"):
        read_all(plain)


def test_members_it_does_not_want_are_never_inflated(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", {"GHSA-x.json": b"{}", "MAL-1.json": b"{}"})
    members = list(json_members(archive, DEFAULT_LIMITS, "S", wanted=lambda n: n.startswith("MAL")))
    assert [m.name for m in members] == ["MAL-1.json"]
