"""The registry client: package documents and tarballs over HTTP, cached, fetched in parallel.

Only the registry path imports this module (it imports ``requests``). Every answer the registry
cannot give becomes an :class:`Unavailable` value with a short reason; tarballs are the exception
because nothing may read a tarball that was not verified, so they raise :class:`TarballError`.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

from scanner import __version__
from scanner.errors import TarballError
from scanner.registry.cache import RegistryCache
from scanner.registry.npmrc import NpmConfig
from scanner.registry.packument import Packument, Unavailable
from scanner.registry.progress import ProgressLine, progress_wanted
from scanner.registry.tarball_hash import expected_digest
from scanner.registry.trim import NotAPackument, packument_to_document, trim_packument

if TYPE_CHECKING:
    import requests

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
RETRY_AFTER_CAP_SECONDS = 30.0
# Bounds on what one answer may hold in memory; the largest real package documents are ~100 MB.
MAX_DOCUMENT_BYTES = 512 * 1024**2
MAX_TARBALL_BYTES = 256 * 1024**2
SIGNING_KEYS_PATH = "-/npm/v1/keys"
_READ_CHUNK_BYTES = 256 * 1024

T = TypeVar("T")


def _sleep(seconds: float) -> None:
    # One indirection so tests can record back-off delays instead of waiting them out.
    time.sleep(seconds)


def package_path(name: str) -> str:
    """The URL path of a package document (``@scope/name`` -> ``@scope%2fname``, as npm sends)."""
    return quote(name, safe="@~'!()*").replace("%2F", "%2f")


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    etag: str | None
    body: bytes
    max_age: float | None = None


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str


class _TooLarge(Exception):
    pass


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An explicit no-op auth, so requests never adds ~/.netrc credentials npm would not send."""
    return request


