"""Advisory feed databases at the size of the real feed, beside today's scan, in one run.

Rows, each a fresh process: median wall time; median CPU time, user+system of the process and of
every process it started, decoding workers included (the larger of its rusage and the sum of the
last /proc samples of its tree, taken every 20 ms); peak memory of the whole tree, the sum of
the processes' PSS (the table's "peak RSS" column holds that sum):

  * `depscan db update` of a synthetic 500,000-record OSV export (benchmarks/synthetic_feed.py),
    served over HTTP by `python -m http.server` on 127.0.0.1 in its own process: the first full
    import; then after --changes records changed (incremental); then with nothing changed (the
    listing is unmodified: a 304). Each prints how long of it was spent waiting on the source;
  * then, in turn round after round (so drift in the machine's load hits all three alike):
    today: `depscan lockfile` on the 2,589-package create-react-app lockfile, warm, offline,
    core checks, bundled records plus the 22,330-record OSV zip given with --advisories, run
    from the code of --baseline-ref (default: main, exported with `git archive`); the same
    command on this checkout; and the same scan with the 500,000-record database (and the
    delta the incremental update left) and no --advisories.

    python benchmarks/bench_db.py [--records 500000] [--changes 100] [--repeat 5] [--work DIR]

The export is generated once into --work (default /tmp/depscan-bench-db) and reused; its pristine
listing is restored before each run, so repeated runs measure the same import.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _measure import REPO, Run, Series, table

HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")
OUTPUT_LINES: list[str] = []
"""What each `db update` printed (its own split of the time: how long it waited on the source)."""
SHARED = REPO.parent / "shared"
LOCKFILE = SHARED / "corpus/npm/v2/create-react-app-root/package-lock.json"
SAMPLE_ZIP = SHARED / "advisories/ossf-malicious-npm.zip"
CORE = ("--check", "known-malicious", "--check", "lockfile-problem")


def tree_sample(pid: int, cpu: dict[int, float]) -> float:
    """Memory of a process and all its descendants, from /proc: the sum of their proportional
    set sizes (PSS), so pages the processes share (the interpreter, libraries) count once. Also
    records each one's CPU time so far in ``cpu``: decoding workers are not children the
    measured process waits for, so its rusage alone would leave their time out."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            cpu[current] = (int(fields[11]) + int(fields[12])) / TICKS
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total / (1024 * 1024)


def run_tree(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    """Like _measure.run_once, with the peak memory (PSS) of the whole process tree."""
    full_env = {**os.environ, **env}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=full_env, cwd=cwd)
    peak = 0.0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_sample(proc.pid, cpu))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")  # small; read before waiting
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if cmd[2:5] == ["scanner", "db", "update"]:
        OUTPUT_LINES.append(output.strip())
    done.set()
    sampler.join()
    assert proc.stderr is not None
    errors = proc.stderr.read().decode(errors="replace").strip()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(f"  ! {' '.join(cmd[:4])}... exited {code}: {errors[:300]}", file=sys.stderr)
    # Not ru_maxrss: it counts the parent's pages a forked child holds until it execs.
    # rusage covers the children it reaped; the samples cover the ones it did not (the workers).
    return Run(elapsed, peak, code, max(usage.ru_utime + usage.ru_stime, sum(cpu.values())))


def repeat(label: str, cmd: list[str], times: int, env: dict[str, str]) -> Series:
    return Series(label, [run_tree(cmd, env) for _ in range(times)])


