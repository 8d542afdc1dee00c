"""Command line: parses options, runs a scan, prints a report, picks the exit code. Nothing else.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above --fail-on; 2 usage or input
error (one line on stderr, no traceback); 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from scanner import __version__
from scanner.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, DepscanError, UsageError
from scanner.model import Severity

if TYPE_CHECKING:
    from scanner.model import ScanResult
    from scanner.registry.packument import Packument, Unavailable
    from scanner.scan import ScanOptions

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
            help="A lockfile (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, "
            "bun.lock) or a directory: every lockfile in it is scanned."
        ),
    ] = Path("."),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: Annotated[
        Level | None,
        typer.Option(
            help="Exit 1 when a finding has this severity or higher "
            "(default: the policy file's, else high)."
        ),
    ] = None,
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
        typer.Option(help="Never touch the network; registry checks use the cache only."),
    ] = False,
    registry_checks: Annotated[
        bool | None,
        typer.Option(
            "--registry-checks/--no-registry-checks",
            help="Run the checks that read package metadata from the registry "
            "(default: the policy file's choice, else on).",
            show_default=False,
        ),
    ] = None,
    registry: Annotated[
        str | None,
        typer.Option(help="Registry URL, overriding npm's configuration (like npm --registry)."),
    ] = None,
    jobs: Annotated[
        int, typer.Option(min=1, max=64, help="Concurrent registry requests.")
    ] = 16,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Cache directory (default: the user cache dir, or $DEPSCAN_CACHE_DIR)."),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="Policy file (default: .depscan.toml next to the lockfile or above it)."),
    ] = None,
    use_policy: Annotated[
        bool, typer.Option("--policy-file/--no-policy-file", help="Read a policy file at all.")
    ] = True,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="Another host that `resolved` URLs may point at, besides the registries npm is "
            "configured with. Repeatable."
        ),
    ] = None,
    allow_scripts: Annotated[
        list[str] | None,
        typer.Option(help="Package allowed to run install scripts. Repeatable."),
    ] = None,
    min_release_age: Annotated[
        int | None,
        typer.Option(help="Report versions published fewer than this many days ago (default: 2)."),
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Run only this check. Repeatable.")
    ] = None,
    skip_check: Annotated[
        list[str] | None, typer.Option("--skip-check", help="Do not run this check. Repeatable.")
    ] = None,
    base_dir: Annotated[
        Path | None,
        typer.Option(help="Make file paths in SARIF/annotations relative to this folder "
                     "(default: the git root)."),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            help="Pull-request mode: report only what is new compared with this git ref or "
            "lockfile (new packages and versions, scripts, publishers, advisory matches, "
            "tarball risk notes), and fail only on that."
        ),
    ] = None,
    diff_from: Annotated[
        str | None,
        typer.Option(
            help="An older lockfile, or a git ref to read it from: diff the tarball of every "
            "package whose version changed since, and report risky changes."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Scan lockfiles: known-malicious packages and the path each came in by, install scripts,
    new publishers, lockfile hygiene, registry signatures and provenance."""
    from scanner.reports import renderer
    from scanner.scan import ScanOptions, scan

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
        bundled_advisories=bundled_advisories,
        cache_dir=cache_dir,
        registry_checks=registry_checks,
        registry_url=registry,
        jobs=jobs,
        progress=not quiet and sys.stderr.isatty() and not os.environ.get("CI"),
        only_checks=tuple(check or ()),
        skip_checks=tuple(skip_check or ()),
        settings=settings,
        policy_path=policy,
        use_policy=use_policy,
    )
    if base is not None:
        if diff_from is not None:
            raise UsageError("--base already compares with the base; drop --diff-from")
        result = _scan_changes(path, base, options, quiet)
        report = renderer(output_format.value)(result, base_dir=base_dir or _git_root(path))
        _emit(report, output)
        raise typer.Exit(EXIT_FINDINGS if result.failing else EXIT_OK)
    base_lockfile = None
    if diff_from is not None:
        from scanner.pr_mode import load_base_lockfile
        from scanner.sources.detect import find_lockfiles

        heads = find_lockfiles(path)
        if len(heads) != 1:
            raise UsageError(
                f"--diff-from needs one lockfile, and {path} holds {len(heads)}: name the one to "
                "compare"
            )
        base_lockfile = load_base_lockfile(diff_from, heads[0])
    result = scan([path], options, base=base_lockfile)
    report = renderer(output_format.value)(result, base_dir=base_dir or _git_root(path))
    _emit(report, output)
    raise typer.Exit(EXIT_FINDINGS if result.failing else EXIT_OK)


