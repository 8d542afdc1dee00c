"""Where feed databases live in the cache, and the small state file kept beside each.

``<cache>/advisory-db/`` holds, per source (``<key>`` is a hash of the source's URL or path):

* ``<key>.sqlite3`` and ``<key>.delta.sqlite3``: the database (:mod:`scanner.osv.feed_db`);
* ``<key>.listing.csv``: the ``modified_id.csv`` the database was last brought up to, so the next
  update can compare listings instead of reading every stored record;
* ``<key>.state.json``: when the source was last checked, the validators (ETag, Last-Modified,
  a folder digest) to send next time, and the last failure. Validators count only while the
  state's ``token`` equals the database's, so a state file left over from another database can
  cost a download, never skip one;
* ``.<key>.lock`` and ``.work-<key>/`` while an update runs (downloads, temp databases).

A scan reads this folder and never writes to it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import DepscanError
from scanner.osv.feed_db import DELTA_SUFFIX, SUFFIX
from scanner.osv.feed_source import FeedError, FeedSource
from scanner.untrusted import loads, read_file

DIRECTORY = "advisory-db"
_STATE_SUFFIX = ".state.json"
_MAX_STATE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Validator:
    """What identifies the version of a file we have: an ETag and/or Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["etag"] = self.etag
        if self.last_modified:
            out["last_modified"] = self.last_modified
        return out

    @classmethod
    def from_json(cls, data: object) -> Validator | None:
        if not isinstance(data, dict):
            return None
        etag, modified = data.get("etag"), data.get("last_modified")
        validator = cls(
            etag if isinstance(etag, str) and len(etag) < 512 else None,
            modified if isinstance(modified, str) and len(modified) < 128 else None,
        )
        return validator if validator.etag or validator.last_modified else None


def databases_dir(cache_dir: Path) -> Path:
    return cache_dir / DIRECTORY


def database_path(cache_dir: Path, source: FeedSource) -> Path:
    return databases_dir(cache_dir) / f"{source.key}{SUFFIX}"


def state_path(database: Path) -> Path:
    return database.with_name(database.name.removesuffix(SUFFIX) + _STATE_SUFFIX)


def work_dir(database: Path) -> Path:
    return database.with_name(".work-" + database.name.removesuffix(SUFFIX))


def list_databases(cache_dir: Path) -> list[Path]:
    """Every published database file in the cache, in name order."""
    directory = databases_dir(cache_dir)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [
        directory / n
        for n in names
        if n.endswith(SUFFIX) and not n.endswith(DELTA_SUFFIX) and not n.startswith(".")
    ]


@dataclass(slots=True)
class FeedState:
    token: str | None = None
    checked_at: str | None = None
    validators: dict[str, Validator] = field(default_factory=dict)
    folder_digest: str | None = None
    failed_at: str | None = None
    failure: str | None = None
    listing_token: str | None = None
    """The database token the kept ``<key>.listing.csv`` was brought up to."""

    def to_json(self) -> dict[str, object]:
        return {
            "listing_token": self.listing_token,
            "token": self.token,
            "checked_at": self.checked_at,
            "validators": {name: v.to_json() for name, v in self.validators.items()},
            "folder_digest": self.folder_digest,
            "failed_at": self.failed_at,
            "failure": self.failure,
        }


def read_state(database: Path) -> FeedState:
    """The state beside ``database``; an empty state if it is missing or unreadable."""
    path = state_path(database)
    try:
        data = loads(read_file(path, max_bytes=_MAX_STATE_BYTES), subject=str(path))
    except DepscanError:  # any problem with this file only costs a full download
        return FeedState()
    if not isinstance(data, dict):
        return FeedState()

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and len(value) < 4096 else None

    raw = data.get("validators")
    validators = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            validator = Validator.from_json(value)
            if isinstance(name, str) and validator is not None:
                validators[name] = validator
    return FeedState(
        token=text("token"),
        checked_at=text("checked_at"),
        validators=validators,
        folder_digest=text("folder_digest"),
        failed_at=text("failed_at"),
        failure=text("failure"),
        listing_token=text("listing_token"),
    )


def write_state(database: Path, state: FeedState) -> None:
    _write_atomically(state_path(database), json.dumps(state.to_json(), indent=1).encode())


def listing_path(database: Path) -> Path:
    return database.with_name(database.name.removesuffix(SUFFIX) + ".listing.csv")


def read_listing(database: Path, limit: int) -> bytes | None:
    """The listing kept beside ``database``; ``None`` when missing or unreadable."""
    try:
        return read_file(listing_path(database), max_bytes=limit)
    except DepscanError:
        return None


def write_listing(database: Path, listing: bytes) -> None:
    _write_atomically(listing_path(database), listing)


def _write_atomically(path: Path, data: bytes) -> None:
    import tempfile

    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def update_lock(database: Path) -> Iterator[None]:
    """Hold the update lock of one database; a second updater fails at once rather than wait."""
    database.parent.mkdir(parents=True, exist_ok=True)
    lock_path = database.with_name("." + database.name.removesuffix(SUFFIX) + ".lock")
    try:
        import fcntl
    except ImportError:  # not POSIX: updates of one source must not overlap (documented)
        yield
        return
    import shutil

    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FeedError(
                "another `depscan db update` is updating this database right now", str(database)
            ) from None
        work = work_dir(database)
        shutil.rmtree(work, ignore_errors=True)  # left by an interrupted update
        for stale in database.parent.glob("." + database.name.removesuffix(SUFFIX) + ".tmp-*"):
            with contextlib.suppress(OSError):
                stale.unlink()
        try:
            yield
        finally:
            shutil.rmtree(work, ignore_errors=True)
    finally:
        os.close(handle)
