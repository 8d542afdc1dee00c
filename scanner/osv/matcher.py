"""Does an OSV ``affected`` entry cover a package version? OSV semantics, npm version ordering.

An entry affects a version when the version is in its explicit ``versions`` list (string
equality) or inside any of its ``SEMVER``/``ECOSYSTEM`` ranges (the union of both). An entry with
neither lists nor ranges affects every version. Range events are ordered with node-semver's
ordering, which puts prereleases before their release (``2.0.0-rc.1 < 2.0.0``); ``introduced: 0``
is below everything. Ranges that cannot be ordered (a version or event that is not semver, or a
``GIT`` range) are skipped rather than guessed, except a bare ``introduced: 0``, which means
"every version" whatever the version string looks like.

Every function returns the reason for a match, so a report can say which list or range fired.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, cmp_to_key
from typing import Any

from scanner.osv.records import AffectedEntry, VersionRange

ORDERED_RANGE_TYPES = frozenset({"SEMVER", "ECOSYSTEM"})
"""For npm, OSV's ECOSYSTEM ordering is semver ordering."""

ZERO = "0"
UNLIMITED = "*"


def entry_reasons(entry: AffectedEntry, version: str) -> list[str]:
    """Why ``entry`` covers ``version``: one reason per list or range that does; ``[]`` if none."""
    if not entry.versions and not entry.ranges:
        return ["no versions or ranges listed (all versions)"]
    reasons: list[str] = []
    if version in entry.versions:
        reasons.append(f"version {version} listed")
    for version_range in entry.ranges:
        reason = range_reason(version_range, version)
        if reason is not None:
            reasons.append(reason)
    return reasons


def range_reason(version_range: VersionRange, version: str) -> str | None:
    """The interval of ``version_range`` holding ``version``, as text; ``None`` when none does."""
    if version_range.type not in ORDERED_RANGE_TYPES:
        return None
    if _covers_everything(version_range):
        return "range >=0 (all versions)"
    parse = _semver_parser()
    subject = parse(version)
    if subject is None:
        return None
    keyed: list[tuple[Any, int, str, str]] = []
    for kind, value in version_range.events:
        if kind == "limit" and value == UNLIMITED:
            continue
        if kind == "introduced" and value == ZERO:
            key = None
        else:
            key = parse(value)
            if key is None:
                return None
        keyed.append((key, _KIND_ORDER[kind], kind, value))
    limits = [key for key, _, kind, _ in keyed if kind == "limit"]
    if limits and not any(subject.compare(limit) < 0 for limit in limits):
        return None
    ordered = sorted((item for item in keyed if item[2] != "limit"), key=cmp_to_key(_event_order))
    return _interval_text(ordered, subject)


def _covers_everything(version_range: VersionRange) -> bool:
    kinds = {(kind, value) for kind, value in version_range.events}
    return ("introduced", ZERO) in kinds and all(
        (kind == "introduced") or (kind == "limit" and value == UNLIMITED)
        for kind, value in version_range.events
    )


def _interval_text(ordered: list[tuple[Any, int, str, str]], subject: Any) -> str | None:
    """Walk the sorted events up to ``subject``, as the OSV evaluation algorithm does."""
    opened_at: int | None = None
    for position, (key, _, kind, _) in enumerate(ordered):
        if kind == "introduced":
            if key is None or subject.compare(key) >= 0:
                opened_at = position
        elif kind == "fixed":
            if subject.compare(key) >= 0:
                opened_at = None
        elif kind == "last_affected" and subject.compare(key) > 0:
            opened_at = None
    if opened_at is None:
        return None
    lower = ordered[opened_at][3]
    upper = next(
        (
            ("<" if kind == "fixed" else "<=") + value
            for _, _, kind, value in ordered[opened_at + 1 :]
            if kind in ("fixed", "last_affected")
        ),
        None,
    )
    if upper is None:
        return f"range >={lower}" + (" (all versions)" if lower == ZERO else "")
    return f"range >={lower} {upper}"


_KIND_ORDER = {"introduced": 0, "fixed": 1, "last_affected": 2, "limit": 3}


def _event_order(left: tuple[Any, int, str, str], right: tuple[Any, int, str, str]) -> int:
    """Version order (``None`` is ``introduced: 0``, below all), then event kind on ties."""
    left_key, right_key = left[0], right[0]
    if left_key is None or right_key is None:
        by_version = (left_key is not None) - (right_key is not None)
    else:
        by_version = int(left_key.compare(right_key))
    return by_version or left[1] - right[1]


@cache
def _semver_parser() -> Callable[[str], Any]:
    # Imported on first use: nodesemver costs ~17 ms to import and most scans match nothing.
    import nodesemver

    def parse(text: str) -> Any:
        try:
            return nodesemver.valid(text, True)
        except (ValueError, TypeError):
            return None

    return parse
