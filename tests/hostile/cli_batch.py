"""Run a batch of depscan command lines in one child process and check what each did.

One child per batch keeps the suite fast (Python and depscan are imported once) while the
child's peak memory (its own VmHWM, see :func:`tests.hostile.cli_worker.peak_rss_mb`) still
bounds every case in it. Cases
whose memory matters on its own (bombs) get a batch of their own. The child gets a sandbox for a
home, caches and temporary files; its audit hook (:mod:`tests.hostile.cli_worker`) reports every
write and every process started, and :func:`check` asserts that writes stay in the sandbox's
state folder and that nothing was started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

WORKER = Path(__file__).with_name("cli_worker.py")
REPO = Path(__file__).resolve().parents[2]
ANY_EXIT = frozenset({0, 1, 2})
INPUT_ERROR = frozenset({2})


@dataclass(frozen=True)
class Case:
    id: str
    argv: Sequence[str]
    names: Sequence[str] = ()
    """On exit 2 the one stderr line must contain one of these (the file or package at fault)."""
    expect: frozenset[int] = ANY_EXIT
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    """On exit 2, a fragment the line must contain."""


@dataclass(frozen=True)
class Outcome:
    id: str
    code: object
    stdout_chars: int
    stdout_head: str
    stderr: str
    seconds: float
    max_rss_mb: int
    writes: list[str]
    processes: list[str]


@dataclass(frozen=True)
class Batch:
    outcomes: dict[str, Outcome]
    peak_rss_mb: int
    """The child's peak resident memory, which bounds every case of the batch."""
    seconds: float
    sandbox: Path


def sandbox_env(sandbox: Path) -> dict[str, str]:
    """An environment whose home, caches, config and temporary folders are in ``sandbox``."""
    state = sandbox / "state"
    folders = {
        "HOME": state / "home",
        "XDG_CACHE_HOME": state / "cache",
        "XDG_CONFIG_HOME": state / "config",
        "DEPSCAN_CACHE_DIR": state / "depscan-cache",
        "TMPDIR": state / "tmp",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")}
    return {
        **keep,
        **{k: str(v) for k, v in folders.items()},
        "NPM_CONFIG_USERCONFIG": str(state / "home" / ".npmrc"),
        # npm's registry given up front, so depscan never needs to ask npm for it
        "npm_config_registry": "https://registry.example.test/",
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def run_batch(cases: Iterable[Case], sandbox: Path, *, timeout: float = 60.0) -> Batch:
    cases = list(cases)
    assert len({c.id for c in cases}) == len(cases), "case ids must be unique"
    job = sandbox / "state" / f"job-{os.getpid()}-{time.monotonic_ns()}.json"
    env = sandbox_env(sandbox)
    results = job.with_suffix(".results.json")
    job.write_text(
        json.dumps(
            {
                "results": str(results),
                "cases": [
                    {"id": c.id, "argv": list(c.argv), "cwd": str(c.cwd or sandbox / "inputs"),
                     "env": c.env}
                    for c in cases
                ],
            }
        ),
        encoding="utf-8",
    )
    (sandbox / "inputs").mkdir(exist_ok=True)
    log = job.with_suffix(".log")
    started = time.monotonic()
    with log.open("wb") as output:
        child = subprocess.Popen(
            [sys.executable, str(WORKER), str(job)],
            env=env,
            cwd=sandbox / "inputs",
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            status = _wait(child, timeout)
        except AssertionError as hung:
            started_cases = [line for line in log.read_text(errors="replace").splitlines()
                             if line.startswith("case ")]
            raise AssertionError(f"{hung}; last {started_cases[-1:]}") from None
    failure = log.read_text(errors="replace")[-3000:]
    assert status == 0, f"the worker failed: {failure}"
    reported = json.loads(results.read_text(encoding="utf-8"))
    outcomes = {o["id"]: Outcome(**o) for o in reported["cases"]}
    return Batch(outcomes, reported["peak_rss_mb"], time.monotonic() - started, sandbox)


def _wait(child: subprocess.Popen[bytes], timeout: float) -> int:
    """The child's exit code; it is killed past ``timeout``."""
    try:
        return child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        raise AssertionError(f"the batch did not finish within {timeout} s (a hang?)") from None


def check(batch: Batch, case: Case) -> Outcome:
    """Assert what every hostile input must give; returns the outcome for further checks."""
    outcome = batch.outcomes[case.id]
    where = f"case {case.id!r}: exit {outcome.code!r}, stderr {outcome.stderr[:600]!r}"
    assert outcome.code in case.expect, where
    assert "Traceback" not in outcome.stderr, where
    if outcome.code == 2:
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("depscan: error: "), where
        assert any(name in lines[0] for name in case.names), f"{where}: names none of {case.names}"
        if case.message is not None:
            assert case.message in lines[0], f"{where}: lacks {case.message!r}"
    state = (batch.sandbox / "state").resolve()
    for written in outcome.writes:
        assert Path(written).resolve().is_relative_to(state), f"{where}: wrote {written}"
    assert outcome.processes == [], f"{where}: started {outcome.processes}"
    return outcome
