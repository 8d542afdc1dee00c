"""pre-commit entry point: judge what a commit brings into each lockfile it touches.

pre-commit runs the hook with the hook's ``args`` followed by the staged files that match, after
stashing unstaged changes, so each file on disk is what the commit will hold. Each lockfile is
compared with its version in ``HEAD`` (``depscan lockfile --base HEAD``): only findings the
commit brings in refuse it, so bumping one package is not refused for what was already there. A
lockfile that ``HEAD`` does not have, or a repository with no commit yet, is judged whole. As in
every comparison with a git ref, the policy obeyed is ``HEAD``'s ``.depscan.toml``, and a staged
change to it is reported (``--trust-head-policy`` among the hook's ``args`` obeys the staged file).

The hook does not wait for the network: unless ``--online`` is given it runs with ``--offline``,
so registry checks answer from depscan's cache and list what they could not check under NOT
CHECKED (never as clean, and without refusing the commit). Options of the hook itself:

- ``--online``: let registry checks ask the registry (slower; pair it with a short deadline);
- ``--whole-lockfile``: judge every package of the lockfile, not only what the commit changes.

Every other argument is passed to ``depscan lockfile``. The exit code is the worst of the scans:
1 when any lockfile brings in findings at or above ``--fail-on``, 2 when any could not be read.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from scanner.errors import EXIT_OK

LOCKFILE_NAMES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock"}
)
ONLINE = "--online"
WHOLE_LOCKFILE = "--whole-lockfile"
GIT_TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class HookArguments:
    depscan_options: list[str]
    """Passed to ``depscan lockfile`` as given."""
    lockfiles: list[str]
    online: bool = False
    whole_lockfile: bool = False


def split_arguments(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(options, lockfiles)``: the trailing arguments named like a lockfile are the files."""
    cut = len(argv)
    while cut > 0 and not argv[cut - 1].startswith("-") and (
        PurePath(argv[cut - 1]).name in LOCKFILE_NAMES
    ):
        cut -= 1
    return list(argv[:cut]), list(argv[cut:])


def parse_arguments(argv: Sequence[str]) -> HookArguments:
    options, lockfiles = split_arguments(argv)
    return HookArguments(
        depscan_options=[o for o in options if o not in (ONLINE, WHOLE_LOCKFILE)],
        lockfiles=lockfiles,
        online=ONLINE in options,
        whole_lockfile=WHOLE_LOCKFILE in options,
    )


def depscan_arguments(hook: HookArguments, lockfile: str, base: str | None) -> list[str]:
    """The ``depscan`` command line for one lockfile."""
    options = list(hook.depscan_options)
    if not hook.online and "--offline" not in options:
        options.append("--offline")
    if base is not None and not hook.whole_lockfile:
        options += ["--base", base]
        # The developer's own working tree, which npm reads on every install: comparing with HEAD
        # does not make its .npmrc a stranger's (docs/ci.md, the threat model).
        if not any(o in options for o in ("--trust-project-npmrc", "--no-trust-project-npmrc")):
            options.append("--trust-project-npmrc")
    return ["lockfile", *options, lockfile]


def commit_base(lockfile: str) -> str | None:
    """What a lockfile is compared with: ``HEAD``, or ``None`` before the first commit."""
    folder = Path(lockfile).absolute().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            cwd=folder, capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    # `--base` reads an existing path as a lockfile: name the commit itself if a file is "HEAD".
    return done.stdout.strip() if Path("HEAD").exists() else "HEAD"


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
    hook = parse_arguments(sys.argv[1:] if argv is None else argv)
    worst = EXIT_OK
    for lockfile in hook.lockfiles:
        base = None if hook.whole_lockfile else commit_base(lockfile)
        if base is None and not hook.whole_lockfile:
            sys.stderr.write(f"{lockfile}: no commit to compare with yet: judged whole\n")
        worst = max(worst, run_depscan(depscan_arguments(hook, lockfile, base)))
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
