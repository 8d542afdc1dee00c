"""The on-disk registry cache: trimmed package documents with their ETag, and tarballs by hash.

Documents are stored as JSON text (never pickle), in their trimmed form only; tarballs as raw bytes
keyed by the integrity hash they were verified against, so a cached tarball is only ever found
again under the hash it matched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache

# Bump when the trimmed document form changes, so old entries are not read with new code.
CACHE_FORMAT = "registry-v1"
SIZE_LIMIT_BYTES = 2 * 1024**3


@dataclass(frozen=True, slots=True)
class CachedDocument:
    etag: str | None
    document: Any
    """The JSON value as stored: a trimmed package document, or the signing-keys answer."""
    fresh_until: float | None = None
    """Epoch seconds until which the registry said the answer may be reused without asking
    (``Cache-Control: max-age``); None when it must be revalidated every time."""


class RegistryCache:
    """Thread-safe (diskcache uses one SQLite connection per thread)."""

    def __init__(self, cache_dir: Path) -> None:
        self.directory = cache_dir / CACHE_FORMAT
        # diskcache opens one SQLite connection per thread, each by default with a 32 MB page
        # cache and a 64 MB memory map; with 16 registry threads that alone doubled peak memory.
        self._store = diskcache.Cache(
            str(self.directory),
            size_limit=SIZE_LIMIT_BYTES,
            sqlite_cache_size=256,
            sqlite_mmap_size=0,
        )

    def get_document(self, url: str) -> CachedDocument | None:
        text = self._store.get("doc:" + url)
        if not isinstance(text, str):
            return None
        try:
            entry = json.loads(text)
        except ValueError:
            return None
        if not isinstance(entry, dict) or "document" not in entry:
            return None
        etag = entry.get("etag")
        fresh = entry.get("fresh_until")
        return CachedDocument(
            etag if isinstance(etag, str) else None,
            entry["document"],
            float(fresh) if isinstance(fresh, (int, float)) else None,
        )

    def put_document(
        self, url: str, etag: str | None, document: Any, fresh_until: float | None = None
    ) -> None:
        entry = {"etag": etag, "document": document, "fresh_until": fresh_until}
        self._store.set("doc:" + url, json.dumps(entry, separators=(",", ":")))

    def stored_size(self, url: str) -> int | None:
        """Characters stored for a document, to show that only the trimmed form is kept."""
        text = self._store.get("doc:" + url)
        return len(text) if isinstance(text, str) else None

    def get_tarball(self, digest_key: str) -> bytes | None:
        data = self._store.get("tgz:" + digest_key)
        return data if isinstance(data, bytes) else None

    def put_tarball(self, digest_key: str, data: bytes) -> None:
        self._store.set("tgz:" + digest_key, data)

    def discard_tarball(self, digest_key: str) -> None:
        self._store.delete("tgz:" + digest_key)

    def close(self) -> None:
        self._store.close()
