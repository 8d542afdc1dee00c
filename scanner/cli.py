"""Command line: parses options, runs a scan, prints a report, picks the exit code. Nothing else.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on; 2 usage or input
error (one line on stderr, no traceback); 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from scanner import __version__
from scanner.cli_db import db_app
from scanner.cli_help import Level, PanelledCommand
from scanner.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, DepscanError, UsageError
from scanner.memory_ceiling import note_input
from scanner.model import Severity
from scanner.registry.deadline import DEFAULT_REGISTRY_DEADLINE_SECONDS

if TYPE_CHECKING:
    from scanner.model import ScanResult
    from scanner.scan import ScanOptions

EXIT_INTERNAL = 3

app = typer.Typer(
    name="depscan",
    help="Supply-chain checks for npm lockfiles: known-malicious packages and how they got in.",
    # Completion scripts come from `depscan completion SHELL`; typer's own --install-completion
    # would inspect its options on every start.
    add_completion=False,
    pretty_exceptions_enable=False,
    # click's plain help layout: rich's cuts option names off at 80 columns (see cli_help).
    rich_markup_mode=None,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_app, name="db")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"depscan {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """depscan: is anything in this lockfile known-malicious, and through which path did it get in?

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above --fail-on,
    2 usage or input error, 3 internal error.
    """


REPORT = "Report"
COMPARE = "Compare with an earlier lockfile"
ADVISORIES = "Advisories"
REGISTRY = "Registry"
POLICY = "Checks and policy"


def _complete_check_id(incomplete: str) -> list[str]:
    from scanner.checks import check_ids

    return [c for c in check_ids() if c.startswith(incomplete)]


@app.command(
    "lockfile", cls=PanelledCommand,
    short_help="Scan lockfiles (a file, a folder, or with -r a tree).",
)
def lockfile_command(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="A lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, "
            "bun.lock) or a folder holding one.",
            show_default=False,
        ),
    ] = Path("."),
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f", metavar="FORMAT", rich_help_panel=REPORT, show_default=False,
            help="text (default), json, sarif, markdown or github.",
        ),
    ] = OutputFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", rich_help_panel=REPORT,
            help="Write the report to FILE, not stdout.",
        ),
    ] = None,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            metavar="LEVEL", rich_help_panel=REPORT,
            help="Exit 1 on a finding this severe or worse: critical, high, medium, low or "
            "info (default: the policy file's, else high).",
        ),
    ] = None,
    base_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", rich_help_panel=REPORT,
            help="SARIF and annotation paths are relative to DIR (default: the git root).",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", rich_help_panel=REPORT, help="No progress output."),
    ] = False,
    recursive: Annotated[
        bool,
        typer.Option(
            "--recursive", "-r", rich_help_panel=REPORT,
            help="Scan every lockfile under PATH (not in node_modules or hidden folders).",
        ),
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            metavar="REF|FILE", rich_help_panel=COMPARE,
            help="Pull-request mode: report, and fail on, only what is new since this git ref "
            "or lockfile.",
        ),
    ] = None,
    diff_from: Annotated[
        str | None,
        typer.Option(
            metavar="REF|FILE", rich_help_panel=COMPARE,
            help="Diff the tarball of every package upgraded since this git ref or lockfile.",
        ),
    ] = None,
    advisories: Annotated[
        list[Path] | None,
        typer.Option(
            "--advisories", metavar="PATH", rich_help_panel=ADVISORIES,
            help="More OSV advisories: a folder of OSV JSON or an OSV all.zip. Repeatable.",
        ),
    ] = None,
    no_bundled_advisories: Annotated[
        bool,
        typer.Option(
            "--no-bundled-advisories", rich_help_panel=ADVISORIES,
            help="Leave out the curated advisories shipped with depscan.",
        ),
    ] = False,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", rich_help_panel=REGISTRY,
            help="Never touch the network: registry checks use the cache only.",
        ),
    ] = False,
    registry_checks: Annotated[
        bool | None,
        typer.Option(
            "--registry-checks/--no-registry-checks", rich_help_panel=REGISTRY,
            help="Run the checks that read the registry (default: the policy file's choice, "
            "else on).",
            show_default=False,
        ),
    ] = None,
    registry: Annotated[
        str | None,
        typer.Option(
            metavar="URL", rich_help_panel=REGISTRY,
            help="Registry URL, overriding npm's configuration (like npm --registry).",
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            min=1, max=64, metavar="N", rich_help_panel=REGISTRY,
            help="Concurrent registry requests.",
        ),
    ] = 16,
    registry_deadline: Annotated[
        float,
        typer.Option(
            min=0.1, metavar="SECONDS", rich_help_panel=REGISTRY,
            help="Stop all registry work after SECONDS; what was not fetched by then is "
            "reported as not checked.",
        ),
    ] = DEFAULT_REGISTRY_DEADLINE_SECONDS,
    trust_project_npmrc: Annotated[
        bool | None,
        typer.Option(
            "--trust-project-npmrc/--no-trust-project-npmrc", rich_help_panel=REGISTRY,
            help="Read the scanned project's own .npmrc (registries, credentials, ${ENV}) as "
            "npm does, and with --base REF the working tree's yarn files, not REF's (default: "
            "$DEPSCAN_TRUST_PROJECT_NPMRC, else yes, but no with --base: the repository is "
            "then the change author's).",
            show_default=False,
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", rich_help_panel=REGISTRY,
            help="Cache folder (default: $DEPSCAN_CACHE_DIR, else the user cache folder).",
        ),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check", metavar="ID", rich_help_panel=POLICY, autocompletion=_complete_check_id,
            help="Run only this check (ids: depscan checks). Repeatable.",
        ),
    ] = None,
    skip_check: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-check", metavar="ID", rich_help_panel=POLICY,
            autocompletion=_complete_check_id, help="Do not run this check. Repeatable.",
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", rich_help_panel=POLICY,
            help="Policy file, read as given (default: .depscan.toml by the lockfile or above "
            "it; REF's with --base REF).",
        ),
    ] = None,
    no_policy_file: Annotated[
        bool,
        typer.Option("--no-policy-file", rich_help_panel=POLICY, help="Read no policy file."),
    ] = False,
    trust_head_policy: Annotated[
        bool | None,
        typer.Option(
            "--trust-head-policy/--no-trust-head-policy", rich_help_panel=POLICY,
            help="With --base REF: obey the working tree's policy file, not REF's (default: "
            "$DEPSCAN_TRUST_HEAD_POLICY, else no).",
            show_default=False,
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            metavar="HOST", rich_help_panel=POLICY,
            help="A host `resolved` URLs may use besides the configured registries. "
            "Repeatable.",
        ),
    ] = None,
    allow_scripts: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PACKAGE", rich_help_panel=POLICY,
            help="A package allowed to run install scripts. Repeatable.",
        ),
    ] = None,
    min_release_age: Annotated[
        int | None,
        typer.Option(
            metavar="DAYS", rich_help_panel=POLICY,
            help="Report versions published less than DAYS ago (default: 2).",
        ),
    ] = None,
) -> None:
    """Scan lockfiles: known-malicious packages and the path each came in by, install scripts,
    new publishers, lockfile hygiene, registry signatures and provenance."""
    from scanner.reports import renderer
    from scanner.scan import ScanOptions

    _check_ids_known((*(check or ()), *(skip_check or ())))
    note_input(str(path))
    settings: dict[str, object] = {}
    if allowed_host:
        settings["hygiene.allowed-hosts"] = tuple(allowed_host)
    if allow_scripts:
        settings["install-scripts.allow"] = tuple(allow_scripts)
    if min_release_age is not None:
        settings["publishers.min-release-age-days"] = min_release_age
    options = ScanOptions(
        fail_on=Severity.parse(fail_on.value) if fail_on is not None else None,
        offline=offline,
        advisory_paths=tuple(advisories or ()),
        bundled_advisories=not no_bundled_advisories,
        cache_dir=cache_dir,
        registry_checks=registry_checks,
        registry_url=registry,
        jobs=jobs,
        registry_deadline=registry_deadline,
        trust_project_npmrc=_trust_project_npmrc(
            trust_project_npmrc, pull_request=base is not None
        ),
        quiet=quiet,
        progress=not quiet and sys.stderr.isatty() and not os.environ.get("CI"),
        only_checks=tuple(check or ()),
        skip_checks=tuple(skip_check or ()),
        settings=settings,
        policy_path=policy,
        use_policy=not no_policy_file,
        trust_head_policy=_switch(trust_head_policy, TRUST_HEAD_POLICY, default=False),
    )
    if base is not None and diff_from is not None:
        raise UsageError("--base already compares with the base; drop --diff-from")
    from scanner.sources.locate import lockfiles_to_scan

    lockfiles = lockfiles_to_scan(path, recursive=recursive)
    if base is not None:
        result = _scan_changes(lockfiles, base, options, quiet)
    else:
        result = _scan(lockfiles, options, diff_from)
    report = renderer(output_format.value)(result, base_dir=base_dir or _git_root(path))
    _emit(report, output)
    raise typer.Exit(EXIT_FINDINGS if result.failing else EXIT_OK)


TRUST_PROJECT_NPMRC = "DEPSCAN_TRUST_PROJECT_NPMRC"
TRUST_HEAD_POLICY = "DEPSCAN_TRUST_HEAD_POLICY"


def _trust_project_npmrc(flag: bool | None, *, pull_request: bool) -> bool:
    """The flag, else ``$DEPSCAN_TRUST_PROJECT_NPMRC``, else trusted except in pull-request mode
    (docs/ci.md, the threat model)."""
    return _switch(flag, TRUST_PROJECT_NPMRC, default=not pull_request)


def _switch(flag: bool | None, variable: str, *, default: bool) -> bool:
    """The flag, else ``$variable`` (true or false), else ``default``."""
    if flag is not None:
        return flag
    value = os.environ.get(variable, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    if value:
        raise UsageError(f"${variable} must be true or false, not {value[:20]!r}")
    return default


def _scan(lockfiles: list[Path], options: ScanOptions, diff_from: str | None) -> ScanResult:
    """One scan per project folder (each has its own npm configuration and policy file)."""
    from scanner.action import merged
    from scanner.scan import scan

    base_lockfile = None
    if diff_from is not None:
        from scanner.pr_mode import load_base_lockfile

        if len(lockfiles) != 1:
            names = ", ".join(str(p) for p in lockfiles[:5])
            raise UsageError(
                f"--diff-from needs one lockfile, and there are {len(lockfiles)} ({names}): "
                "name the one to compare"
            )
        base_lockfile = load_base_lockfile(diff_from, lockfiles[0])
    folders: dict[Path, list[Path]] = {}
    for lockfile in lockfiles:
        folders.setdefault(lockfile.parent, []).append(lockfile)
    results = [scan(group, options, base=base_lockfile) for group in folders.values()]
    return results[0] if len(results) == 1 else merged(results)


def _check_ids_known(requested: Sequence[str]) -> None:
    from scanner.checks import check_ids
    from scanner.cli_errors import suggestion

    known = check_ids()
    for check_id in requested:
        if check_id not in known:
            raise UsageError(
                f"unknown check {check_id!r}{suggestion(check_id, known)} "
                f"(the checks: {', '.join(known)})"
            )


def _scan_changes(
    lockfiles: list[Path], base: str, options: ScanOptions, quiet: bool
) -> ScanResult:
    from scanner.action import merged
    from scanner.pr_mode import scan_changes

    compared = [scan_changes(head, base, options) for head in lockfiles]
    if not quiet:
        for change in compared:
            sys.stderr.write(f"{_inline(change.summary)}\n")
    return merged([c.result for c in compared])


def _git_root(path: Path) -> Path | None:
    from scanner.policy import find_git_root

    return find_git_root(path.absolute() if path.is_dir() else path.absolute().parent)


@app.command("checks", cls=PanelledCommand, short_help="List the checks and their ids.")
def checks_command() -> None:
    """List the checks depscan runs, with their ids (for --check, --skip-check and policies)."""
    from scanner.checks import CHECKS

    for entry in CHECKS:
        check = entry.load()
        network = {"none": "", "optional": "  (uses the registry when it can)",
                   "required": "  (needs the registry)"}[entry.registry.value]
        typer.echo(f"{entry.id:20} {check.title}{network}")


def _emit(report: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(report)
        return
    try:
        output.write_text(report, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report ({exc.strerror})", subject=str(output)) from None


def _inline(text: str) -> str:
    """Text from the input, made safe for a terminal or a CI log (no escapes, no commands)."""
    from scanner.reports.escape import inline

    return inline(text)


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"


COMPLETE_VARIABLE = "_DEPSCAN_COMPLETE"


@app.command(
    "completion", cls=PanelledCommand,
    short_help="Print the shell completion script for SHELL.",
)
def completion_command(
    shell: Annotated[
        Shell, typer.Argument(metavar="SHELL", help="bash, zsh, fish or powershell.")
    ],
) -> None:
    """Print the shell completion script for SHELL.

    bash: add `eval "$(depscan completion bash)"` to ~/.bashrc. zsh: write it to a file named
    _depscan in a folder on $fpath. fish: write it to ~/.config/fish/completions/depscan.fish.
    PowerShell: add `depscan completion powershell | Out-String | Invoke-Expression` to $PROFILE.
    """
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="depscan", complete_var=COMPLETE_VARIABLE, shell=shell.value
    )
    sys.stdout.write(script + "\n")


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"depscan: error: {_inline(message)}\n")
    raise SystemExit(code)


def main() -> None:
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
    from typer._click.exceptions import UsageError as ClickUsageError
    from typer.core import TyperGroup

    from scanner.memory_ceiling import OUT_OF_MEMORY, apply_ceiling, input_names

    if os.environ.get(COMPLETE_VARIABLE):
        # The shell asks for completions: typer's shell classes answer (zsh, fish, powershell).
        from typer._completion_classes import completion_init

        completion_init()
    command = typer.main.get_command(app)
    argv = sys.argv[1:]
    try:
        apply_ceiling()
        code = command.main(args=argv, prog_name="depscan", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        # `depscan` alone: the overview, on stdout, but nothing was done.
        sys.stdout.write(exc.format_message() + "\n")
        raise SystemExit(EXIT_ERROR) from None
    except ClickUsageError as exc:
        from scanner.cli_errors import usage_line

        assert isinstance(command, TyperGroup)
        _fail(usage_line(exc, command, argv), EXIT_ERROR)
    except ClickException as exc:
        _fail(" ".join(exc.format_message().split()), exc.exit_code)
    except DepscanError as exc:
        _fail(exc.one_line(), exc.exit_code)
    except MemoryError:
        # Readers name the file they were reading; this is a later stage that outgrew the
        # ceiling on what they accepted: still an input too big for this run, not a bug.
        if os.environ.get("DEPSCAN_DEBUG"):
            raise
        _fail(f"{input_names()}: {OUT_OF_MEMORY}", EXIT_ERROR)
    except (KeyboardInterrupt, typer.Abort):
        _fail("interrupted", 130)
    except Exception as exc:  # a bug: keep it to one line unless asked for the traceback
        if os.environ.get("DEPSCAN_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (set DEPSCAN_DEBUG=1 for the traceback)",
            EXIT_INTERNAL,
        )
    raise SystemExit(code if isinstance(code, int) else EXIT_OK)


from scanner.cli_package import register  # noqa: E402  (the commands need ``app``)

register(app)

__all__ = ["EXIT_ERROR", "app", "main"]
