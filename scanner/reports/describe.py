"""Wording and locations shared by the reports: dependency paths, subjects, file references."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path, PurePath

from scanner.model import Finding, NotChecked

PATH_SEPARATOR = " > "


def path_text(path: Sequence[str]) -> str:
    """``a > b@1 > c@2``: how a dependency path reads in every report."""
    return PATH_SEPARATOR.join(path)


def subject(finding: Finding) -> str:
    """``name@version`` of the finding's package, or the check id for scan-wide findings."""
    pkg = finding.package
    if pkg is None:
        return finding.check
    return f"{pkg.name}@{pkg.version}" if pkg.version else pkg.name


def sub_rule(finding: Finding) -> str | None:
    """The rule a multi-rule check reports (``details["rule"]``), when there is one."""
    rule = finding.details.get("rule")
    return rule if isinstance(rule, str) and rule else None


def not_checked_text(item: NotChecked, max_packages: int = 10) -> str:
    """One line: which check, why, and (a bounded list of) which packages."""
    text = f"{item.check}: {item.reason}"
    if item.packages:
        shown = ", ".join(item.packages[:max_packages])
        more = len(item.packages) - max_packages
        suffix = f" and {more} more" if more > 0 else ""
        text += f" ({shown}{suffix})"
    return text


def repo_relative(lockfile: str, base_dir: Path | None) -> str:
    """``lockfile`` relative to ``base_dir`` when inside it, else as given; ``/``-separated.

    Relative inputs are taken relative to the working directory, the way the CLI received them.
    No symlinks are resolved: the result must name the file the way the repository does.
    """
    given = PurePath(lockfile)
    if base_dir is not None:
        absolute = Path(os.path.abspath(lockfile))
        base = Path(os.path.abspath(base_dir))
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            pass
    return given.as_posix()
