"""Splitting a large diff over two processes, when that is safe.

The line diff and the risk scan are pure functions of bytes already in memory, so a forked child
can take half the files and send back small results (edit blocks, notes) through a pipe while the
parent does the other half. Forking is used only where it is safe and worth it: a POSIX system
with more than one usable core, no other thread alive in this process (a fork would copy locks
another thread might hold), and enough work to pay for the fork. Otherwise, and whenever the
child fails, everything runs in this process; the results are the same either way.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar, cast

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this much input the fork (a few ms) costs more than it saves.
MIN_PARALLEL_BYTES = 4 * 1024 * 1024


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1 and _usable_cores() > 1


def split_by_weight(weights: Sequence[int]) -> tuple[list[int], list[int]]:
    """Indexes for two halves of about equal total weight (heaviest first, greedy)."""
    halves: tuple[list[int], list[int]] = ([], [])
    totals = [0, 0]
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        lighter = 0 if totals[0] <= totals[1] else 1
        halves[lighter].append(index)
        totals[lighter] += weights[index]
    return sorted(halves[0]), sorted(halves[1])


class ForkedCall(Generic[Result]):
    """``function(*args)`` running in a forked child; :meth:`result` collects it (or computes
    it here, if the child failed or could not be started)."""

    def __init__(self, function: Callable[..., Result], *args: object) -> None:
        self._function = function
        self._args = args
        self._pid: int | None = None
        self._read_end: int | None = None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or process slot for a child: do it here, only slower
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # pragma: no cover - runs in the child, which leaves through os._exit
            os.close(read_end)
            status = 0
            try:
                payload = pickle.dumps(function(*args), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
            except BaseException:
                status = 1
            os._exit(status)
        os.close(write_end)
        self._pid, self._read_end = pid, read_end

    def result(self) -> Result:
        if self._pid is None or self._read_end is None:
            return self._function(*self._args)
        with os.fdopen(self._read_end, "rb") as pipe:
            payload = pipe.read()
        _, wait_status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.waitstatus_to_exitcode(wait_status) == 0:
            try:
                return cast(Result, pickle.loads(payload))
            except (pickle.UnpicklingError, EOFError, ValueError):
                pass
        return self._function(*self._args)  # the child failed: do it here


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    weights: Sequence[int],
    *,
    min_bytes: int | None = None,
) -> list[Result]:
    """``[function(item) for item in items]``, with about half the weight done in a child.

    ``min_bytes`` (default :data:`MIN_PARALLEL_BYTES`) is the total weight below which
    everything stays in this process.
    """
    threshold = MIN_PARALLEL_BYTES if min_bytes is None else min_bytes
    if len(items) < 2 or sum(weights) < threshold or not can_fork():
        return [function(item) for item in items]
    mine, theirs = split_by_weight(weights)
    if not theirs:
        return [function(item) for item in items]
    child = ForkedCall(_map, function, [items[i] for i in theirs])
    results: dict[int, Result] = {i: function(items[i]) for i in mine}
    child_results = child.result()
    if len(child_results) != len(theirs):
        child_results = _map(function, [items[i] for i in theirs])
    results.update(zip(theirs, child_results, strict=True))
    return [results[i] for i in range(len(items))]


def _map(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    return [function(item) for item in items]
