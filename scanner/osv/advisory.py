"""The advisory values reports and checks read: one advisory, and why it matched a package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Advisory:
    """The part of an OSV record that a report shows.

    ``source`` names where the record was loaded from: ``"bundled"`` or the path of the extra
    source as given by the caller.
    """

    id: str
    aliases: tuple[str, ...]
    summary: str
    source: str
    published: str | None = None
    modified: str | None = None
    references: tuple[str, ...] = ()

    @property
    def all_ids(self) -> tuple[str, ...]:
        """The record id followed by its aliases, without duplicates."""
        return tuple(dict.fromkeys((self.id, *self.aliases)))


@dataclass(frozen=True, slots=True)
class AdvisoryMatch:
    """One advisory that lists a package version, and the version/range entries that caused it.

    ``reason`` is human text such as ``version 3.3.6 listed`` or ``range >=0 (all versions)``;
    when several entries of the record match, their reasons are joined with ``"; "``.
    """

    advisory: Advisory
    reason: str
