"""Command line: parses options, runs a scan, prints a report, picks the exit code. Nothing else.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on; 2 usage or input
error (one line on stderr, no traceback); 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from scanner import __version__
from scanner.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, DepscanError, UsageError
from scanner.model import Severity

EXIT_INTERNAL = 3

app = typer.Typer(
    name="depscan",
    help="Supply-chain checks for npm lockfiles: known-malicious packages and how they got in.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"


class Level(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


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


@app.command("lockfile")
def lockfile_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="A lockfile (package-lock.json, npm-shrinkwrap.json) or a directory holding one."
        ),
    ] = Path("."),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: Annotated[
        Level,
        typer.Option(help="Exit 1 when a finding has this severity or higher."),
    ] = Level.high,
    advisories: Annotated[
        list[Path] | None,
        typer.Option(
            "--advisories",
            help="Extra OSV advisories: a folder of OSV JSON or an OSV all.zip. Repeatable.",
        ),
    ] = None,
    bundled_advisories: Annotated[
        bool,
        typer.Option(
            "--bundled-advisories/--no-bundled-advisories",
            help="Use the curated advisories shipped with depscan.",
        ),
    ] = True,
    offline: Annotated[
        bool,
        typer.Option(help="Never touch the network; checks that need it use the cache only."),
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Cache directory (default: the user cache dir, or $DEPSCAN_CACHE_DIR)."),
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Run only this check. Repeatable.")
    ] = None,
    skip_check: Annotated[
        list[str] | None, typer.Option("--skip-check", help="Do not run this check. Repeatable.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Scan a lockfile for known-malicious packages and report the path each one came in by."""
    from scanner.reports import renderer
    from scanner.scan import ScanOptions, scan

    options = ScanOptions(
        fail_on=Severity.parse(fail_on.value),
        offline=offline,
        advisory_paths=tuple(advisories or ()),
        bundled_advisories=bundled_advisories,
        cache_dir=cache_dir,
        progress=not quiet and sys.stderr.isatty() and not os.environ.get("CI"),
        only_checks=tuple(check or ()),
        skip_checks=tuple(skip_check or ()),
    )
    result = scan([path], options)
    report = renderer(output_format.value)(result)
    _emit(report, output)
    raise typer.Exit(EXIT_FINDINGS if result.failing else EXIT_OK)


@app.command("checks")
def checks_command() -> None:
    """List the checks depscan runs, with their ids (for --check, --skip-check and policies)."""
    from scanner.checks import CHECKS

    for entry in CHECKS:
        check = entry.load()
        network = "  (registry)" if entry.needs_registry else ""
        typer.echo(f"{entry.id:20} {check.title}{network}")


def _emit(report: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(report)
        return
    try:
        output.write_text(report, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report ({exc.strerror})", subject=str(output)) from None


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"depscan: error: {message}\n")
    raise SystemExit(code)


def main() -> None:
    try:
        app()
    except DepscanError as exc:
        _fail(exc.one_line(), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # a bug: keep it to one line unless asked for the traceback
        if os.environ.get("DEPSCAN_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (set DEPSCAN_DEBUG=1 for the traceback)",
            EXIT_INTERNAL,
        )


__all__ = ["EXIT_ERROR", "app", "main"]
