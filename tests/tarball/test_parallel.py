from __future__ import annotations

import os

import pytest

import scanner.tarball.parallel as parallel
from scanner.tarball.compare import diff_packages
from scanner.tarball.parallel import can_fork, fork_map, split_by_weight
from scanner.tarball.render import render_text

from .builders import package

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork, one core, or threads running")


def test_split_by_weight_balances_and_keeps_order() -> None:
    first, second = split_by_weight([10, 1, 9, 2, 8])
    assert sorted(first + second) == [0, 1, 2, 3, 4]
    assert first == sorted(first) and second == sorted(second)
    weights = [10, 1, 9, 2, 8]
    # Greedy by weight: the halves differ by at most the heaviest item.
    assert abs(sum(weights[i] for i in first) - sum(weights[i] for i in second)) <= max(weights)
    assert split_by_weight([5, 5]) == ([0], [1])


def test_small_work_stays_in_process() -> None:
    parent = os.getpid()
    assert fork_map(lambda _: os.getpid(), [1, 2, 3], [1, 1, 1]) == [parent] * 3


@needs_fork
def test_large_work_is_shared_with_a_child_and_results_keep_their_order() -> None:
    parent = os.getpid()
    results = fork_map(lambda x: (x * x, os.getpid()), list(range(6)), [5] * 6, min_bytes=0)
    assert [square for square, _ in results] == [0, 1, 4, 9, 16, 25]
    pids = {pid for _, pid in results}
    assert parent in pids and len(pids) == 2


@needs_fork
def test_a_failing_child_is_made_up_for_in_process() -> None:
    parent = os.getpid()

    def only_in_parent(x: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return x + 1

    assert fork_map(only_in_parent, [1, 2, 3, 4], [1, 1, 1, 1], min_bytes=0) == [2, 3, 4, 5]


@needs_fork
def test_parallel_and_serial_diffs_are_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    def bundle(seed: int) -> str:
        return "".join(f"function f{(i * seed) % 997}() {{ return {i}; }}\n" for i in range(3000))

    old = package("p", "1.0.0", {f"lib/{n}.js": bundle(n + 3) for n in range(4)})
    new_files = {f"lib/{n}.js": bundle(n + 5) + "require('child_process');\n" for n in range(4)}
    new = package("p", "1.0.1", new_files)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    forked = diff_packages(old, new)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 10**12)
    serial = diff_packages(old, new)
    assert render_text(forked) == render_text(serial)
    assert [f.blocks for f in forked.files] == [f.blocks for f in serial.files]
