"""Validation of OSV records (schema 1.x) and reduction to what npm matching needs.

Pure functions over already-decoded JSON. Fields that decide matching or end up in findings
(``id``, ``aliases``, ``affected``) are validated strictly, because a silently mis-read record
would hide a malicious package. Display-only fields (summary, dates, references) are taken when
they have the expected type and dropped otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.errors import AdvisoryError

NPM_ECOSYSTEM = "npm"
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


@dataclass(frozen=True, slots=True)
class VersionRange:
    """One OSV ``ranges[]`` entry: its type and its events as ``(kind, version)`` pairs."""

    type: str
    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AffectedEntry:
    """One npm ``affected[]`` entry of a record (the package name is the index key)."""

    versions: tuple[str, ...] = ()
    ranges: tuple[VersionRange, ...] = ()


@dataclass(frozen=True, slots=True)
class AdvisoryRecord:
    """A validated record: display fields plus its npm entries grouped by package name."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    published: str | None
    modified: str | None
    references: tuple[str, ...]
    withdrawn: bool
    affected: dict[str, tuple[AffectedEntry, ...]] = field(default_factory=dict)


def compile_record(data: object, subject: str) -> AdvisoryRecord:
    """Validate one decoded OSV record; raise :class:`AdvisoryError` naming ``subject``."""
    if not isinstance(data, dict):
        raise AdvisoryError("OSV record is not a JSON object", subject=subject)
    record_id = data.get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        raise AdvisoryError("OSV record has no 'id'", subject=subject)
    schema_version = data.get("schema_version")
    if schema_version is not None and (
        not isinstance(schema_version, str) or not schema_version.startswith("1.")
    ):
        raise AdvisoryError(
            f"{record_id}: unsupported schema_version {schema_version!r} (expected 1.x)",
            subject=subject,
        )
    affected = data.get("affected")
    if not isinstance(affected, list):
        raise AdvisoryError(f"{record_id}: OSV record has no 'affected' list", subject=subject)

    by_name: dict[str, list[AffectedEntry]] = {}
    for position, raw_entry in enumerate(affected):
        parsed = _npm_entry(raw_entry, f"{record_id}: affected[{position}]", subject)
        if parsed is not None:
            name, entry = parsed
            by_name.setdefault(name, []).append(entry)

    return AdvisoryRecord(
        id=record_id,
        aliases=_string_list(data.get("aliases"), f"{record_id}: aliases", subject),
        summary=_optional_text(data.get("summary")) or "",
        published=_optional_text(data.get("published")),
        modified=_optional_text(data.get("modified")),
        references=_reference_urls(data.get("references")),
        withdrawn=bool(data.get("withdrawn")),
        affected={name: tuple(entries) for name, entries in by_name.items()},
    )


def _npm_entry(raw: object, label: str, subject: str) -> tuple[str, AffectedEntry] | None:
    """The package name and entry of an npm ``affected`` item; ``None`` for other ecosystems."""
    if not isinstance(raw, dict):
        raise AdvisoryError(f"{label} is not an object", subject=subject)
    package = raw.get("package")
    if package is None:
        # OSV allows entries without a package (e.g. GIT-only); they never name an npm package.
        return None
    if not isinstance(package, dict):
        raise AdvisoryError(f"{label}.package is not an object", subject=subject)
    if package.get("ecosystem") != NPM_ECOSYSTEM:
        return None
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise AdvisoryError(f"{label}.package has no 'name'", subject=subject)
    versions = _string_list(raw.get("versions"), f"{label}.versions", subject)
    raw_ranges = raw.get("ranges")
    if raw_ranges is None:
        raw_ranges = []
    if not isinstance(raw_ranges, list):
        raise AdvisoryError(f"{label}.ranges is not a list", subject=subject)
    ranges = tuple(
        _version_range(item, f"{label}.ranges[{index}]", subject)
        for index, item in enumerate(raw_ranges)
    )
    return name, AffectedEntry(versions=versions, ranges=ranges)


def _version_range(raw: object, label: str, subject: str) -> VersionRange:
    if not isinstance(raw, dict):
        raise AdvisoryError(f"{label} is not an object", subject=subject)
    range_type = raw.get("type")
    if not isinstance(range_type, str) or not range_type:
        raise AdvisoryError(f"{label} has no 'type'", subject=subject)
    raw_events = raw.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise AdvisoryError(f"{label} has no 'events' list", subject=subject)
    events: list[tuple[str, str]] = []
    for index, event in enumerate(raw_events):
        if not isinstance(event, dict) or len(event) != 1:
            raise AdvisoryError(
                f"{label}.events[{index}] must be an object with exactly one key",
                subject=subject,
            )
        ((kind, value),) = event.items()
        if kind not in EVENT_KINDS or not isinstance(value, str) or not value:
            raise AdvisoryError(
                f"{label}.events[{index}]: unknown event {kind!r} or non-string version",
                subject=subject,
            )
        events.append((kind, value))
    return VersionRange(type=range_type, events=tuple(events))


def _string_list(raw: object, label: str, subject: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise AdvisoryError(f"{label} must be a list of strings", subject=subject)
    return tuple(raw)


def _optional_text(raw: object) -> str | None:
    return raw if isinstance(raw, str) and raw else None


def _reference_urls(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    urls = (item.get("url") for item in raw if isinstance(item, dict))
    return tuple(dict.fromkeys(url for url in urls if isinstance(url, str) and url))
