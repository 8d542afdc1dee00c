"""Writing feed databases: a base from a full import, a delta of changes, a merge of the two.

Every file is written under a temporary name next to its target, without journal or fsync while
it is private (a crash only leaves a temp file, removed by the next update), then fsynced and
renamed over the target by :meth:`FeedWriter.publish`. See :mod:`scanner.osv.feed_db` for the
layout and why an incremental update writes a delta instead of the whole base.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.osv.feed_db import (
    FORMAT,
    INDEX,
    SCHEMA,
    VERSION,
    FeedDatabase,
    FeedMeta,
    delta_path,
    read_only_uri,
    utc_now,
)
from scanner.osv.feed_source import FeedError

if TYPE_CHECKING:
    from scanner.osv.feed_decode import Decoded


class FeedWriter:
    """A base or delta file being written; nobody sees it until :meth:`publish` renames it.

    A delta writer has the published base attached as ``base``: removing a record the base holds
    writes a tombstone, and :meth:`finish` counts base and delta together.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, base: FeedMeta | None) -> None:
        self.path = path
        self._connection = connection
        self._base = base
        self.added = self.replaced = self.removed = 0
        self._pending: list[tuple[str, str, str]] = []

    @classmethod
    def create(cls, directory: Path, key: str) -> FeedWriter:
        """An empty base."""
        writer = cls(*_open(_temp_file(directory, key)), None)
        writer._connection.executescript(SCHEMA)
        writer._connection.execute("BEGIN")
        return writer

    @classmethod
    def copy_of(cls, base: Path, directory: Path, key: str) -> FeedWriter:
        """A copy of a published base (to merge a delta into)."""
        writer = cls(*_open(_copy(base, directory, key)), None)
        writer._connection.execute("BEGIN")
        return writer

    @classmethod
    def delta_for(cls, live: FeedDatabase, directory: Path, key: str) -> FeedWriter:
        """The delta of ``live``: a copy of its current delta, or a new one."""
        current = delta_path(live.path)
        if live.delta_meta is not None:
            path, connection = _open(_copy(current, directory, key))
        else:
            path, connection = _open(_temp_file(directory, key))
            connection.executescript(SCHEMA)
            connection.execute(INDEX)
        connection.execute("ATTACH DATABASE ? AS base", (read_only_uri(live.path),))
        connection.execute("BEGIN")
        return cls(path, connection, live.base_meta)

    # -- changes ------------------------------------------------------------------------------

    def add(self, record: Decoded, modified: str) -> bool:
        """Store ``record``; ``False`` (and nothing stored) when its id is already there."""
        cursor = self._connection.execute(
            "INSERT OR IGNORE INTO main.records VALUES (?, ?, ?, ?, 0)",
            (record.record_id, modified, int(record.withdrawn), record.names),
        )
        if cursor.rowcount != 1:
            return False
        rows = ((name, record.record_id, payload) for name, payload in record.rows)
        self._pending.extend(rows)
        if len(self._pending) >= 4096:
            self._flush()
        self.added += 1
        return True

    def replace(self, record: Decoded, modified: str) -> None:
        """Store ``record`` in place of any earlier revision."""
        existed = self._exists(record.record_id)
        self._delete(record.record_id)
        self.add(record, modified)
        if existed:
            self.added -= 1
            self.replaced += 1

    def remove(self, record_id: str) -> bool:
        existed = self._exists(record_id)
        self._delete(record_id)
        if self._base is not None:
            row = self._connection.execute(
                "SELECT names FROM base.records WHERE id = ?", (record_id,)
            ).fetchone()
            if row is not None:  # hide the base's revision
                self._connection.execute(
                    "INSERT INTO main.records VALUES (?, '', 0, ?, 1)", (record_id, row[0])
                )
        self.removed += existed
        return existed

    def stored_modified(self) -> dict[str, str]:
        self._flush()
        return dict(self._connection.execute("SELECT id, modified FROM main.records"))

    def build_index(self) -> None:
        self._flush()
        self._connection.execute(INDEX)

    def set_modified(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._flush()
        self._connection.executemany(
            "UPDATE main.records SET modified = ? WHERE id = ?", [(m, i) for i, m in pairs]
        )

    # -- finishing ----------------------------------------------------------------------------

    def finish(
        self, settings: dict[str, str], changed: bool, previous: FeedMeta | None
    ) -> FeedMeta:
        """Index, count and label the data; the file is then complete but not yet published.

        ``previous`` is the metadata of the database being replaced (for ``built_at``).
        """
        import secrets

        self.build_index()
        counts = self._delta_counts() if self._base is not None else self._counts()
        now = utc_now()
        rows = {
            "format": FORMAT,
            "version": str(VERSION),
            "token": secrets.token_hex(8),
            "built_at": previous.built_at if previous else now,
            "changed_at": now if changed or previous is None else previous.changed_at,
            **counts,
            **settings,
        }
        if self._base is not None:
            rows["base_token"] = self._base.token
        connection = self._connection
        connection.execute("DELETE FROM main.meta")
        connection.executemany("INSERT INTO main.meta VALUES (?, ?)", sorted(rows.items()))
        connection.execute("COMMIT")
        if self._base is not None:
            connection.execute("DETACH DATABASE base")
        connection.close()
        return FeedMeta.from_rows(rows, str(self.path))

    def publish(self, target: Path) -> None:
        """Make the finished file the one at ``target``, durably and atomically."""
        with open(self.path, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self.path, target)
        with contextlib.suppress(OSError):
            directory = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def discard(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()
        with contextlib.suppress(OSError):
            self.path.unlink()

    # -- internals ----------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._pending:
            self._connection.executemany(
                "INSERT INTO main.affected VALUES (?, ?, ?)", self._pending
            )
            self._pending.clear()

    def _exists(self, record_id: str) -> bool:
        """Whether the database being written (base and delta together) holds the record."""
        self._flush()
        row = self._connection.execute(
            "SELECT removed FROM main.records WHERE id = ?", (record_id,)
        ).fetchone()
        if row is not None:
            return not row[0]
        if self._base is None:
            return False
        found = self._connection.execute("SELECT 1 FROM base.records WHERE id = ?", (record_id,))
        return found.fetchone() is not None

    def _delete(self, record_id: str) -> None:
        self._flush()
        row = self._connection.execute(
            "SELECT names FROM main.records WHERE id = ?", (record_id,)
        ).fetchone()
        if row is None:
            return
        self._connection.executemany(
            "DELETE FROM main.affected WHERE name = ? AND record_id = ?",
            [(name, record_id) for name in json.loads(row[0])],
        )
        self._connection.execute("DELETE FROM main.records WHERE id = ?", (record_id,))

    def _counts(self) -> dict[str, str]:
        records, withdrawn, newest = self._connection.execute(
            "SELECT COUNT(*), COALESCE(SUM(withdrawn), 0), MAX(modified) FROM main.records"
        ).fetchone()
        (names,) = self._connection.execute(
            "SELECT COUNT(DISTINCT name) FROM main.affected"
        ).fetchone()
        return {"records": str(records), "withdrawn": str(withdrawn), "names": str(names),
                "newest_modified": newest or ""}

    def _delta_counts(self) -> dict[str, str]:
        """Base and delta together, from the base's counts and the delta's few rows."""
        assert self._base is not None
        base = self._base
        execute = self._connection.execute
        hidden = execute(
            "SELECT d.id, b.names, b.withdrawn FROM main.records AS d "
            "JOIN base.records AS b ON b.id = d.id"
        ).fetchall()
        live, live_withdrawn, newest = execute(
            "SELECT COUNT(*), COALESCE(SUM(withdrawn), 0), MAX(modified) FROM main.records "
            "WHERE removed = 0"
        ).fetchone()
        candidates = {name for _, names, _ in hidden for name in json.loads(names)}
        candidates.update(n for (n,) in execute("SELECT DISTINCT name FROM main.affected"))
        before = after = 0
        for name in candidates:
            in_base = execute("SELECT 1 FROM base.affected WHERE name = ?", (name,)).fetchone()
            before += in_base is not None
            still = execute("SELECT 1 FROM main.affected WHERE name = ?", (name,)).fetchone()
            if still is None and in_base is not None:
                still = execute(
                    "SELECT 1 FROM base.affected AS a WHERE a.name = ? AND NOT EXISTS "
                    "(SELECT 1 FROM main.records AS d WHERE d.id = a.record_id)", (name,)
                ).fetchone()
            after += still is not None
        return {
            "records": str(base.records - len(hidden) + live),
            "withdrawn": str(base.withdrawn - sum(w for _, _, w in hidden) + live_withdrawn),
            "names": str(base.names - before + after),
            "newest_modified": max(filter(None, (base.newest_modified, newest)), default=""),
        }


def merge(live: FeedDatabase, directory: Path, key: str, settings: dict[str, str]) -> FeedMeta:
    """Fold ``live``'s delta into a new base, publish it and drop the delta."""
    from scanner.osv.feed_decode import Decoded

    writer = FeedWriter.copy_of(live.path, directory, key)
    try:
        payloads = live.delta_payloads()
        for record_id, modified, withdrawn, names, removed in live.delta_rows():
            if removed:
                writer.remove(record_id)
            else:
                rows = tuple(payloads.get(record_id, ()))
                writer.replace(Decoded(record_id, modified, bool(withdrawn), names, rows), modified)
        meta = writer.finish(settings, changed=True, previous=live.meta)
        writer.publish(live.path)
    except BaseException:
        writer.discard()
        raise
    with contextlib.suppress(FileNotFoundError):
        delta_path(live.path).unlink()
    return meta


def _open(path: Path) -> tuple[Path, sqlite3.Connection]:
    connection = sqlite3.connect(path, isolation_level=None)
    # A private temp file: a crash discards it, so no journal and no fsync until publish().
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -32768")
    return path, connection


def _copy(source: Path, directory: Path, key: str) -> Path:
    import shutil

    target = _temp_file(directory, key)
    try:
        shutil.copyfile(source, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise FeedError(f"cannot copy the advisory database ({error.strerror})",
                        str(source)) from None
    return target


def _temp_file(directory: Path, key: str) -> Path:
    import tempfile

    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=directory, prefix=f".{key}.tmp-", suffix=".sqlite3")
    os.close(handle)  # SQLite reads an empty file as an empty database
    return Path(name)
