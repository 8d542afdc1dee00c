"""A package's release history from its registry document: which versions came before which.

"Before" means published earlier. Semver order alone would be wrong: a 1.2.5 backport published
after 2.0.0 follows 1.2.4, and a version published later cannot have influenced an earlier one.
When the registry omits publish times, semver order is the only order there is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cmp_to_key

import nodesemver

from scanner.registry.packument import Packument


def parse_timestamp(text: str) -> datetime | None:
    """An ISO-8601 time as served by registries; naive times are taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_semver(version: str) -> bool:
    return nodesemver.valid(version, True) is not None


def _compare_semver(a: str, b: str) -> int:
    return int(nodesemver.compare(a, b, True))


semver_key = cmp_to_key(_compare_semver)


def publish_times(packument: Packument) -> dict[str, datetime]:
    """Publish time of each version the document lists (``created``/``modified`` left out)."""
    times: dict[str, datetime] = {}
    for version, stamp in packument.time.items():
        if version not in packument.versions or not isinstance(stamp, str):
            continue
        moment = parse_timestamp(stamp)
        if moment is not None:
            times[version] = moment
    return times


def releases_in_order(packument: Packument) -> list[str]:
    """Every version, oldest first: by publish time, semver order breaking ties and filling gaps.

    Versions without a publish time or without a valid semver are left out when the other kind of
    order is not available for them.
    """
    times = publish_times(packument)
    if times:
        timed = [v for v in packument.versions if v in times]
        by_semver = sorted((v for v in timed if is_semver(v)), key=semver_key)
        by_semver += sorted(v for v in timed if not is_semver(v))
        # sorted() is stable, so versions published at the same instant keep semver order
        return sorted(by_semver, key=lambda v: times[v])
    return sorted((v for v in packument.versions if is_semver(v)), key=semver_key)


def released_before(packument: Packument, version: str) -> list[str]:
    """Versions released before ``version``, oldest first (empty when it is not in the history)."""
    history = releases_in_order(packument)
    if version not in history:
        return []
    return history[: history.index(version)]


def previous_version(packument: Packument, version: str) -> str | None:
    """The version ``version`` followed: the highest lower semver among those released before it."""
    if not is_semver(version):
        return None
    candidates = [
        v
        for v in released_before(packument, version)
        if is_semver(v) and _compare_semver(v, version) < 0
    ]
    return max(candidates, key=semver_key) if candidates else None
