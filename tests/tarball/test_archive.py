from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Callable

import pytest

from scanner.errors import TarballError
from scanner.tarball.archive import ArchiveLimits, inflate, read_package

from .builders import package, tar_bytes


def _member(
    name: str, kind: bytes, *, linkname: str = "", data: bytes = b""
) -> Callable[[tarfile.TarFile], None]:
    def add(archive: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = linkname
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data) if data else None)

    return add


def test_reads_files_and_strips_the_package_folder() -> None:
    archive = read_package(package("a", "1.0.0", {"lib/index.js": "x\n"}), "a@1.0.0")
    assert sorted(archive.files) == ["lib/index.js", "package.json"]
    assert archive.files["lib/index.js"].data == b"x\n"
    assert archive.root_folder == "package"
    assert archive.manifest() == {"name": "a", "version": "1.0.0"}


def test_root_folder_need_not_be_package() -> None:
    # Some tarballs (e.g. published by old tools) use the package name as the folder.
    data = tar_bytes({"package.json": "{}", "index.js": "1"}, root="node-thing")
    archive = read_package(data, "t")
    assert sorted(archive.files) == ["index.js", "package.json"]
    assert archive.root_folder == "node-thing"


def test_modes_are_kept() -> None:
    data = tar_bytes({"bin/cli": "#!/bin/sh\n"}, modes={"bin/cli": 0o755})
    entry = read_package(data, "t").files["bin/cli"]
    assert entry.mode == 0o755
    assert entry.git_mode == "100755"


def test_plain_uncompressed_tar_is_read() -> None:
    data = tar_bytes({"a.js": "1"}, compress=False)
    assert list(read_package(data, "t").files) == ["a.js"]


@pytest.mark.parametrize(
    ("adder", "expected"),
    [
        (_member("package/../../etc/passwd", tarfile.REGTYPE, data=b"x"), "'..' in path"),
        (_member("/etc/passwd", tarfile.REGTYPE, data=b"x"), "absolute path"),
        (_member("C:\\evil", tarfile.REGTYPE, data=b"x"), "absolute path"),
        (_member("package/link", tarfile.SYMTYPE, linkname="/etc/passwd"), "symlink"),
        (_member("package/hard", tarfile.LNKTYPE, linkname="package/package.json"), "hardlink"),
        (_member("package/dev", tarfile.CHRTYPE), "device or fifo"),
        (_member("package/blk", tarfile.BLKTYPE), "device or fifo"),
        (_member("package/fifo", tarfile.FIFOTYPE), "device or fifo"),
    ],
)
def test_unsafe_members_are_refused_with_package_and_member_named(
    adder: Callable[[tarfile.TarFile], None], expected: str
) -> None:
    data = tar_bytes({"package.json": "{}"}, extra=adder)
    with pytest.raises(TarballError) as caught:
        read_package(data, "evil@1.0.0")
    assert caught.value.subject == "evil@1.0.0"
    assert expected in caught.value.message
    assert "refusing member" in caught.value.message


def test_member_count_is_capped() -> None:
    data = tar_bytes({f"f{i}.js": "x" for i in range(20)})
    with pytest.raises(TarballError, match="more than 10 members"):
        read_package(data, "many", ArchiveLimits(max_members=10))


def test_member_size_is_capped_and_named() -> None:
    data = tar_bytes({"big.bin": b"\0" * 5000, "small.js": "1"})
    with pytest.raises(TarballError) as caught:
        read_package(data, "p", ArchiveLimits(max_member_size=4096))
    assert "big.bin" in caught.value.message


def test_gzip_bomb_stops_at_the_cap_while_inflating() -> None:
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    with pytest.raises(TarballError, match="gzip bomb"):
        read_package(bomb, "bomb", ArchiveLimits(max_total_size=1024 * 1024))


def test_inflate_handles_concatenated_gzip_members_and_trailing_zeros() -> None:
    data = gzip.compress(b"abc") + gzip.compress(b"def") + b"\0" * 16
    assert inflate(data, "t", 100) == b"abcdef"


def test_truncated_gzip_is_an_error() -> None:
    data = package("a", "1.0.0", {"x.js": "y" * 10000})
    with pytest.raises(TarballError, match="truncated"):
        read_package(data[: len(data) // 2], "a@1.0.0")


def test_garbage_is_not_a_tar() -> None:
    with pytest.raises(TarballError, match="not a readable tar"):
        read_package(gzip.compress(b"this is not a tar archive" * 40), "junk")


def test_duplicate_members_keep_the_last_copy_and_say_so() -> None:
    def second_copy(archive: tarfile.TarFile) -> None:
        info = tarfile.TarInfo("package/index.js")
        info.size = 6
        archive.addfile(info, io.BytesIO(b"second"))

    data = tar_bytes({"index.js": "first"}, extra=second_copy)
    archive = read_package(data, "dup")
    assert archive.files["index.js"].data == b"second"
    assert any("duplicate member 'index.js'" in note for note in archive.notes)


def test_files_outside_any_folder_are_ignored_like_npm_does() -> None:
    data = tar_bytes({"package.json": "{}"}, extra=_member("stray.js", tarfile.REGTYPE, data=b"1"))
    archive = read_package(data, "p")
    assert list(archive.files) == ["package.json"]
    assert any("stray.js" in note for note in archive.notes)


def test_manifest_is_none_when_missing_or_invalid() -> None:
    assert read_package(tar_bytes({"a.js": "1"}), "p").manifest() is None
    assert read_package(tar_bytes({"package.json": "[1, 2]"}), "p").manifest() is None
    assert read_package(tar_bytes({"package.json": "{oops"}), "p").manifest() is None


def test_undecodable_member_names_become_printable() -> None:
    def latin1_name(archive: tarfile.TarFile) -> None:
        info = tarfile.TarInfo("package/caf\udce9.js")  # the byte 0xE9, not valid UTF-8
        info.size = 1
        archive.addfile(info, io.BytesIO(b"1"))

    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer,
        mode="w",
        format=tarfile.GNU_FORMAT,
        encoding="utf-8",
        errors="surrogateescape",
    ) as archive:
        latin1_name(archive)
    (path,) = read_package(buffer.getvalue(), "p").files
    assert path == "caf\ufffd.js"
    path.encode("utf-8")  # printable: no surrogates left


def test_manifest_that_would_crash_a_json_parser_is_no_manifest() -> None:
    for text in ("[" * 100_000, '{"version": 1' + "0" * 5000 + "}", '{"a": NaN}'):
        assert read_package(tar_bytes({"package.json": text}), "p").manifest() is None


def test_default_limits_keep_two_tarballs_under_the_memory_ceiling() -> None:
    """A diff holds two tarballs' files and inflates one member at a time (twice its size
    while zlib assembles it); 128 MiB is left for Python, depscan and the diff itself."""
    from scanner.memory_ceiling import DEFAULT_CEILING_MB
    from scanner.tarball.archive import DEFAULT_LIMITS

    held = 2 * DEFAULT_LIMITS.max_total_size + DEFAULT_LIMITS.max_member_size
    assert held <= (DEFAULT_CEILING_MB - 128) * 1024 * 1024
