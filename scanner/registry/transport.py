"""The HTTP session under the registry client: no redirects of its own, no ~/.netrc, and a watchdog
that cuts off any request that outlives its time.

A socket read timeout bounds the wait for *each* read, not the request: a server that sends one
byte every few seconds never trips it. So each attempt runs under an :class:`AttemptGuard`; the
connections requests opens register their sockets with the guard of the thread that uses them
(``getresponse`` runs in that thread), and when the guard's time is up a single watchdog thread
shuts those sockets down, which ends any read blocked on them at once, whether it is reading the
status line, the headers or the body.

Imported only on the network path (it imports requests and urllib3).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import socket
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from scanner import __version__

_current = threading.local()
_LONGEST_WAIT_SECONDS = 3600.0


def _shut(sock: Any) -> None:
    # The plain socket's shutdown, even for TLS: SSLSocket.shutdown would also drop its TLS
    # state under the feet of the thread that is reading.
    with contextlib.suppress(OSError, TypeError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class AttemptGuard:
    """The time one attempt (redirects included) may take; ``expired`` tells if it was cut off."""

    def __init__(self, watchdog: Watchdog, seconds: float) -> None:
        self.expires_at = time.monotonic() + seconds
        self.seconds = seconds
        self.expired = False
        self._watchdog = watchdog
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        self._done = False

    def __enter__(self) -> AttemptGuard:
        _current.guard = self
        if math.isfinite(self.expires_at):  # no limit at all: nothing to watch for
            self._watchdog.add(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _current.guard = None
        with self._lock:
            self._done = True
            self._sockets.clear()
        self._watchdog.discard(self)

    def watch(self, sock: Any) -> None:
        with self._lock:
            if self._done:
                return
            if self.expired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


class Watchdog:
    """One thread that expires guards when their time is up; it runs only while some guard is
    active, so an idle client leaves no thread behind (a fork elsewhere needs a lone thread)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, AttemptGuard]] = []
        self._counter = itertools.count()
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def add(self, guard: AttemptGuard) -> None:
        with self._condition:
            heapq.heappush(self._heap, (guard.expires_at, next(self._counter), guard))
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(
                    target=self._run, name="depscan-registry-watchdog", daemon=True
                )
                self._thread.start()
            self._condition.notify()

    def discard(self, guard: AttemptGuard) -> None:
        with self._condition:
            self._heap = [entry for entry in self._heap if entry[2] is not guard]
            heapq.heapify(self._heap)
            self._condition.notify()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        with self._condition:
            while not self._stopped:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    _, _, guard = heapq.heappop(self._heap)
                    guard.expire()
                if not self._heap:
                    break
                self._condition.wait(min(self._heap[0][0] - now, _LONGEST_WAIT_SECONDS))
            self._thread = None


def _watch_current(sock: Any) -> None:
    guard: AttemptGuard | None = getattr(_current, "guard", None)
    if guard is not None and sock is not None:
        guard.watch(sock)


class _GuardedHTTPConnection(HTTPConnection):
    def getresponse(self) -> Any:
        _watch_current(self.sock)
        return super().getresponse()


class _GuardedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> Any:
        _watch_current(self.sock)
        return super().getresponse()


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_GUARDED_POOLS = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


class _GuardedAdapter(HTTPAdapter):
    """requests' adapter, with connection pools whose connections report their sockets."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_GUARDED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_GUARDED_POOLS)
        return manager


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An explicit no-op auth, so requests never adds ~/.netrc credentials npm would not send."""
    return request


class UrlChanged(Exception):
    """The HTTP library would send a different URL from the one depscan parsed."""


def new_session(connections: int) -> requests.Session:
    session = requests.Session()
    adapter = _GuardedAdapter(pool_connections=connections, pool_maxsize=connections, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = f"depscan/{__version__}"
    session.auth = _no_netrc
    return session


def send(
    session: requests.Session, url: str, headers: dict[str, str], timeout: tuple[float, float]
) -> requests.Response:
    """GET ``url`` exactly as given, streaming, without following redirects.

    Raises :class:`UrlChanged` before anything is sent when requests would rewrite the URL.
    """
    prepared = session.prepare_request(requests.Request("GET", url, headers=headers))
    if prepared.url != url:
        raise UrlChanged(prepared.url)
    settings = session.merge_environment_settings(prepared.url, {}, True, None, None)
    return session.send(prepared, allow_redirects=False, timeout=timeout, **settings)


__all__ = ["AttemptGuard", "UrlChanged", "Watchdog", "new_session", "send"]
