"""One scan: lockfiles in, a :class:`ScanResult` out. The CLI only parses options and prints.

Services (the advisory database, the registry client) are created on first use, so a scan that
does not need them does not import or load them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.checks import CHECKS, CheckEntry, RegistryUse
from scanner.checks.base import ScanContext
from scanner.errors import RegistryError, UsageError
from scanner.model import (
    AdvisoryDatabaseInfo,
    Finding,
    Lockfile,
    NotChecked,
    ScanResult,
    Severity,
)
from scanner.sources.detect import find_lockfiles, read_lockfile

if TYPE_CHECKING:
    from scanner.base_revision import BaseRevision
    from scanner.osv.database import AdvisoryDatabase
    from scanner.policy import Policy
    from scanner.registry.client import RegistryClient
    from scanner.registry.npmrc import NpmConfig


@dataclass
class ScanOptions:
    fail_on: Severity | None = None
    """None: the policy file's level, else high."""
    offline: bool = False
    advisory_paths: Sequence[Path] = ()
    bundled_advisories: bool = True
    cache_dir: Path | None = None
    registry_checks: bool | None = None
    """None: the policy file's choice, else on."""
    registry_url: str | None = None
    jobs: int = 16
    registry_deadline: float | None = None
    """Seconds all registry work may take; None: the default (``--registry-deadline``)."""
    trust_project_npmrc: bool = True
    """Read the scanned project's ``.npmrc``; False in pull-request mode and in the Action. In
    pull-request mode against a git ref it also decides where yarn's files come from: the
    working tree when true, else the base revision."""
    trust_head_policy: bool = False
    """Pull-request mode against a git ref: obey the working tree's policy file rather than the
    base revision's (``--trust-head-policy``; see :mod:`scanner.pr_policy`)."""
    quiet: bool = False
    progress: bool = False
    only_checks: Sequence[str] = ()
    skip_checks: Sequence[str] = ()
    settings: dict[str, object] = field(default_factory=dict)
    policy_path: Path | None = None
    """A policy file named by the user (``--policy``), read as given in every mode."""
    policy_in_repository: bool = False
    """``policy_path`` names a file of the scanned repository (the Action's ``policy`` input):
    in pull-request mode it is read at the base revision, as the default policy file is."""
    use_policy: bool = True
    today: date | None = None


def default_cache_dir() -> Path:
    override = os.environ.get("DEPSCAN_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("depscan", appauthor=False))


class Services:
    """Lazily created, shared by every check and lockfile of one scan."""

    def __init__(
        self, options: ScanOptions, project_dir: Path, revision: BaseRevision | None = None
    ) -> None:
        self._options = options
        self._project_dir = project_dir
        self.revision = revision
        """Pull-request mode: the base revision the repository's own configuration comes from."""
        self._advisories: AdvisoryDatabase | None = None
        self._registry: RegistryClient | None = None
        self._npm_config: NpmConfig | RegistryError | None = None

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
                feeds_in=self.cache_dir,  # read only: `depscan db update` keeps them current
            )
        return self._advisories

    def npm_config(self) -> NpmConfig | RegistryError:
        """npm's registry configuration for the project, or why it could not be determined."""
        if self._npm_config is None:
            from scanner.registry.npmrc import resolve_npm_config

            try:
                config = resolve_npm_config(
                    self._project_dir,
                    self._options.registry_url,
                    os.environ,
                    default_cache=self.cache_dir / "npm-default-registry.json",
                    trust_project_npmrc=self._options.trust_project_npmrc,
                )
            except RegistryError as exc:
                self._npm_config = exc
            else:
                self._npm_config = config
                if config.untrusted_npmrc and not self._options.quiet:
                    sys.stderr.write(
                        f"depscan: note: {config.untrusted_npmrc}: not read: the scanned "
                        "repository's .npmrc is not trusted here (--trust-project-npmrc, or "
                        "DEPSCAN_TRUST_PROJECT_NPMRC=true for the Action, reads it)\n"
                    )
        return self._npm_config

    def registry(self) -> RegistryClient:
        """The registry client; raises the configuration error when npm's config is unusable."""
        if self._registry is None:
            from scanner.registry.client import RegistryClient
            from scanner.registry.deadline import DEFAULT_REGISTRY_DEADLINE_SECONDS

            config = self.npm_config()
            if isinstance(config, RegistryError):
                raise config
            self._registry = RegistryClient(
                config,
                cache_dir=self.cache_dir / "registry",
                offline=self._options.offline,
                jobs=self._options.jobs,
                progress=self._options.progress,
                deadline=self._options.registry_deadline or DEFAULT_REGISTRY_DEADLINE_SECONDS,
            )
        return self._registry

    @property
    def advisories_loaded(self) -> bool:
        return self._advisories is not None

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()
            self._registry = None

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def select_checks(options: ScanOptions) -> list[CheckEntry]:
    known = {c.id for c in CHECKS}
    for requested in (*options.only_checks, *options.skip_checks):
        if requested not in known:
            raise UsageError(
                f"unknown check {requested!r} (known: {', '.join(sorted(known))})"
            )
    selected = [c for c in CHECKS if not options.only_checks or c.id in options.only_checks]
    return [c for c in selected if c.id not in options.skip_checks]


