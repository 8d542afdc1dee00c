"""The advisory database a scan queries: the bundled curated set, ``--advisories`` sources, and
the feed databases ``depscan db update`` keeps in the cache.

Each bundled or ``--advisories`` source is loaded through its compiled index (see
:mod:`scanner.osv.cache`); each feed is a SQLite file queried by package name (see
:mod:`scanner.osv.feed_db`). Either way a scan decodes only the records of the names it looks up.
A scan only reads feed databases: it never updates them, and never touches the network for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from scanner.errors import AdvisoryError
from scanner.model import AdvisoryDatabaseInfo
from scanner.osv.advisory import Advisory, AdvisoryMatch
from scanner.osv.cache import LoadedIndex, load_index
from scanner.osv.matcher import entry_reasons
from scanner.osv.records import AdvisoryRecord
from scanner.osv.sources import open_source
from scanner.timestamps import parse_time

__all__ = [
    "BUNDLED_LABEL",
    "DEFAULT_MAX_AGE_DAYS",
    "Advisory",
    "AdvisoryDatabase",
    "AdvisoryMatch",
    "bundled_folder",
]

BUNDLED_LABEL = "bundled"
DEFAULT_MAX_AGE_DAYS = 7


def bundled_folder(package_dir: Path | None = None) -> Path:
    """Where the curated records are: inside the installed package, or at the repository root.

    A wheel carries them as ``scanner/_bundled_advisories`` (hatch force-include); an editable or
    source checkout has ``<repo>/advisories`` next to the ``scanner`` package. ``package_dir`` is
    the ``scanner`` package folder (this installation's when not given).
    """
    package_dir = package_dir or Path(__file__).resolve().parent.parent
    installed = package_dir / "_bundled_advisories"
    if installed.is_dir():
        return installed
    checkout = package_dir.parent / "advisories"
    if checkout.is_dir():
        return checkout
    raise AdvisoryError("the bundled advisories are missing from this installation", str(installed))


class _Lookup(Protocol):
    @property
    def record_count(self) -> int: ...

    @property
    def withdrawn_count(self) -> int: ...

    def advisories_for(self, name: str) -> tuple[AdvisoryRecord, ...]: ...


@dataclass(frozen=True, slots=True)
class _Source:
    label: str
    kind: str
    """``bundled``, ``file`` or ``feed``."""
    lookup: _Lookup
    origin: str = "feed"
    checked_at: str | None = None


class AdvisoryDatabase:
    """Known-malicious npm package versions from one or more OSV sources."""

    def __init__(
        self,
        loaded: Sequence[LoadedIndex],
        feeds: Sequence[tuple[_Lookup, str, str | None]] = (),
        feed_problems: Sequence[str] = (),
    ) -> None:
        sources = [
            _Source(
                item.source.label,
                "bundled" if item.source.label == BUNDLED_LABEL else "file",
                item.index,
                item.origin,
            )
            for item in loaded
        ]
        sources += [_Source(name, "feed", lookup, checked_at=when) for lookup, name, when in feeds]
        self._sources = tuple(sources)
        self._loaded = tuple(loaded)
        self._feed_problems = tuple(feed_problems)

    @classmethod
    def load(
        cls,
        extra_sources: Sequence[Path],
        cache_dir: Path | None,
        include_bundled: bool = True,
        feeds_in: Path | None = None,
    ) -> AdvisoryDatabase:
        """Load the bundled set (unless excluded), every extra folder, zip or ``.json`` file, and
        the feed databases under the depscan cache folder ``feeds_in`` (when given).

        ``cache_dir`` holds compiled indexes between runs; ``None`` builds them in memory.
        Raises :class:`AdvisoryError` for a missing path or a corrupt record or archive. A feed
        database that cannot be opened is not an error: it is reported by :meth:`coverage_gaps`.
        """
        sources = [open_source(path) for path in extra_sources]
        if include_bundled:
            sources.insert(0, open_source(bundled_folder(), label=BUNDLED_LABEL))
        loaded = [load_index(source, cache_dir) for source in sources]
        if feeds_in is None:
            return cls(loaded)
        feeds, problems = _open_feeds(feeds_in)
        return cls(loaded, feeds, problems)

    def match(self, name: str, version: str) -> list[AdvisoryMatch]:
        """Advisories covering ``name@version``, first source first; one per advisory id."""
        matches: dict[str, AdvisoryMatch] = {}
        for source in self._sources:
            for record in source.lookup.advisories_for(name):
                if record.id in matches:
                    continue
                reasons = [
                    reason
                    for entry in record.affected.get(name, ())
                    for reason in entry_reasons(entry, version)
                ]
                if not reasons:
                    continue
                advisory = Advisory(
                    id=record.id,
                    aliases=record.aliases,
                    summary=record.summary,
                    source=source.label,
                    published=record.published,
                    modified=record.modified,
                    references=record.references,
                )
                matches[record.id] = AdvisoryMatch(advisory, "; ".join(dict.fromkeys(reasons)))
        return list(matches.values())

    @property
    def sources(self) -> tuple[str, ...]:
        """One human description per source, e.g. ``bundled (43 records)``."""
        return tuple(_describe(source) for source in self._sources)

    @property
    def record_count(self) -> int:
        """Records read from all sources, withdrawn ones included."""
        return sum(source.lookup.record_count for source in self._sources)

    @property
    def cache_origins(self) -> tuple[str, ...]:
        """Per source: ``cache``, ``built``, ``memory`` or ``feed`` (for benchmarks)."""
        return tuple(source.origin for source in self._sources)

    def describe(
        self, max_age_days: int = DEFAULT_MAX_AGE_DAYS, now: datetime | None = None
    ) -> tuple[AdvisoryDatabaseInfo, ...]:
        """What each source is, how many records it has, and (feeds) how old it is."""
        now = now or datetime.now(UTC)
        out = []
        for source in self._sources:
            age = stale = None
            if source.kind == "feed":
                checked = parse_time(source.checked_at)
                age = (now - checked).total_seconds() / 86400 if checked else None
                stale = age is None or age > max_age_days
            out.append(
                AdvisoryDatabaseInfo(
                    name=source.label,
                    kind=source.kind,
                    records=source.lookup.record_count,
                    withdrawn=source.lookup.withdrawn_count,
                    updated=source.checked_at if source.kind == "feed" else None,
                    age_days=round(age, 2) if age is not None else None,
                    stale=bool(stale),
                    max_age_days=max_age_days if source.kind == "feed" else None,
                )
            )
        return tuple(out)

    def coverage_gaps(self) -> tuple[str, ...]:
        """Why the check saw less than a feed: unreadable feed databases, or none beyond the
        bundled set (each becomes a not-checked line of the known-malicious check)."""
        gaps = list(self._feed_problems)
        if all(source.kind == "bundled" for source in self._sources):
            bundled = sum(s.lookup.record_count for s in self._sources)
            what = f"beyond the {bundled:,} bundled records" if bundled else "at all"
            gaps.append(
                f"no advisory database {what}: malicious packages reported since this depscan "
                "release are unknown to this scan (run `depscan db update`, or pass --advisories)"
            )
        return tuple(gaps)


def _open_feeds(cache_dir: Path) -> tuple[list[tuple[_Lookup, str, str | None]], list[str]]:
    """The published feed databases under ``cache_dir``, and one line per unreadable one."""
    from scanner.osv.feed_db import FeedDatabase
    from scanner.osv.feed_source import FeedError
    from scanner.osv.feed_store import list_databases, read_state

    feeds: list[tuple[_Lookup, str, str | None]] = []
    problems: list[str] = []
    for path in list_databases(cache_dir):
        try:
            database = FeedDatabase.open(path)
        except FeedError as error:
            problems.append(
                f"advisory database not used: {error.one_line()} (run `depscan db update --force`)"
            )
            continue
        state = read_state(path)
        checked = state.checked_at if state.token == database.meta.token else None
        feeds.append((database, database.meta.source, checked or database.meta.changed_at))
    return feeds, problems


def _describe(source: _Source) -> str:
    lookup = source.lookup
    noun = "record" if lookup.record_count == 1 else "records"
    text = f"{source.label} ({lookup.record_count:,} {noun}"
    if lookup.withdrawn_count:
        text += f", {lookup.withdrawn_count:,} withdrawn"
    return text + ")"
