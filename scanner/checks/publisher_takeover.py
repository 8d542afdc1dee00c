"""Publisher takeover: a version published by an account new to the package.

The event-stream attack is the pattern: after years of releases by one maintainer, a newcomer was
given publish rights, published a harmless 3.3.5, then 3.3.6 with the malicious dependency. So a
locked version is suspect when its publisher had never published the package before, and also when
that publisher's first release of it is recent (a few days or a few versions earlier) and came
after a history of other publishers. A package only ever published by one account is no takeover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scanner.checks.release_history import ReleaseHistory

DEFAULT_WINDOW_DAYS = 90
DEFAULT_WINDOW_VERSIONS = 3
NAMES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class TakeoverWindow:
    """How recent a publisher's first release must be for a later release to count as theirs."""

    days: int = DEFAULT_WINDOW_DAYS
    versions: int = DEFAULT_WINDOW_VERSIONS


@dataclass(frozen=True, slots=True)
class Takeover:
    publisher: str
    earlier_publishers: tuple[str, ...]
    """Other accounts that published the package before the newcomer, most recent first."""
    first_version: str | None = None
    """The newcomer's first release of the package; ``None`` when it is the locked version."""
    days_since_first: int | None = None
    versions_since_first: int | None = None


def _most_recent_first(publishers: Iterable[str | None], exclude: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in reversed(list(publishers)):
        if name is not None and name != exclude:
            seen.setdefault(name, None)
    return tuple(seen)


def find_takeover(history: ReleaseHistory, version: str, window: TakeoverWindow) -> Takeover | None:
    """The takeover evidence for ``version``, or ``None``.

    Needs publish times: "before" is publication order. The caller reports a version without a
    publisher or a publish time as not checked rather than calling this.
    """
    if version not in history.times:
        return None
    versions = history.packument.versions
    publisher = versions[version].publisher
    if publisher is None:
        return None
    earlier_releases = history.released_before(version)
    publishers = [versions[v].publisher for v in earlier_releases]
    if publisher not in publishers:
        earlier = _most_recent_first(publishers, publisher)
        return Takeover(publisher, earlier) if earlier else None

    first_position = publishers.index(publisher)
    earlier = _most_recent_first(publishers[:first_position], publisher)
    if not earlier:
        return None  # the package started with this publisher: they are its owner, not a newcomer
    first_version = earlier_releases[first_position]
    days = (history.times[version] - history.times[first_version]).days
    versions_since = len(earlier_releases) - first_position
    if days > window.days and versions_since > window.versions:
        return None
    return Takeover(publisher, earlier, first_version, days, versions_since)


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    hidden = len(names) - NAMES_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def takeover_message(name: str, version: str, takeover: Takeover) -> str:
    head = f"{name}@{version} was published by {takeover.publisher}"
    earlier = f"earlier publishers: {_names(takeover.earlier_publishers)}"
    if takeover.days_since_first is None:
        return f"{head}, who had never published {name} before; {earlier}"
    days = takeover.days_since_first
    when = f"{days} day{'' if days == 1 else 's'} earlier"
    return f"{head}, whose first {name} release was {when}; {earlier}"
