"""Telling what a declared dependency specifier asks for, the way npm-package-arg would."""

from __future__ import annotations

import re
from functools import lru_cache

_SIMPLE_RANGE = re.compile(r"^[~^]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def _asks_for_something_else(spec: str) -> bool:
    # A protocol (`git+ssh:`, `file:`, `workspace:`, `https:`...) or a path/`user/repo` shorthand.
    return ":" in spec or "/" in spec or spec in (".", "..")


@lru_cache(maxsize=4096)
def semver_range(spec: str) -> str | None:
    """The semver range of a plain registry specifier; ``None`` for tags, aliases, URLs, paths."""
    spec = spec.strip()
    if spec in ("", "*"):
        return "*"
    if _asks_for_something_else(spec):
        return None
    if _SIMPLE_RANGE.match(spec):
        return spec  # the common `^1.2.3` / `~1.2.3` / `1.2.3`, valid without the full grammar
    import nodesemver  # the range grammar is only needed once a lockfile declares ranges

    try:
        parsed = nodesemver.valid_range(spec, True)
    except (ValueError, TypeError):
        return None
    return spec if parsed is not None else None


def is_registry_spec(spec: str) -> bool:
    """Whether the specifier asks the registry for the package (range, tag, or ``npm:`` alias)."""
    spec = spec.strip()
    return spec.startswith("npm:") or not _asks_for_something_else(spec)
