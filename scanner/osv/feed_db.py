"""An advisory feed's database: one SQLite file per source, its npm records by package name.

A scan looks up only the package names its lockfile has, one indexed query each, so its cost does
not grow with the feed (500,000 records cost a scan no more than 22,000), and nothing is loaded
up front. SQLite is in the standard library, so this costs no dependency (docs/design.md).

Tables: ``records`` (id, the ``modified`` the source listed, withdrawn, package names) for
updates; ``affected`` (package name, record id, the advisory encoded as
:func:`~scanner.osv.index.encode_advisory` writes it) for lookups, indexed by name; ``meta``.
Withdrawn records are counted but have no ``affected`` rows, so they never match.

A database file is never changed in place. An update writes a new file beside it (a copy, for an
incremental update) and renames it over the old one, so a scan holding the old file keeps reading
a complete database, an interrupted update leaves the old file as it was, and readers open the
file ``immutable`` (no locks, no journal: a read-only cache directory works).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.osv.feed_source import FeedError
from scanner.osv.index import decode_advisory
from scanner.osv.records import AdvisoryRecord

if TYPE_CHECKING:
    from scanner.osv.feed_decode import Decoded

FORMAT = "depscan-advisory-db"
VERSION = 1
"""Bump when the schema or the payload encoding changes: older files are then rebuilt."""
SUFFIX = ".sqlite3"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (
    id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL, names TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE affected (name TEXT NOT NULL, record_id TEXT NOT NULL, payload TEXT NOT NULL);
"""
_INDEX = "CREATE INDEX IF NOT EXISTS affected_by_name ON affected (name)"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What a database says about itself (``meta`` table)."""

    source: str
    kind: str
    all_records: bool
    token: str
    built_at: str
    changed_at: str
    records: int
    withdrawn: int
    names: int
    newest_modified: str | None
    skipped: int
    skipped_examples: tuple[str, ...]

    @classmethod
    def from_rows(cls, rows: dict[str, str], subject: str) -> FeedMeta:
        if rows.get("format") != FORMAT or rows.get("version") != str(VERSION):
            raise FeedError("not an advisory database of this depscan version", subject)
        try:
            examples = json.loads(rows.get("skipped_examples", "[]"))
            return cls(
                source=rows["source"],
                kind=rows["kind"],
                all_records=rows.get("all_records") == "1",
                token=rows["token"],
                built_at=rows["built_at"],
                changed_at=rows["changed_at"],
                records=int(rows["records"]),
                withdrawn=int(rows["withdrawn"]),
                names=int(rows["names"]),
                newest_modified=rows.get("newest_modified") or None,
                skipped=int(rows.get("skipped", "0")),
                skipped_examples=tuple(str(e) for e in examples if isinstance(e, str))[:5],
            )
        except (KeyError, ValueError, TypeError) as error:
            raise FeedError(f"advisory database has damaged metadata ({error})", subject) from None


class FeedDatabase:
    """A finished database, opened read-only; lookups decode only the rows they return."""

    def __init__(self, path: Path, connection: sqlite3.Connection, meta: FeedMeta) -> None:
        self.path = path
        self.meta = meta
        self._connection = connection
        self._decoded: dict[str, tuple[AdvisoryRecord, ...]] = {}

    @classmethod
    def open(cls, path: Path) -> FeedDatabase:
        """Open ``path``; :class:`FeedError` naming it when it is missing or not a database."""
        uri = path.absolute().as_uri() + "?mode=ro&immutable=1"
        try:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as error:
            raise FeedError(f"cannot open the advisory database ({error})", str(path)) from None
        try:
            rows = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            meta = FeedMeta.from_rows(rows, str(path))
        except sqlite3.Error as error:
            connection.close()
            raise FeedError(f"unreadable advisory database ({error})", str(path)) from None
        except FeedError:
            connection.close()
            raise
        return cls(path, connection, meta)

    @property
    def record_count(self) -> int:
        return self.meta.records

    @property
    def withdrawn_count(self) -> int:
        return self.meta.withdrawn

    def advisories_for(self, name: str) -> tuple[AdvisoryRecord, ...]:
        """Non-withdrawn records with entries for ``name`` (only that name's entries)."""
        decoded = self._decoded.get(name)
        if decoded is None:
            try:
                # No ORDER BY: it costs a sort per query, three times the lookup itself.
                rows = self._connection.execute(
                    "SELECT record_id, payload FROM affected WHERE name = ?", (name,)
                ).fetchall()
                rows.sort()
                decoded = tuple(decode_advisory(name, json.loads(payload)) for _, payload in rows)
            except (sqlite3.Error, ValueError, TypeError) as error:
                raise FeedError(
                    f"damaged advisory database ({error}): run `depscan db update --force`",
                    str(self.path),
                ) from None
            self._decoded[name] = decoded
        return decoded

    def stored_modified(self) -> dict[str, str]:
        return dict(self._connection.execute("SELECT id, modified FROM records"))

    def close(self) -> None:
        self._connection.close()


class FeedWriter:
    """A database file being written; nobody sees it until :meth:`publish` renames it."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self.added = self.replaced = self.removed = 0
        self._pending: list[tuple[str, str, str]] = []

    @classmethod
    def create(cls, directory: Path, key: str) -> FeedWriter:
        writer = cls._open(_temp_file(directory, key))
        writer._connection.executescript(_SCHEMA)
        writer._connection.execute("BEGIN")
        return writer

    @classmethod
    def copy_of(cls, live: Path, directory: Path, key: str) -> FeedWriter:
        import shutil

        target = _temp_file(directory, key)
        try:
            shutil.copyfile(live, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                target.unlink()
            raise FeedError(f"cannot copy the advisory database ({error.strerror})",
                            str(live)) from None
        writer = cls._open(target)
        writer._connection.execute("BEGIN")
        return writer

    @classmethod
    def _open(cls, path: Path) -> FeedWriter:
        connection = sqlite3.connect(path, isolation_level=None)
        # A private temp file: a crash discards it, so no journal and no fsync until publish().
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -32768")
        return cls(path, connection)

    def add(self, record: Decoded, modified: str) -> bool:
        """Store ``record``; ``False`` (and nothing stored) when its id is already there."""
        cursor = self._connection.execute(
            "INSERT OR IGNORE INTO records VALUES (?, ?, ?, ?)",
            (record.record_id, modified, int(record.withdrawn), record.names),
        )
        if cursor.rowcount != 1:
            return False
        self._pending.extend((name, record.record_id, payload) for name, payload in record.rows)
        if len(self._pending) >= 4096:
            self._flush()
        self.added += 1
        return True

    def _flush(self) -> None:
        if self._pending:
            self._connection.executemany("INSERT INTO affected VALUES (?, ?, ?)", self._pending)
            self._pending.clear()

    def replace(self, record: Decoded, modified: str) -> None:
        if self._delete(record.record_id):
            self.replaced += 1
            self.added -= 1
        self.add(record, modified)

    def remove(self, record_id: str) -> bool:
        removed = self._delete(record_id)
        self.removed += removed
        return removed

    def set_modified(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._flush()
        self._connection.executemany(
            "UPDATE records SET modified = ? WHERE id = ?", [(m, i) for i, m in pairs]
        )

    def stored_modified(self) -> dict[str, str]:
        self._flush()
        return dict(self._connection.execute("SELECT id, modified FROM records"))

    def build_index(self) -> None:
        self._flush()
        self._connection.execute(_INDEX)

    def finish(
        self, settings: dict[str, str], changed: bool, previous: FeedMeta | None
    ) -> FeedMeta:
        """Index, count and label the data; the file is then complete but not yet published."""
        connection = self._connection
        self.build_index()
        records, withdrawn, newest = connection.execute(
            "SELECT COUNT(*), COALESCE(SUM(withdrawn), 0), MAX(modified) FROM records"
        ).fetchone()
        (names,) = connection.execute("SELECT COUNT(DISTINCT name) FROM affected").fetchone()
        import secrets

        now = utc_now()
        rows = {
            "format": FORMAT,
            "version": str(VERSION),
            "token": secrets.token_hex(8),
            "built_at": previous.built_at if previous else now,
            "changed_at": now if changed or previous is None else previous.changed_at,
            "records": str(records),
            "withdrawn": str(withdrawn),
            "names": str(names),
            "newest_modified": newest or "",
            **settings,
        }
        connection.execute("DELETE FROM meta")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", sorted(rows.items()))
        connection.execute("COMMIT")
        connection.close()
        return FeedMeta.from_rows(rows, str(self.path))

    def publish(self, target: Path) -> None:
        """Make the finished file the database at ``target``, durably and atomically."""
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

    def _delete(self, record_id: str) -> bool:
        self._flush()
        row = self._connection.execute(
            "SELECT names FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        if row is None:
            return False
        names = json.loads(row[0])
        self._connection.executemany(
            "DELETE FROM affected WHERE name = ? AND record_id = ?",
            [(name, record_id) for name in names],
        )
        self._connection.execute("DELETE FROM records WHERE id = ?", (record_id,))
        return True


def _temp_file(directory: Path, key: str) -> Path:
    import tempfile

    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=directory, prefix=f".{key}.tmp-", suffix=SUFFIX)
    os.close(handle)  # SQLite reads an empty file as an empty database
    return Path(name)
