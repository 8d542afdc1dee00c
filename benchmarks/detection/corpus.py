"""The benign sample: packages of the shared corpus lockfiles, each paired with its next release.

The sample is deterministic given the corpus and the registry's version lists: names are ordered
by a keyed hash, so it is spread over the corpus rather than biased to the alphabet, and it is
stratified by popularity (in how many corpus lockfiles a name appears). Packages the issue names
as sources of false alarms (compilers, bundlers, platform binaries, type packages) are always in.
The chosen pairs, with their integrity hashes, are written to a committed file, so a re-run judges
exactly the same tarballs.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cmp_to_key
from pathlib import Path
from typing import Any

from scanner.errors import DepscanError
from scanner.model import SourceKind
from scanner.registry.packument import Packument

LOCKFILE_NAMES = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
)
SEED = "depscan-detection-1"
MUST_NAMES = {
    "typescript": 3,
    "esbuild": 2,
    "next": 2,
    "sharp": 1,
    "vitest": 2,
    "rollup": 2,
    "execa": 2,
    "dotenv": 2,
    "csstype": 3,
}
"""Names always sampled, with how many of their corpus versions."""
MUST_FAMILIES = {
    "@esbuild/": 6,
    "@rollup/rollup-": 4,
    "@img/sharp-": 4,
    "lightningcss-": 4,
    "@unrs/resolver-binding-": 2,
    "@types/": 14,
}
"""Name prefixes always sampled, with how many names of each (one version each)."""
STRATA = (
    ("1 lockfile", 1, 1),
    ("2-3 lockfiles", 2, 3),
    ("4-7 lockfiles", 4, 7),
    ("8+ lockfiles", 8, 1 << 30),
)
FORCED = "named in the issue"


@dataclass
class CorpusName:
    name: str
    versions: Counter[str] = field(default_factory=Counter)
    lockfiles: set[str] = field(default_factory=set)
    formats: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Pair:
    name: str
    old: str
    new: str
    stratum: str
    popularity: int
    formats: tuple[str, ...]
    old_integrity: str | None
    old_shasum: str | None
    new_integrity: str | None
    new_shasum: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "from": self.old,
            "to": self.new,
            "stratum": self.stratum,
            "popularity": self.popularity,
            "formats": list(self.formats),
            "from_integrity": self.old_integrity,
            "from_shasum": self.old_shasum,
            "to_integrity": self.new_integrity,
            "to_shasum": self.new_shasum,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pair:
        return cls(
            name=data["name"],
            old=data["from"],
            new=data["to"],
            stratum=data["stratum"],
            popularity=int(data["popularity"]),
            formats=tuple(data["formats"]),
            old_integrity=data.get("from_integrity"),
            old_shasum=data.get("from_shasum"),
            new_integrity=data.get("to_integrity"),
            new_shasum=data.get("to_shasum"),
        )


def corpus_lockfiles(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.name in LOCKFILE_NAMES and p.is_file())


def corpus_names(corpus: Path) -> dict[str, CorpusName]:
    """Every registry package of every readable corpus lockfile (unreadable ones are skipped)."""
    from scanner.sources.detect import read_lockfile

    found: dict[str, CorpusName] = {}
    for path in corpus_lockfiles(corpus):
        try:
            lockfile = read_lockfile(path)
        except DepscanError:
            continue  # the corpus keeps a deliberately broken lockfile for error-path tests
        label = str(path.relative_to(corpus))
        for node in lockfile.packages():
            if node.source is not SourceKind.REGISTRY or not node.version:
                continue
            entry = found.setdefault(node.name, CorpusName(node.name))
            entry.versions[node.version] += 1
            entry.lockfiles.add(label)
            entry.formats.add(lockfile.format)
    return found


def _key(*parts: str) -> str:
    return hashlib.sha256(":".join((SEED, *parts)).encode()).hexdigest()


def _compare(a: str, b: str) -> int:
    import nodesemver

    return int(nodesemver.compare(a, b, loose=True))


def _valid(version: str) -> bool:
    import nodesemver

    try:
        return nodesemver.valid(version, loose=True) is not None
    except (ValueError, TypeError):
        return False


def next_release(packument: Packument, version: str) -> str | None:
    """The lowest version above ``version`` that has a tarball (a stable one for a stable
    ``version``), as the next release an update would bring."""
    if not _valid(version):
        return None
    stable = "-" not in version
    candidates = [
        v
        for v, info in packument.versions.items()
        if _valid(v)
        and info.tarball
        and (info.integrity or info.shasum)
        and (not stable or "-" not in v)
        and _compare(v, version) > 0
    ]
    return min(candidates, key=cmp_to_key(_compare)) if candidates else None


def stratum_of(popularity: int) -> str:
    return next(label for label, low, high in STRATA if low <= popularity <= high)


def _pair(entry: CorpusName, version: str, packument: Packument, stratum: str) -> Pair | None:
    following = next_release(packument, version)
    old_info = packument.versions.get(version)
    if following is None or old_info is None or not old_info.tarball:
        return None
    new_info = packument.versions[following]
    return Pair(
        name=entry.name,
        old=version,
        new=following,
        stratum=stratum,
        popularity=len(entry.lockfiles),
        formats=tuple(sorted(entry.formats)),
        old_integrity=old_info.integrity,
        old_shasum=old_info.shasum,
        new_integrity=new_info.integrity,
        new_shasum=new_info.shasum,
    )


def _versions_by_key(entry: CorpusName) -> list[str]:
    return sorted(entry.versions, key=lambda v: _key(entry.name, v))


def _latest_step(packument: Packument) -> list[str]:
    """The stable release before the newest one: for a forced name whose corpus versions are
    all the newest (nothing to update to), the most recent real update is judged instead."""
    stable = sorted(
        (
            v
            for v, info in packument.versions.items()
            if _valid(v) and "-" not in v and info.tarball
        ),
        key=cmp_to_key(_compare),
    )
    return stable[-2:-1]


def select(
    names: dict[str, CorpusName],
    packument_of: Callable[[str], Packument | None],
    total: int = 600,
    progress: Callable[[str], None] | None = None,
) -> list[Pair]:
    """The sample: the forced names and families first, the rest split evenly over the strata."""
    pairs: list[Pair] = []
    taken: set[str] = set()

    def add(entry: CorpusName, versions: Iterable[str], stratum: str, limit: int) -> int:
        document = packument_of(entry.name)
        if document is None:
            return 0
        added = 0
        for version in versions:
            if added >= limit:
                break
            pair = _pair(entry, version, document, stratum)
            if pair is not None:
                pairs.append(pair)
                added += 1
        if added:
            taken.add(entry.name)
            if progress:
                progress(f"{len(pairs)} pairs ({entry.name})")
        return added

    def add_forced(entry: CorpusName, limit: int) -> int:
        got = add(entry, _versions_by_key(entry), FORCED, limit)
        document = packument_of(entry.name) if not got else None
        return add(entry, _latest_step(document), FORCED, 1) if document else got

    for name, count in MUST_NAMES.items():
        if name in names:
            add_forced(names[name], count)
    for prefix, count in MUST_FAMILIES.items():
        family = sorted((n for n in names if n.startswith(prefix)), key=lambda n: _key(n))
        got = 0
        for name in family:
            if got >= count:
                break
            got += add_forced(names[name], 1)
    remaining = max(0, total - len(pairs))
    for index, (label, low, high) in enumerate(STRATA):
        quota = remaining // len(STRATA) + (1 if index < remaining % len(STRATA) else 0)
        members = sorted(
            (e for e in names.values() if low <= len(e.lockfiles) <= high and e.name not in taken),
            key=lambda e: _key(e.name),
        )
        got = 0
        for entry in members:
            if got >= quota:
                break
            got += add(entry, _versions_by_key(entry)[:1], label, 1)
    return pairs