def load_project_policy(options: ScanOptions, start: Path) -> Policy:
    from scanner.policy import EMPTY_POLICY, find_policy, load_policy

    if not options.use_policy:
        return EMPTY_POLICY
    path = options.policy_path or find_policy(start)
    return load_policy(path) if path is not None else EMPTY_POLICY


def with_policy(options: ScanOptions, policy: Policy) -> ScanOptions:
    """Command-line options win over the policy file, which wins over the defaults."""
    return replace(
        options,
        fail_on=_first_set(options.fail_on, policy.fail_on, Severity.HIGH),
        registry_checks=(
            options.registry_checks
            if options.registry_checks is not None
            else (policy.registry if policy.registry is not None else True)
        ),
        advisory_paths=(*policy.advisories, *options.advisory_paths),
        settings={**policy.settings(), **options.settings},
    )


def prepare(options: ScanOptions, project_dir: Path) -> tuple[ScanOptions, Policy]:
    """The options with the project's policy file applied, and that policy."""
    policy = load_project_policy(options, project_dir)
    return with_policy(options, policy), policy


def prepare_change(
    options: ScanOptions, project_dir: Path, revision: BaseRevision
) -> tuple[ScanOptions, Policy, Finding | None]:
    """:func:`prepare` for a change compared with a git revision: the policy is the base
    revision's unless the user trusts the head's (:mod:`scanner.pr_policy`); the third value is
    the ``policy-change`` finding when the change edits the policy file."""
    from scanner.pr_policy import choose_policy

    chosen = choose_policy(options, project_dir, revision)
    return with_policy(options, chosen.policy), chosen.policy, chosen.change


def scan(
    targets: Sequence[Path],
    options: ScanOptions,
    base: Lockfile | None = None,
) -> ScanResult:
    paths = [p for t in targets for p in find_lockfiles(t)]
    project_dir = paths[0].parent if paths else Path.cwd()
    options, policy = prepare(options, project_dir)
    lockfiles = [read_lockfile(p) for p in paths]
    with Services(options, project_dir) as services:
        return scan_lockfiles(lockfiles, options, policy, services, base=base)


