"""Hostile tarballs through ``depscan diff A.tgz B.tgz``: corrupt gzip, crafted tar headers,
hostile names, special files, bombs. Exit 0, 1 or 2 (never 3), one line naming the tarball,
bounded memory, nothing written outside the sandbox, nothing run.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.tarball.raw_tar import END, gnu_long, gz, header, member, package, padded, pax

from . import bombs
from .cli_batch import ANY_EXIT, INPUT_ERROR, Batch, Case, check, run_batch

CODE = b"module.exports = function add(a, b) { return a + b }\n" * 60
# Python, depscan and two small tarballs: about 60 MB.
PEAK_RSS_MB = 150
# One tarball refused at the 256 MiB decompressed limit, the other small: what is held is the
# decompressed members read before the limit (and one member being inflated).
BOMB_PEAK_RSS_MB = 420


def _base() -> bytes:
    return package(member("package/index.js", CODE))


def _crafted() -> dict[str, tuple[bytes, frozenset[int], str | None]]:
    """name -> (tarball, allowed exit codes, fragment of the error line)."""
    refused = INPUT_ERROR
    good = _base()
    body = len(good) - 8
    cases: dict[str, tuple[bytes, frozenset[int], str | None]] = {}
    # one byte of the deflate stream, or of the trailer, flipped: 25 positions
    for index, position in enumerate(range(10, body, max(1, (body - 10) // 20))):
        flipped = bytearray(good)
        flipped[position] ^= 0xA5
        cases[f"flip-deflate-{index}"] = (bytes(flipped), refused, None)
    for offset in range(1, 9):
        flipped = bytearray(good)
        flipped[-offset] ^= 0x01
        cases[f"flip-trailer-{offset}"] = (bytes(flipped), refused, "corrupt gzip data")
    for fraction in (0.2, 0.5, 0.95):
        cases[f"truncated-{fraction}"] = (good[: int(len(good) * fraction)], refused, None)
    tar = member("package/package.json", b"{}") + member("package/a.js", CODE) + END
    cases["zlib-not-gzip"] = (zlib.compress(tar), refused, "not a readable tar archive")
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    cases["raw-deflate"] = (raw_deflate.compress(tar) + raw_deflate.flush(), refused, None)
    cases["gzip-magic-only"] = (b"\x1f\x8b", refused, "truncated gzip stream")
    cases["empty-file"] = (b"", ANY_EXIT, None)
    cases["plain-tar"] = (tar, frozenset({0, 1}), None)
    cases["trailing-garbage"] = (good + b"garbage after the gzip stream", frozenset({0, 1}), None)
    cases["two-gzip-members"] = (gz(tar[:1024]) + gz(tar[1024:]), frozenset({0, 1}), None)
    # tar headers
    for name, archive, fragment in (
        ("bad-checksum", package(header("package/x.js", checksum=b"0000000\0")), "checksum"),
        ("size-not-a-number", package(header("package/x", size_field=b"12z45678901\0")), "size"),
        ("size-negative", package(header("package/x", size_field=b"\xff" * 12)), "negative"),
        ("single-zero-block", gz(tar[:-1024] + bytes(512) + member("package/evil.js", b"1")),
         "single zero block"),
        ("pax-size-letters", package(pax({"size": "1x"}) + member("package/x", b"1")), "size"),
        ("pax-size-digits", package(pax({"size": "9" * 5000}) + member("package/x", b"1")),
         "size"),
        ("pax-length-digits", package(pax(b"9" * 5000 + b" path=x\n") + member("package/x")),
         "pax"),
        ("pax-sparse-map", package(pax({"GNU.sparse.map": "0,zz", "GNU.sparse.size": "q"})
                                   + member("package/s", b"1")), "sparse"),
        ("pax-sparse-size", package(pax({"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                                         "GNU.sparse.realsize": "1" + "0" * 5000})
                                    + member("package/s", b"1")), "sparse"),
        ("gnu-sparse", package(b"".join(header(f"package/s{i}", kind=b"S", size=0)
                                         for i in range(20))), "sparse"),
        ("global-pax-path", package(pax({"path": "package/evil.js"}, kind=b"g")
                                    + member("package/a.js", b"1")), "global pax"),
        ("pax-newline", package(pax(b"21 path=package/a\nb\n") + member("package/x", b"1")),
         "pax"),
        ("huge-pax", package(pax({"comment": "x" * 1_100_000}) + member("package/x", b"1")),
         "extension header"),
        ("two-long-names", package(gnu_long(b"package/a.js") + gnu_long(b"package/b.js")
                                   + member("package/x", b"1")), "long-name"),
        ("file-with-link-name", package(member("package/f.js", b"x", linkname=b"../../etc")),
         "link name"),
        ("nameless", package(member("", b"x")), "without a name"),
        ("symlink", package(header("package/l", kind=b"2", linkname=b"/etc/passwd")), "symlink"),
        ("hardlink", package(header("package/h", kind=b"1", linkname=b"package/x")), "hardlink"),
        ("fifo", package(header("package/p", kind=b"6")), "device or fifo"),
        ("dotdot", package(member("package/../../.bashrc", b"x")), "'..'"),
        ("absolute", package(member("/etc/cron.d/x", b"x")), "absolute"),
        ("windows-drive", package(member("C:\\Windows\\x", b"x")), "absolute"),
        ("name-too-long", package(pax({"path": "package/" + "n" * 5000}) + member("package/x")),
         "over the 4096 byte limit"),
        ("nul-in-name", package(pax({"path": "package/a\0.js"}) + member("package/x")), "NUL"),
        ("unsupported-type", package(header("package/v", kind=b"V")), "unsupported"),
        ("member-cut-short", gz(tar[:2000]), "cut short"),
        ("header-cut-short", gz(tar[:700]), None),
    ):
        cases[name] = (archive, refused, fragment)
    # hostile but well-formed names: read, and reported (escaping them is the reports' job)
    for name, path in (
        ("name-ansi", "package/\x1b[2J\x1b[31mred.js"),
        ("name-rtl", "package/evil\u202esj.txt"),
        ("name-long-ok", "package/" + "d/" * 1000 + "f.js"),
    ):
        cases[name] = (package(pax({"path": path}) + member("package/x", b"1")), ANY_EXIT, None)
    cases["name-not-utf8"] = (package(member(b"package/caf\xe9.js", b"1")), ANY_EXIT, None)
    # a newline is fine in a header's own name field (only pax values are read line by line)
    cases["name-workflow-command"] = (package(member(b"package/x\n::error::pwned.js", b"1")),
                                      ANY_EXIT, None)
    cases["duplicate-members"] = (package(member("package/a.js", b"1"), member("package/a.js",
                                                                                b"2")), ANY_EXIT,
                                  None)
    cases["manifest-deep"] = (package(member("package/package.json", b"[" * 100_000)),
                              ANY_EXIT, None)
    cases["manifest-huge-number"] = (package(member("package/package.json",
                                                    b'{"version": 1' + b"0" * 5000 + b"}")),
                                     ANY_EXIT, None)
    cases["many-small-members"] = (gz(b"".join(member(f"package/f{i}.js", b"x")
                                                for i in range(3000)) + END), ANY_EXIT, None)
    return cases


def _special(inputs: Path) -> list[tuple[str, str, str]]:
    """(case id, the spec given to depscan, what the error line must name)."""
    fifo = inputs / "special-fifo.tgz"
    os.mkfifo(fifo)
    folder = inputs / "special-folder.tgz"
    folder.mkdir()
    zero_link = inputs / "special-zero.tgz"
    zero_link.symlink_to("/dev/zero")
    return [
        ("special-fifo", str(fifo), str(fifo)),
        ("special-folder", str(folder), str(folder)),
        ("special-dev-zero-link", str(zero_link), str(zero_link)),
        ("special-dev-zero", "/dev/zero", "/dev/zero"),
        ("special-missing", str(inputs / "missing.tgz"), "missing.tgz"),
    ]


def _diff(base: Path, hostile: str) -> list[str]:
    return ["diff", str(base), hostile, "--format", "json", "--offline"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Batch, list[Case]]:
    sandbox = tmp_path_factory.mktemp("hostile-tarballs")
    inputs = sandbox / "inputs"
    inputs.mkdir()
    base = inputs / "base.tgz"
    base.write_bytes(_base())
    cases: list[Case] = []
    for name, (data, expect, fragment) in _crafted().items():
        path = inputs / f"{name}.tgz"
        path.write_bytes(data)
        cases.append(Case(name, _diff(base, str(path)), (str(path),), expect, message=fragment))
    for case_id, spec, named in _special(inputs):
        cases.append(Case(case_id, _diff(base, spec), (named,), INPUT_ERROR))
    cases.append(Case("both-hostile", ["diff", str(inputs / "bad-checksum.tgz"),
                                       str(inputs / "symlink.tgz"), "--offline"],
                      (str(inputs / "bad-checksum.tgz"),), INPUT_ERROR))
    return run_batch(cases, sandbox), cases


def test_every_hostile_tarball_is_handled(batch: tuple[Batch, list[Case]]) -> None:
    result, cases = batch
    assert len(cases) > 80
    for case in cases:
        check(result, case)


def test_memory_stays_bounded(batch: tuple[Batch, list[Case]]) -> None:
    assert batch[0].peak_rss_mb <= PEAK_RSS_MB, batch[0].peak_rss_mb


def test_names_an_attacker_chose_are_read_not_refused(batch: tuple[Batch, list[Case]]) -> None:
    outcomes = batch[0].outcomes
    for case_id in ("name-workflow-command", "name-ansi", "name-rtl", "name-not-utf8"):
        assert outcomes[case_id].code in (0, 1), outcomes[case_id].stderr


BOMBS: dict[str, Callable[[], bytes]] = {
    # 2 GiB of zeros after a valid archive, in the same gzip stream
    "zeros-after-archive": lambda: bombs.zeros_after_the_archive(2048 * bombs.MIB),
    # 20 members that each hold 128 MiB (the member limit): 2.5 GiB
    "big-members": lambda: bombs.members_of_zeros(20, 128 * bombs.MIB),
    # 4,000 members of 128 kB: 512 MiB of small files
    "many-members": lambda: bombs.members_of_zeros(4000, 128 * 1024),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_bomb_is_refused_at_the_limit_with_memory_near_it(
    name: str, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    base = inputs / "base.tgz"
    base.write_bytes(_base())
    bomb = inputs / f"{name}.tgz"
    bomb.write_bytes(BOMBS[name]())
    case = Case(name, _diff(base, str(bomb)), (str(bomb),), INPUT_ERROR,
                message="decompressed size exceeds the 268435456 byte limit")
    result = run_batch([case], tmp_path)
    check(result, case)
    assert result.peak_rss_mb <= BOMB_PEAK_RSS_MB, result.peak_rss_mb


def test_the_raw_builders_write_what_tarfile_reads() -> None:
    """The crafted archives are only meaningful if the well-formed parts are real tar."""
    import io
    import tarfile

    data = padded(b"") + member("package/a.js", b"1") + END
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert [m.name for m in archive] == ["package/a.js"]
