"""Very recent releases: a version published only hours or days before the scan.

Malicious versions are usually found and removed within days; waiting a minimum age before taking a
new release (pnpm's ``minimumReleaseAge``) sidesteps most of them. A lockfile that already pins a
version younger than that deserves a look before it ships.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scanner.checks.release_history import ReleaseHistory

DEFAULT_MIN_AGE_DAYS = 2


def release_age(history: ReleaseHistory, version: str, now: datetime) -> timedelta | None:
    """How long before ``now`` the version was published; ``None`` when the time is not known."""
    published = history.times.get(version)
    if published is None:
        return None
    return max(now - published, timedelta(0))


def describe_age(age: timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        minutes = int(age.total_seconds() // 60)
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    if hours < 48:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{age.days} days"


def recent_release_message(name: str, version: str, age: timedelta, min_days: int) -> str:
    return (
        f"{name}@{version} was published {describe_age(age)} before this scan "
        f"(minimum release age: {min_days} day{'' if min_days == 1 else 's'})"
    )
