"""The normalized data model every stage shares.

Lockfile sources produce a :class:`Lockfile` of :class:`PackageNode` values; the graph stage adds
paths; checks produce :class:`Finding` and :class:`NotChecked` values; reports only read them.
Everything here is an immutable value so stages can be tested in isolation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path


class SourceKind(StrEnum):
    """Where an installed node's code comes from."""

    REGISTRY = "registry"
    GIT = "git"
    REMOTE_TARBALL = "remote-tarball"
    LOCAL_TARBALL = "local-tarball"
    LOCAL_DIRECTORY = "local-directory"
    WORKSPACE = "workspace"
    LINK = "link"
    ROOT = "root"
    UNKNOWN = "unknown"


class DependencyKind(StrEnum):
    """The section of a manifest a dependency was declared in."""

    PROD = "prod"
    DEV = "dev"
    OPTIONAL = "optional"
    PEER = "peer"
    PEER_OPTIONAL = "peer-optional"


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


@dataclass(frozen=True, slots=True)
class DeclaredDependency:
    """One dependency a node declares, and the node it resolved to in this lockfile.

    ``name`` is the name it is required by (an alias name for ``npm:`` aliases); ``spec`` is the
    declared range or specifier as written. ``target`` is the location of the node it resolves to,
    or ``None`` when the lockfile has no node for it.
    """

    name: str
    spec: str
    kind: DependencyKind
    target: str | None = None


@dataclass(frozen=True, slots=True)
class PackageNode:
    """One installed node of a lockfile.

    ``location`` identifies the node inside its lockfile: the install path for npm
    (``node_modules/a/node_modules/b``; ``""`` is the root project), the resolution key for formats
    that have no install path. ``name`` is the real package name: for an ``npm:`` alias it is the
    aliased package and ``alias`` keeps the name it is installed under.
    """

    location: str
    name: str
    version: str
    source: SourceKind
    alias: str | None = None
    resolved: str | None = None
    integrity: str | None = None
    dev: bool = False
    optional: bool = False
    dev_optional: bool = False
    peer: bool = False
    in_bundle: bool = False
    is_workspace: bool = False
    link_target: str | None = None
    has_install_script: bool | None = None
    """``None`` when the lockfile format does not record it."""
    dependencies: tuple[DeclaredDependency, ...] = ()
    line: int | None = None
    """1-based line of the node's entry in the lockfile, when known."""

    @property
    def spec_id(self) -> str:
        """``name@version``, the form used in paths and messages."""
        return f"{self.name}@{self.version}" if self.version else self.name

    @property
    def install_name(self) -> str:
        """The name the node is installed under (the alias when there is one)."""
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class LockfileProblem:
    """Something inconsistent inside the lockfile that is not a reason to refuse it."""

    message: str
    location: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Lockfile:
    """A parsed lockfile: every node by location, plus the roots the graph starts from."""

    path: Path
    format: str
    """Machine name of the format, e.g. ``npm-package-lock``, ``npm-shrinkwrap``, ``yarn-v1``."""
    format_version: str
    nodes: dict[str, PackageNode]
    roots: tuple[str, ...]
    """Locations of the root project and of each workspace."""
    problems: tuple[LockfileProblem, ...] = ()

    @property
    def root(self) -> PackageNode:
        return self.nodes[self.roots[0]]

    def packages(self) -> list[PackageNode]:
        """Installed nodes that are packages (roots and workspace folders excluded)."""
        root_set = set(self.roots)
        return [
            n
            for loc, n in self.nodes.items()
            if loc not in root_set and n.source not in (SourceKind.ROOT, SourceKind.WORKSPACE)
        ]


@dataclass(frozen=True, slots=True)
class PackageRef:
    name: str
    version: str
    location: str

    @classmethod
    def of(cls, node: PackageNode) -> PackageRef:
        return cls(node.name, node.version, node.location)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check reports. ``paths`` and ``reach`` are filled by the graph stage."""

    check: str
    severity: Severity
    message: str
    package: PackageRef | None = None
    advisories: tuple[str, ...] = ()
    paths: tuple[tuple[str, ...], ...] = ()
    direct: bool | None = None
    reach: str | None = None
    """``prod`` when reachable from production dependencies, ``dev`` when only from dev ones."""
    lockfile: str | None = None
    line: int | None = None
    details: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        pkg = self.package
        name, version = (pkg.name, pkg.version) if pkg else ("", "")
        return (-int(self.severity), self.check, name, version)


@dataclass(frozen=True, slots=True)
class NotChecked:
    """A check, or part of one, that could not run: never to be read as clean."""

    check: str
    reason: str
    packages: tuple[str, ...] = ()
    """``name@version`` of the packages it concerns; empty when it concerns the whole scan."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: tuple[Finding, ...] = ()
    not_checked: tuple[NotChecked, ...] = ()


@dataclass(frozen=True, slots=True)
class AdvisoryDatabaseInfo:
    """One advisory database a scan matched packages against (docs/advisories.md)."""

    name: str
    """``bundled``, a ``--advisories`` path, or a feed's source URL or path."""
    kind: str
    """``bundled``, ``file`` (``--advisories``, the policy) or ``feed`` (``depscan db update``)."""
    records: int
    withdrawn: int = 0
    updated: str | None = None
    """Feeds: when an update last confirmed the data was current (ISO-8601, UTC)."""
    age_days: float | None = None
    stale: bool = False
    """Older than the staleness threshold (``[advisory-db] max-age-days``, default 7)."""
    max_age_days: int | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a report needs about one scan of one or more lockfiles."""

    lockfiles: tuple[Lockfile, ...]
    findings: tuple[Finding, ...]
    not_checked: tuple[NotChecked, ...]
    checks_run: tuple[str, ...]
    fail_on: Severity
    advisory_sources: tuple[str, ...] = ()
    suppressed: tuple[Finding, ...] = ()
    """Findings an active policy ignore matched; reported as ignored, never counted as failing."""
    policy: str | None = None
    """The policy file the scan used, if any."""
    advisory_databases: tuple[AdvisoryDatabaseInfo, ...] = ()
    """The advisory databases the known-malicious check used (empty when it did not run)."""

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity >= self.fail_on)

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out
