"""fork_map when the system refuses a child process (scanner/tarball/parallel.py)."""

from __future__ import annotations

import os

import pytest

from scanner.tarball import parallel


def test_a_refused_fork_falls_back_to_doing_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    opened = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    result = parallel.fork_map(lambda n: n * 2, [1, 2, 3, 4], [1, 1, 1, 1], min_bytes=0)
    assert result == [2, 4, 6, 8]
    if opened is not None:  # the pipe made for the child is closed again
        assert len(os.listdir("/proc/self/fd")) == opened
