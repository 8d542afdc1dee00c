"""The registry client: package documents and tarballs over HTTP, cached, fetched in parallel.

Only the registry path imports this module, and ``requests`` loads with the first request. Every
answer the registry cannot give becomes an :class:`Unavailable` value with a short reason; tarballs
are the exception because nothing may read a tarball that was not verified, so they raise
:class:`TarballError`. HTTP itself (retries, deadline, redirects, credentials) is in
:mod:`scanner.registry.fetch`.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from scanner.errors import DepscanError, TarballError
from scanner.registry.cache import RegistryCache
from scanner.registry.deadline import (
    DEFAULT_REGISTRY_DEADLINE_SECONDS,
    DEFAULT_REQUEST_SECONDS,
    RETRY_AFTER_CAP_SECONDS,
    Deadline,
)
from scanner.registry.fetch import Failure, Fetcher, RetryPolicy
from scanner.registry.npmrc import NpmConfig
from scanner.registry.packument import Packument, Unavailable
from scanner.registry.progress import ProgressLine, progress_wanted
from scanner.registry.tarball_hash import expected_digest
from scanner.registry.trim import NotAPackument, packument_to_document, trim_packument
from scanner.registry.url import RegistryUrl, UrlRefused, parse_url
from scanner.untrusted import loads

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
DEFAULT_RETRIES = 3
# Bounds on what one answer may hold in memory; the largest real package documents are ~100 MB.
MAX_DOCUMENT_BYTES = 512 * 1024**2
MAX_TARBALL_BYTES = 256 * 1024**2
SIGNING_KEYS_PATH = "-/npm/v1/keys"

__all__ = ["RETRY_AFTER_CAP_SECONDS", "RegistryClient", "package_path"]

T = TypeVar("T")


def _sleep(seconds: float) -> None:
    # One indirection so tests can record back-off delays instead of waiting them out.
    time.sleep(seconds)


def package_path(name: str) -> str:
    """The URL path of a package document (``@scope/name`` -> ``@scope%2fname``, as npm sends)."""
    return quote(name, safe="@~'!()*").replace("%2F", "%2f")


class RegistryClient:
    """One scan's view of the registry: each package document is fetched at most once.

    Thread-safe. ``jobs`` bounds both the concurrent requests and the connection pool; retries
    (with exponential back-off, or the server's capped ``Retry-After``) cover 429, 5xx, timeouts
    and broken connections; nothing is fetched after the registry deadline.
    """

    def __init__(
        self,
        config: NpmConfig,
        *,
        cache_dir: Path | None,
        offline: bool = False,
        jobs: int = 16,
        timeout: float = 30.0,
        retries: int | None = None,
        progress: bool = False,
        deadline: float | None = DEFAULT_REGISTRY_DEADLINE_SECONDS,
        request_timeout: float | None = None,
    ) -> None:
        """``timeout`` bounds each socket wait; ``request_timeout`` a whole request (default: npm's
        ``fetch-timeout``, else 120 s; 0: no limit); ``deadline`` all registry work of this client
        from its creation (None: no deadline); ``retries`` defaults to npm's ``fetch-retries``,
        else 3."""
        self.config = config
        self.offline = offline
        self._jobs = max(1, jobs)
        if retries is None:
            retries = config.fetch_retries if config.fetch_retries is not None else DEFAULT_RETRIES
        if request_timeout is None:
            request_timeout = config.fetch_timeout
        if request_timeout is None:
            request_timeout = DEFAULT_REQUEST_SECONDS
        self._fetcher = Fetcher(
            config,
            jobs=self._jobs,
            socket_timeout=timeout,
            request_timeout=request_timeout,
            deadline=Deadline(deadline),
            # Read at construction, and _sleep through a lambda, so tests can shorten both.
            retry=RetryPolicy(
                max(0, retries), BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, lambda s: _sleep(s)
            ),
        )
        self._progress = progress
        self._cache = RegistryCache(cache_dir) if cache_dir is not None else None
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._documents: dict[str, Future[Packument | Unavailable]] = {}
        self._signing_keys: list[dict[str, Any]] | Unavailable | None = None

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def packuments(self, names: Iterable[str]) -> dict[str, Packument | Unavailable]:
        """Documents for ``names``, fetched concurrently; no name is fetched twice per client."""
        wanted: dict[str, Future[Packument | Unavailable]] = {}
        to_fetch: list[tuple[str, Future[Packument | Unavailable]]] = []
        with self._lock:
            for name in names:
                if name in wanted:
                    continue
                future = self._documents.get(name)
                if future is None:
                    future = Future()
                    self._documents[name] = future
                    to_fetch.append((name, future))
                wanted[name] = future

        enabled = progress_wanted(self._progress, sys.stderr, os.environ)
        progress = ProgressLine("registry: package documents", len(to_fetch), sys.stderr, enabled)
        if len(to_fetch) == 1 or self._jobs == 1:
            for name, future in to_fetch:
                self._settle(name, future, progress)
        elif to_fetch:
            executor = self._pool()
            for name, future in to_fetch:
                executor.submit(self._settle, name, future, progress)
        try:
            return {name: future.result() for name, future in wanted.items()}
        finally:
            progress.finish()

    def packument(self, name: str) -> Packument | Unavailable:
        return self.packuments([name])[name]

    def signing_keys(self) -> list[dict[str, Any]] | Unavailable:
        """The default registry's signing keys (the ``keys`` list of ``-/npm/v1/keys``)."""
        with self._lock:
            if self._signing_keys is not None:
                return self._signing_keys
        try:
            target = parse_url(self.config.registry + SIGNING_KEYS_PATH)
        except UrlRefused as exc:
            result: list[dict[str, Any]] | str = f"URL refused: {exc}"
        else:
            result = self._json_document(target, _parse_signing_keys, lambda keys: {"keys": keys})
        keys = result if isinstance(result, list) else Unavailable(SIGNING_KEYS_PATH, result)
        with self._lock:
            self._signing_keys = keys
        return keys

    def tarball(self, url: str, *, integrity: str | None, shasum: str | None, name: str) -> bytes:
        """The tarball's bytes, verified against ``integrity`` (else ``shasum``) before returning.

        Raises :class:`TarballError` (subject ``name``) on a hash mismatch, a missing hash, a URL
        that is refused (see :mod:`scanner.registry.url`), or a download that fails. Offline,
        only the cache is read.
        """
        try:
            target = parse_url(url)
        except UrlRefused as exc:
            raise TarballError(f"tarball URL refused: {exc}", subject=name) from None
        expected = expected_digest(integrity, shasum)
        if expected is None:
            raise TarballError(
                "no integrity hash or shasum to verify the tarball against", subject=name
            )
        if self._cache is not None:
            cached = self._cache.get_tarball(expected.cache_key)
            if cached is not None:
                if expected.matches(cached):
                    return cached
                self._cache.discard_tarball(expected.cache_key)
        if self.offline:
            raise TarballError("offline and the tarball is not in the cache", subject=name)

        reply = self._fetcher.get(target, {"Accept": "*/*"}, MAX_TARBALL_BYTES)
        if isinstance(reply, Failure):
            raise TarballError(f"download failed: {reply.reason}", subject=name)
        if reply.status != 200:
            reason = self._fetcher.status_reason(reply.status, target)
            raise TarballError(f"download failed: {reason}", subject=name)
        if not expected.matches(reply.body):
            shown = (integrity or shasum or "").split()[0][:100]
            raise TarballError(
                f"{expected.algorithm} integrity mismatch: expected {shown}, "
                f"got {expected.describe_actual(reply.body)}",
                subject=name,
            )
        if self._cache is not None:
            self._cache.put_tarball(expected.cache_key, reply.body)
        return reply.body

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self._fetcher.close()
        if self._cache is not None:
            self._cache.close()

    # -- internals ---------------------------------------------------------------------------

    def _settle(
        self, name: str, future: Future[Packument | Unavailable], progress: ProgressLine
    ) -> None:
        # Every future gets a value, whatever happens, or callers would wait on it forever.
        result: Packument | Unavailable = Unavailable(name, "fetch interrupted")
        try:
            result = self._fetch_packument(name)
        except Exception as exc:
            result = Unavailable(name, f"unexpected error: {type(exc).__name__}: {exc}")
        finally:
            future.set_result(result)
            progress.advance()

    def _fetch_packument(self, name: str) -> Packument | Unavailable:
        try:
            target = parse_url(self.config.registry_for(name) + package_path(name))
        except UrlRefused as exc:
            return Unavailable(name, f"URL refused: {exc}")
        result = self._json_document(
            target, lambda document: trim_packument(document, name), packument_to_document
        )
        return result if isinstance(result, Packument) else Unavailable(name, result)

    def _json_document(
        self, target: RegistryUrl, parse: Callable[[Any], T], to_cache: Callable[[T], Any]
    ) -> T | str:
        """Fetch, parse and cache a JSON document; a failure is returned as its reason.

        ``parse`` reads both registry answers and cached entries (they have the same shape),
        raising ``ValueError`` for JSON it cannot use. Cache entries are keyed by the canonical
        URL, which never holds credentials (the parser refuses userinfo).
        """
        key = target.url
        cached_entry = self._cache.get_document(key) if self._cache is not None else None
        cached: T | None = None
        if cached_entry is not None:
            try:
                cached = parse(cached_entry.document)
            except ValueError:
                cached_entry = None  # unreadable entry: fetch afresh
        if self.offline:
            return cached if cached is not None else "offline and not in cache"
        if (
            cached is not None
            and cached_entry is not None
            and cached_entry.fresh_until is not None
            and time.time() < cached_entry.fresh_until
        ):
            # Still fresh by the registry's own Cache-Control, as npm treats it: no request.
            return cached

        headers = {"Accept": "application/json"}
        if cached is not None and cached_entry is not None and cached_entry.etag:
            headers["If-None-Match"] = cached_entry.etag
        reply = self._fetcher.get(target, headers, MAX_DOCUMENT_BYTES)
        if isinstance(reply, Failure):
            return reply.reason
        fresh_until = time.time() + reply.max_age if reply.max_age else None
        if reply.status == 304 and cached is not None and cached_entry is not None:
            etag = reply.etag or cached_entry.etag
            # Rewriting an unchanged entry costs a database write per package on every scan.
            if self._cache is not None and (etag != cached_entry.etag or fresh_until):
                self._cache.put_document(key, etag, cached_entry.document, fresh_until)
            return cached
        if reply.status == 404:
            return "not found in registry (HTTP 404)"
        if reply.status != 200:
            return self._fetcher.status_reason(reply.status, target)

        etag = reply.etag
        try:
            document = loads(reply.body, subject=key)
        except DepscanError as exc:
            return f"registry answer is not valid JSON ({len(reply.body)} bytes; {exc.message})"
        del reply  # the raw body can be tens of MB; only the parsed, trimmed form is kept
        try:
            value = parse(document)
        except NotAPackument as exc:
            return str(exc)
        except ValueError as exc:
            return f"unexpected registry answer: {exc}"
        del document
        if self._cache is not None:
            self._cache.put_document(key, etag, to_cache(value), fresh_until)
        return value

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._jobs, thread_name_prefix="depscan-registry"
                )
            return self._executor


def _parse_signing_keys(document: Any) -> list[dict[str, Any]]:
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise ValueError("no `keys` list in the signing keys document")
    return keys
