"""Maintainer-set changes: accounts added to or removed from a package shortly before a version.

Each version document records the maintainers at the time it was published. A change in the last
few releases up to the locked one (someone handed publish rights over, or an owner removed) is the
moment a takeover becomes possible, and is worth a look even when nobody new has published yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from scanner.checks.release_history import ReleaseHistory

DEFAULT_LOOKBACK_VERSIONS = 3


@dataclass(frozen=True, slots=True)
class MaintainerChange:
    version: str
    """The release whose maintainer list first shows the change."""
    previous: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


def maintainer_changes(
    history: ReleaseHistory, version: str, lookback: int = DEFAULT_LOOKBACK_VERSIONS
) -> list[MaintainerChange]:
    """Changes that first show in ``version`` or in one of the ``lookback`` releases before it.

    Only releases whose documents carry a maintainer list take part; the caller reports a locked
    version without one as not checked.
    """
    versions = history.packument.versions
    if version not in history.position or versions[version].maintainers is None:
        return []
    up_to = (*history.released_before(version), version)
    listed = [v for v in up_to if versions[v].maintainers is not None]
    # each of the lookback + 1 releases is compared with the one before it
    recent = listed[-(lookback + 2) :]
    changes = []
    for before, after in pairwise(recent):
        old = set(versions[before].maintainers or ())
        new = set(versions[after].maintainers or ())
        if old != new:
            changes.append(
                MaintainerChange(after, before, tuple(sorted(new - old)), tuple(sorted(old - new)))
            )
    return changes


def maintainer_change_message(name: str, version: str, changes: list[MaintainerChange]) -> str:
    parts = []
    for change in changes:
        label = f"{change.version} (this version)" if change.version == version else change.version
        moves = []
        if change.added:
            moves.append(f"added {', '.join(change.added)}")
        if change.removed:
            moves.append(f"removed {', '.join(change.removed)}")
        parts.append(f"{label} {' and '.join(moves)}")
    changed = "; ".join(parts)
    return f"{name}@{version}: maintainers changed in the releases leading up to it: {changed}"
