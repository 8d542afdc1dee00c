"""Compiled indexes cached on disk, one per advisory source, keyed by the source's content.

Keys:

* a zip or single file: the SHA-256 of its bytes. Hashing a 22 MB zip costs ~40 ms (read plus
  hash), most of the load budget, so a small *stat memo* per path remembers the digest together
  with the file's size, mtime_ns, ctime_ns, inode and device; while all of those are unchanged the
  digest is reused without reading the file. ctime cannot be set from user space, so a file
  rewritten in place with a restored mtime still changes the key.
* a folder: the SHA-256 over every ``*.json`` file's relative path, size and mtime_ns. Reading
  thousands of files on each scan would defeat the cache; editing, adding, removing or renaming a
  record changes the digest.

Every key also covers :data:`~scanner.osv.index.INDEX_VERSION`, so an upgrade rebuilds. Files are
written to a temp file in the same directory and renamed into place, so a reader sees either the
old or the new file. A cache that cannot be read, parsed or written is rebuilt or skipped: the
cache only ever costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import AdvisoryError
from scanner.osv.index import INDEX_FORMAT, INDEX_VERSION, CompiledIndex, IndexFormatError
from scanner.osv.records import compile_record
from scanner.osv.sources import (
    MAX_SOURCE_BYTES,
    AdvisorySource,
    FolderEntry,
    SourceLayout,
    list_folder,
    read_file_record,
    read_folder_records,
    read_zip_records,
)
from scanner.untrusted import read_file

CACHE_SUBDIR = "osv-index"


@dataclass(frozen=True, slots=True)
class LoadedIndex:
    source: AdvisorySource
    index: CompiledIndex
    origin: str
    """``cache`` (read from the cache), ``built`` (built and cached) or ``memory`` (not cached)."""


def load_index(source: AdvisorySource, cache_dir: Path | None) -> LoadedIndex:
    """The compiled index of ``source``: from the cache when valid, else built (and cached)."""
    if source.layout is SourceLayout.FOLDER:
        entries = list_folder(source.path)
        key = _key("folder", _folder_digest(entries))
        cached = _read_index(cache_dir, key)
        if cached is not None:
            return LoadedIndex(source, cached, "cache")
        records = read_folder_records(source.path, entries)
        index = CompiledIndex.build(compile_record(data, subject) for subject, data in records)
        return LoadedIndex(source, index, _store(cache_dir, key, index))

    # Taken before reading, so a file that changes while being read gets re-hashed next time.
    fingerprint = _stat_fingerprint(source.path)
    memo_digest = _memo_digest(cache_dir, source.path, fingerprint)
    if memo_digest is not None:
        cached = _read_index(cache_dir, _key(source.layout.value, memo_digest))
        if cached is not None:
            return LoadedIndex(source, cached, "cache")
    content = _read_bytes(source.path)
    digest = hashlib.sha256(content).hexdigest()
    key = _key(source.layout.value, digest)
    if digest != memo_digest:
        _write_memo(cache_dir, source.path, fingerprint, digest)
        cached = _read_index(cache_dir, key)
        if cached is not None:
            return LoadedIndex(source, cached, "cache")
    reader = read_zip_records if source.layout is SourceLayout.ZIP else read_file_record
    records = reader(source.path, content)
    index = CompiledIndex.build(compile_record(data, subject) for subject, data in records)
    return LoadedIndex(source, index, _store(cache_dir, key, index))


def index_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / CACHE_SUBDIR / f"{key}.idx"


def _key(kind: str, digest: str) -> str:
    return hashlib.sha256(f"{INDEX_FORMAT}/{INDEX_VERSION}/{kind}/{digest}".encode()).hexdigest()


def _folder_digest(entries: list[FolderEntry]) -> str:
    hasher = hashlib.sha256()
    for entry in entries:
        hasher.update(f"{entry.relative_path}\0{entry.size}\0{entry.mtime_ns}\n".encode())
    return hasher.hexdigest()


def _read_bytes(path: Path) -> bytes:
    return read_file(path, max_bytes=MAX_SOURCE_BYTES, error=AdvisoryError, what="advisory source")


def _read_index(cache_dir: Path | None, key: str) -> CompiledIndex | None:
    if cache_dir is None:
        return None
    try:
        data = index_path(cache_dir, key).read_bytes()
        return CompiledIndex.from_bytes(data, key)
    except (OSError, IndexFormatError):
        return None


def _store(cache_dir: Path | None, key: str, index: CompiledIndex) -> str:
    if cache_dir is None:
        return "memory"
    try:
        _write_atomically(index_path(cache_dir, key), index.to_bytes(key))
    except OSError:
        return "memory"
    return "built"


def _write_atomically(target: Path, data: bytes) -> None:
    import tempfile  # only cache writes need it; its imports cost ~10 ms on the warm path

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(data)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _memo_path(cache_dir: Path, source_path: Path) -> Path:
    where = hashlib.sha256(str(source_path.resolve()).encode()).hexdigest()
    return cache_dir / CACHE_SUBDIR / "memo" / f"{where}.json"


def _stat_fingerprint(path: Path) -> dict[str, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return {
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
        "ctime_ns": status.st_ctime_ns,
        "ino": status.st_ino,
        "dev": status.st_dev,
    }


def _memo_digest(
    cache_dir: Path | None, source_path: Path, fingerprint: dict[str, int] | None
) -> str | None:
    if cache_dir is None or fingerprint is None:
        return None
    try:
        memo = json.loads(_memo_path(cache_dir, source_path).read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(memo, dict) or memo.get("stat") != fingerprint:
        return None
    digest = memo.get("sha256")
    return digest if isinstance(digest, str) else None


def _write_memo(
    cache_dir: Path | None, source_path: Path, fingerprint: dict[str, int] | None, digest: str
) -> None:
    if cache_dir is None or fingerprint is None:
        return
    memo = {"path": str(source_path.resolve()), "stat": fingerprint, "sha256": digest}
    with contextlib.suppress(OSError):
        _write_atomically(_memo_path(cache_dir, source_path), json.dumps(memo).encode())
