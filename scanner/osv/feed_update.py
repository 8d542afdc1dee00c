"""``depscan db update``: bring one source's database up to date, or keep the last good one.

First update, ``--force``, or a database of another format or filter: download ``all.zip`` and
import it into a new file, reconciled with ``modified_id.csv`` on the way (records the listing no
longer has are left out; records the archive lacks or holds in an older revision are fetched
alone). Later updates send the listing's ETag; on a 304 nothing else is asked. Otherwise only the
records whose ``modified`` changed are fetched (``<ID>.json``, a few at a time) and applied to a
copy of the database; more than ``max_single_fetches`` changes download the archive again instead.
Sources without a listing (one archive, a folder of records) are re-imported whole when changed.

Whatever fails, the published database is untouched (the new one is written beside it and only
renamed over it when complete), and the error is one line naming the source.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import AdvisoryError
from scanner.osv.feed_db import FeedDatabase, FeedMeta, delta_path, utc_now
from scanner.osv.feed_decode import (
    Decoded,
    RawRecord,
    Skipped,
    decode,
    decode_all,
    use_workers,
)
from scanner.osv.feed_limits import DEFAULT_LIMITS, FeedLimits, size_text
from scanner.osv.feed_source import (
    ARCHIVE_NAME,
    INDEX_NAME,
    MALICIOUS_PREFIX,
    FeedError,
    FeedSource,
    SourceKind,
)
from scanner.osv.feed_store import (
    FeedState,
    Validator,
    database_path,
    read_listing,
    read_state,
    update_lock,
    work_dir,
    write_listing,
    write_state,
)
from scanner.osv.feed_transport import (
    Fetched,
    Missing,
    NotModified,
    TooLarge,
    Transport,
    open_transport,
)
from scanner.osv.feed_write import FeedWriter, merge
from scanner.osv.modified_index import (
    Changes,
    diff_listing,
    diff_listings,
    parse_listing,
    same_instant,
    valid_id,
)
from scanner.osv.sources import list_folder
from scanner.osv.zip_reader import archive_entries, json_members
from scanner.untrusted import read_file

MAX_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    source: FeedSource
    path: Path
    status: str
    """``created``, ``updated`` or ``unchanged``."""
    how: str
    """What was transferred, for people: ``downloaded the archive``, ``fetched 3 changed ...``."""
    meta: FeedMeta
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: tuple[str, ...] = ()
    """The first few records that could not be read, ``<record or member>: <reason>``."""
    skipped_count: int = 0
    seconds: float = 0.0
    waited: float = 0.0
    """Of ``seconds``, the time spent waiting on the source (downloads and requests)."""


def update_feed(
    source: FeedSource,
    cache_dir: Path,
    *,
    all_records: bool | None = None,
    force: bool = False,
    limits: FeedLimits = DEFAULT_LIMITS,
) -> UpdateOutcome:
    """Update the database of ``source`` under ``cache_dir``; :class:`FeedError` if it failed.

    ``all_records``: keep every record, not only ``MAL-`` ids (``None``: as the database was
    built, else ``False``). The error says whether an older database is still in place.
    """
    target = database_path(cache_dir, source)
    started = time.monotonic()
    with update_lock(target):
        live = _open_live(target)
        state = read_state(target)
        if live is None or state.token != live.meta.token:
            state = FeedState(checked_at=state.checked_at)
        keep_all = all_records if all_records is not None else bool(live and live.meta.all_records)
        job = _Update(source, target, live, state, keep_all, limits, started + limits.deadline)
        rebuild = force or live is None or live.meta.all_records != keep_all
        try:
            return job.run(rebuild)
        except (AdvisoryError, OSError, KeyboardInterrupt) as error:
            message = _failure_text(error)
            state.failed_at, state.failure = utc_now(), message
            with contextlib.suppress(OSError):
                write_state(target, state)
            if isinstance(error, KeyboardInterrupt):
                raise
            raise FeedError(f"update failed: {message}; {_kept(live)}", source.location) from None
        finally:
            job.close()
            if live is not None:
                live.close()


class _NoSingleRecords(Exception):
    """Not one changed record could be fetched alone: the source serves no ``<ID>.json``."""


class _Update:
    def __init__(
        self,
        source: FeedSource,
        target: Path,
        live: FeedDatabase | None,
        state: FeedState,
        keep_all: bool,
        limits: FeedLimits,
        deadline: float,
    ) -> None:
        self.source, self.target, self.live, self.state = source, target, live, state
        self.keep_all, self.limits, self.deadline = keep_all, limits, deadline
        self.started = time.monotonic()
        self.transport: Transport | None = None
        self.skipped: list[str] = []
        self.skipped_count = 0
        self.read = 0
        self.missing = 0
        """Changed records the source listed but did not serve alone."""
        self.waited = 0.0
        self.listing: bytes | None = None
        """The listing this update brought the database up to (kept for the next diff)."""

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    # -- choosing what to do ----------------------------------------------------------------

    def run(self, rebuild: bool) -> UpdateOutcome:
        if self.source.kind is SourceKind.FOLDER:
            return self._folder(rebuild)
        self.transport = open_transport(self.source, self.limits, self.deadline)
        known = {} if rebuild else self.state.validators
        listing: dict[str, Validator] = {}
        listed: dict[str, str] | None = None
        if self.source.kind is SourceKind.EXPORT:
            started = time.monotonic()
            answer = self.transport.fetch(
                INDEX_NAME, self.limits.max_index_bytes, known.get(INDEX_NAME)
            )
            self.waited += time.monotonic() - started
            if isinstance(answer, NotModified):
                return self._unchanged(f"{INDEX_NAME} not modified")
            if isinstance(answer, Fetched):
                listing[INDEX_NAME] = answer.validator
                self.listing = answer.data
                where = self.source.describe(INDEX_NAME)
                if not rebuild and self.live is not None:
                    changes = self._changes(answer.data, where)
                    if len(changes.changed) <= self.limits.max_single_fetches:
                        try:
                            return self._incremental(changes, listing)
                        except _NoSingleRecords:
                            # A copy of just all.zip and modified_id.csv: read the archive.
                            self.skipped, self.skipped_count, self.read = [], 0, 0
                listed = parse_listing(answer.data, where, self._keep)
        # Without a listing the archive is the only way to learn of changes: ask conditionally.
        validator = known.get(ARCHIVE_NAME) if listed is None else None
        started = time.monotonic()
        archive = self.transport.fetch_file(
            ARCHIVE_NAME, self.limits.max_archive_bytes, work_dir(self.target), validator
        )
        self.waited += time.monotonic() - started
        if isinstance(archive, NotModified):
            return self._unchanged(f"{ARCHIVE_NAME} not modified")
        if isinstance(archive, Missing):
            if listed is None:
                what = ARCHIVE_NAME if self.source.kind is SourceKind.ARCHIVE else (
                    f"{INDEX_NAME} or {ARCHIVE_NAME}")
                raise FeedError(f"not found: no {what} (HTTP 404 or no such file)",
                                self.source.location)
            return self._full(None, listed, listing)
        try:
            return self._full(archive, listed, {**listing, ARCHIVE_NAME: archive.validator})
        finally:
            if archive.temporary and archive.path is not None:
                with contextlib.suppress(OSError):
                    archive.path.unlink()

    def _changes(self, listing: bytes, where: str) -> Changes:
        """The live database against a new listing: by the previous listing when the one kept
        beside the database is the one it was brought up to, else by every stored record."""
        assert self.live is not None
        if self.state.listing_token == self.live.meta.token:
            previous = read_listing(self.target, self.limits.max_index_bytes)
            if previous is not None:
                return diff_listings(previous, listing, where, self._keep)
        return diff_listing(listing, where, self.live.stored_modified(), self._keep)

    # -- the three ways to update -----------------------------------------------------------

    def _full(
        self,
        archive: Fetched | None,
        listed: dict[str, str] | None,
        validators: dict[str, Validator],
    ) -> UpdateOutcome:
        writer = FeedWriter.create(self.target.parent, self.source.key)
        try:
            to_fetch: dict[str, str] = {}
            if archive is not None and archive.path is not None:
                how = ("downloaded" if self.source.remote else "read") + " the archive"
                to_fetch = self._import_archive(writer, archive.path, listed)
            else:
                how = f"no {ARCHIVE_NAME}"
            writer.build_index()
            if listed:
                to_fetch.update(listed)  # what remains is listed but not in the archive
            if len(to_fetch) > self.limits.max_single_fetches:
                raise FeedError(f"{len(to_fetch):,} listed records are missing from or older in "
                                f"{ARCHIVE_NAME}", self.source.location)
            if to_fetch:
                self._store_fetched(writer, to_fetch)
                how += f", fetched {len(to_fetch):,} records alone"
            self._check_skipped()
            meta = writer.finish(self._settings(), changed=True, previous=self._previous())
            writer.publish(self.target)
        except BaseException:
            writer.discard()
            raise
        _drop_delta(self.target)
        self._save(meta, validators)
        return self._outcome("created" if self.live is None else "updated", how, meta,
                             added=meta.records)

    def _incremental(self, changes: Changes, validators: dict[str, Validator]) -> UpdateOutcome:
        assert self.live is not None
        if changes.empty:
            self._save(self.live.meta, validators)
            return self._outcome("unchanged", f"{INDEX_NAME} lists no changes", self.live.meta)
        # Changes go to the small delta file; the base is rewritten only when the delta is big.
        writer = FeedWriter.delta_for(self.live, self.target.parent, self.source.key)
        try:
            self._store_fetched(writer, changes.changed)
            if changes.changed and self.missing == len(changes.changed):
                raise _NoSingleRecords
            for record_id in changes.removed:
                writer.remove(record_id)
            self._check_skipped()
            meta = writer.finish(self._settings(), changed=True, previous=self.live.meta)
            writer.publish(delta_path(self.target))
        except BaseException:
            writer.discard()
            raise
        how = f"fetched {len(changes.changed):,} changed records"
        merged = FeedDatabase.open(self.target)
        try:
            if merged.delta_records() > self.limits.max_delta_records:
                meta = merge(merged, self.target.parent, self.source.key, self._settings())
                how += ", merged the changes into the base"
        finally:
            merged.close()
        self._save(meta, validators)
        return self._outcome("updated", how, meta, added=writer.added, changed=writer.replaced,
                             removed=writer.removed)

    def _folder(self, rebuild: bool) -> UpdateOutcome:
        root = Path(self.source.location)
        entries = [e for e in list_folder(root) if self._keep(e.relative_path.rsplit("/", 1)[-1])]
        digest = hashlib.sha256(
            "".join(f"{e.relative_path}\0{e.size}\0{e.mtime_ns}\n" for e in entries).encode()
        ).hexdigest()
        if not rebuild and self.live is not None and self.state.folder_digest == digest:
            return self._unchanged("no file changed")

        def raw_records() -> Iterator[RawRecord]:
            for entry in entries:
                self._deadline_check()
                path = root / entry.relative_path
                if entry.size > self.limits.max_record_bytes:
                    yield RawRecord(entry.relative_path, str(path), None, self._too_large())
                    continue
                data = read_file(path, max_bytes=self.limits.max_record_bytes, error=FeedError)
                yield RawRecord(entry.relative_path, str(path), data)

        writer = FeedWriter.create(self.target.parent, self.source.key)
        try:
            for result in decode_all(raw_records(), self.keep_all, len(entries)):
                self._take(writer, result, None)
            self._check_skipped()
            meta = writer.finish(self._settings(), changed=True, previous=self._previous())
            writer.publish(self.target)
        except BaseException:
            writer.discard()
            raise
        _drop_delta(self.target)
        self.state.folder_digest = digest
        self._save(meta, {})
        return self._outcome("created" if self.live is None else "updated",
                             f"read {len(entries):,} files", meta, added=meta.records)

    # -- steps --------------------------------------------------------------------------------

    def _import_archive(
        self, writer: FeedWriter, path: Path, listed: dict[str, str] | None
    ) -> dict[str, str]:
        """Store the archive's records; return the ones to fetch alone (older than listed).

        With a listing, records it does not list are left out and each record stored takes the
        listed ``modified``; ``listed`` loses the ids found, so what remains is missing.
        """
        subject = self.source.describe(ARCHIVE_NAME)
        expected = archive_entries(path, subject)
        # Worker processes read the members they decode themselves.
        members = json_members(path, self.limits, subject, self._keep, self.deadline,
                               locate_only=use_workers(expected))
        raws = (RawRecord(m.name, f"{subject}:{m.name}", m.packed, m.problem) for m in members)
        older: dict[str, str] = {}
        for result in decode_all(raws, self.keep_all, expected):
            self._take(writer, result, listed, older)
        return older

    def _take(
        self,
        writer: FeedWriter,
        result: Decoded | Skipped | None,
        listed: dict[str, str] | None,
        older: dict[str, str] | None = None,
    ) -> None:
        self.read += 1
        if result is None:
            return
        if isinstance(result, Skipped):
            self._skip(result.label, result.reason)
            if listed is not None:  # a member named <ID>.json: do not fetch it alone as well
                listed.pop(result.label.rsplit("/", 1)[-1].removesuffix(".json"), None)
            return
        modified = result.modified
        if listed is not None:
            wanted = listed.pop(result.record_id, None)
            if wanted is None:
                return  # the source no longer lists it
            if wanted == modified or same_instant(wanted, modified):
                modified = wanted
            elif older is not None:
                older[result.record_id] = wanted  # stored as it is until its fetch succeeds
        if not writer.add(result, modified):
            self._skip(result.record_id, "a second record with this id (the first one is kept)")

    def _store_fetched(self, writer: FeedWriter, wanted: dict[str, str]) -> None:
        """Fetch each record alone and store it with its listed ``modified``. A record that
        cannot be read is skipped and reported; its stored revision, if any, stays (and its
        old ``modified`` makes the next update try again)."""
        for record_id, record in self._fetch_records(list(wanted)).items():
            writer.replace(record, wanted[record_id])

    def _fetch_records(self, record_ids: list[str]) -> dict[str, Decoded]:
        assert self.transport is not None
        transport = self.transport

        def fetch(record_id: str) -> Decoded | Skipped:
            if not valid_id(record_id):
                return Skipped(record_id[:80], "not a usable record id")
            name = f"{record_id}.json"
            try:
                answer = transport.fetch(name, self.limits.max_record_bytes)
            except TooLarge:
                return Skipped(record_id, self._too_large())
            if not isinstance(answer, Fetched):
                self.missing += 1  # a thread's int increment: atomic enough under the GIL
                return Skipped(record_id, f"listed in {INDEX_NAME} but not found")
            result = decode(RawRecord(record_id, self.source.describe(name), answer.data), True)
            if isinstance(result, Decoded) and result.record_id != record_id:
                return Skipped(record_id, f"the file holds record {result.record_id[:80]!r}")
            return result if result is not None else Skipped(record_id, "unreadable")

        out: dict[str, Decoded] = {}
        if not record_ids:
            return out
        started = time.monotonic()  # mostly waiting: decoding a few records is milliseconds
        with ThreadPoolExecutor(max_workers=max(self.limits.fetch_workers, 1)) as pool:
            try:
                for result in pool.map(fetch, record_ids):
                    self.read += 1
                    if isinstance(result, Skipped):
                        self._skip(result.label, result.reason)
                    else:
                        out[result.record_id] = result
                    self._deadline_check()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        self.waited += time.monotonic() - started
        return out

    # -- bookkeeping --------------------------------------------------------------------------

    def _keep(self, record_id: str) -> bool:
        return self.keep_all or record_id.startswith(MALICIOUS_PREFIX)

    def _skip(self, label: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_EXAMPLES:
            self.skipped.append(f"{label[:120]}: {reason}")

    def _too_large(self) -> str:
        return f"larger than the {size_text(self.limits.max_record_bytes)} record limit"

    def _check_skipped(self) -> None:
        allowed = max(10, int(self.read * self.limits.max_skipped_fraction))
        if self.skipped_count > allowed:
            raise FeedError(
                f"{self.skipped_count:,} of {self.read:,} records could not be read "
                f"(first: {self.skipped[0]})", self.source.location)

    def _deadline_check(self) -> None:
        if time.monotonic() > self.deadline:
            raise FeedError("the update took longer than its time limit", self.source.location)

    def _previous(self) -> FeedMeta | None:
        return self.live.meta if self.live is not None else None

    def _settings(self) -> dict[str, str]:
        return {
            "source": self.source.location,
            "kind": self.source.kind.value,
            "all_records": "1" if self.keep_all else "0",
            "skipped": str(self.skipped_count),
            "skipped_examples": json.dumps(self.skipped, ensure_ascii=False),
        }

    def _unchanged(self, how: str) -> UpdateOutcome:
        assert self.live is not None
        self._save(self.live.meta, self.state.validators)
        return self._outcome("unchanged", how, self.live.meta)

    def _save(self, meta: FeedMeta, validators: dict[str, Validator]) -> None:
        self.state.token = meta.token
        self.state.checked_at = utc_now()
        self.state.validators = dict(validators)
        if self.listing is not None and not self.skipped_count:
            write_listing(self.target, self.listing)
            self.state.listing_token = meta.token
        elif meta.token != self.state.listing_token:
            self.state.listing_token = None
        if self.skipped_count:
            # A record we could not read is still stored in its old revision (or not at all):
            # without the listing's validator the next update re-reads it and tries again.
            self.state.validators.pop(INDEX_NAME, None)
        self.state.failed_at = self.state.failure = None
        write_state(self.target, self.state)

    def _outcome(
        self, status: str, how: str, meta: FeedMeta, added: int = 0, changed: int = 0,
        removed: int = 0,
    ) -> UpdateOutcome:
        return UpdateOutcome(
            source=self.source,
            path=self.target,
            status=status,
            how=how,
            meta=meta,
            added=added,
            changed=changed,
            removed=removed,
            skipped=tuple(self.skipped),
            skipped_count=self.skipped_count,
            seconds=time.monotonic() - self.started,
            waited=self.waited,
        )


def _open_live(target: Path) -> FeedDatabase | None:
    if not target.is_file():
        return None
    try:
        return FeedDatabase.open(target)
    except FeedError:
        return None  # damaged or from another version: rebuilt, and replaced only when complete


def _drop_delta(base: Path) -> None:
    """After a new base: the old delta no longer applies (readers ignore it; this tidies up)."""
    with contextlib.suppress(FileNotFoundError):
        delta_path(base).unlink()


def _kept(live: FeedDatabase | None) -> str:
    if live is None:
        return "no database was written"
    return (f"kept the previous database ({live.meta.records:,} records, last changed "
            f"{live.meta.changed_at})")


def _failure_text(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, AdvisoryError):
        return error.one_line()
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    return str(error)
