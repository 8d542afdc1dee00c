"""``depscan db``: keep the known-malicious advisory databases current, and show their state.

Scans never update a database (they read what is there, even with the network up); this is the
one command that goes to the network for advisories. See docs/advisories.md.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from scanner.osv.feed_update import UpdateOutcome

EXIT_ERROR = 2

db_app = typer.Typer(
    name="db",
    help="Advisory databases for the known-malicious check: update them, show their state.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

CacheDir = Annotated[
    Path | None,
    typer.Option(help="Cache directory (default: the user cache dir, or $DEPSCAN_CACHE_DIR). "
                 "Databases live in its advisory-db/ folder."),
]


class StatusFormat(StrEnum):
    text = "text"
    json = "json"


@db_app.command("update")
def update_command(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="OSV export URL (https; the default is OSV's public npm export), a mirror's URL, "
            "a URL or path of one all.zip, or a folder of OSV JSON. Repeatable. Default: every "
            "source already in the cache, else OSV's npm export.",
            show_default=False,
        ),
    ] = None,
    cache_dir: CacheDir = None,
    force: Annotated[
        bool, typer.Option(help="Download the whole archive again instead of the changes.")
    ] = False,
    all_records: Annotated[
        bool | None,
        typer.Option(
            "--all-records/--malicious-only",
            help="Keep every npm record of the source, not only MAL- (malicious-package) ids: "
            "for an internal feed of your own records (default: as before, else MAL- only).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(min=0.1, help="Seconds to wait for the source to connect or send more data."),
    ] = 30.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Update the advisory databases from their sources (only what changed, after the first).

    A failed or interrupted update keeps the previous database and says so (exit 2).
    """
    from dataclasses import replace

    from scanner.errors import DepscanError
    from scanner.osv.feed_limits import DEFAULT_LIMITS
    from scanner.osv.feed_update import update_feed
    from scanner.reports.escape import inline

    root = _cache_root(cache_dir)
    limits = replace(DEFAULT_LIMITS, timeout=timeout)
    failed = False
    for text in source or _known_sources(root):
        try:
            from scanner.osv.feed_source import parse_source

            outcome = update_feed(
                parse_source(text), root, all_records=all_records, force=force, limits=limits
            )
        except DepscanError as error:
            sys.stderr.write(f"depscan: error: {inline(error.one_line())}\n")
            failed = True
            continue
        if not quiet:
            sys.stdout.write(inline(_outcome_line(outcome)) + "\n")
        if outcome.skipped_count:
            sys.stderr.write(inline(_skipped_line(outcome)) + "\n")
    if failed:
        raise typer.Exit(EXIT_ERROR)


@db_app.command("status")
def status_command(
    cache_dir: CacheDir = None,
    output_format: Annotated[
        StatusFormat, typer.Option("--format", "-f", help="Output format.")
    ] = StatusFormat.text,
    max_age_days: Annotated[
        int, typer.Option(min=1, help="Call a database older than this stale.")
    ] = 7,
) -> None:
    """Show each advisory database: its source, record counts, and how old it is."""
    from scanner.osv.database import AdvisoryDatabase
    from scanner.reports.escape import json_text

    root = _cache_root(cache_dir)
    bundled = AdvisoryDatabase.load([], cache_dir=None).record_count
    entries = [_status_entry(path, max_age_days) for path in _database_paths(root)]
    if output_format is StatusFormat.json:
        document = {
            "directory": str(root / "advisory-db"),
            "bundled_records": bundled,
            "databases": [asdict(entry) for entry in entries],
        }
        sys.stdout.write(json_text(document) + "\n")
        return
    sys.stdout.write(_status_text(root, bundled, entries))


def _cache_root(cache_dir: Path | None) -> Path:
    from scanner.scan import default_cache_dir

    return cache_dir or default_cache_dir()


def _database_paths(root: Path) -> list[Path]:
    from scanner.osv.feed_store import list_databases

    return list_databases(root)


def _known_sources(root: Path) -> list[str]:
    """The sources of the databases already in the cache; OSV's npm export when there are none."""
    from scanner.osv.feed_db import FeedDatabase
    from scanner.osv.feed_source import DEFAULT_SOURCE, FeedError

    sources: list[str] = []
    for path in _database_paths(root):
        try:
            database = FeedDatabase.open(path)
        except FeedError:
            continue  # unreadable: `--source` rebuilds it; status shows it
        sources.append(database.meta.source)
        database.close()
    return sources or [DEFAULT_SOURCE]


