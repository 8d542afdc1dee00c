"""A package's release history from its registry document: which versions came before which.

"Before" means published earlier. Semver order alone would be wrong: a 1.2.5 backport published
after 2.0.0 follows 1.2.4, and a version published later cannot have influenced an earlier one.
When the registry omits publish times, semver order is the only order there is.

Documents of popular packages list thousands of versions, so a history is built once per document
and every version of that package locked in the lockfile is looked up in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from scanner.registry.packument import Packument
from scanner.timestamps import parse_time

PrereleasePart = tuple[int, int | str]
SemverKey = tuple[int, int, int, int, tuple[PrereleasePart, ...]]


# npm only publishes valid semver; the loose prefix ("v", "=") appears in very old documents.
_SEMVER = re.compile(
    r"^\s*[v=]*\s*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-?([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?\s*$"
)


def semver_key(version: str) -> SemverKey | None:
    """A sort key in semver precedence (build metadata ignored); ``None`` for a non-semver.

    Parsed here rather than with nodesemver: histories of popular packages hold thousands of
    versions and this runs for every one of them.
    """
    match = _SEMVER.match(version)
    if match is None:
        return None
    major, minor, patch, prerelease = match.groups()
    # Numeric identifiers rank below alphanumeric ones; a release ranks above its prereleases.
    pre = tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in (prerelease.split(".") if prerelease else ())
    )
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre)


def _publish_times(packument: Packument) -> dict[str, datetime]:
    times: dict[str, datetime] = {}
    for version, stamp in packument.time.items():
        if version in packument.versions and (moment := parse_time(stamp)) is not None:
            times[version] = moment
    return times


@dataclass(frozen=True, slots=True)
class ReleaseHistory:
    packument: Packument
    order: tuple[str, ...]
    """Versions oldest first: by publish time, semver order breaking ties. Without any publish
    times, semver order; versions that have neither a time (when others do) nor a valid semver
    (when none do) are left out."""
    times: Mapping[str, datetime]
    """Publish time of each version that has one (``created``/``modified`` left out)."""
    keys: Mapping[str, SemverKey]
    position: Mapping[str, int]

    @classmethod
    def of(cls, packument: Packument) -> ReleaseHistory:
        times = _publish_times(packument)
        keys = {v: k for v in packument.versions if (k := semver_key(v)) is not None}
        candidates = [v for v in packument.versions if v in times] if times else list(keys)
        by_semver = sorted((v for v in candidates if v in keys), key=keys.__getitem__)
        by_semver += sorted(v for v in candidates if v not in keys)
        # sorted() is stable, so versions published at the same instant keep semver order
        order = tuple(sorted(by_semver, key=lambda v: times[v])) if times else tuple(by_semver)
        return cls(packument, order, times, keys, {v: i for i, v in enumerate(order)})

    @property
    def has_times(self) -> bool:
        return bool(self.times)

    def released_before(self, version: str) -> tuple[str, ...]:
        """Versions released before ``version``, oldest first (none when it is not in the order)."""
        index = self.position.get(version)
        return self.order[:index] if index is not None else ()

    def previous_version(self, version: str) -> str | None:
        """What ``version`` followed: the highest lower semver among those released before it."""
        key = self.keys.get(version)
        if key is None:
            return None
        lower = [v for v in self.released_before(version) if v in self.keys and self.keys[v] < key]
        return max(lower, key=self.keys.__getitem__) if lower else None
