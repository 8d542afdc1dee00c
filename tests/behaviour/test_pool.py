"""Profiling in worker processes gives what profiling here gives (scanner/behaviour/pool.py)."""

from __future__ import annotations

from pathlib import Path

from scanner.behaviour.pool import MIN_PACKAGES, ProfilePool, TarballToProfile, profile_tarballs
from tests.tarball.builders import package


def _tarballs() -> list[TarballToProfile]:
    return [
        TarballToProfile(
            f"pkg{n}@1.0.0",
            package(
                f"pkg{n}",
                "1.0.0",
                {
                    "index.js": f"const cp = require('child_process');\nfetch('https://x.example/{n}');\n"
                },
            ),
            None,
        )
        for n in range(MIN_PACKAGES)
    ]


def test_worker_processes_and_the_calling_process_agree(tmp_path: Path) -> None:
    tarballs = _tarballs()
    here = [profile_tarballs([t], None) for t in tarballs]
    with ProfilePool(None, len(tarballs), processes=2) as pool:
        pending = [pool.submit([t]) for t in tarballs]
        there = [pool.resolve(p, [t]) for p, t in zip(pending, tarballs, strict=True)]
    assert [p[0].files for p in there] == [p[0].files for p in here]
    assert {s.capability.value for s in there[0][0].signals()} == {"process-spawn", "network"}


def test_few_packages_or_one_cpu_start_no_process() -> None:
    tarballs = _tarballs()
    with ProfilePool(None, MIN_PACKAGES - 1) as pool:
        pool.submit(tarballs[:1])
        assert pool._executor is None
    with ProfilePool(None, 100, processes=1) as pool:
        pool.submit(tarballs[:1])
        assert pool._executor is None


def test_a_warm_cache_answers_without_workers(tmp_path: Path) -> None:
    tarballs = [
        TarballToProfile(t.subject, t.data, f"sha512-fake{n}") for n, t in enumerate(_tarballs())
    ]
    profile_tarballs(tarballs, str(tmp_path))  # fills the cache
    with ProfilePool(tmp_path, len(tarballs), processes=2) as pool:
        results = [pool.resolve(pool.submit([t]), [t]) for t in tarballs]
        assert pool._executor is None
    assert len(results) == len(tarballs)
