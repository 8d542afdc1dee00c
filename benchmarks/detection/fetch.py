"""Filling the benchmark's cache from the registry npm is configured with (never a fixed host).

Package documents come through depscan's own registry client (npm's configuration, retries,
bounded concurrency, trimming); tarballs too, verified against the document's hash before they
are stored. Only this module touches the network.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.detection.store import Store
from scanner.errors import DepscanError
from scanner.registry.packument import Packument, Unavailable

if TYPE_CHECKING:
    from scanner.registry.client import RegistryClient


def open_client(store: Store, jobs: int = 16) -> RegistryClient:
    from scanner.registry.client import RegistryClient
    from scanner.registry.npmrc import resolve_npm_config

    config = resolve_npm_config(
        Path.cwd(), None, os.environ, default_cache=store.root / "npm-default-registry.json"
    )
    # No client-side cache: the benchmark keeps its own, which is never evicted.
    return RegistryClient(config, cache_dir=None, jobs=jobs, progress=sys.stderr.isatty())


@dataclass(frozen=True, slots=True)
class Wanted:
    """A tarball to have in the store."""

    subject: str
    name: str
    version: str
    integrity: str | None
    shasum: str | None


class Fetcher:
    """Documents and tarballs, from the store when there, else from the registry (and stored)."""

    def __init__(self, store: Store, client: RegistryClient | None, *, refresh: bool = False):
        self.store = store
        self.client = client
        self.refresh = refresh
        self._seen: set[str] = set()

    def packument(self, name: str) -> Packument | None:
        if not (self.refresh and name not in self._seen):
            cached = self.store.packument(name)
            if cached is not None:
                return cached
        if self.client is None:
            return None
        found = self.client.packument(name)
        self._seen.add(name)
        if isinstance(found, Unavailable):
            return None
        self.store.put_packument(found)
        return found

    def packuments(self, names: Iterable[str]) -> None:
        """Prefetch many documents concurrently (the client fetches them in parallel)."""
        missing = sorted({n for n in names if self.refresh or not self.store.has_packument(n)})
        if not missing or self.client is None:
            return
        for name, found in self.client.packuments(missing).items():
            self._seen.add(name)
            if not isinstance(found, Unavailable):
                self.store.put_packument(found)

    def _hashes(self, item: Wanted) -> tuple[str | None, str | None]:
        if item.integrity or item.shasum:
            return item.integrity, item.shasum
        document = self.store.packument(item.name)
        info = document.versions.get(item.version) if document else None
        return (info.integrity, info.shasum) if info else (None, None)

    def tarballs(
        self, wanted: Iterable[Wanted], jobs: int = 8, progress: Callable[[str], None] | None = None
    ) -> dict[str, str]:
        """Fetch what the store lacks; returns subject -> reason for each tarball not had.

        A ``Wanted`` without hashes takes the registry document's (PR lockfiles may record only
        a sha1, or nothing).
        """
        missing = [w for w in wanted if not self.store.has_tarball(*self._hashes(w))]
        failures: dict[str, str] = {}
        if not missing:
            return failures
        if self.client is None:
            return {w.subject: "offline and not in the benchmark cache" for w in missing}
        client = self.client

        def one(item: Wanted) -> tuple[str, str | None]:
            document = self.packument(item.name)
            info = document.versions.get(item.version) if document else None
            if info is None or not info.tarball:
                return item.subject, "the registry has no tarball for this version"
            recorded = (item.integrity, item.shasum)
            if any(recorded) and recorded != (info.integrity, info.shasum):
                return item.subject, "the registry's hash differs from the recorded sample"
            try:
                data = client.tarball(
                    info.tarball, integrity=info.integrity, shasum=info.shasum, name=item.subject
                )
            except DepscanError as exc:
                return item.subject, exc.one_line()
            self.store.put_tarball(info.integrity, info.shasum, data)
            return item.subject, None

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for done, (subject, error) in enumerate(pool.map(one, missing), start=1):
                if error is not None:
                    failures[subject] = error
                if progress is not None and (done % 25 == 0 or done == len(missing)):
                    progress(f"tarballs {done}/{len(missing)}")
        return failures
