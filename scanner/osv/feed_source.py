"""Where an advisory feed comes from: OSV's public npm export, a mirror of it, or local files.

Shapes a ``--source`` can take (docs/advisories.md):

* ``EXPORT``: a URL or folder laid out like OSV's per-ecosystem export: ``all.zip`` (every
  record), ``modified_id.csv`` (``<modified>,<ID>`` per record, newest first) and ``<ID>.json``
  (one record). Updates fetch only the records the CSV says changed.
* ``ARCHIVE``: a URL or file of one ``.zip``: re-imported whole when it changed (ETag or size and
  modification time).
* ``FOLDER``: a folder of OSV JSON records, any depth (an internal feed of one's own records):
  re-imported whole when any file changed.

A plain-``http`` URL is accepted only for a loopback host: the records decide what a scan calls
malicious, so anyone on the path could otherwise delete entries from the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from scanner.errors import AdvisoryError

DEFAULT_SOURCE = "https://osv-vulnerabilities.storage.googleapis.com/npm/"
"""OSV's public export of the npm ecosystem (google/osv.dev docs/data.md, "Data dumps")."""
ARCHIVE_NAME = "all.zip"
INDEX_NAME = "modified_id.csv"
MALICIOUS_PREFIX = "MAL-"
"""OpenSSF malicious-packages ids. OSV's npm export also holds ordinary vulnerabilities (GHSA
ids), which are not known-malicious packages, so a feed keeps only these unless told otherwise."""
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class FeedError(AdvisoryError):
    """An advisory feed that could not be read or updated; ``subject`` names the source."""

    def __reduce__(self) -> tuple[type[FeedError], tuple[str, str | None]]:
        # Raised in decoding worker processes too: keep the subject across the pickle.
        return (type(self), (self.message, self.subject))


class SourceKind(StrEnum):
    EXPORT = "export"
    ARCHIVE = "archive"
    FOLDER = "folder"


@dataclass(frozen=True, slots=True)
class FeedSource:
    location: str
    """The canonical URL (an export's ends with ``/``) or absolute path."""
    kind: SourceKind
    remote: bool

    @property
    def key(self) -> str:
        """A file-name-safe identity for the database of this source."""
        return hashlib.sha256(self.location.encode("utf-8")).hexdigest()[:20]

    def describe(self, name: str = "") -> str:
        """The source, or one of its files, as a person would type it."""
        if not name:
            return self.location
        if self.remote:
            return self.location + name
        return str(Path(self.location) / name)


def parse_source(text: str) -> FeedSource:
    """Classify a ``--source`` value; :class:`FeedError` when it cannot be a feed."""
    text = text.strip()
    if not text:
        raise FeedError("the advisory source is empty")
    if "://" in text:
        return _url_source(text)
    path = Path(text).expanduser().absolute()
    try:
        if path.is_dir():
            export = (path / ARCHIVE_NAME).is_file() or (path / INDEX_NAME).is_file()
            return FeedSource(str(path), SourceKind.EXPORT if export else SourceKind.FOLDER, False)
        if path.is_file():
            if path.suffix.lower() != ".zip":
                raise FeedError("expected a folder, a .zip archive or an http(s) URL", str(path))
            return FeedSource(str(path), SourceKind.ARCHIVE, False)
    except OSError as error:
        raise FeedError(f"cannot read the advisory source: {error.strerror}", str(path)) from None
    raise FeedError("advisory source does not exist", str(path))


def _url_source(text: str) -> FeedSource:
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise FeedError("an advisory source URL must be https:// (or http:// on loopback)", text)
    if scheme == "http" and parts.hostname not in _LOOPBACK:
        raise FeedError("refusing plain http for a remote advisory source: use https", text)
    if parts.username or parts.password:
        raise FeedError("an advisory source URL must not carry credentials", text)
    if parts.query or parts.fragment:
        raise FeedError("an advisory source URL must not have a query or fragment", text)
    if parts.path.lower().endswith(".zip"):
        return FeedSource(text, SourceKind.ARCHIVE, True)
    return FeedSource(text if text.endswith("/") else text + "/", SourceKind.EXPORT, True)
