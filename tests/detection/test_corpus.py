"""Sampling benign pairs: the next release, the strata, and the forced names."""

from __future__ import annotations

from collections import Counter

from benchmarks.detection.corpus import FORCED, CorpusName, next_release, select, stratum_of
from scanner.registry.packument import Packument, VersionInfo


def _doc(name: str, *versions: str, no_tarball: tuple[str, ...] = ()) -> Packument:
    return Packument(
        name,
        {
            v: VersionInfo(
                v,
                integrity=None if v in no_tarball else f"sha512-{name}{v}",
                tarball=None
                if v in no_tarball
                else f"https://registry.example.test/{name}-{v}.tgz",
            )
            for v in versions
        },
    )


def test_next_release() -> None:
    doc = _doc("a", "1.0.0", "1.10.0", "1.2.0", "1.3.0-beta.1", "1.1.0", no_tarball=("1.1.0",))
    assert next_release(doc, "1.0.0") == "1.2.0"  # 1.1.0 has no tarball, the beta is skipped
    assert next_release(doc, "1.2.0") == "1.10.0"  # semver order, not text order
    assert next_release(doc, "1.3.0-beta.0") == "1.3.0-beta.1"
    assert next_release(doc, "1.10.0") is None
    assert next_release(doc, "not-a-version") is None


def test_strata_boundaries() -> None:
    assert [stratum_of(n) for n in (1, 2, 3, 4, 7, 8, 40)] == [
        "1 lockfile",
        "2-3 lockfiles",
        "2-3 lockfiles",
        "4-7 lockfiles",
        "4-7 lockfiles",
        "8+ lockfiles",
        "8+ lockfiles",
    ]


def _name(name: str, versions: dict[str, int], lockfiles: int) -> CorpusName:
    return CorpusName(name, Counter(versions), {f"lock{i}" for i in range(lockfiles)}, {"npm"})


def test_select_forces_named_packages_and_splits_the_rest_evenly() -> None:
    names = {
        "typescript": _name("typescript", {"5.0.0": 1}, 9),
        "sharp": _name("sharp", {"0.35.5": 2}, 2),  # already the newest: the last real step
        **{f"p{i}": _name(f"p{i}", {"1.0.0": 1}, 1 + (i % 9)) for i in range(40)},
    }
    docs = {n: _doc(n, "1.0.0", "1.0.1") for n in names}
    docs["typescript"] = _doc("typescript", "5.0.0", "5.0.1")
    docs["sharp"] = _doc("sharp", "0.35.4", "0.35.5")
    pairs = select(names, docs.get, total=10)
    forced = [(p.name, p.old, p.new) for p in pairs if p.stratum == FORCED]
    assert forced == [("typescript", "5.0.0", "5.0.1"), ("sharp", "0.35.4", "0.35.5")]
    rest = Counter(p.stratum for p in pairs if p.stratum != FORCED)
    assert rest == {"1 lockfile": 2, "2-3 lockfiles": 2, "4-7 lockfiles": 2, "8+ lockfiles": 2}
    assert len({(p.name, p.old) for p in pairs}) == len(pairs) == 10
    assert select(names, docs.get, total=10) == pairs  # deterministic
