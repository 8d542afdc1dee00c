"""Which lockfiles a path on the command line names: the folder's own, or, with ``--recursive``,
every lockfile below it. A folder with no lockfile of its own but some in subfolders is an error
that names them, since the GitHub Action finds lockfiles anywhere and a person expects as much.
"""

from __future__ import annotations

import os
from pathlib import Path

from scanner.errors import LockfileError
from scanner.sources.detect import LOCKFILE_NAMES, find_lockfiles

# Folders that hold installed or vendored packages, not projects: their lockfiles belong to
# packages someone else published. Hidden folders (.git, .yarn, .cache, ...) are skipped as well.
SKIPPED_FOLDERS = frozenset({"node_modules", "bower_components", "jspm_packages"})
HINT_DEPTH = 4
"""How deep the hint for a folder without a lockfile looks (``--recursive`` has no limit)."""
MAX_NAMED = 5


def lockfiles_below(root: Path, *, max_depth: int | None = None) -> list[Path]:
    """Every lockfile in ``root`` and its subfolders, in path order, the way
    :func:`find_lockfiles` picks them within each folder (a shrinkwrap wins over package-lock).

    Symbolic links to folders are not followed, so a link cannot make the walk loop or leave
    the tree.
    """
    found: list[Path] = []
    wanted = set(LOCKFILE_NAMES)
    for folder, subfolders, files in os.walk(root, onerror=None, followlinks=False):
        depth = len(Path(folder).relative_to(root).parts)
        subfolders[:] = sorted(
            d for d in subfolders
            if d not in SKIPPED_FOLDERS and not d.startswith(".")
            and (max_depth is None or depth < max_depth)
        )
        if wanted.intersection(files):
            found.extend(p for p in find_lockfiles(Path(folder)) if p.is_file())
    return found


def lockfiles_to_scan(path: Path, *, recursive: bool) -> list[Path]:
    """The lockfiles ``depscan lockfile PATH`` scans."""
    if recursive and path.is_dir():
        found = lockfiles_below(path)
        if not found:
            raise LockfileError(
                "no lockfile found in this folder or below it (looked for "
                f"{', '.join(LOCKFILE_NAMES)}; node_modules and hidden folders are skipped)",
                subject=str(path),
            )
        return found
    try:
        return find_lockfiles(path)
    except LockfileError as exc:
        below = lockfiles_below(path, max_depth=HINT_DEPTH) if path.is_dir() else []
        if not below:
            raise
        raise LockfileError(
            f"no lockfile in this folder, but its subfolders hold {named(below)}: give one of "
            "them, or scan them all with --recursive",
            subject=str(path),
        ) from exc


def named(paths: list[Path]) -> str:
    """The first few paths, and how many more there are."""
    shown = ", ".join(str(p) for p in paths[:MAX_NAMED])
    more = len(paths) - MAX_NAMED
    return f"{shown} and {more} more" if more > 0 else shown