def scan_lockfiles(
    lockfiles: Sequence[Lockfile],
    options: ScanOptions,
    policy: Policy,
    services: Services,
    *,
    base: Lockfile | None = None,
) -> ScanResult:
    """Run the checks on parsed lockfiles. ``options`` already carry the policy (:func:`prepare`);
    ``services`` may be shared by several scans, so each document is fetched once."""
    findings: list[Finding] = []
    not_checked: list[NotChecked] = []
    checks_run: list[str] = []
    settings = _settings(options, services)
    for entry in select_checks(options):
        if base is None and entry.needs_base:
            continue
        registry = None
        if entry.registry is not RegistryUse.NONE and options.registry_checks:
            try:
                registry = services.registry()
            except RegistryError as exc:
                if entry.registry is RegistryUse.REQUIRED and not options.offline:
                    raise
                not_checked.append(NotChecked(entry.id, f"no registry: {exc.one_line()}"))
                if entry.registry is RegistryUse.REQUIRED:
                    continue
        elif entry.registry is RegistryUse.REQUIRED:
            not_checked.append(NotChecked(entry.id, "registry checks are turned off"))
            continue
        check = entry.load()
        checks_run.append(entry.id)
        for lockfile in lockfiles:
            context = ScanContext(
                lockfile=lockfile,
                offline=options.offline,
                advisories=services.advisories() if _uses_advisories(entry) else None,
                registry=registry,
                base=base,
                settings=settings,
            )
            result = check.run(context)
            findings.extend(result.findings)
            not_checked.extend(result.not_checked)
    if base is not None:
        from scanner.verdict.fold import fold_into_verdicts

        findings = fold_into_verdicts(findings)
    advisory_sources = services.advisories().sources if services.advisories_loaded else ()
    advisory_databases = _advisory_databases(services, options, checks_run, not_checked)
    annotated: list[Finding] = []
    for lockfile in lockfiles:
        mine = [f for f in findings if f.lockfile == str(lockfile.path)]
        if mine:
            from scanner.graph.paths import annotate

            annotated.extend(annotate(mine, lockfile))
    annotated.extend(f for f in findings if f.lockfile not in {str(lf.path) for lf in lockfiles})
    kept: list[Finding] = annotated
    suppressed: list[Finding] = []
    if policy.ignores:
        from scanner.policy import apply_ignores

        kept, suppressed = apply_ignores(annotated, policy, options.today or date.today())
    return ScanResult(
        lockfiles=tuple(lockfiles),
        findings=tuple(sorted(kept, key=lambda f: f.sort_key)),
        not_checked=tuple(dict.fromkeys(not_checked)),
        checks_run=tuple(checks_run),
        fail_on=_first_set(options.fail_on, Severity.HIGH),
        advisory_sources=tuple(advisory_sources),
        suppressed=tuple(sorted(suppressed, key=lambda f: f.sort_key)),
        policy=policy.name,
        advisory_databases=advisory_databases,
    )


def _advisory_databases(
    services: Services, options: ScanOptions, checks_run: list[str], not_checked: list[NotChecked]
) -> tuple[AdvisoryDatabaseInfo, ...]:
    """Which advisory databases were used and how old; what the known-malicious check missed."""
    if not services.advisories_loaded:
        return ()
    from scanner.osv.database import DEFAULT_MAX_AGE_DAYS

    database = services.advisories()
    if "known-malicious" in checks_run:
        not_checked.extend(NotChecked("known-malicious", gap) for gap in database.coverage_gaps())
    max_age = options.settings.get(MAX_AGE_SETTING, DEFAULT_MAX_AGE_DAYS)
    return database.describe(max_age if isinstance(max_age, int) else DEFAULT_MAX_AGE_DAYS)


MAX_AGE_SETTING = "advisory-db.max-age-days"
ALLOWED_HOSTS = "hygiene.allowed-hosts"
CONFIG_REVISION = "config-revision"
"""Settings key: the revision the repository's own configuration files are read from."""


def _first_set(*values: Severity | None) -> Severity:
    # Severity.INFO is 0, so `or` would skip it.
    return next(v for v in values if v is not None)


def _settings(options: ScanOptions, services: Services) -> dict[str, object]:
    settings: dict[str, object] = {
        "cache_dir": str(services.cache_dir),
        "progress": options.progress,
    }
    settings.update(options.settings)
    if services.revision is not None and not options.trust_project_npmrc:
        # The working tree is the change author's: yarn's files in it come from the base.
        settings[CONFIG_REVISION] = services.revision
    config = services.npm_config()
    if not isinstance(config, RegistryError):
        settings["registry-url"] = config.registry
        # Hosts given on the command line or in the policy add to the configured registries
        # (a scope's packages come from that scope's registry), they never replace them.
        extra = settings.get(ALLOWED_HOSTS)
        extra_hosts = tuple(extra) if isinstance(extra, (list, tuple)) else ()
        if extra_hosts or config.scoped:
            settings[ALLOWED_HOSTS] = (config.registry, *config.scoped.values(), *extra_hosts)
    return settings


def _uses_advisories(entry: CheckEntry) -> bool:
    return entry.id in ("known-malicious", "tarball-diff")