class RegistryClient:
    """One scan's view of the registry: each package document is fetched at most once.

    Thread-safe. ``jobs`` bounds both the concurrent requests and the connection pool; retries
    (with exponential back-off, or the server's capped ``Retry-After``) cover 429, 5xx, timeouts
    and broken connections.
    """

    def __init__(
        self,
        config: NpmConfig,
        *,
        cache_dir: Path | None,
        offline: bool = False,
        jobs: int = 16,
        timeout: float = 30.0,
        retries: int = 3,
        progress: bool = False,
    ) -> None:
        self.config = config
        self.offline = offline
        self._jobs = max(1, jobs)
        self._timeout = timeout
        self._retries = max(0, retries)
        self._progress = progress
        self._cache = RegistryCache(cache_dir) if cache_dir is not None else None
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
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
        url = self.config.registry + SIGNING_KEYS_PATH
        result = self._json_document(url, _parse_signing_keys, lambda keys: {"keys": keys})
        keys = result if isinstance(result, list) else Unavailable(SIGNING_KEYS_PATH, result)
        with self._lock:
            self._signing_keys = keys
        return keys

    def tarball(self, url: str, *, integrity: str | None, shasum: str | None, name: str) -> bytes:
        """The tarball's bytes, verified against ``integrity`` (else ``shasum``) before returning.

        Raises :class:`TarballError` (subject ``name``) on a hash mismatch, a missing hash, or a
        download that fails. Offline, only the cache is read.
        """
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
        if urlsplit(url).scheme not in ("http", "https"):
            raise TarballError(f"tarball URL is not http(s): {url}", subject=name)

        reply = self._get(url, {"Accept": "*/*"}, MAX_TARBALL_BYTES)
        if isinstance(reply, _Failure):
            raise TarballError(f"download failed: {reply.reason}", subject=name)
        if reply.status != 200:
            raise TarballError(f"download failed: {_status_reason(reply.status)}", subject=name)
        if not expected.matches(reply.body):
            shown = (integrity or shasum or "").split()[0]
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
            session, self._session = self._session, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if session is not None:
            session.close()
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
        url = self.config.registry_for(name) + package_path(name)
        result = self._json_document(
            url, lambda document: trim_packument(document, name), packument_to_document
        )
        return result if isinstance(result, Packument) else Unavailable(name, result)

    def _json_document(
        self, url: str, parse: Callable[[Any], T], to_cache: Callable[[T], Any]
    ) -> T | str:
        """Fetch, parse and cache a JSON document; a failure is returned as its reason.

        ``parse`` reads both registry answers and cached entries (they have the same shape),
        raising ``ValueError`` for JSON it cannot use.
        """
        cached_entry = self._cache.get_document(url) if self._cache is not None else None
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
        reply = self._get(url, headers, MAX_DOCUMENT_BYTES)
        if isinstance(reply, _Failure):
            return reply.reason
        fresh_until = time.time() + reply.max_age if reply.max_age else None
        if reply.status == 304 and cached is not None and cached_entry is not None:
            etag = reply.etag or cached_entry.etag
            # Rewriting an unchanged entry costs a database write per package on every scan.
            if self._cache is not None and (etag != cached_entry.etag or fresh_until):
                self._cache.put_document(url, etag, cached_entry.document, fresh_until)
            return cached
        if reply.status == 404:
            return "not found in registry (HTTP 404)"
        if reply.status != 200:
            return _status_reason(reply.status)

        etag = reply.etag
        try:
            document = json.loads(reply.body)
        except (ValueError, UnicodeDecodeError):
            return f"registry answer is not valid JSON ({len(reply.body)} bytes; truncated?)"
        del reply  # the raw body can be tens of MB; only the parsed, trimmed form is kept
        try:
            value = parse(document)
        except NotAPackument as exc:
            return str(exc)
        except ValueError as exc:
            return f"unexpected registry answer: {exc}"
        del document
        if self._cache is not None:
            self._cache.put_document(url, etag, to_cache(value), fresh_until)
        return value

    def _get(self, url: str, headers: dict[str, str], max_bytes: int) -> _Reply | _Failure:
        request_headers = dict(headers)
        authorization = self.config.auth_header_for(url)
        if authorization is not None:
            request_headers["Authorization"] = authorization
        import requests  # here, not at the top: an offline, cache-only scan never needs it

        session = self._http()
        attempts = self._retries + 1
        reason = "no attempt made"
        for attempt in range(1, attempts + 1):
            delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
            try:
                with session.get(
                    url, headers=request_headers, timeout=self._timeout, stream=True
                ) as response:
                    status = response.status_code
                    if status == 429 or status >= 500:
                        reason = _status_reason(status)
                        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                        if retry_after is not None:
                            delay = retry_after
                    else:
                        body = _read_body(response, max_bytes)
                        return _Reply(
                            status,
                            response.headers.get("ETag"),
                            body,
                            _max_age(response.headers.get("Cache-Control")),
                        )
            except requests.Timeout:
                reason = f"timed out after {self._timeout:g}s"
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ):
                reason = "connection broken while reading the answer"
            except requests.ConnectionError as exc:
                reason = "timed out" if "timed out" in str(exc).lower() else "connection failed"
            except _TooLarge:
                return _Failure(f"answer larger than {max_bytes // 1024**2} MB")
            except requests.RequestException as exc:
                return _Failure(f"request failed ({type(exc).__name__})")
            if attempt < attempts:
                _sleep(delay)
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        return _Failure(reason + suffix)

    def _http(self) -> requests.Session:
        import requests
        from requests.adapters import HTTPAdapter

        with self._lock:
            if self._session is None:
                session = requests.Session()
                adapter = HTTPAdapter(
                    pool_connections=self._jobs, pool_maxsize=self._jobs, max_retries=0
                )
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                session.headers["User-Agent"] = f"depscan/{__version__}"
                session.auth = _no_netrc
                self._session = session
            return self._session

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._jobs, thread_name_prefix="depscan-registry"
                )
            return self._executor


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)


def _max_age(cache_control: str | None) -> float | None:
    """Seconds an answer may be reused without revalidation; None for no-cache/no-store."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-cache" in lowered or "no-store" in lowered:
        return None
    match = _MAX_AGE.search(lowered)
    return float(match.group(1)) if match and int(match.group(1)) > 0 else None


def _read_body(response: requests.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=_READ_CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return f"registry refused access (HTTP {status}); check the npm auth configuration"
    return f"registry answered HTTP {status}"


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date), capped; ``None`` if unusable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, RETRY_AFTER_CAP_SECONDS))


def _parse_signing_keys(document: Any) -> list[dict[str, Any]]:
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
        raise ValueError("no `keys` list in the signing keys document")
    return keys
