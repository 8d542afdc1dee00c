"""Run many depscan command lines in this one process, through the CLI's real entry point.

Started by :mod:`tests.hostile.cli_batch` as ``python cli_worker.py JOB.json``. For each case it
sets ``sys.argv`` and the working folder, calls :func:`scanner.cli.main` (the console script's
entry point, so the memory ceiling is applied exactly as for a user), and records the exit code,
stdout and stderr. An audit hook records every file opened for writing, every rename, removal,
folder creation and SQLite database, and every process started, so the parent can check that
nothing was written outside the sandbox and nothing was run. Results go to a JSON file, since
stdout belongs to the cases.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

STDOUT_KEPT = 20_000
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PATH_EVENTS = ("os.rename", "os.replace", "os.remove", "os.rmdir", "os.mkdir", "os.symlink",
                "os.link", "os.truncate", "shutil.copyfile", "shutil.rmtree", "sqlite3.connect")


class _Recorder:
    def __init__(self) -> None:
        self.writes: list[str] = []
        self.processes: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and isinstance(path, str | bytes | os.PathLike):
                self.writes.append(_absolute(path))
        elif event in _PATH_EVENTS:
            for arg in args[:2]:
                if isinstance(arg, str | bytes | os.PathLike) and str(arg) != ":memory:":
                    self.writes.append(_absolute(arg))
        elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.fork"):
            self.processes.append(f"{event} {args[:2]!r}"[:300])


def peak_rss_mb() -> int:
    """This process's own peak resident set (VmHWM of its memory map since exec).

    Not getrusage's ru_maxrss, nor wait4's: Linux carries the resident set the process had
    before exec into those, so a child of a large pytest process would report pytest's size.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # pragma: no cover


def _absolute(path: str | bytes | os.PathLike[Any]) -> str:
    text = os.fsdecode(path)
    return os.path.abspath(text)


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    recorder = _Recorder()
    sys.addaudithook(recorder)
    from scanner.cli import main as depscan_main

    results = []
    for case in job["cases"]:
        out, err = io.StringIO(), io.StringIO()
        os.chdir(case["cwd"])
        sys.argv = ["depscan", *case["argv"]]
        saved = {name: os.environ.get(name) for name in case.get("env", {})}
        os.environ.update(case.get("env", {}))
        print(f"case {case['id']}", flush=True)  # the parent names it if the batch hangs
        writes_before, processes_before = len(recorder.writes), len(recorder.processes)
        started = time.perf_counter()
        code: object = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                depscan_main()
                code = 0
            except SystemExit as stop:
                code = stop.code if stop.code is not None else 0
            except BaseException as exc:
                code = f"escaped main(): {type(exc).__name__}: {exc}"[:500]
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        results.append(
            {
                "id": case["id"],
                "code": code,
                "stdout_chars": len(out.getvalue()),
                "stdout_head": out.getvalue()[:STDOUT_KEPT],
                "stderr": err.getvalue()[:4000],
                "seconds": round(time.perf_counter() - started, 3),
                "max_rss_mb": peak_rss_mb(),
                "writes": recorder.writes[writes_before:],
                "processes": recorder.processes[processes_before:],
            }
        )
    Path(job["results"]).write_text(
        json.dumps({"peak_rss_mb": peak_rss_mb(), "cases": results}), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
