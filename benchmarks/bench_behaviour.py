"""Benchmark the behaviour model: profiling time, and capability base rates of ordinary packages.

Tarballs are fetched once with `npm pack NAME@VERSION` (npm knows the registry; nothing here names
it) into --tarballs (default ~/.cache/depscan-bench/tarballs, kept between runs). Then, each in a
fresh child process (empty in-process memo):
  * pairs (default lodash 4.17.20/4.17.21 and typescript 5.4.5/5.5.4): both versions profiled
    cold in one process, as `depscan diff` does (no profile cache, the memo shared), then again
    with the on-disk profile cache warm; CPU time from getrusage (this process and its forked
    helpers) as well as wall time, since other work on the machine inflates wall time;
  * a sample of --sample registry packages from a corpus lockfile (a fixed seed): each profiled
    cold, then from a warm profile cache; milliseconds per package, and how many packages have
    each capability in ENTRY-or-INSTALL zones and in INSTALL zones.

  * with --install, every package the corpus lockfiles mark hasInstallScript: what its
    INSTALL zone can do.

    python benchmarks/bench_behaviour.py [--pair name:old:new ...] [--sample N] [--lockfile PATH]
                                         [--install] [--no-fork] [--tarballs DIR] [--by-size]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _measure import REPO

sys.path.insert(0, str(REPO))

DEFAULT_LOCKFILE = REPO.parent / "shared/corpus/npm/v3/firebase-vscode/package-lock.json"


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (forked helpers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def profile_files(paths: list[Path], cache: Path | None) -> list[dict[str, object]]:
    """The measured work, in this process: read, profile (through the cache when given)."""
    from scanner.behaviour.install_commands import RUNS_ON_INSTALL
    from scanner.behaviour.model import Zone
    from scanner.behaviour.parser import Grammar, language
    from scanner.behaviour.profile import cached_profile
    from scanner.behaviour.signals import all_signals
    from scanner.tarball.archive import read_package

    # One-time costs (imports, grammars, compiled patterns: about 0.2 s) are not per package.
    all_signals()
    language(Grammar.JAVASCRIPT)
    rows: list[dict[str, object]] = []
    for path in paths:
        data = path.read_bytes()
        started = time.perf_counter()
        archive = read_package(data, path.name)
        read = time.perf_counter()
        cpu = cpu_seconds()
        profile = cached_profile(archive, integrity(data), cache)
        profile_cpu = cpu_seconds() - cpu
        profile_ms = (time.perf_counter() - read) * 1000
        rows.append(
            {
                "name": path.name,
                "ms": (time.perf_counter() - started) * 1000,
                "read_ms": (read - started) * 1000,
                "cpu_ms": profile_cpu * 1000,
                "profile_ms": profile_ms,
                "bytes": sum(len(f.data) for f in archive.files.values()),
                "entry": sorted(c.value for c in profile.capabilities(Zone.ENTRY)),
                "install": sorted(c.value for c in profile.capabilities(Zone.INSTALL)),
                "unparsed": sum(1 for f in profile.files.values() if not f.parsed),
                "install_script": any(
                    c.script in RUNS_ON_INSTALL for c in profile.manifest.install_commands
                ),
            }
        )
    return rows


def by_size(paths: list[Path]) -> list[dict[str, float]]:
    """Each distinct code file analysed alone, with the pre-filter and without: CPU by size."""
    from scanner.behaviour import analyse
    from scanner.behaviour.files import FileKind, file_kind
    from scanner.behaviour.parser import grammar_for
    from scanner.behaviour.signals import all_signals, code_signals
    from scanner.behaviour.triggers import FileText
    from scanner.tarball.archive import read_package

    all_signals()
    analyse.analyse_unfiltered("a.js", b"require('x'); eval(y);")
    files: dict[tuple[int, int, str], tuple[str, bytes]] = {}
    for path in paths:
        for name, entry in read_package(path.read_bytes(), path.name).files.items():
            if file_kind(name, entry.data) is FileKind.CODE:
                key = (hash(entry.data), name.count("/"), grammar_for(name).value)
                files[key] = (name, entry.data)
    rows: dict[int, dict[str, float]] = {}
    for name, data in files.values():
        size = 1 << max(8, min(20, len(data).bit_length()))
        row = rows.setdefault(size, {"size": size, "files": 0, "bytes": 0, "skipped": 0})
        cpu = time.process_time()
        analyse._analyse(data, grammar_for(name), analyse.MAX_PARSE_BYTES, name.count("/"))
        row["filtered"] = row.get("filtered", 0.0) + time.process_time() - cpu
        cpu = time.process_time()
        analyse.analyse_unfiltered(name, data)
        row["full"] = row.get("full", 0.0) + time.process_time() - cpu
        row["files"] += 1
        row["bytes"] += len(data)
        small = len(data) <= analyse.PREFILTER_MAX_BYTES
        row["skipped"] += small and not code_signals(FileText(data))
    return [rows[size] for size in sorted(rows)]


def report_by_size(paths: list[Path]) -> None:
    command = [sys.executable, __file__, "--engine", "by-size", "-", *map(str, paths)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)
    print("\n| files up to | files | KB | not parsed | CPU with pre-filter | full analysis |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['size'] // 1024 or row['size']}{' KB' if row['size'] >= 1024 else ' B'} "
            f"| {row['files']} | {row['bytes'] // 1024} | {row['skipped']} "
            f"| {row['filtered'] * 1000:.0f} ms | {row['full'] * 1000:.0f} ms |"
        )


FORK = "fork"


def child(paths: list[Path], cache: Path | None) -> list[dict[str, object]]:
    command = [sys.executable, __file__, "--engine", FORK, str(cache or "-"), *map(str, paths)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


TARBALLS = Path.home() / ".cache" / "depscan-bench" / "tarballs"


def tarball_name(spec: str) -> str:
    """The file `npm pack` writes for a spec: @scope/name@1.0.0 -> scope-name-1.0.0.tgz."""
    name, version = spec.rsplit("@", 1)
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def fetch(specs: list[str], folder: Path) -> list[Path]:
    """`npm pack` the specs not already in ``folder`` (many in one call)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [spec for spec in specs if not (folder / tarball_name(spec)).exists()]
    for start in range(0, len(missing), 25):
        subprocess.run(
            ["npm", "pack", *missing[start : start + 25], "--silent"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        )
    return [folder / tarball_name(spec) for spec in specs]


def sample_specs(lockfile: Path, count: int, seed: int) -> list[str]:
    packages = json.loads(lockfile.read_text())["packages"]
    specs = sorted(
        {
            f"{entry.get('name') or key.rsplit('node_modules/', 1)[-1]}@{entry['version']}"
            for key, entry in packages.items()
            if key and str(entry.get("resolved", "")).startswith("http") and "version" in entry
        }
    )
    return random.Random(seed).sample(specs, min(count, len(specs)))


def install_specs(corpus: Path) -> list[str]:
    """Every registry package the corpus's npm lockfiles mark hasInstallScript."""
    specs: set[str] = set()
    for lockfile in sorted(corpus.glob("npm/**/package-lock.json")):
        try:
            packages = json.loads(lockfile.read_text()).get("packages", {})
        except ValueError:
            continue
        for key, entry in packages.items():
            resolved = str(entry.get("resolved", ""))
            if key and entry.get("hasInstallScript") and resolved.startswith("http"):
                name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
                specs.add(f"{name}@{entry['version']}")
    return sorted(specs)


def report_install(corpus: Path, root: Path) -> None:
    paths = fetch(install_specs(corpus), TARBALLS)
    rows = child(paths, None)
    print(f"## {len(rows)} packages with install scripts (every one in the corpus lockfiles)")
    for row in rows:
        found = ", ".join(list(row["install"])) or "nothing"  # type: ignore[call-overload]
        print(f"- {row['name']}: INSTALL zone: {found}; {float(str(row['ms'])):.0f} ms")


def report_pair(pair: str, root: Path) -> None:
    name, old, new = pair.split(":")
    paths = fetch([f"{name}@{old}", f"{name}@{new}"], TARBALLS)
    cache = root / f"pair-cache-{name}"
    cold = child(paths, None)
    child(paths, cache)  # fill the cache
    warm = child(paths, cache)
    print(f"## {name} {old} -> {new}")
    for c, w in zip(cold, warm, strict=True):
        print(
            f"- {c['name']}: {c['bytes']:,} bytes unpacked; cold: profile {c['profile_ms']:.0f} ms"
            f" wall, {c['cpu_ms']:.0f} ms CPU (reading the tarball {c['read_ms']:.0f} ms more);"
            f" warm cache {w['profile_ms']:.0f} ms; {c['unparsed']} files read by patterns"
        )
    wall = sum(float(c["profile_ms"]) for c in cold)
    cpu = sum(float(c["cpu_ms"]) for c in cold)
    print(f"- both versions cold, profiling: {wall:.0f} ms wall, {cpu:.0f} ms CPU")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def report_sample(lockfile: Path, count: int, seed: int, root: Path, sizes: bool = False) -> None:
    specs = sample_specs(lockfile, count, seed)
    paths = fetch(specs, TARBALLS)
    cache = root / "sample-cache"
    cold = child(paths, None)
    child(paths, cache)
    warm = child(paths, cache)
    cold_ms = [float(r["ms"]) for r in cold]
    warm_ms = [float(r["ms"]) for r in warm]
    print(f"## {len(paths)} packages from {lockfile.parent.name} (seed {seed})")
    cpu_ms = [float(r["cpu_ms"]) for r in cold]
    profile_ms = [float(r["profile_ms"]) for r in cold]
    print(
        f"- cold profiling CPU per package: median {statistics.median(cpu_ms):.1f} ms, p95 "
        f"{p95(cpu_ms):.1f} ms, total {sum(cpu_ms) / 1000:.2f} s; wall: median "
        f"{statistics.median(profile_ms):.1f} ms, p95 {p95(profile_ms):.1f} ms, total "
        f"{sum(profile_ms) / 1000:.2f} s"
    )
    print(
        f"- cold: median {statistics.median(cold_ms):.1f} ms, mean {statistics.mean(cold_ms):.1f}"
        f" ms, max {max(cold_ms):.0f} ms ({cold[cold_ms.index(max(cold_ms))]['name']}), "
        f"total {sum(cold_ms) / 1000:.2f} s"
    )
    print(
        f"- warm cache: median {statistics.median(warm_ms):.1f} ms, "
        f"total {sum(warm_ms) / 1000:.2f} s"
    )
    print(f"- packages with install scripts: {sum(1 for r in cold if r['install_script'])}")
    unparsed = sum(int(str(r["unparsed"])) for r in cold)
    print(f"- files read by patterns (over the cap or unparseable): {unparsed}")
    entry: Counter[str] = Counter(c for r in cold for c in list(r["entry"]))  # type: ignore[call-overload]
    install: Counter[str] = Counter(c for r in cold for c in list(r["install"]))  # type: ignore[call-overload]
    if sizes:
        report_by_size(paths)
    print("\n| capability | packages with it in ENTRY or INSTALL | in INSTALL |")
    print("|---|---:|---:|")
    for capability, n in sorted(entry.items(), key=lambda item: (-item[1], item[0])):
        print(f"| {capability} | {n} | {install.get(capability, 0)} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--pair",
        nargs="*",
        default=["lodash:4.17.20:4.17.21", "typescript:5.4.5:5.5.4"],
        help="name:old:new, profiled together as a diff does",
    )
    parser.add_argument(
        "--by-size",
        action="store_true",
        help="also each distinct code file of the sample alone, with and without the pre-filter",
    )
    parser.add_argument("--tarballs", type=Path, help="npm pack cache (default: %(prog)s's)")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--lockfile", type=Path, default=DEFAULT_LOCKFILE)
    parser.add_argument("--no-fork", action="store_true", help="profile in one process")
    parser.add_argument(
        "--install", action="store_true", help="the corpus's install-script packages"
    )
    parser.add_argument("--engine", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine and args.engine[0] == "by-size":
        print(json.dumps(by_size([Path(p) for p in args.engine[2:]])))
        return
    if args.engine:
        if args.engine[0] != "fork":
            import scanner.tarball.parallel

            scanner.tarball.parallel.can_fork = lambda: False
        cache = None if args.engine[1] == "-" else Path(args.engine[1])
        print(json.dumps(profile_files([Path(p) for p in args.engine[2:]], cache)))
        return
    global FORK, TARBALLS
    FORK = "no-fork" if args.no_fork else "fork"
    TARBALLS = args.tarballs or TARBALLS
    with tempfile.TemporaryDirectory(prefix="bench-behaviour-") as tmp:
        root = Path(tmp)
        for pair in args.pair:
            report_pair(pair, root)
        if args.sample:
            report_sample(args.lockfile, args.sample, args.seed, root, args.by_size)
        if args.install:
            report_install(REPO.parent / "shared" / "corpus", root)


if __name__ == "__main__":
    main()
