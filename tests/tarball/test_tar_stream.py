"""The strict streaming tar reader: every header checked, every gzip error one TarballError."""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib

import pytest

from scanner.errors import TarballError
from scanner.tarball.archive import DEFAULT_LIMITS, ArchiveLimits, read_package
from scanner.tarball.tar_stream import DecompressedStream

from .raw_tar import END, gnu_long, gz, header, member, package, padded, pax, pax_record


def _error(data: bytes, limits: ArchiveLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(TarballError) as caught:
        read_package(data, "evil@1.0.0", limits)
    assert caught.value.subject == "evil@1.0.0"
    assert "\n" not in caught.value.one_line()
    return caught.value.message


def test_a_well_formed_raw_archive_reads_like_tarfile_reads_it() -> None:
    data = package(member("package/lib/a.js", b"a" * 700, mode=0o755), member("package/b.js"))
    files = read_package(data, "p").files
    assert files["lib/a.js"].data == b"a" * 700 and files["lib/a.js"].mode == 0o755
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as archive:
        assert sorted(m.name for m in archive) == [
            "package/b.js", "package/lib/a.js", "package/package.json"
        ]


@pytest.mark.parametrize(
    ("archive", "expected"),
    [
        # headers that do not add up
        (package(header("package/x.js", checksum=b"0000000\0")), "bad header checksum"),
        (package(header("package/x.js", checksum=b"zzzzzzz\0")), "bad header checksum"),
        (package(header("package/x.js", size_field=b"9999999999z\0")), "size in a tar header"),
        (package(header("package/x.js", size_field=b"\xff" * 12)), "negative size"),
        (package(header("package/x.js", mode_field=b"rwxr-xr\0")), "mode in a tar header"),
        (gz(member("package/a.js", b"1") + bytes(512) + member("package/evil.js", b"2") + END),
         "data after a single zero block"),
        (package(header("", size=0)), "a member without a name"),
        (package(member("package/f.js", b"x", linkname=b"other")), "with a link name"),
        (package(gnu_long(b"package/long.js") + gnu_long(b"package/other.js")
                 + member("package/x", b"1")), "two GNU long-name headers"),
        (package(pax({"path": "package/a.js"}) + pax({"path": "package/b.js"})
                 + member("package/x", b"1")), "two pax headers"),
        (package(pax({"path": "package/a.js"}) + gnu_long(b"package/b.js")
                 + member("package/x", b"1")), "both a pax path and a GNU long name"),
        # pax records
        (package(pax({"size": "12abc"}) + member("package/x", b"1")), "pax size is not a number"),
        (package(pax({"size": "9" * 5000}) + member("package/x", b"1")), "size is not a number"),
        (package(pax(b"5000" + b"0" * 5000 + b" path=x\n") + member("package/x", b"1")),
         "a record without a length"),
        (package(pax(b"99 path=package/a.js\n") + member("package/x", b"1")),
         "a record of the wrong length"),
        (package(pax(pax_record("path", "package/a\njs")) + member("package/x", b"1")),
         "a newline inside a value"),
        (package(pax({"comment": "x" * 2_000_000}) + member("package/x", b"1")),
         "an extension header of 20000"),
        (package(pax({"path": "package/evil.js"}, kind=b"g") + member("package/x", b"1")),
         "a global pax header sets 'path'"),
        (package(pax({"size": "10"}, kind=b"g") + member("package/x", b"1")),
         "a global pax header sets 'size'"),
        (package(pax({"path": "package/a\0b"}) + member("package/x", b"1")), "NUL byte"),
        (package(pax({"path": "package/" + "a" * 5000}) + member("package/x", b"1")),
         "a member name of 5008 bytes"),
        # sparse members, however their numbers look
        (package(header("package/sparse", kind=b"S", size=0)), "sparse file"),
        (package(pax({"GNU.sparse.map": "0,abc", "GNU.sparse.size": "x"})
                 + member("package/s", b"1")), "sparse file"),
        (package(pax({"GNU.sparse.major": "1", "GNU.sparse.realsize": "9" * 5000})
                 + member("package/s", b"1")), "sparse file"),
        # truncation
        (gz(member("package/a.js", b"1" * 2000)[:1000]), "cut short"),
        (gz(header("package/a.js", size=10)[:300]), "it ends inside a header"),
        (gz(pax({"path": "package/a.js"})), "the archive ends after an extension header"),
        (package(pax({"path": "package/a.js"}), end=END), "followed by the end of the archive"),
        # other kinds of members
        (package(header("package/v", kind=b"V")), "unsupported tar entry type b'V'"),
        (package(header("package/d", kind=b"D")), "unsupported tar entry type b'D'"),
        (package(header("package/l", kind=b"2", linkname=b"/etc/passwd")), "symlink"),
        (package(header("package/h", kind=b"1", linkname=b"package/a")), "hardlink"),
        (package(header("package/f", kind=b"6")), "device or fifo"),
    ],
)
def test_archives_tar_readers_disagree_on_are_refused(archive: bytes, expected: str) -> None:
    assert expected in _error(archive)


def test_names_from_pax_gnu_and_ustar_prefix_like_node_tar() -> None:
    long = "package/" + "d/" * 80 + "file.js"
    data = package(
        pax({"path": long}) + header(long[:99], size=1, prefix=b"package") + padded(b"1"),
        gnu_long(b"package/" + b"g" * 150) + member(b"package/ggg", b"2", magic=b"ustar  \0"),
        member("deep.js", b"3", prefix=b"package/lib"),
        header("package/folder/", kind=b"0", size=0),
    )
    files = read_package(data, "p").files
    assert files[long.removeprefix("package/")].data == b"1"
    assert files["g" * 150].data == b"2"
    assert files["lib/deep.js"].data == b"3"
    assert "folder" not in files and "folder/" not in files  # a V7 folder, not a file


def test_a_global_pax_comment_is_accepted() -> None:
    # git archive writes one with the commit id
    data = package(pax({"comment": "0123abc"}, kind=b"g") + member("package/a.js", b"1"))
    assert read_package(data, "p").files["a.js"].data == b"1"


def test_base256_sizes_are_read() -> None:
    size_field = b"\x80" + (5).to_bytes(11, "big")
    data = package(header("package/a.js", size_field=size_field) + padded(b"12345"))
    assert read_package(data, "p").files["a.js"].data == b"12345"


def test_an_archive_without_end_blocks_is_read() -> None:
    data = gz(member("package/a.js", b"1"))
    assert list(read_package(data, "p").files) == ["a.js"]


def test_a_directory_with_a_size_has_no_data() -> None:
    # node-tar and tarfile both read the next header right after a folder's
    data = package(header("package/dir", kind=b"5", size=512) + member("package/a.js", b"1"))
    assert list(read_package(data, "p").files) == ["package.json", "a.js"]


def test_decompressed_bytes_are_counted_including_what_follows_the_archive() -> None:
    archive = member("package/a.js", b"1") + END
    bomb = gz(archive + bytes(4 * 1024 * 1024))
    limits = ArchiveLimits(max_total_size=1024 * 1024)
    assert "gzip bomb" in _error(bomb, limits)
    assert read_package(gz(archive + bytes(512 * 1024)), "p", limits).files["a.js"].data == b"1"


def test_real_bytes_count_not_header_claims() -> None:
    # 40 members of 64 kB: 2.6 MB decompressed, each header honest and small
    members = b"".join(member(f"package/f{i}.js", bytes(64 * 1024)) for i in range(40))
    limits = ArchiveLimits(max_total_size=1024 * 1024)
    assert "exceeds the 1048576 byte limit" in _error(gz(members + END), limits)


@pytest.mark.parametrize("position", [12, 20, 40, 80, 160, -30, -12, -6, -2])
def test_a_flipped_byte_in_the_deflate_stream_is_a_tarball_error(position: int) -> None:
    data = bytearray(package(member("package/index.js", b"module.exports = 1;\n" * 400)))
    data[position] ^= 0x55
    message = _error(bytes(data))
    assert message.startswith(("corrupt gzip data", "not a readable tar", "truncated")) or (
        "checksum" in message
    )


def test_zlib_instead_of_gzip_and_truncated_gzip() -> None:
    tar = member("package/a.js", b"1" * 5000) + END
    assert "not a readable tar archive" in _error(zlib.compress(tar))
    assert _error(gz(tar)[:-20]).startswith(("truncated gzip stream", "corrupt gzip data"))


def test_concatenated_gzip_members_form_one_stream() -> None:
    tar = member("package/a.js", b"1") + member("package/b.js", b"2") + END
    data = gz(tar[:512]) + gz(tar[512:1536]) + gz(tar[1536:]) + bytes(10)
    assert sorted(read_package(data, "p").files) == ["a.js", "b.js"]


def test_stream_reads_exact_sizes_and_stops_at_the_limit() -> None:
    stream = DecompressedStream(gz(b"x" * 3000), "s", limit=2048)
    assert stream.read(1000) == b"x" * 1000
    assert stream.read(1000) == b"x" * 1000
    with pytest.raises(TarballError, match="exceeds the 2048 byte limit"):
        stream.read(1000)
