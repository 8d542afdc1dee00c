"""Pull-request mode: compare a lockfile with its earlier self and keep only what the change brings.

The earlier lockfile (the *base*) is a lockfile on disk or the same lockfile at a git ref. A
finding is new unless the base scan reported the same thing about the same package version, so a
package that only moved in the tree (hoisting) does not count as new; what was not checked is kept
for the packages the change touches, because not checked is never clean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.base_revision import BaseRevision, git
from scanner.errors import LockfileError, UsageError
from scanner.model import Finding, Lockfile, NotChecked, ScanResult
from scanner.sources.detect import find_lockfiles, parser_for, read_lockfile

if TYPE_CHECKING:
    from scanner.scan import ScanOptions

FindingIdentity = tuple[str, str, str, str, tuple[str, ...], str]


# -- the base lockfile ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BaseSource:
    """Where the base lockfile came from: a file on disk, a text read from git, or nothing."""

    label: str
    """How reports name the base: the path, or ``<ref>:<path in the repository>``."""
    path: Path | None = None
    """The base lockfile on disk, when it is a file."""
    text: str | None = None
    """The base lockfile's text read from git; ``None`` with ``path`` ``None``: it did not exist."""
    revision: BaseRevision | None = None
    """The git revision the base was read from; ``None`` for a lockfile on disk. Pull-request
    mode reads the repository's own configuration (policy, yarn's files) from it."""


def load_base_lockfile(base: str, head_lockfile: Path) -> Lockfile:
    """The lockfile to compare ``head_lockfile`` with.

    ``base`` is a lockfile (or a folder holding one) when it exists on disk, else a git ref whose
    version of ``head_lockfile`` is read. A lockfile that did not exist at that ref means
    everything is new: the result is an empty lockfile of the head's format.
    """
    return parse_base(locate_base(base, head_lockfile), head_lockfile)


def locate_base(base: str, head_lockfile: Path) -> BaseSource:
    if not base.strip():
        raise UsageError("--base needs a git ref or a lockfile path")
    on_disk = Path(base)
    if on_disk.exists():
        path = _lockfile_in(on_disk, head_lockfile)
        return BaseSource(label=str(path), path=path)
    return _read_from_git(base, head_lockfile)


def parse_base(source: BaseSource, head_lockfile: Path) -> Lockfile:
    if source.path is not None:
        return read_lockfile(source.path)
    if source.text is None:
        return empty_like(read_lockfile(head_lockfile))
    return parser_for(head_lockfile, source.text)(head_lockfile, source.text)


def empty_like(head: Lockfile) -> Lockfile:
    """A lockfile of the same format and projects as ``head`` that installs nothing."""
    roots = {loc: replace(head.nodes[loc], dependencies=()) for loc in head.roots}
    return Lockfile(
        path=head.path,
        format=head.format,
        format_version=head.format_version,
        nodes=roots,
        roots=head.roots,
    )


def _lockfile_in(path: Path, head_lockfile: Path) -> Path:
    if path.is_file():
        return path
    same_name = path / head_lockfile.name
    if same_name.is_file():
        return same_name
    found = find_lockfiles(path)
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise UsageError(
            f"holds several lockfiles ({names}) and none is named {head_lockfile.name}: "
            "give the file itself as --base",
            subject=str(path),
        )
    return found[0]


def _read_from_git(ref: str, head_lockfile: Path) -> BaseSource:
    folder = head_lockfile.absolute().parent
    revision = BaseRevision.open(ref, folder)
    inside = revision.relative(head_lockfile)
    if inside is None:
        raise UsageError(
            f"is outside the git repository {revision.root}", subject=str(head_lockfile)
        )
    label = revision.label(inside)
    # Read at the commit the ref named when the scan started, as every other file of the base is.
    at_commit = f"{revision.commit}:{inside}"
    if git(revision.root, "cat-file", "-e", at_commit).returncode != 0:
        return BaseSource(label=label, revision=revision)
    shown = git(revision.root, "show", at_commit)
    if shown.returncode != 0:
        message = " ".join(shown.stderr.decode(errors="replace").split()) or "git show failed"
        raise UsageError(message, subject=label)
    try:
        text = shown.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LockfileError("is not UTF-8 text", subject=label) from None
    return BaseSource(label=label, text=text, revision=revision)


