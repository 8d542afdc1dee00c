"""Profiling in worker processes gives what profiling here gives (scanner/behaviour/pool.py)."""

from __future__ import annotations

from pathlib import Path

from scanner.behaviour.pool import (
    MIN_PACKAGES,
    Failed,
    Outcome,
    Profiled,
    ProfilePool,
    TarballToProfile,
    profile_tarballs,
)
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


def _one(outcome: Outcome) -> Profiled:
    assert not isinstance(outcome, Failed)
    (profiled,) = outcome
    return profiled


def test_worker_processes_and_the_calling_process_agree(tmp_path: Path) -> None:
    tarballs = _tarballs()
    here = [_one(profile_tarballs([t], None)) for t in tarballs]
    with ProfilePool(None, len(tarballs), processes=2) as pool:
        pending = [pool.submit([t]) for t in tarballs]
        there = [_one(pool.resolve(p, [t])) for p, t in zip(pending, tarballs, strict=True)]
    assert [p.profile.files for p in there] == [p.profile.files for p in here]
    assert {s.capability.value for s in there[0].profile.signals()} == {
        "process-spawn",
        "network",
    }
    # What judging reads besides the profile comes back too, without the file contents.
    archive = there[0].archive()
    assert archive.manifest() == {"name": "pkg0", "version": "1.0.0"}
    assert archive.files["index.js"].data == b""


def test_an_unreadable_tarball_is_a_failure_naming_the_package() -> None:
    broken = TarballToProfile("bad@1.0.0", b"\x1f\x8b not really gzip", None)
    outcome = profile_tarballs([broken], None)
    assert isinstance(outcome, Failed) and outcome.message.startswith("bad@1.0.0:")


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
