"""One registry GET: retries, the deadline, redirects, and the credentials each hop may carry.

The request goes to the canonical URL of the one parsed :class:`RegistryUrl` that the credential
lookup read (``transport.send`` refuses to send if requests would change it). Redirects are
followed here, not by requests, each ``Location`` parsed by the same strict parser; credentials
are attached only while the hop stays on the first URL's origin, and only as npm scopes them (see
:mod:`scanner.registry.credentials`). Every attempt runs under a guard that cuts it off when the
per-request limit or the registry deadline (:mod:`scanner.registry.deadline`) is reached.

requests is imported on first use, so an offline, cache-only scan never loads it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.registry.credentials import may_follow_with_credentials
from scanner.registry.deadline import Deadline, capped_retry_after, retry_after_seconds
from scanner.registry.npmrc import NpmConfig
from scanner.registry.url import RegistryUrl, UrlRefused

if TYPE_CHECKING:
    import requests

    from scanner.registry.transport import Watchdog

MAX_REDIRECTS = 5
_READ_CHUNK_BYTES = 256 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    etag: str | None
    body: bytes
    max_age: float | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    reason: str


@dataclass(frozen=True, slots=True)
class _Retry:
    """An attempt that failed in a way another attempt may not (429, 5xx, timeouts)."""

    reason: str
    retry_after: float | None = None


class _TooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int
    backoff_base: float
    backoff_cap: float
    sleep: Callable[[float], None]


class Fetcher:
    """GETs for one client: a pooled session, one watchdog, one deadline. Thread-safe."""

    def __init__(
        self,
        config: NpmConfig,
        *,
        jobs: int,
        socket_timeout: float,
        request_timeout: float,
        deadline: Deadline,
        retry: RetryPolicy,
    ) -> None:
        self._config = config
        self._jobs = jobs
        self._socket_timeout = socket_timeout
        self._request_timeout = request_timeout
        self._deadline = deadline
        self._retry = retry
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._watchdog: Watchdog | None = None

    def get(self, target: RegistryUrl, headers: dict[str, str], max_bytes: int) -> Reply | Failure:
        """GET ``target`` with retries, within the per-request limit and the registry deadline."""
        attempts = self._retry.retries + 1
        reason = "no attempt made"
        for attempt in range(1, attempts + 1):
            budget = self._deadline.request_budget(self._request_timeout)
            if budget <= 0:
                return Failure(self._after_deadline(reason, attempt))
            outcome = self._attempt(target, headers, max_bytes, budget)
            if not isinstance(outcome, _Retry):
                return outcome
            reason = outcome.reason
            if attempt == attempts:
                break
            delay = min(self._retry.backoff_cap, self._retry.backoff_base * 2 ** (attempt - 1))
            if outcome.retry_after is not None:
                delay = capped_retry_after(outcome.retry_after)
                if delay >= self._deadline.remaining():
                    return Failure(
                        f"{reason}; the registry asked to retry after "
                        f"{outcome.retry_after:g} s, past the {self._deadline.seconds:g} s "
                        "registry deadline"
                    )
            self._retry.sleep(min(delay, max(0.0, self._deadline.remaining())))
        suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
        return Failure(reason + suffix)

    def status_reason(self, status: int, target: RegistryUrl) -> str:
        if status in (401, 403):
            hint = self._config.withheld_reason(target) or "check the npm auth configuration"
            return f"registry refused access (HTTP {status}); {hint}"
        return f"registry answered HTTP {status}"

    def close(self) -> None:
        with self._lock:
            session, self._session = self._session, None
            watchdog, self._watchdog = self._watchdog, None
        if session is not None:
            session.close()
        if watchdog is not None:
            watchdog.stop()

    # -- internals ---------------------------------------------------------------------------

    def _after_deadline(self, reason: str, attempt: int) -> str:
        if attempt == 1:
            return self._deadline.passed_reason()
        return f"{reason}; then the {self._deadline.seconds:g} s registry deadline passed"

    def _attempt(
        self, target: RegistryUrl, headers: dict[str, str], max_bytes: int, budget: float
    ) -> Reply | Failure | _Retry:
        """One attempt: the request and its redirects, cut off at ``budget`` seconds."""
        import requests

        from scanner.registry.transport import AttemptGuard, UrlChanged, send

        session, watchdog = self._http()
        timeout = min(self._socket_timeout, budget)
        current = target
        with AttemptGuard(watchdog, budget) as guard:
            try:
                for _ in range(MAX_REDIRECTS + 1):
                    request_headers = dict(headers)
                    if may_follow_with_credentials(target, current):
                        authorization = self._config.auth_header_for(current)
                        if authorization is not None:
                            request_headers["Authorization"] = authorization
                    with send(session, current.url, request_headers, (timeout, timeout)) as answer:
                        status = answer.status_code
                        location = answer.headers.get("Location")
                        if status in _REDIRECT_STATUSES and location:
                            try:
                                current = current.resolve(location)
                            except UrlRefused as exc:
                                return Failure(f"redirect refused: {exc}")
                            continue
                        if status == 429 or status >= 500:
                            return _Retry(
                                self.status_reason(status, current),
                                retry_after_seconds(answer.headers.get("Retry-After")),
                            )
                        body = _read_body(answer, max_bytes)
                        if guard.expired:  # a body without a length ends when cut off
                            return self._cut_off(guard.seconds)
                        return Reply(
                            status,
                            answer.headers.get("ETag"),
                            body,
                            _max_age(answer.headers.get("Cache-Control")),
                        )
                return Failure(f"more than {MAX_REDIRECTS} redirects")
            except UrlChanged:
                return Failure("URL refused: the HTTP library would send a different URL")
            except _TooLarge:
                return Failure(f"answer larger than {max_bytes // 1024**2} MB")
            except requests.RequestException as exc:
                if guard.expired:
                    return self._cut_off(guard.seconds)
                return _request_failure(exc, self._socket_timeout)

    def _cut_off(self, seconds: float) -> _Retry | Failure:
        if self._deadline.remaining() <= 0:
            return Failure(f"cut off at the {self._deadline.seconds:g} s registry deadline")
        return _Retry(f"no complete answer within {seconds:g} s")

    def _http(self) -> tuple[requests.Session, Watchdog]:
        from scanner.registry.transport import Watchdog, new_session

        with self._lock:
            if self._session is None or self._watchdog is None:
                self._session = new_session(self._jobs)
                self._watchdog = Watchdog()
            return self._session, self._watchdog


def _request_failure(exc: Exception, timeout: float) -> _Retry | Failure:
    import requests

    if isinstance(exc, requests.Timeout):
        return _Retry(f"timed out after {timeout:g}s")
    if isinstance(
        exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    ):
        return _Retry("connection broken while reading the answer")
    if isinstance(exc, requests.ConnectionError):
        return _Retry("timed out" if "timed out" in str(exc).lower() else "connection failed")
    return Failure(f"request failed ({type(exc).__name__})")


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