def _scan_changes(path: Path, base: str, options: ScanOptions, quiet: bool) -> ScanResult:
    from scanner.action import merged
    from scanner.pr_mode import scan_changes
    from scanner.sources.detect import find_lockfiles

    compared = [scan_changes(head, base, options) for head in find_lockfiles(path)]
    if not quiet:
        for change in compared:
            sys.stderr.write(f"{_inline(change.summary)}\n")
    return merged([c.result for c in compared])


def _git_root(path: Path) -> Path | None:
    from scanner.policy import find_git_root

    return find_git_root(path.absolute() if path.is_dir() else path.absolute().parent)


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("diff")
def diff_command(
    specs: Annotated[
        list[str],
        typer.Argument(
            help="NAME FROM TO, or NAME@FROM NAME@TO, or two local .tgz files.",
            show_default=False,
        ),
    ],
    unified: Annotated[
        int, typer.Option("--unified", "-U", min=0, help="Lines of context around changes.")
    ] = 3,
    name_only: Annotated[bool, typer.Option(help="Print only the changed file names.")] = False,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Only files matching this glob. Repeatable."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Skip files matching this glob. Repeatable."),
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DiffFormat.text,
    fail_on: Annotated[
        Level, typer.Option(help="Exit 1 when a risk note has this severity or higher.")
    ] = Level.high,
    registry: Annotated[
        str | None,
        typer.Option(help="Registry URL, overriding npm's configuration (like npm --registry)."),
    ] = None,
    offline: Annotated[bool, typer.Option(help="Use cached tarballs only.")] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Cache directory (default: the user cache dir, or $DEPSCAN_CACHE_DIR)."),
    ] = None,
) -> None:
    """Show what changed inside a package between two versions, and whether it looks dangerous.

    Both tarballs are checked against the registry's integrity hash before they are read, and
    are read in memory: nothing is extracted to disk and nothing is run.
    """
    from scanner.checks.tarball_diff import advisory_lookup
    from scanner.reports.escape import json_text
    from scanner.scan import ScanOptions, Services
    from scanner.tarball.render import render_text, to_json
    from scanner.tarball.resolve import diff_loaded, fetch_pair
    from scanner.tarball.risk import assess, dependency_changes

    if len(specs) == 3:
        name, spec_a, spec_b = specs
    elif len(specs) == 2:
        name, (spec_a, spec_b) = None, specs
    else:
        raise UsageError("expected NAME FROM TO, NAME@FROM NAME@TO, or two .tgz files")
    options = ScanOptions(offline=offline, cache_dir=cache_dir, registry_url=registry)
    services = Services(options, Path.cwd())
    documents: dict[str, Packument | Unavailable] = {}
    try:
        needs_registry = not all(_is_local_tarball(s) for s in (spec_a, spec_b))
        client = services.registry() if needs_registry else None
        old, new = fetch_pair(spec_a, spec_b, client, name=name)
        if client is not None and not name_only:
            added = dependency_changes(old.archive.manifest(), new.archive.manifest())
            documents = client.packuments(sorted(added))
        lookup = (
            advisory_lookup(services.advisories(), documents.get)
            if client is not None and not name_only
            else None
        )
    finally:
        # Closing the client ends its threads, which lets a big diff use a second process.
        services.close()
    diff = diff_loaded(
        old, new, include=tuple(include or ()), exclude=tuple(exclude or ()), name_only=name_only
    )
    notes = [] if name_only else assess(
        diff,
        lookup_advisories=lookup,
        packument_lookup=documents.get if client is not None else None,
    )
    if output_format is DiffFormat.json:
        document = to_json(diff, notes, hunks=not name_only, unified=unified)
        sys.stdout.write(json_text(document) + "\n")
    else:
        sys.stdout.write(render_text(diff, unified=unified, name_only=name_only, notes=notes))
    threshold = Severity.parse(fail_on.value)
    raise typer.Exit(EXIT_FINDINGS if any(n.severity >= threshold for n in notes) else EXIT_OK)


def _is_local_tarball(spec: str) -> bool:
    return spec.endswith((".tgz", ".tar.gz", ".tar")) and Path(spec).is_file()


@app.command("checks")
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


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"depscan: error: {_inline(message)}\n")
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
