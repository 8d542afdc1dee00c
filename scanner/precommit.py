"""pre-commit entry point: scan every lockfile pre-commit hands over and fail if any scan fails.

``depscan lockfile`` takes one path, while pre-commit appends all the matching files of a commit
after the hook's own ``args``. The trailing arguments that name lockfiles are therefore split off
and each is scanned with the options that precede them. The exit code is the worst of the scans:
1 when any lockfile has findings at or above ``--fail-on``, 2 when any could not be read.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import PurePath

from scanner.errors import EXIT_OK

LOCKFILE_NAMES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock"}
)


def split_arguments(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(options, lockfiles)``: the trailing arguments named like a lockfile are the files."""
    cut = len(argv)
    while cut > 0 and not argv[cut - 1].startswith("-") and (
        PurePath(argv[cut - 1]).name in LOCKFILE_NAMES
    ):
        cut -= 1
    return list(argv[:cut]), list(argv[cut:])


def run_depscan(arguments: Sequence[str]) -> int:
    """Run the ``depscan`` command line in this process and return its exit code."""
    from scanner.cli import main

    saved = sys.argv
    sys.argv = ["depscan", *arguments]
    try:
        main()
    except SystemExit as stop:
        return _exit_code(stop.code)
    finally:
        sys.argv = saved
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    options, lockfiles = split_arguments(sys.argv[1:] if argv is None else argv)
    worst = EXIT_OK
    for lockfile in lockfiles:
        worst = max(worst, run_depscan(["lockfile", *options, lockfile]))
    return worst


def _exit_code(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    # SystemExit("message") prints the message and exits 1, as the interpreter would.
    sys.stderr.write(f"{code}\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
