"""Timing helpers shared by the benchmark scripts: wall time and peak RSS of child processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class Series:
    label: str
    runs: list[Run]

    @property
    def median_s(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def median_cpu_s(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def returncodes(self) -> set[int]:
        return {r.returncode for r in self.runs}


def run_once(
    cmd: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None,
    timeout: float | None = None,
) -> Run:
    """Run a command with output discarded; peak RSS comes from wait4, so it is this child's own."""
    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=full_env, cwd=cwd
    )
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return Run(float("inf"), usage.ru_maxrss / 1024, -9)
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return Run(elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), cpu)


def series(
    label: str, cmd: Sequence[str], repeat: int, env: Mapping[str, str] | None = None,
    before_each: Callable[[], None] | None = None, cwd: Path | None = None,
    timeout: float | None = None,
) -> Series:
    runs = []
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        runs.append(run_once(cmd, env=env, cwd=cwd, timeout=timeout))
    return Series(label, runs)


def table(rows: Sequence[Series]) -> str:
    out = [
        "| command | median wall (s) | median CPU (s) | peak RSS (MB) | runs | exit codes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for s in rows:
        codes = ",".join(str(c) for c in sorted(s.returncodes))
        out.append(
            f"| {s.label} | {s.median_s:.3f} | {s.median_cpu_s:.3f} | {s.peak_mb:.0f} "
            f"| {len(s.runs)} | {codes} |"
        )
    return "\n".join(out)
