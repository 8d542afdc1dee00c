"""A real HTTP server on 127.0.0.1 serving a folder laid out like OSV's per-ecosystem export.

``GET /npm/<file>`` answers the file under ``root`` with an ETag (``If-None-Match`` gets a 304);
a missing file is a 404. A test can make a path misbehave: ``hang`` (accept, then say nothing for
a while), ``truncate`` (promise the whole body, send half, close), or answer another status. Every
request's path and headers are recorded, so a test can assert what was (not) asked or sent.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

PREFIX = "/npm/"


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class ExportServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[Request] = []
        self.behaviour: dict[str, str] = {}
        """file name -> ``hang``, ``truncate`` or an HTTP status such as ``500``."""
        self.hang_seconds = 5.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"

    def __enter__(self) -> ExportServer:
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
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def names(self) -> list[str]:
        """The file names asked for, in order."""
        with self._lock:
            return [r.path.removeprefix(PREFIX) for r in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(Request(path, headers))


def _handler_for(server: ExportServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server._record(self.path, {k.lower(): v for k, v in self.headers.items()})
            name = self.path.removeprefix(PREFIX)
            behaviour = server.behaviour.get(name)
            if behaviour == "hang":
                server._stop.wait(server.hang_seconds)
                self.close_connection = True
                return
            if behaviour is not None and behaviour.isdigit():
                self._send(int(behaviour), b"planned failure\n")
                return
            path = server.root / name
            if not self.path.startswith(PREFIX) or "/" in name or not path.is_file():
                self._send(404, b"not found\n")
                return
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if behaviour == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                time.sleep(0.05)
                self.close_connection = True
                return
            self.wfile.write(body)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
