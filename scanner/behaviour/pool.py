"""Profiling many packages on every core: worker processes for the parser's CPU time.

A pull request that upgrades hundreds of packages spends its time in the JavaScript parser and
in the Python walk over each syntax tree, and both hold the GIL: threads would not help, and
the parser must not be shared between threads anyway. Worker processes do. They are started with
the ``forkserver`` method, never forked from the scanning process (which has download threads
running), receive each package as its verified tarball bytes, and send back profiles, which are
small. One package's old and new version go to the same worker, so a file unchanged between the
two is analysed once there (the content-hash memo is per process).

With one CPU, or little work, everything runs in the calling thread when its result is asked
for: no process is started.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from scanner.behaviour.model import PackageProfile

MIN_PACKAGES = 8
"""Fewer packages than this are profiled in the calling process: starting workers costs about
0.3 s, which only pays back over several packages."""


@dataclass(frozen=True, slots=True)
class TarballToProfile:
    subject: str
    """``name@version``, for messages."""
    data: bytes
    """The tarball, already verified against ``identity``."""
    identity: str | None
    """The integrity hash that names these bytes (the profile cache's key)."""


def profile_tarballs(
    tarballs: Sequence[TarballToProfile], cache_root: str | None
) -> tuple[PackageProfile, ...]:
    """Read and profile each tarball (in a worker process, or here)."""
    from scanner.behaviour.profile import cached_profile
    from scanner.tarball.archive import read_package

    root = Path(cache_root) if cache_root else None
    return tuple(
        cached_profile(read_package(t.data, t.subject), t.identity, root) for t in tarballs
    )


class _Ready:
    """Profiles already known (read from the cache)."""

    def __init__(self, profiles: tuple[PackageProfile, ...]) -> None:
        self._profiles = profiles

    def result(self) -> tuple[PackageProfile, ...]:
        return self._profiles


class _Deferred:
    """A result computed in the calling thread when it is first asked for."""

    def __init__(self, tarballs: Sequence[TarballToProfile], cache_root: str | None) -> None:
        self._tarballs = tarballs
        self._cache_root = cache_root

    def result(self) -> tuple[PackageProfile, ...]:
        return profile_tarballs(self._tarballs, self._cache_root)


PendingProfiles = Future[tuple[PackageProfile, ...]] | _Deferred | _Ready
"""What :meth:`ProfilePool.submit` returns: ask it for ``result()``, through ``resolve``."""


class ProfilePool:
    """Hands packages to worker processes when that pays; see the module docstring."""

    def __init__(self, cache_root: Path | None, packages: int, processes: int | None = None):
        from scanner.behaviour.cache import ProfileCache

        cpus = os.cpu_count() or 1
        self._processes = min(cpus, 4) if processes is None else processes
        self._wanted = self._processes > 1 and packages >= MIN_PACKAGES
        self._cache_root = str(cache_root) if cache_root else None
        self._cache = ProfileCache(cache_root)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _workers(self) -> ProcessPoolExecutor | None:
        """The worker processes, started on the first package the cache does not have."""
        with self._lock:
            if self._executor is None and self._wanted:
                context = multiprocessing.get_context("forkserver")
                self._executor = ProcessPoolExecutor(
                    max_workers=self._processes, mp_context=context
                )
            return self._executor

    def submit(self, tarballs: Sequence[TarballToProfile]) -> PendingProfiles:
        """Profiles for ``tarballs``: from the cache when all are there (checked here, so a warm
        scan starts no process), else from a worker, else computed when asked for."""
        cached = [self._cache.get(t.identity) for t in tarballs]
        if all(p is not None for p in cached):
            return _Ready(tuple(p for p in cached if p is not None))
        executor = self._workers()
        if executor is not None:
            try:
                return executor.submit(profile_tarballs, tuple(tarballs), self._cache_root)
            except (BrokenProcessPool, RuntimeError, OSError):
                self._give_up()
        return _Deferred(tuple(tarballs), self._cache_root)

    def resolve(
        self, pending: PendingProfiles, tarballs: Sequence[TarballToProfile]
    ) -> tuple[PackageProfile, ...]:
        """The profiles, computed here if the worker that had them died (out of memory)."""
        try:
            return pending.result()
        except (BrokenProcessPool, OSError):
            self._give_up()
            return profile_tarballs(tarballs, self._cache_root)

    def _give_up(self) -> None:
        """A worker died (out of memory) or could not start: carry on in this process."""
        with self._lock:
            self._wanted = False
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ProfilePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