# -- what changed --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageChange:
    name: str
    old: str | None
    """The base version; ``None`` for an added package."""
    new: str | None
    """The head version; ``None`` for a removed package."""

    @property
    def spec_id(self) -> str:
        """``name@version`` of the version the change brings in (or takes out)."""
        return f"{self.name}@{self.new if self.new is not None else self.old}"


@dataclass(frozen=True, slots=True)
class ChangeSet:
    added: tuple[PackageChange, ...] = ()
    updated: tuple[PackageChange, ...] = ()
    removed: tuple[PackageChange, ...] = ()
    downgraded: tuple[PackageChange, ...] = ()

    @property
    def incoming(self) -> frozenset[str]:
        """``name@version`` of every version the head has and the base did not."""
        return frozenset(
            f"{c.name}@{c.new}" for c in (*self.added, *self.updated, *self.downgraded)
        )

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.downgraded)


def changed_packages(base: Lockfile, head: Lockfile) -> ChangeSet:
    """Package versions added, updated, downgraded and removed, by package name.

    Each version the head brings in is paired as :func:`scanner.pairing.incoming` pairs it (with
    the nearest lower version the base had); a base version that is gone and that no incoming
    version was paired with is removed. ``{1.0.0, 2.0.0} -> {1.0.1, 2.0.1}`` is two updates.
    """
    from scanner.pairing import ChangeKind, incoming, versions_by_name

    pairs = incoming(base, head, registry_only=False)
    by_kind: dict[ChangeKind, list[PackageChange]] = {kind: [] for kind in ChangeKind}
    replaced: set[tuple[str, str]] = set()
    for pair in pairs:
        old = pair.old.version if pair.old else None
        by_kind[pair.kind].append(PackageChange(pair.name, old, pair.new.version))
        if old is not None:
            replaced.add((pair.name, old))
    after = versions_by_name(head, registry_only=False)
    removed = [
        PackageChange(name, version, None)
        for name, versions in sorted(versions_by_name(base, registry_only=False).items())
        for version in _semver_sorted(versions)
        if version not in after.get(name, {}) and (name, version) not in replaced
    ]
    return ChangeSet(
        added=tuple(by_kind[ChangeKind.NEW]),
        updated=tuple(by_kind[ChangeKind.UPDATE]),
        removed=tuple(removed),
        downgraded=tuple(by_kind[ChangeKind.DOWNGRADE]),
    )


def _semver_sorted(versions: Iterable[str]) -> list[str]:
    from scanner.checks.release_history import semver_key

    keyed = [(semver_key(v), v) for v in versions]
    # Non-semver versions (git commits, tags) sort after the semver ones, by text.
    return [v for _, v in sorted(keyed, key=lambda kv: (kv[0] is None, kv[0] or (), kv[1]))]


def describe_changes(changes: ChangeSet) -> str:
    """``3 added, 2 updated, 1 removed``, or ``no package changes``."""
    if not changes:
        return "no package changes"
    downgraded = f", {len(changes.downgraded)} downgraded" if changes.downgraded else ""
    return (
        f"{len(changes.added)} added, {len(changes.updated)} updated{downgraded}, "
        f"{len(changes.removed)} removed"
    )


def change_lines(changes: ChangeSet, limit: int | None = None) -> list[str]:
    """One line per change (``+ a 1.0.0``, ``~ b 1.0.0 -> 1.1.0``, ``- c 2.0.0``), at most
    ``limit`` of them plus a line saying how many were left out."""
    lines = [f"+ {c.name} {c.new}" for c in changes.added]
    lines += [f"~ {c.name} {c.old} -> {c.new}" for c in changes.updated]
    lines += [f"v {c.name} {c.old} -> {c.new} (downgrade)" for c in changes.downgraded]
    lines += [f"- {c.name} {c.old}" for c in changes.removed]
    if limit is not None and len(lines) > limit:
        left_out = len(lines) - limit
        lines = [*lines[:limit], f"... and {left_out} more"]
    return lines


# -- what is new ---------------------------------------------------------------------------------


