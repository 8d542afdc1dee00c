"""Names one or two edits away from a popular package's: how typosquats are named.

The popular names are the ones most real projects install (scanner/data/popular-names.txt, made
from the shared corpus of lockfiles by benchmarks/make_popular_names.py). An edit is an inserted,
deleted or replaced character, or two neighbours swapped (``lodahs``). Short names allow one edit
and names of eight characters or more two, since ``ms`` and ``qs`` are one edit apart and both
real. A popular name is never reported as a squat of another popular name.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

_SHORT_NAME = 5
"""Names shorter than this are not compared: ``ms``, ``qs``, ``co`` and ``ip`` are all real."""
_LONG_NAME = 9
"""From this length two edits are allowed, below it one."""
_SEPARATORS = str.maketrans("", "", "-_.")


@cache
def popular_names() -> frozenset[str]:
    text = files("scanner").joinpath("data/popular-names.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@cache
def _index() -> dict[str, tuple[str, ...]]:
    """Every popular name under each string two deletions or fewer away from it: a name within
    two edits of a popular one shares at least one such string with it (symmetric deletion)."""
    grouped: dict[str, list[str]] = {}
    for name in popular_names():
        for variant in _deletions(name, 2):
            grouped.setdefault(variant, []).append(name)
    return {variant: tuple(names) for variant, names in grouped.items()}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance between ``a`` and ``b``, or ``limit + 1`` once it is
    certain to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def similar_popular_name(name: str) -> str | None:
    """The popular package ``name`` imitates, if it is one or two edits away from one (scoped
    names are compared with scoped names only: ``@babel/core`` does not imitate ``babel-core``)."""
    popular = popular_names()
    if name in popular or len(name) < _SHORT_NAME:
        return None
    limit = 2 if len(name) >= _LONG_NAME else 1
    index = _index()
    candidates = {c for variant in _deletions(name, limit) for c in index.get(variant, ())}
    scoped = name.startswith("@")
    matches = sorted(
        c
        for c in candidates
        if c.startswith("@") == scoped and edit_distance(name, c, limit) <= limit
    )
    return matches[0] if matches else None