def baseline_tree(ref: str, work: Path) -> Path:
    target = work / f"baseline-{ref.replace('/', '_')}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_feed(work: Path, records: int) -> Path:
    feed = work / "export" / "npm"
    listing = feed / "modified_id.csv"
    pristine = feed / "modified_id.csv.orig"
    marker = feed / f".records-{records}"
    if not marker.is_file():
        started = time.perf_counter()
        shutil.rmtree(feed, ignore_errors=True)
        # In a child process, so this process stays small (see run_tree).
        subprocess.run([sys.executable, str(HERE / "synthetic_feed.py"), str(feed), "--records",
                        str(records), "--sample", str(SAMPLE_ZIP)], check=True,
                       stdout=subprocess.DEVNULL)
        shutil.copy(listing, pristine)
        marker.touch()
        print(f"generated {records:,} records in {time.perf_counter() - started:.0f} s "
              f"(all.zip {(feed / 'all.zip').stat().st_size / 1e6:.0f} MB)")
    shutil.copy(pristine, listing)
    for single in feed.glob("*.json"):
        single.unlink()
    return feed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "depscan-bench-db")
    parser.add_argument("--baseline-ref", default="main")
    args = parser.parse_args()
    python = sys.executable
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    feed = prepare_feed(work, args.records)
    baseline = baseline_tree(args.baseline_ref, work)
    caches = {name: work / f"cache-{name}" for name in ("today", "branch", "db")}
    for cache in caches.values():
        shutil.rmtree(cache, ignore_errors=True)
    scan = [python, "-m", "scanner", "lockfile", str(LOCKFILE), "--offline", "--quiet",
            "--no-policy-file", *CORE]
    with_zip = [*scan, "--advisories", str(SAMPLE_ZIP)]
    today_env = {"DEPSCAN_CACHE_DIR": str(caches["today"]), "PYTHONPATH": str(baseline),
                 "PYTHONDONTWRITEBYTECODE": "1"}
    branch_env = {"DEPSCAN_CACHE_DIR": str(caches["branch"])}
    db_env = {"DEPSCAN_CACHE_DIR": str(caches["db"])}
    for env in (today_env, branch_env):  # untimed: build the compiled indexes, ask npm once
        run_tree(with_zip, env)

    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
         str(feed.parent)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        source = f"http://127.0.0.1:{port}/npm/"
        update = [python, "-m", "scanner", "db", "update", "--source", source]
        full = repeat(f"db update: first import of {args.records:,} records over HTTP",
                      update, 1, db_env)
        subprocess.run([python, str(HERE / "synthetic_feed.py"), str(feed), "--change",
                        str(args.changes), "--seed", str(int(time.time()))], check=True,
                       stdout=subprocess.DEVNULL)
        incremental = repeat(f"db update: {args.changes} changed records (incremental)",
                             update, 1, db_env)
        unchanged = repeat("db update: nothing changed (listing 304)", update, 1, db_env)
    finally:
        server.terminate()
        server.wait()
    # The three scans in turn, round after round, once the updates are done: writing 200 MB
    # leaves the machine busy flushing for a while, which must not count against one of them.
    scans = {
        "today": (f"today ({args.baseline_ref}): scan, bundled + 22,330-record zip", with_zip,
                  today_env),
        "branch": ("this branch: the same scan", with_zip, branch_env),
        "db": (f"this branch: scan with the {args.records:,}-record database (and its delta)",
               scan, db_env),
    }
    run_tree(scan, db_env)  # untimed, as for the others: caches npm's default registry
    runs: dict[str, list[Run]] = {key: [] for key in scans}
    for _ in range(args.repeat):
        for key, (_, cmd, env) in scans.items():
            runs[key].append(run_tree(cmd, env))
    today, branch, with_db = (Series(scans[k][0], runs[k]) for k in ("today", "branch", "db"))
    rows = [today, branch, with_db, full, incremental, unchanged]
    load = os.getloadavg()
    database = next(p for p in (caches["db"] / "advisory-db").glob("*.sqlite3")
                    if not p.name.endswith(".delta.sqlite3"))
    print(f"lockfile: {LOCKFILE}\nsynthetic export: {feed} ({args.records:,} records)")
    print(f"database: {database.stat().st_size / 1e6:.0f} MB; load average after the run "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")
    print(table(rows))
    print("\n`db update` said:\n" + "\n".join(f"    {line}" for line in OUTPUT_LINES))
    print(f"\nscan with the database / today: wall {with_db.median_s / today.median_s:.2f}, "
          f"CPU {with_db.median_cpu_s / today.median_cpu_s:.2f} (target <= 1.10)")
    print(f"first import: {full.median_s:.1f} s, {full.peak_mb:.0f} MB (targets <= 30 s, "
          f"<= 300 MB); incremental: {incremental.median_s:.2f} s (target <= 1 s + network)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
