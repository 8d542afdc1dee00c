"""One scan: lockfiles in, a :class:`ScanResult` out. The CLI only parses options and prints.

Services (the advisory database, the registry client) are created on first use, so a scan that
does not need them does not import or load them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.checks import CHECKS, CheckEntry
from scanner.checks.base import ScanContext
from scanner.errors import UsageError
from scanner.model import Finding, Lockfile, NotChecked, ScanResult, Severity
from scanner.sources.detect import find_lockfiles, read_lockfile

if TYPE_CHECKING:
    from scanner.osv.database import AdvisoryDatabase
    from scanner.registry.client import RegistryClient


@dataclass
class ScanOptions:
    fail_on: Severity = Severity.HIGH
    offline: bool = False
    advisory_paths: Sequence[Path] = ()
    bundled_advisories: bool = True
    cache_dir: Path | None = None
    registry_checks: bool = True
    registry_url: str | None = None
    jobs: int = 16
    progress: bool = False
    only_checks: Sequence[str] = ()
    skip_checks: Sequence[str] = ()
    settings: dict[str, object] = field(default_factory=dict)


def default_cache_dir() -> Path:
    override = os.environ.get("DEPSCAN_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("depscan", appauthor=False))


class Services:
    """Lazily created, shared by every check and lockfile of one scan."""

    def __init__(self, options: ScanOptions, project_dir: Path) -> None:
        self._options = options
        self._project_dir = project_dir
        self._advisories: AdvisoryDatabase | None = None
        self._registry: RegistryClient | None = None

    @property
    def cache_dir(self) -> Path:
        return self._options.cache_dir or default_cache_dir()

    def advisories(self) -> AdvisoryDatabase:
        if self._advisories is None:
            from scanner.osv.database import AdvisoryDatabase

            self._advisories = AdvisoryDatabase.load(
                list(self._options.advisory_paths),
                cache_dir=self.cache_dir / "advisory-index",
                include_bundled=self._options.bundled_advisories,
            )
        return self._advisories

    def registry(self) -> RegistryClient:
        if self._registry is None:
            from scanner.registry.client import RegistryClient
            from scanner.registry.npmrc import resolve_npm_config

            config = resolve_npm_config(self._project_dir, self._options.registry_url, os.environ)
            self._registry = RegistryClient(
                config,
                cache_dir=self.cache_dir / "registry",
                offline=self._options.offline,
                jobs=self._options.jobs,
                progress=self._options.progress,
            )
        return self._registry

    @property
    def advisories_loaded(self) -> bool:
        return self._advisories is not None

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()


def select_checks(options: ScanOptions) -> list[CheckEntry]:
    known = {c.id for c in CHECKS}
    for requested in (*options.only_checks, *options.skip_checks):
        if requested not in known:
            raise UsageError(
                f"unknown check {requested!r} (known: {', '.join(sorted(known))})"
            )
    selected = [c for c in CHECKS if not options.only_checks or c.id in options.only_checks]
    return [c for c in selected if c.id not in options.skip_checks]


def scan(
    targets: Sequence[Path],
    options: ScanOptions,
    base: Lockfile | None = None,
) -> ScanResult:
    paths = [p for t in targets for p in find_lockfiles(t)]
    lockfiles = [read_lockfile(p) for p in paths]
    services = Services(options, paths[0].parent if paths else Path.cwd())
    findings: list[Finding] = []
    not_checked: list[NotChecked] = []
    checks_run: list[str] = []
    try:
        for entry in select_checks(options):
            if entry.needs_registry and not options.registry_checks:
                not_checked.append(NotChecked(entry.id, "registry checks are turned off"))
                continue
            check = entry.load()
            checks_run.append(entry.id)
            for lockfile in lockfiles:
                context = ScanContext(
                    lockfile=lockfile,
                    offline=options.offline,
                    advisories=services.advisories() if _uses_advisories(entry) else None,
                    registry=services.registry() if entry.needs_registry else None,
                    base=base,
                    settings={"cache_dir": str(services.cache_dir), **options.settings},
                )
                result = check.run(context)
                findings.extend(result.findings)
                not_checked.extend(result.not_checked)
        advisory_sources = services.advisories().sources if services.advisories_loaded else ()
    finally:
        services.close()
    annotated: list[Finding] = []
    for lockfile in lockfiles:
        mine = [f for f in findings if f.lockfile == str(lockfile.path)]
        if mine:
            from scanner.graph.paths import annotate

            annotated.extend(annotate(mine, lockfile))
    annotated.extend(f for f in findings if f.lockfile not in {str(lf.path) for lf in lockfiles})
    return ScanResult(
        lockfiles=tuple(lockfiles),
        findings=tuple(sorted(annotated, key=lambda f: f.sort_key)),
        not_checked=tuple(dict.fromkeys(not_checked)),
        checks_run=tuple(checks_run),
        fail_on=options.fail_on,
        advisory_sources=tuple(advisory_sources),
    )


def _uses_advisories(entry: CheckEntry) -> bool:
    return entry.id in ("known-malicious", "tarball-diff")
