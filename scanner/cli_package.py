"""``depscan diff`` and ``depscan inspect``: one package (or one update) fetched, verified, read
in memory and judged, with the same verdict ``depscan lockfile`` gives incoming packages."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from scanner.cli_help import Level, PanelledCommand
from scanner.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from scanner.memory_ceiling import note_input
from scanner.model import Severity
from scanner.registry.deadline import DEFAULT_REGISTRY_DEADLINE_SECONDS

if TYPE_CHECKING:
    from scanner.behaviour.pool import PendingProfiles
    from scanner.registry.packument import Packument, Unavailable
    from scanner.tarball.resolve import LoadedPackage
    from scanner.verdict import Verdict
    from scanner.verdict.assess import Profiler

app = typer.Typer()


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(
    "diff", cls=PanelledCommand,
    short_help="What changed inside a package between two versions.",
)
def diff_command(
    specs: Annotated[
        list[str],
        typer.Argument(
            metavar="SPECS...",
            help="NAME FROM TO, or NAME@FROM NAME@TO, or two local .tgz files.",
            show_default=False,
        ),
    ],
    unified: Annotated[
        int,
        typer.Option(
            "--unified", "-U", min=0, metavar="N", help="Lines of context around changes."
        ),
    ] = 3,
    name_only: Annotated[
        bool, typer.Option("--name-only", help="Print only the changed file names.")
    ] = False,
    include: Annotated[
        list[str] | None,
        typer.Option("--include", metavar="GLOB", help="Only files matching GLOB. Repeatable."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", metavar="GLOB", help="Skip files matching GLOB. Repeatable."),
    ] = None,
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", metavar="FORMAT", show_default=False,
                     help="text (default) or json."),
    ] = DiffFormat.text,
    fail_on: Annotated[
        Level,
        typer.Option(metavar="LEVEL", show_default=False,
                     help="Exit 1 when the verdict is this severe or worse: critical, "
                     "high (default), medium, low or info."),
    ] = Level.high,
    registry: Annotated[
        str | None,
        typer.Option(metavar="URL",
                     help="Registry URL, overriding npm's configuration (like npm --registry)."),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Use cached tarballs only.")] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Cache folder (default: $DEPSCAN_CACHE_DIR, else the user cache folder).",
        ),
    ] = None,
    registry_deadline: Annotated[
        float,
        typer.Option(min=0.1, metavar="SECONDS", help="Stop all registry work after SECONDS."),
    ] = DEFAULT_REGISTRY_DEADLINE_SECONDS,
) -> None:
    """Show what changed inside a package between two versions, and the verdict on it.

    Both tarballs are checked against the registry's integrity hash before they are read, and
    are read in memory: nothing is extracted to disk and nothing is run.
    """
    from scanner.tarball.render import render_text, to_json
    from scanner.tarball.resolve import diff_loaded, fetch_pair

    note_input(*specs)
    if len(specs) == 3:
        name, spec_a, spec_b = specs
    elif len(specs) == 2:
        name, (spec_a, spec_b) = None, specs
    else:
        raise UsageError("expected NAME FROM TO, NAME@FROM NAME@TO, or two .tgz files")
    with _PackageSession(
        registry, offline, cache_dir, (spec_a, spec_b), registry_deadline
    ) as session:
        old, new = fetch_pair(spec_a, spec_b, session.client, name=name)
        if not name_only:
            session.look_up(old, new)
        # Closing the client ends its threads: the diff may then use a second process for big
        # packages, while the profiles are made in another (scanner.behaviour.pool).
        session.close_registry()
        profiles = None if name_only else session.start_profiles(old, new)
        diff = diff_loaded(
            old, new, include=tuple(include or ()), exclude=tuple(exclude or ()),
            name_only=name_only,
        )
        verdict = None if profiles is None else session.verdict(old, new, profiles)
    if verdict is not None and verdict.kind.value == "downgrade":
        sys.stderr.write(
            f"depscan: note: FROM ({verdict.old_version}) is newer than TO "
            f"({verdict.new_version}): this diff goes back in time\n"
        )
    if output_format is DiffFormat.json:
        document = to_json(
            diff, verdict.to_json() if verdict else None, hunks=not name_only, unified=unified
        )
        _emit_json(document)
    else:
        from scanner.verdict.render import verdict_lines

        lines = verdict_lines(verdict) if verdict else []
        sys.stdout.write(render_text(diff, unified=unified, name_only=name_only, verdict=lines))
    _exit_for(verdict.severity if verdict else None, fail_on)


@app.command(
    "inspect", cls=PanelledCommand,
    short_help="Judge one package on its own, as a new dependency.",
)
def inspect_command(
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="NAME@VERSION (a version, range or dist-tag) or a local .tgz file.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", metavar="FORMAT", show_default=False,
                     help="text (default) or json."),
    ] = DiffFormat.text,
    fail_on: Annotated[
        Level,
        typer.Option(metavar="LEVEL", show_default=False,
                     help="Exit 1 when the verdict is this severe or worse: critical, high "
                     "(default), medium, low or info."),
    ] = Level.high,
    registry: Annotated[
        str | None,
        typer.Option(metavar="URL",
                     help="Registry URL, overriding npm's configuration (like npm --registry)."),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use cached documents and tarballs only.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Cache folder (default: $DEPSCAN_CACHE_DIR, else the user cache folder).",
        ),
    ] = None,
    registry_deadline: Annotated[
        float,
        typer.Option(min=0.1, metavar="SECONDS", help="Stop all registry work after SECONDS."),
    ] = DEFAULT_REGISTRY_DEADLINE_SECONDS,
) -> None:
    """Judge one package on its own, as if a change brought it into the project for the first
    time: what its code can do, plus its registry history (age, releases, install scripts, a name
    close to a popular package's). Nothing is extracted to disk and nothing is run.
    """
    from scanner.tarball.resolve import load_spec, parse_spec

    note_input(spec)
    with _PackageSession(registry, offline, cache_dir, (spec,), registry_deadline) as session:
        loaded = load_spec(parse_spec(spec), session.client)
        session.look_up(None, loaded)
        verdict = session.verdict(None, loaded)
    if output_format is DiffFormat.json:
        _emit_json(
            {
                "package": loaded.archive.subject,
                "integrity": loaded.verified,
                "files": len(loaded.archive.files),
                "verdict": verdict.to_json(),
            }
        )
    else:
        from scanner.reports.escape import printable
        from scanner.verdict.render import verdict_lines

        origin = (
            f"tarball verified against the registry's {loaded.verified} hash"
            if loaded.verified
            else "local file, no registry integrity to verify against"
        )
        header = f"{printable(loaded.archive.subject, 200)}: {origin}"
        sys.stdout.write("\n".join([header, *verdict_lines(verdict)]) + "\n")
    _exit_for(verdict.severity, fail_on)


class _PackageSession:
    """The registry, the advisories and the clock for ``depscan diff`` and ``inspect``."""

    def __init__(
        self,
        registry: str | None,
        offline: bool,
        cache_dir: Path | None,
        specs: tuple[str, ...],
        deadline: float = DEFAULT_REGISTRY_DEADLINE_SECONDS,
    ) -> None:
        from scanner.scan import ScanOptions, Services

        options = ScanOptions(
            offline=offline, cache_dir=cache_dir, registry_url=registry, registry_deadline=deadline
        )
        self._services = Services(options, Path.cwd())
        needs_registry = not all(_is_local_tarball(s) for s in specs)
        self.client = self._services.registry() if needs_registry else None
        self._documents: dict[str, Packument | Unavailable] = {}
        self._packument: Packument | None = None

    def __enter__(self) -> _PackageSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self._services.close()

    def close_registry(self) -> None:
        """End the registry client's threads (advisories and the cache stay open)."""
        if self.client is not None:
            self.client.close()

    def look_up(self, old: LoadedPackage | None, new: LoadedPackage) -> None:
        """Fetch what the verdict asks the registry: the documents of the dependencies the
        release adds, and of the package itself when it is judged as new."""
        from scanner.registry.packument import Packument
        from scanner.verdict.manifest import dependency_changes

        if self.client is None:
            return
        added = dependency_changes(old.archive.manifest() if old else None, new.archive.manifest())
        name = str((new.archive.manifest() or {}).get("name") or "")
        wanted = sorted({*added, *([name] if name and old is None else [])})
        self._documents = dict(self.client.packuments(wanted))
        document = self._documents.get(name)
        self._packument = document if isinstance(document, Packument) and old is None else None

    def start_profiles(self, old: LoadedPackage | None, new: LoadedPackage) -> PendingProfiles:
        from scanner.behaviour.pool import TarballToProfile, profile_in_background

        tarballs = [
            TarballToProfile(p.archive.subject, p.tarball, p.identity)
            for p in (old, new)
            if p is not None
        ]
        return profile_in_background(tarballs, self._services.cache_dir)

    def verdict(
        self,
        old: LoadedPackage | None,
        new: LoadedPackage,
        profiles: PendingProfiles | None = None,
    ) -> Verdict:
        """The verdict, with ``profiles`` made elsewhere (else made here)."""
        from scanner.checks.tarball_diff import advisory_lookup
        from scanner.verdict.assess import Lookups, default_profiler, judge_archives

        lookups = Lookups()
        if self.client is not None:
            lookups = Lookups(advisory_lookup(self._services.advisories()), self._documents.get)
        profiler: Profiler = default_profiler(self._services.cache_dir)
        if profiles is not None:
            profiler = _profiles_from(profiles, old, new) or profiler
        return judge_archives(
            old.archive if old else None,
            new.archive,
            packument=self._packument,
            registry_info=new.registry_info,
            lookups=lookups,
            profiler=profiler,
            identities=(old.identity if old else None, new.identity),
        )


def _profiles_from(
    pending: PendingProfiles, old: LoadedPackage | None, new: LoadedPackage
) -> Profiler | None:
    """A profiler answering from profiles made in the background (None if that failed: the
    caller then profiles here, and reports what is wrong with the tarball)."""
    from scanner.behaviour.pool import Failed

    outcome = pending.result()
    if isinstance(outcome, Failed):
        return None
    archives = [p.archive for p in (old, new) if p is not None]
    by_archive = {id(a): done.profile for a, done in zip(archives, outcome, strict=True)}
    return lambda archive, identity: by_archive[id(archive)]


def _emit_json(document: object) -> None:
    from scanner.reports.escape import json_text

    sys.stdout.write(json_text(document) + "\n")


def _exit_for(severity: Severity | None, fail_on: Level) -> NoReturn:
    threshold = Severity.parse(fail_on.value)
    raise typer.Exit(EXIT_FINDINGS if severity is not None and severity >= threshold else EXIT_OK)


def _is_local_tarball(spec: str) -> bool:
    return spec.endswith((".tgz", ".tar.gz", ".tar")) and Path(spec).is_file()




def register(main: typer.Typer) -> None:
    """Add this module's commands to the ``depscan`` application, after ``lockfile``."""
    main.registered_commands[1:1] = app.registered_commands
