"""Peak memory of depscan on the largest and most hostile inputs, under the default ceiling.

Each run is its own process (``depscan`` from this virtualenv, default ``$DEPSCAN_MAX_MEMORY``),
its peak resident set taken from ``wait4``. Three groups:

* every lockfile of the shared corpus (``../shared/corpus``), all default checks, offline;
* the largest inputs the readers accept: a 60 MB npm lockfile (about 75,000 packages), and
  ``depscan diff`` of two tarballs each just under the 256 MiB limit whose text all differs;
* hostile inputs: a JSON memory bomb, a YAML alias bomb and a 4-million-value YAML flow list, gzip
  bombs (2 GiB after the archive, 20 members of 128 MiB, 4,000 members of 128 kB), ``/dev/zero``
  as a tarball, policy file and advisory source.

    python benchmarks/bench_memory.py [--skip-corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from _measure import REPO, run_once

SHARED = REPO.parent / "shared"
MIB = 1024 * 1024
DEPSCAN = str(Path(sys.executable).with_name("depscan"))


def _piece(data: bytes) -> bytes:
    """Raw deflate cut at a full flush: pieces compressed apart concatenate into one stream."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _gzip(pieces: list[bytes], crc: int = 0, size: int = 0) -> bytes:
    return (b"\x1f\x8b\x08\x00\0\0\0\0\x00\x03" + b"".join(pieces) + b"\x03\x00"
            + crc.to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little"))


def _header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    return info.tobuf(tarfile.USTAR_FORMAT)


def _tarball(members: list[tuple[str, bytes, int]]) -> bytes:
    """``(name, chunk, count)``: members of ``count`` repeats of ``chunk``, with a right CRC."""
    pieces: list[bytes] = []
    crc, size = 0, 0
    for name, chunk, count in members:
        header = _header(name, len(chunk) * count)
        pieces.append(_piece(header))
        crc, size = zlib.crc32(header, crc), size + len(header)
        compressed = _piece(chunk)
        for _ in range(count):
            pieces.append(compressed)
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    end = bytes(1024)
    pieces.append(_piece(end))
    return _gzip(pieces, zlib.crc32(end, crc), size + len(end))


def _text_chunk(word: str) -> bytes:
    line = f"module.exports.{word} = function () {{ return '{word}' }}\n".encode()
    return (line * (MIB // len(line) + 1))[:MIB]


def _big_lockfile() -> bytes:
    """About 60 MB: the create-react-app lockfile's packages, repeated under 29 prefixes."""
    seed_path = SHARED / "corpus/npm/v2/create-react-app-root/package-lock.json"
    seed = json.loads(seed_path.read_text())
    packages = {"": seed["packages"][""]}
    for copy in range(29):
        for location, entry in seed["packages"].items():
            if location:
                packages[f"node_modules/copy{copy}/{location}"] = entry
    document = {"name": "big", "lockfileVersion": 3, "packages": packages}
    return json.dumps(document, indent=2).encode()


def _laughs() -> bytes:
    lines = ["lockfileVersion: '9.0'", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 6)}]" for i in range(1, 14)]
    return ("\n".join(lines) + "\n").encode()


Files = dict[Path, Callable[[], bytes]]


def _cases(work: Path) -> list[tuple[str, list[str], Files]]:
    """(label, depscan arguments, the files to make first); contents are made only when asked,
    so that listing the cases costs nothing."""
    lock = work / "ok" / "package-lock.json"
    zero = b"\0" * MIB
    small_zero = zero[: 128 * 1024]

    def ok_lockfile() -> bytes:
        return b'{"lockfileVersion": 3, "packages": {"": {}}}'

    def small() -> bytes:
        return _tarball([("package/package.json", b"{}".ljust(MIB), 1)])

    def text_tarball(first: str, second: str) -> Callable[[], bytes]:
        return lambda: _tarball([("package/a.js", _text_chunk(first), 120),
                                 ("package/b.js", _text_chunk(second), 120)])

    scan = ["--offline", "--quiet", "-f", "json"]
    big, json_bomb = work / "big" / "package-lock.json", work / "jb" / "package-lock.json"
    laughs, flow = work / "yb" / "pnpm-lock.yaml", work / "yf" / "pnpm-lock.yaml"
    return [
        ("largest accepted lockfile (60 MB npm v3, ~75k packages)",
         ["lockfile", str(big), *scan], {big: _big_lockfile}),
        ("largest accepted diff (2 x 240 MiB of differing text)",
         ["diff", str(work / "a.tgz"), str(work / "b.tgz"), "--offline"],
         {work / "a.tgz": text_tarball("a", "b"), work / "b.tgz": text_tarball("c", "d")}),
        ("JSON memory bomb (16 MB of {})", ["lockfile", str(json_bomb), *scan],
         {json_bomb: lambda: b'{"lockfileVersion": 3, "x": [' + b"{}," * 5_500_000 + b"{}]}"}),
        ("YAML alias bomb (6^14 values)", ["lockfile", str(laughs), *scan], {laughs: _laughs}),
        ("YAML 5M-value flow list (10 MB)", ["lockfile", str(flow), *scan],
         {flow: lambda: b"lockfileVersion: '9.0'\nx: [" + b"a," * 5_000_000 + b"a]\n"}),
        ("gzip bomb: 2 GiB of zeros after the archive",
         ["diff", str(work / "s.tgz"), str(work / "g1.tgz"), "--offline"],
         {work / "s.tgz": small,
          work / "g1.tgz": lambda: _gzip([_piece(_header("package/a", 0) + bytes(1024)),
                                          *[_piece(zero)] * 2048])}),
        ("gzip bomb: 20 members of 128 MiB",
         ["diff", str(work / "s.tgz"), str(work / "g2.tgz"), "--offline"],
         {work / "g2.tgz": lambda: _tarball([(f"package/{i}.bin", zero, 128)
                                             for i in range(20)])}),
        ("4,000 members of 128 kB",
         ["diff", str(work / "s.tgz"), str(work / "g3.tgz"), "--offline"],
         {work / "g3.tgz": lambda: _tarball([(f"package/{i}.js", small_zero, 1)
                                             for i in range(4000)])}),
        ("/dev/zero as a tarball", ["diff", str(work / "s.tgz"), "/dev/zero", "--offline"], {}),
        ("/dev/zero as the policy file", ["lockfile", str(lock), "--policy", "/dev/zero", *scan],
         {lock: ok_lockfile}),
        ("/dev/zero as an advisory source",
         ["lockfile", str(lock), "--advisories", "/dev/zero", *scan], {lock: ok_lockfile}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare is not None:
        for _, _, files in _cases(options.prepare):
            for path, make in files.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(make())
        return
    env = {"npm_config_registry": "https://registry.example.test/"}
    ceiling = os.environ.get("DEPSCAN_MAX_MEMORY", "default")
    print(f"DEPSCAN_MAX_MEMORY: {ceiling}\n")
    print("| input | exit | peak RSS (MB) | wall (s) |\n|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env["DEPSCAN_CACHE_DIR"] = str(work / "cache")
        # Built in a child: a child's peak RSS on Linux starts at what its parent held when it
        # forked, so this process stays small.
        subprocess.run([sys.executable, __file__, "--prepare", str(work)], check=True)
        if not options.skip_corpus and (SHARED / "corpus").is_dir():
            peaks = []
            for path in sorted((SHARED / "corpus").rglob("*")):
                if path.name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
                                 "pnpm-lock.yaml", "bun.lock"):
                    run = run_once([DEPSCAN, "lockfile", str(path), "--offline", "--quiet",
                                    "-f", "json"], env=env)
                    peaks.append((run.peak_mb, run.returncode, path.relative_to(SHARED)))
            top = max(peaks)
            print(f"| shared corpus: {len(peaks)} lockfiles (largest peak: {top[2]}) | "
                  f"{', '.join(str(c) for c in sorted({p[1] for p in peaks}))} | {top[0]:.0f} | |")
        for label, argv, _ in _cases(work):
            run = run_once([DEPSCAN, *argv], env=env, timeout=300)
            print(f"| {label} | {run.returncode} | {run.peak_mb:.0f} | {run.seconds:.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
