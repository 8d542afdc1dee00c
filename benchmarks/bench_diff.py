"""Benchmark depscan's tarball diff beside `git diff --no-index` and `npm diff`.

For each package pair the two tarballs are fetched once with `npm pack NAME@VERSION` (npm knows
the registry; nothing here names it) into a temp dir and unpacked there. Then, --repeat times
each (median wall and CPU time, peak RSS of the measured process):
  * depscan: `depscan diff OLD.tgz NEW.tgz` (start-up included, an empty cache each run): reads
    both .tgz files, profiles them in a second process while it diffs them, judges the update,
    and writes the verdict and the full unified diff to stdout (like git does), all in memory;
  * `git diff --no-index` on the two unpacked trees;
  * `npm diff --diff=NAME@FROM --diff=NAME@TO` after one untimed warm-up run (so its tarballs
    come from npm's cache), capped at --npm-timeout seconds.

    python benchmarks/bench_diff.py [--repeat N] [--npm-timeout S] [--pairs name:from:to ...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import REPO, Series, series

sys.path.insert(0, str(REPO))

DEFAULT_PAIRS = (
    "left-pad:1.2.0:1.3.0",
    "lodash:4.17.20:4.17.21",
    "express:4.18.2:4.19.2",
    "chalk:4.1.2:5.0.0",
    "typescript:5.4.5:5.5.4",
)


def engine(old: Path, new: Path) -> None:
    """Where the time of `depscan diff OLD.tgz NEW.tgz` goes, step by step in one process
    (the command itself profiles in a second process while it diffs)."""
    from scanner.tarball.render import render_text
    from scanner.tarball.resolve import diff_loaded, load_local
    from scanner.verdict.assess import judge_archives
    from scanner.verdict.render import verdict_lines

    started = time.perf_counter()
    old_package, new_package = load_local(old), load_local(new)
    loaded = time.perf_counter()
    verdict = judge_archives(old_package.archive, new_package.archive)
    judged = time.perf_counter()
    diff = diff_loaded(old_package, new_package)
    diffed = time.perf_counter()
    sys.stdout.write(render_text(diff, verdict=verdict_lines(verdict)))
    rendered = time.perf_counter()
    print(
        f"read {loaded - started:.3f}s verdict {judged - loaded:.3f}s "
        f"diff {diffed - judged:.3f}s render {rendered - diffed:.3f}s files {len(diff.files)} "
        f"+{diff.added_lines} -{diff.removed_lines} verdict {verdict.severity.label}",
        file=sys.stderr,
    )


def fetch(spec: str, folder: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=folder, capture_output=True, text=True, check=True
    )
    return folder / out.stdout.strip().splitlines()[-1]


def unpack(tgz: Path, into: Path) -> Path:
    """Write the package's files out with depscan's own safe reader (no tar extraction)."""
    from scanner.tarball.archive import read_package

    for entry in read_package(tgz.read_bytes(), str(tgz)).files.values():
        target = into / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entry.data)
    return into


def summary(old: Path, new: Path) -> str:
    """The engine's own breakdown line (one extra, untimed run)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--engine", str(old), str(new)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return proc.stderr.strip()


def fmt(s: Series, timeout: float | None = None) -> str:
    if timeout is not None and any(r.returncode == -9 for r in s.runs):
        return f"did not finish in {timeout:.0f} s"
    return f"{s.median_s:.2f} s / {s.peak_mb:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--npm-timeout", type=float, default=120.0)
    parser.add_argument("--pairs", nargs="*", default=list(DEFAULT_PAIRS))
    parser.add_argument("--engine", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        engine(*args.engine)
        return

    rows = [
        "| pair | files, lines | `depscan diff` | CPU | git diff --no-index | CPU "
        "| depscan / git | npm diff |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        root = Path(tmp)
        for pair in args.pairs:
            name, old_v, new_v = pair.split(":")
            work = root / f"{name.replace('/', '_')}-{old_v}-{new_v}"
            (work / "dl").mkdir(parents=True)
            old_tgz = fetch(f"{name}@{old_v}", work / "dl")
            new_tgz = fetch(f"{name}@{new_v}", work / "dl")
            unpack(old_tgz, work / "a")
            unpack(new_tgz, work / "b")
            breakdown = summary(old_tgz, new_tgz)
            notes.append(f"- {pair}: {breakdown}")
            # The real command, start-up included (as git's is): `depscan diff OLD.tgz NEW.tgz`,
            # exit 1 when the verdict is high counts as a run like any other.
            depscan = series(
                "depscan",
                [str(Path(sys.executable).with_name("depscan")), "diff", str(old_tgz),
                 str(new_tgz), "--cache-dir", str(work / "cache")],
                args.repeat,
                before_each=lambda work=work: shutil.rmtree(work / "cache", ignore_errors=True),
            )
            git = series(
                "git",
                ["git", "diff", "--no-index", "--no-color", "a", "b"],
                args.repeat,
                cwd=work,
            )
            npm_cmd = ["npm", "diff", f"--diff={name}@{old_v}", f"--diff={name}@{new_v}"]
            npm_cmd.append("--no-color")
            warm = series("npm warm-up", npm_cmd, 1, cwd=work, timeout=args.npm_timeout)
            if any(r.returncode == -9 for r in warm.runs):
                npm = warm  # one timed-out run is enough to know
            else:
                npm = series("npm", npm_cmd, args.repeat, cwd=work, timeout=args.npm_timeout)
            files_lines = breakdown.split(" files ", 1)[-1].split(" verdict ")[0]
            rows.append(
                f"| {name} {old_v} -> {new_v} | {files_lines} | {fmt(depscan)} "
                f"| {depscan.median_cpu_s:.2f} s | {fmt(git)} | {git.median_cpu_s:.2f} s "
                f"| {depscan.median_s / git.median_s:.1f}x | {fmt(npm, args.npm_timeout)} |"
            )
    print("\n".join(rows))
    print()
    print(f"median of {args.repeat} runs; wall time / peak RSS of the measured process.")
    print("depscan in-process breakdown (one extra run):")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
