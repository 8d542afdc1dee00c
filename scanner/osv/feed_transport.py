"""Fetching a feed's files, over HTTP or from a folder, with conditional requests and limits.

Both transports answer the same three ways: :class:`Fetched` (with the validator to send next
time), :class:`NotModified` (the validator still matches: an HTTP 304, or a file whose size,
modification time and inode are unchanged) or :class:`Missing` (404/410, or no such file).
Anything else is a :class:`~scanner.osv.feed_source.FeedError` naming the URL or file.

The HTTP session is depscan's own, never the registry client's: no npm token, no ``.netrc``
entry, no cookie is ever sent to an advisory source (``trust_env`` is off; proxies and a CA
bundle from the environment are still honoured, explicitly).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from scanner import __version__
from scanner.osv.feed_limits import FeedLimits, size_text
from scanner.osv.feed_source import FeedError, FeedSource, SourceKind
from scanner.osv.feed_store import Validator
from scanner.untrusted import read_file

if TYPE_CHECKING:
    import requests

_CHUNK = 256 * 1024


class TooLarge(FeedError):
    """A file over its size limit (a single record is skipped; an archive fails the update)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    validator: Validator
    data: bytes = b""
    path: Path | None = None
    """For :meth:`Transport.fetch_file`: where the content is."""
    temporary: bool = False
    """Whether ``path`` is a download the caller must delete."""


class NotModified:
    pass


class Missing:
    pass


FetchResult = Fetched | NotModified | Missing


class Transport(Protocol):
    def fetch(self, name: str, limit: int, validator: Validator | None = None) -> FetchResult:
        """A small file of the source (``modified_id.csv``, ``<ID>.json``) in memory."""
        ...

    def fetch_file(
        self, name: str, limit: int, work_dir: Path, validator: Validator | None = None
    ) -> FetchResult:
        """A large file (the archive) on disk: downloaded into ``work_dir``, or read in place."""
        ...

    def close(self) -> None: ...


def open_transport(source: FeedSource, limits: FeedLimits, deadline: float) -> Transport:
    if source.remote:
        return HttpTransport(source, limits, deadline)
    return LocalTransport(source)


class LocalTransport:
    """A folder laid out like the export, or one archive file (``ARCHIVE``: ``name`` ignored)."""

    def __init__(self, source: FeedSource) -> None:
        self._source = source

    def _path(self, name: str) -> Path:
        if self._source.kind is SourceKind.ARCHIVE:
            return Path(self._source.location)
        return Path(self._source.location) / name

    def _current(self, path: Path) -> tuple[Validator, int] | None:
        try:
            status = path.stat()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise FeedError(f"cannot read: {error.strerror}", str(path)) from None
        tag = f"{status.st_size}-{status.st_mtime_ns}-{status.st_ino}"
        return Validator(etag=tag), status.st_size

    def fetch(self, name: str, limit: int, validator: Validator | None = None) -> FetchResult:
        path = self._path(name)
        current = self._current(path)
        if current is None:
            return Missing()
        if validator is not None and validator == current[0]:
            return NotModified()
        if current[1] > limit:
            raise TooLarge(f"is larger than the {size_text(limit)} limit", str(path))
        return Fetched(current[0], data=read_file(path, max_bytes=limit, error=FeedError))

    def fetch_file(
        self, name: str, limit: int, work_dir: Path, validator: Validator | None = None
    ) -> FetchResult:
        path = self._path(name)
        current = self._current(path)
        if current is None:
            return Missing()
        if validator is not None and validator == current[0]:
            return NotModified()
        if current[1] > limit:
            raise TooLarge(f"is larger than the {size_text(limit)} limit", str(path))
        return Fetched(current[0], path=path)

    def close(self) -> None:
        pass


class HttpTransport:
    def __init__(self, source: FeedSource, limits: FeedLimits, deadline: float) -> None:
        import requests  # only updates pay for requests
        from requests.adapters import HTTPAdapter

        self._source = source
        self._limits = limits
        self._deadline = deadline
        self._requests = requests
        session = requests.Session()
        session.trust_env = False
        session.max_redirects = 5
        session.headers["User-Agent"] = f"depscan/{__version__} (advisory database update)"
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(limits.fetch_workers, 1))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session
        self._proxies = requests.utils.get_environ_proxies(source.location)
        self._verify: bool | str = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )

    def _url(self, name: str) -> str:
        if self._source.kind is SourceKind.ARCHIVE:
            return self._source.location
        return self._source.location + name

    def fetch(self, name: str, limit: int, validator: Validator | None = None) -> FetchResult:
        url = self._url(name)
        with self._get(url, validator) as response:
            outcome = self._status(response, url, validator, limit)
            if outcome is not None:
                return outcome
            data = b"".join(self._chunks(response, url, limit))
        return Fetched(_validator_of(response), data=data)

    def fetch_file(
        self, name: str, limit: int, work_dir: Path, validator: Validator | None = None
    ) -> FetchResult:
        url = self._url(name)
        with self._get(url, validator) as response:
            outcome = self._status(response, url, validator, limit)
            if outcome is not None:
                return outcome
            import tempfile

            work_dir.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(dir=work_dir, prefix=".download-", suffix=".zip")
            try:
                with os.fdopen(handle, "wb") as out:
                    for chunk in self._chunks(response, url, limit):
                        out.write(chunk)
            except BaseException:
                os.unlink(temp_name)
                raise
        return Fetched(_validator_of(response), path=Path(temp_name), temporary=True)

    def close(self) -> None:
        self._session.close()

    def _get(self, url: str, validator: Validator | None) -> requests.Response:
        headers = {}
        if validator is not None:
            if validator.etag:
                headers["If-None-Match"] = validator.etag
            if validator.last_modified:
                headers["If-Modified-Since"] = validator.last_modified
        timeout = self._limits.timeout
        try:
            return self._session.get(
                url,
                headers=headers,
                stream=True,
                timeout=(timeout, timeout),
                proxies=self._proxies,
                verify=self._verify,
            )
        except self._requests.Timeout:
            raise FeedError(f"no answer within {timeout:g} s", url) from None
        except self._requests.RequestException as error:
            raise FeedError(f"cannot reach the advisory source ({_short(error)})", url) from None

    def _status(
        self, response: requests.Response, url: str, validator: Validator | None, limit: int
    ) -> FetchResult | None:
        final = urlsplit(response.url)
        if urlsplit(url).scheme == "https" and final.scheme != "https":
            raise FeedError(f"redirected to a non-https URL ({response.url[:200]})", url)
        if response.status_code == 304 and validator is not None:
            return NotModified()
        if response.status_code in (404, 410):
            return Missing()
        if response.status_code != 200:
            raise FeedError(f"HTTP {response.status_code} {response.reason or ''}".strip(), url)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(
                f"is larger than the {size_text(limit)} limit ({int(declared):,} bytes)", url
            )
        return None

    def _chunks(self, response: requests.Response, url: str, limit: int) -> Iterator[bytes]:
        received = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                received += len(chunk)
                if received > limit:
                    raise TooLarge(f"is larger than the {size_text(limit)} limit", url)
                if time.monotonic() > self._deadline:
                    raise FeedError("download took longer than the update's time limit", url)
                yield chunk
        except self._requests.RequestException as error:
            raise FeedError(f"download interrupted ({_short(error)})", url) from None


def _validator_of(response: requests.Response) -> Validator:
    return Validator(response.headers.get("ETag"), response.headers.get("Last-Modified"))


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:200] if text else type(error).__name__


