"""A real HTTP registry on 127.0.0.1 serving fixture files, for end-to-end tests and benchmarks.

Layout under ``root``:

- ``packuments/<name>.json`` (``packuments/@scope/name.json`` for scoped names) at ``GET /<name>``
  (scoped: ``/@scope%2fname`` and ``/@scope/name``);
- ``tarballs/<file>.tgz`` at ``GET /<name>/-/<file>.tgz``;
- ``keys.json`` at ``GET /-/npm/v1/keys``.

``{registry}`` in a JSON file is replaced with the server's base URL, so ``dist.tarball`` can point
back at the server. Answers carry an ETag and honour ``If-None-Match`` with 304.

Misbehaviour, per path, for tests of a hostile registry: :meth:`FixtureRegistry.fail` (a status,
with headers such as ``Retry-After``), :meth:`FixtureRegistry.redirect` (a 3xx to any
``Location``) and :meth:`FixtureRegistry.trickle` (the answer one byte at a time, optionally the
status line and headers too). Every request is recorded with its headers in ``received``; a
request sent to the server as a proxy (an absolute URL in the request line) is recorded with the
path of that URL and the ``Host`` header the client sent.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit


@dataclass
class _PlannedFailure:
    status: int
    remaining: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Trickle:
    seconds_per_byte: float
    headers_too: bool


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    """The path as sent (still percent-encoded), without the query string."""
    headers: dict[str, str]


class FixtureRegistry:
    def __init__(
        self, root: Path, latency: float = 0.0, cache_control: str | None = None
    ) -> None:
        self.root = root
        self.latency = latency
        self.cache_control = cache_control
        """Sent with every 200 and 304, as a registry's ``Cache-Control`` (None: not sent)."""
        self.requests: list[str] = []
        self.received: list[ReceivedRequest] = []
        self._failures: dict[str, _PlannedFailure] = {}
        self._redirects: dict[str, tuple[int, str]] = {}
        self._trickles: dict[str, _Trickle] = {}
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> FixtureRegistry:
        # A short poll interval keeps shutdown (and so each test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing.set()  # trickling answers stop at their next byte
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def fail(
        self,
        path: str,
        status: int = 500,
        times: int = 1,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests for ``path`` (decoded or as sent) with ``status``."""
        with self._lock:
            self._failures[unquote(path)] = _PlannedFailure(status, times, body, headers or {})

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Answer every request for ``path`` with ``status`` and ``Location: location``."""
        with self._lock:
            self._redirects[unquote(path)] = (status, location)

    def trickle(self, path: str, seconds_per_byte: float, headers_too: bool = False) -> None:
        """Send the answer for ``path`` one byte every ``seconds_per_byte`` (the body only, or the
        status line and headers as well), as a server that never quite times out would."""
        with self._lock:
            self._trickles[unquote(path)] = _Trickle(seconds_per_byte, headers_too)

    def count(self, path: str) -> int:
        """How many requests arrived for ``path`` (compared decoded)."""
        wanted = unquote(path)
        with self._lock:
            return sum(1 for p in self.requests if unquote(p) == wanted)

    # -- serving -----------------------------------------------------------------------------

    def _record(self, path: str, headers: dict[str, str]) -> _PlannedFailure | None:
        with self._lock:
            self.requests.append(path)
            self.received.append(ReceivedRequest(path, headers))
            planned = self._failures.get(unquote(path))
            if planned is None or planned.remaining <= 0:
                return None
            planned.remaining -= 1
            return planned

    def _resolve(self, decoded_path: str) -> tuple[Path, bool] | None:
        """The file for a decoded request path, and whether it is JSON (gets ``{registry}``)."""
        relative = decoded_path.lstrip("/")
        if relative == "-/npm/v1/keys":
            return self.root / "keys.json", True
        if "/-/" in relative:
            file_name = relative.rsplit("/-/", 1)[1]
            if "/" in file_name or not file_name.endswith(".tgz"):
                return None
            return self.root / "tarballs" / file_name, False
        return self.root / "packuments" / f"{relative}.json", True

    def _answer(self, decoded_path: str) -> tuple[bytes, str] | None:
        """Body and content type for a decoded request path; ``None`` when there is no file."""
        resolved = self._resolve(decoded_path)
        if resolved is None:
            return None
        path, is_json = resolved
        try:
            real = path.resolve()
        except OSError:
            return None
        if not real.is_relative_to(self.root.resolve()) or not real.is_file():
            return None
        data = real.read_bytes()
        if not is_json:
            return data, "application/octet-stream"
        return data.replace(b"{registry}", self.url.encode("ascii")), "application/json"


def _handler_for(registry: FixtureRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so clients can pool connections
        # Headers and body go out as separate writes; with Nagle on, the client's delayed ACK
        # would stall every answer by ~40 ms and swamp the latency the benchmark adds on purpose.
        disable_nagle_algorithm = True
        wbufsize = 64 * 1024

        def do_GET(self) -> None:
            raw_path = urlsplit(self.path).path
            planned = registry._record(raw_path, {k: v for k, v in self.headers.items()})
            if registry.latency:
                time.sleep(registry.latency)
            if planned is not None:
                self._send(planned.status, planned.body, "text/plain", planned.headers)
                return
            with registry._lock:
                redirect = registry._redirects.get(unquote(raw_path))
                trickle = registry._trickles.get(unquote(raw_path))
            if redirect is not None:
                self._send(redirect[0], b"", "text/plain", {"Location": redirect[1]})
                return
            if trickle is not None:
                self._trickle(trickle, registry._answer(unquote(raw_path)))
                return
            answer = registry._answer(unquote(raw_path))
            if answer is None:
                self._send(404, json.dumps({"error": "Not found"}).encode(), "application/json")
                return
            body, content_type = answer
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = {"ETag": etag}
            if registry.cache_control:
                headers["Cache-Control"] = registry.cache_control
            if etag in (self.headers.get("If-None-Match") or ""):
                self._send(304, b"", None, headers)
                return
            self._send(200, body, content_type, headers)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str | None,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            if content_type is not None:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def _trickle(self, trickle: _Trickle, answer: tuple[bytes, str] | None) -> None:
            body = answer[0] if answer is not None else b'{"error":"Not found"}'
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode("ascii")
            data = head + body
            try:
                if not trickle.headers_too:
                    self.wfile.write(head)
                    self.wfile.flush()
                    data = body
                for index in range(len(data)):
                    if registry._closing.wait(trickle.seconds_per_byte):
                        break
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
            except OSError:
                # The client gave up, as it should; what is still buffered goes nowhere.
                self.wfile = io.BytesIO()
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests read `registry.requests`; stderr noise helps no one

    return Handler


def write_packument(root: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` where :class:`FixtureRegistry` serves it (by its ``name``)."""
    path = root / "packuments" / f"{document['name']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def write_tarball(root: Path, file_name: str, data: bytes) -> Path:
    path = root / "tarballs" / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
