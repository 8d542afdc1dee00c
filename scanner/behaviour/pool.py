"""Profiling many packages on every core: worker processes for the parser's CPU time.

A pull request that upgrades hundreds of packages spends its time inflating tarballs, in the
JavaScript parser and in the Python walk over each syntax tree, all of which hold the GIL (and
the parser must not be shared between threads anyway). Worker processes do not. They are started
with the ``forkserver`` method, never forked from the scanning process (which has download
threads running), receive each package as its verified tarball bytes, and send back a
:class:`Profiled` package: its profile plus the little the verdict reads besides (package.json
and the list of paths), so the scanning process never inflates a tarball itself. One package's
old and new version go to the same worker, so a file unchanged between the two is analysed once
(the content-hash memo is per process).

Profiles already in the on-disk cache are answered in the calling thread. With one CPU, or
little work, everything runs in the calling thread when its result is asked for: no process is
started.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from scanner.behaviour.model import PackageProfile
from scanner.errors import DepscanError
from scanner.memory_ceiling import OUT_OF_MEMORY
from scanner.tarball.archive import ArchiveFile, PackageArchive
from scanner.tarball.parallel import ForkedCall, can_fork

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


@dataclass(frozen=True, slots=True)
class Profiled:
    """A package read and profiled: what judging it needs, without its file contents."""

    subject: str
    profile: PackageProfile
    package_json: bytes | None
    paths: tuple[str, ...]

    def archive(self) -> PackageArchive:
        """A stand-in archive holding package.json and every path (other files empty), for
        the verdict's manifest notes."""
        files = {path: ArchiveFile(path, b"", 0o644) for path in self.paths}
        if self.package_json is not None:
            files["package.json"] = ArchiveFile("package.json", self.package_json, 0o644)
        return PackageArchive(self.subject, files)


@dataclass(frozen=True, slots=True)
class Failed:
    """Why a tarball could not be read (one line, naming the package)."""

    message: str


Outcome = tuple[Profiled, ...] | Failed


def _profiled(archive: PackageArchive, profile: PackageProfile) -> Profiled:
    entry = archive.files.get("package.json")
    return Profiled(
        archive.subject, profile, entry.data if entry else None, tuple(sorted(archive.files))
    )


def profile_tarballs(tarballs: Sequence[TarballToProfile], cache_root: str | None) -> Outcome:
    """Read and profile each tarball (in a worker process, or here)."""
    from scanner.behaviour.profile import cached_profile
    from scanner.tarball.archive import read_package

    root = Path(cache_root) if cache_root else None
    done: list[Profiled] = []
    try:
        for tarball in tarballs:
            archive = read_package(tarball.data, tarball.subject)
            done.append(_profiled(archive, cached_profile(archive, tarball.identity, root)))
    except DepscanError as exc:
        return Failed(exc.one_line())
    except MemoryError:
        return Failed(OUT_OF_MEMORY)
    return tuple(done)


class _Done:
    """An outcome already known."""

    def __init__(self, outcome: Outcome) -> None:
        self._outcome = outcome

    def result(self) -> Outcome:
        return self._outcome


class _Deferred:
    """An outcome computed in the calling thread when it is first asked for."""

    def __init__(self, tarballs: Sequence[TarballToProfile], cache_root: str | None) -> None:
        self._tarballs = tarballs
        self._cache_root = cache_root

    def result(self) -> Outcome:
        return profile_tarballs(self._tarballs, self._cache_root)


BACKGROUND_MIN_BYTES = 1024 * 1024
"""Tarball bytes from which profiling in a second process, beside other work, pays."""


class Background:
    """Profiling in one separate process while this one does something else (``depscan diff``
    profiles both versions while it computes the line diff). Started with ``forkserver`` and
    talked to over a pipe, so no thread is started here and this process may still fork."""

    def __init__(self, tarballs: Sequence[TarballToProfile], cache_root: str | None) -> None:
        context = multiprocessing.get_context("forkserver")
        self._tarballs = tuple(tarballs)
        self._cache_root = cache_root
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_profile_to_pipe, args=(self._tarballs, cache_root, send), daemon=True
        )
        self._process.start()
        send.close()

    def result(self) -> Outcome:
        """The outcome, computed here if the process died or sent nothing usable."""
        try:
            outcome = self._receive.recv()
        except (EOFError, OSError):
            outcome = None
        finally:
            self._receive.close()
            self._process.join()
        if isinstance(outcome, Failed) or (
            isinstance(outcome, tuple) and all(isinstance(p, Profiled) for p in outcome)
        ):
            return outcome
        return profile_tarballs(self._tarballs, self._cache_root)


def _profile_to_pipe(
    tarballs: Sequence[TarballToProfile], cache_root: str | None, send: Connection
) -> None:
    try:
        send.send(profile_tarballs(tarballs, cache_root))
    finally:
        send.close()


def profile_in_background(
    tarballs: Sequence[TarballToProfile], cache_root: Path | None
) -> Background | ForkedCall[Outcome] | _Deferred:
    """Profiles made beside the caller's own work when there are two CPUs and enough bytes
    (in a forked child when no other thread runs, which starts in milliseconds, else in a
    forkserver process), else made by the caller when it asks for the result."""
    root = str(cache_root) if cache_root else None
    size = sum(len(t.data) for t in tarballs)
    if (os.cpu_count() or 1) > 1 and size >= BACKGROUND_MIN_BYTES:
        if can_fork():
            return ForkedCall(profile_tarballs, tuple(tarballs), root)
        try:
            return Background(tarballs, root)
        except OSError:
            pass
    return _Deferred(tarballs, root)


PendingProfiles = Future[Outcome] | _Deferred | _Done | Background | ForkedCall[Outcome]
"""Profiles under way: ask ``result()`` (through :meth:`ProfilePool.resolve` for the pool's)."""


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
        """The profiled packages for ``tarballs``: from the cache when all are there (read
        here, so a warm scan starts no process), else from a worker, else computed when asked
        for."""
        if all(self._cache.get(t.identity) is not None for t in tarballs):
            return _Done(profile_tarballs(tarballs, self._cache_root))
        executor = self._workers()
        if executor is not None:
            try:
                return executor.submit(profile_tarballs, tuple(tarballs), self._cache_root)
            except (BrokenProcessPool, RuntimeError, OSError):
                self._give_up()
        return _Deferred(tuple(tarballs), self._cache_root)

    def resolve(self, pending: PendingProfiles, tarballs: Sequence[TarballToProfile]) -> Outcome:
        """The outcome, computed here if the worker that had it died (out of memory)."""
        try:
            return pending.result()
        except (BrokenProcessPool, OSError):
            self._give_up()
            return profile_tarballs(tarballs, self._cache_root)

    def _give_up(self) -> None:
        """A worker died or could not start: carry on in this process."""
        with self._lock:
            self._wanted = False
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProfilePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
