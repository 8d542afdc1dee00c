"""An advisory feed's database: SQLite files per source, its npm records by package name.

A scan looks up only the package names its lockfile has, one indexed query each, so its cost does
not grow with the feed (500,000 records cost a scan no more than 22,000), and nothing is loaded
up front. SQLite is in the standard library, so this costs no dependency (docs/design.md).

Tables: ``records`` (id, the ``modified`` the source listed, withdrawn, package names, removed)
for updates; ``affected`` (package name, record id, the advisory encoded as
:func:`~scanner.osv.index.encode_advisory` writes it) for lookups, indexed by name; ``meta``.
Withdrawn records are counted but have no ``affected`` rows, so they never match.

A source has a **base** file (``<key>.sqlite3``, written by a full import) and, once the source
has changed, a small **delta** file (``<key>.delta.sqlite3``) holding the records changed since,
and tombstones (``removed``) for records gone; a record in the delta hides the base's. Readers
attach the delta when its ``base_token`` names the base. Files are never changed in place: an
update writes a new file beside the old and renames it over, so a scan holding the old file keeps
a complete database, an interrupted update leaves the old file as it was, and readers open files
``immutable`` (no locks, no journal: a read-only cache directory works). An incremental update
therefore rewrites only the delta, not the 200 MB base; a delta past ``max_delta_records`` is
merged into a new base (:mod:`scanner.osv.feed_write`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scanner.osv.feed_source import FeedError
from scanner.osv.index import decode_advisory
from scanner.osv.records import AdvisoryRecord

FORMAT = "depscan-advisory-db"
VERSION = 2
"""Bump when the schema or the payload encoding changes: older files are then rebuilt."""
SUFFIX = ".sqlite3"
DELTA_SUFFIX = ".delta.sqlite3"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (
    id TEXT PRIMARY KEY, modified TEXT NOT NULL, withdrawn INTEGER NOT NULL, names TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE affected (name TEXT NOT NULL, record_id TEXT NOT NULL, payload TEXT NOT NULL);
"""
INDEX = "CREATE INDEX IF NOT EXISTS affected_by_name ON affected (name)"

# No ORDER BY: it costs a sort per query, three times the lookup itself (rows are sorted after).
_LOOKUP = "SELECT record_id, payload FROM main.affected WHERE name = ?1"
_LOOKUP_WITH_DELTA = """
SELECT record_id, payload FROM main.affected AS a WHERE a.name = ?1
    AND NOT EXISTS (SELECT 1 FROM delta.records AS d WHERE d.id = a.record_id)
UNION ALL
SELECT record_id, payload FROM delta.affected WHERE name = ?1
"""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def delta_path(base: Path) -> Path:
    return base.with_name(base.name.removesuffix(SUFFIX) + DELTA_SUFFIX)


def read_only_uri(path: Path) -> str:
    return path.absolute().as_uri() + "?mode=ro&immutable=1"


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What a database says about itself (``meta`` table); a delta's counts cover base + delta."""

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
    base_token: str | None = None
    """In a delta: the token of the base it applies to."""

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
                base_token=rows.get("base_token") or None,
            )
        except (KeyError, ValueError, TypeError) as error:
            raise FeedError(f"advisory database has damaged metadata ({error})", subject) from None


class FeedDatabase:
    """A published database (base and delta), read-only; lookups decode only what they return."""

    def __init__(
        self, path: Path, connection: sqlite3.Connection, base: FeedMeta, delta: FeedMeta | None
    ) -> None:
        self.path = path
        self.base_meta = base
        self.delta_meta = delta
        self.meta = delta or base
        """The whole database: the delta's (combined) metadata when there is a delta."""
        self._connection = connection
        self._lookup = _LOOKUP_WITH_DELTA if delta else _LOOKUP
        self._decoded: dict[str, tuple[AdvisoryRecord, ...]] = {}

    @classmethod
    def open(cls, path: Path) -> FeedDatabase:
        """Open the base at ``path`` and its delta; :class:`FeedError` naming a bad file."""
        try:
            connection = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
        except sqlite3.Error as error:
            raise FeedError(f"cannot open the advisory database ({error})", str(path)) from None
        subject = str(path)
        try:
            base = FeedMeta.from_rows(_meta(connection, "main"), subject)
            delta = None
            changes = delta_path(path)
            if changes.is_file():
                subject = str(changes)
                connection.execute("ATTACH DATABASE ? AS delta", (read_only_uri(changes),))
                delta = FeedMeta.from_rows(_meta(connection, "delta"), subject)
                if delta.base_token != base.token:  # left by an update that was then rebuilt
                    connection.execute("DETACH DATABASE delta")
                    delta = None
        except sqlite3.Error as error:
            connection.close()
            raise FeedError(f"unreadable advisory database ({error})", subject) from None
        except FeedError:
            connection.close()
            raise
        return cls(path, connection, base, delta)

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
                rows = self._connection.execute(self._lookup, (name,)).fetchall()
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
        """``{id: modified}`` of every record, as the source last listed it."""
        stored = dict(self._connection.execute("SELECT id, modified FROM main.records"))
        if self.delta_meta is not None:
            query = "SELECT id, modified, removed FROM delta.records"
            for record_id, modified, removed in self._connection.execute(query):
                if removed:
                    stored.pop(record_id, None)
                else:
                    stored[record_id] = modified
        return stored

    def delta_records(self) -> int:
        if self.delta_meta is None:
            return 0
        (count,) = self._connection.execute("SELECT COUNT(*) FROM delta.records").fetchone()
        return int(count)

    def delta_rows(self) -> sqlite3.Cursor:
        """``(id, modified, withdrawn, names, removed)`` of every delta record."""
        return self._connection.execute(
            "SELECT id, modified, withdrawn, names, removed FROM delta.records"
        )

    def delta_payloads(self) -> dict[str, list[tuple[str, str]]]:
        """``{id: [(name, payload), ...]}`` of the delta (small: merged past a few thousand)."""
        out: dict[str, list[tuple[str, str]]] = {}
        if self.delta_meta is not None:
            query = "SELECT record_id, name, payload FROM delta.affected"
            for record_id, name, payload in self._connection.execute(query):
                out.setdefault(record_id, []).append((name, payload))
        return out

    def close(self) -> None:
        self._connection.close()


def _meta(connection: sqlite3.Connection, schema: str) -> dict[str, str]:
    return dict(connection.execute(f"SELECT key, value FROM {schema}.meta").fetchall())