def _outcome_line(outcome: UpdateOutcome) -> str:
    meta = outcome.meta
    head = f"{outcome.source.location}: "
    if outcome.status == "unchanged":
        return head + f"up to date ({outcome.how}): {meta.records:,} records"
    parts = []
    if outcome.status == "updated" and (outcome.changed or outcome.removed or outcome.added):
        parts.append(f"{outcome.added:,} new, {outcome.changed:,} changed, "
                     f"{outcome.removed:,} removed")
    parts.append(outcome.how)
    return (head + f"{outcome.status}: {meta.records:,} records ({meta.withdrawn:,} withdrawn) "
            f"in {outcome.seconds:.1f} s, {outcome.waited:.1f} s of it waiting on the source "
            f"({'; '.join(parts)})")


def _skipped_line(outcome: UpdateOutcome) -> str:
    noun = "record" if outcome.skipped_count == 1 else "records"
    return (f"depscan: warning: {outcome.source.location}: {outcome.skipped_count:,} {noun} could "
            f"not be read and were skipped: {'; '.join(outcome.skipped)}")


@dataclass
class _Status:
    file: str
    bytes: int = 0
    error: str | None = None
    source: str = ""
    records: int = 0
    withdrawn: int = 0
    package_names: int = 0
    malicious_only: bool = True
    updated: str | None = None
    age_days: float | None = None
    stale: bool = True
    data_changed: str = ""
    created: str = ""
    newest_record_modified: str | None = None
    skipped_in_last_update: int = 0
    skipped_examples: list[str] = field(default_factory=list)
    last_failure: str | None = None
    last_failure_at: str | None = None


def _status_entry(path: Path, max_age_days: int) -> _Status:
    from datetime import UTC, datetime

    from scanner.osv.feed_db import FeedDatabase
    from scanner.osv.feed_source import FeedError
    from scanner.osv.feed_store import read_state
    from scanner.timestamps import parse_time

    state = read_state(path)
    entry = _Status(file=str(path))
    try:
        entry.bytes = path.stat().st_size
        database = FeedDatabase.open(path)
    except (OSError, FeedError) as error:
        entry.error = error.one_line() if isinstance(error, FeedError) else str(error)
        return entry
    meta = database.meta
    database.close()
    checked = state.checked_at if state.token == meta.token else meta.changed_at
    moment = parse_time(checked)
    age = (datetime.now(UTC) - moment).total_seconds() / 86400 if moment else None
    entry.source, entry.records, entry.withdrawn = meta.source, meta.records, meta.withdrawn
    entry.package_names, entry.malicious_only = meta.names, not meta.all_records
    entry.updated = checked
    entry.age_days = round(age, 2) if age is not None else None
    entry.stale = age is None or age > max_age_days
    entry.data_changed, entry.created = meta.changed_at, meta.built_at
    entry.newest_record_modified = meta.newest_modified
    entry.skipped_in_last_update = meta.skipped
    entry.skipped_examples = list(meta.skipped_examples)
    entry.last_failure, entry.last_failure_at = state.failure, state.failed_at
    return entry


def _status_text(root: Path, bundled: int, entries: list[_Status]) -> str:
    from scanner.reports.databases import age_text
    from scanner.reports.escape import inline

    lines = [f"bundled: {bundled:,} records (shipped with depscan, always used)"]
    if not entries:
        lines.append(
            f"No advisory database in {root / 'advisory-db'}: scans check only the bundled "
            "records. Run `depscan db update`."
        )
    for entry in entries:
        if entry.error is not None:
            lines.append(f"{entry.file}: UNUSABLE: {entry.error}")
            continue
        when = f"{age_text(entry.age_days)} ago" if entry.age_days is not None else "unknown"
        stale = "  STALE: run `depscan db update`" if entry.stale else ""
        scope = "" if entry.malicious_only else ", all records of the source"
        lines.append(entry.source)
        lines.append(f"  records: {entry.records:,} ({entry.withdrawn:,} withdrawn), "
                     f"{entry.package_names:,} package names{scope}")
        lines.append(f"  updated: {entry.updated} ({when}){stale}")
        lines.append(f"  data last changed: {entry.data_changed}; newest record modified: "
                     f"{entry.newest_record_modified or 'n/a'}")
        lines.append(f"  file: {entry.file} ({entry.bytes / (1024 * 1024):.1f} MB)")
        if entry.skipped_in_last_update:
            lines.append(f"  skipped in the last update: {entry.skipped_in_last_update} "
                         f"({'; '.join(entry.skipped_examples)})")
        if entry.last_failure:
            lines.append(f"  last update FAILED at {entry.last_failure_at}: {entry.last_failure}")
    # Sources, reasons and record ids come from the cache and the feed: one visible line each.
    return "".join(inline(line) + "\n" for line in lines)
