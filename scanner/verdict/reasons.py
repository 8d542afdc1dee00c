"""What every verdict rule shares: the reason a rule gives, the groups of capabilities the rules
reason about, and how a package's history is read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from scanner.behaviour.model import Capability as C
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict.compare import Placed, first_per_key
from scanner.verdict.evidence import Evidence
from scanner.verdict.phrases import join, phrase, where

SOURCES = frozenset({C.ENV_ALL, C.ENV_SECRET, C.CREDENTIAL_ACCESS})
CHANNELS = frozenset({C.NETWORK, C.DNS, C.EXFIL_ENDPOINT})
FEW_VERSIONS = 3
"""A package with this many versions or fewer has no history to vouch for it."""
YOUNG = timedelta(days=90)
"""A package first published less recently than this has no history to vouch for it either."""
YOUNG_MAX_VERSIONS = 10
SQUAT_MAX_VERSIONS = 5
"""Typosquats are thrown away after a few releases; a look-alike name with a long history of
releases is a real package (``preact``, ``through2``), not a squat."""


@dataclass(frozen=True, slots=True)
class Reason:
    severity: Severity
    text: str
    rule: str
    """Stable id of the rule that gave it (JSON, tests, docs)."""
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.label,
            "rule": self.rule,
            "text": self.text,
            "file": self.file,
            "line": self.line,
        }


def capabilities(items: Iterable[Placed]) -> set[C]:
    return {p.signal.capability for p in items}


def pick(items: Iterable[Placed], caps: Iterable[C]) -> list[Placed]:
    wanted = set(caps)
    return first_per_key(p for p in items if p.signal.capability in wanted)


def describe(items: list[Placed]) -> str:
    """``lib/a.js:3 reads NPM_TOKEN and reaches the network``, first places first."""
    files = join([where(p.signal) for p in items[:3]])
    return f"{join([phrase(p.signal) for p in items])} ({files})"


def reason(severity: Severity, rule: str, text: str, items: list[Placed]) -> Reason:
    first = items[0].signal if items else None
    return Reason(
        severity, text, rule, first.file if first else None, first.line if first else None
    )


def no_history(evidence: Evidence) -> bool:
    """A package new to the project with nothing to vouch for it: a handful of releases, or a
    first release less than :data:`YOUNG` ago (when the registry gives real times)."""
    meta = evidence.metadata
    if evidence.kind is not ChangeKind.NEW or meta is None:
        return False
    count = meta.version_count
    few = count is not None and count <= FEW_VERSIONS
    young = meta.created is not None and meta.now is not None and meta.now - meta.created < YOUNG
    # Dozens of releases are history even in 90 days (and publish times can be missing or wrong
    # on a mirror): age alone does not make a package unknown.
    return few or (young and (count is None or count <= YOUNG_MAX_VERSIONS))


def by_file(items: Iterable[Placed]) -> dict[str, list[Placed]]:
    """Signals grouped by file. Combinations are judged within one file: an injected payload
    sits in one file, while a big package has every capability somewhere."""
    grouped: dict[str, list[Placed]] = {}
    for item in items:
        grouped.setdefault(item.signal.file, []).append(item)
    return grouped


def worst(found: list[Reason]) -> list[Reason]:
    """The most severe of several same-rule reasons (one per file), so a rule speaks once."""
    return [max(found, key=lambda r: r.severity)] if found else []


def short(command: str, limit: int = 80) -> str:
    text = " ".join(command.split()).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