def finding_identity(finding: Finding) -> FindingIdentity:
    """What makes two findings the same report, wherever the package sits in the tree."""
    pkg = finding.package
    rule = finding.details.get("rule")
    return (
        finding.check,
        pkg.name if pkg else "",
        pkg.version if pkg else "",
        rule if isinstance(rule, str) else "",
        tuple(sorted(finding.advisories)),
        # A finding about the lockfile as a whole has no package to tell it apart: its message does.
        "" if pkg else finding.message,
    )


def only_new(findings: Sequence[Finding], base_findings: Sequence[Finding]) -> list[Finding]:
    """The findings the base scan did not already have."""
    known = {finding_identity(f) for f in base_findings}
    return [f for f in findings if finding_identity(f) not in known]


def not_checked_for_changes(
    not_checked: Sequence[NotChecked], changes: ChangeSet
) -> list[NotChecked]:
    """What could not be checked about the incoming versions, and what concerns the whole scan."""
    incoming = changes.incoming
    kept: list[NotChecked] = []
    for item in not_checked:
        if not item.packages:
            kept.append(item)
            continue
        touched = tuple(p for p in item.packages if p in incoming)
        if touched:
            kept.append(replace(item, packages=touched))
    return kept


@dataclass(frozen=True, slots=True)
class ChangeScan:
    """A scan restricted to what a change brings in."""

    result: ScanResult
    changes: ChangeSet
    base: str
    """The base's label: a path or ``<ref>:<path>``."""

    @property
    def summary(self) -> str:
        return f"compared with {self.base}: {describe_changes(self.changes)}"


def restrict_to_change(
    head: ScanResult, base_findings: Sequence[Finding], changes: ChangeSet
) -> ScanResult:
    """``head`` with only the new findings, and only the not-checked items about the change."""
    return replace(
        head,
        findings=tuple(only_new(head.findings, base_findings)),
        suppressed=tuple(only_new(head.suppressed, base_findings)),
        not_checked=tuple(not_checked_for_changes(head.not_checked, changes)),
    )


def scan_changes(head_lockfile: Path, base: str, options: ScanOptions) -> ChangeScan:
    """Scan ``head_lockfile`` and its base with the same options; keep what the change brings.

    Both are scanned in one session (same npm configuration, policy and registry client, so each
    package document is fetched once). The head is scanned with the base lockfile in its
    context, so checks that compare versions (tarball diffs) see both.
    """
    from scanner.scan import Services, prepare, prepare_change, scan_lockfiles

    source = locate_base(base, head_lockfile)
    base_lockfile = parse_base(source, head_lockfile)
    head = read_lockfile(head_lockfile)
    project_dir = head_lockfile.parent
    change = None
    if source.revision is not None:
        options, policy, change = prepare_change(options, project_dir, source.revision)
    else:
        # A base lockfile on disk says nothing about which policy the project had: the working
        # tree's applies, as without --base (docs/ci.md).
        options, policy = prepare(options, project_dir)
    with Services(options, project_dir, source.revision) as services:
        head_result = scan_lockfiles([head], options, policy, services, base=base_lockfile)
        base_result = scan_lockfiles([base_lockfile], options, policy, services)
    changes = changed_packages(base_lockfile, head)
    base_findings = (*base_result.findings, *base_result.suppressed)
    result = restrict_to_change(head_result, base_findings, changes)
    if change is not None:
        result = with_finding(result, change)
    return ChangeScan(result, changes, source.label)


def with_finding(result: ScanResult, finding: Finding) -> ScanResult:
    """``result`` with one more finding, in the report order."""
    findings = sorted((*result.findings, finding), key=lambda f: f.sort_key)
    return replace(result, findings=tuple(findings))


def policy_changes_once(results: Sequence[ScanResult]) -> list[ScanResult]:
    """``results`` with each ``policy-change`` finding kept in the first result only: lockfiles
    under one policy file report its change once."""
    from scanner.pr_policy import CHECK_ID

    seen: set[Finding] = set()
    out: list[ScanResult] = []
    for result in results:
        kept = tuple(f for f in result.findings if f.check != CHECK_ID or f not in seen)
        seen.update(f for f in result.findings if f.check == CHECK_ID)
        out.append(result if len(kept) == len(result.findings) else replace(result, findings=kept))
    return out
