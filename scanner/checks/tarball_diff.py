"""Package verdicts: what the code of every package a change brings in can do, judged once.

For ``depscan lockfile --base REF`` (and ``--diff-from OLD``) every registry package version the
head has and the base did not is paired with its own past by name (:mod:`scanner.pairing`):
- an update is fetched at both versions and the new version's behaviour is compared with the
  old one's, at package level;
- a package new to the project (flatmap-stream, arriving with event-stream 3.3.6) is inspected on
  its own, with its registry history;
- a downgrade is reported as one (low), never diffed as an upgrade.
Each tarball is verified against its integrity hash before it is read, and read in memory.
The judgement is :mod:`scanner.verdict`'s: one finding per package, with its reasons; packages
with nothing of note give no finding.

Behaviour profiles depend only on the tarball's bytes, so they are cached on disk by integrity:
an upgrade is analysed once however many scans see it.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from scanner.checks.base import ScanContext
from scanner.checks.knobs import int_setting, now_setting
from scanner.errors import DepscanError, RegistryError
from scanner.memory_ceiling import OUT_OF_MEMORY
from scanner.model import (
    CheckResult,
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    PackageRef,
    Severity,
)
from scanner.pairing import ChangeKind, Incoming, incoming
from scanner.registry.packument import Packument, Unavailable, VersionInfo

# The tarball and parser modules load only when a scan has packages to judge.
if TYPE_CHECKING:
    from scanner.behaviour.pool import PendingProfiles, ProfilePool, TarballToProfile
    from scanner.osv.database import AdvisoryDatabase
    from scanner.tarball.resolve import TarballSource
    from scanner.verdict import Verdict
    from scanner.verdict.dependencies import AdvisoryLookup

CHECK_ID = "tarball-diff"
CACHE_SETTINGS = ("tarball-diff.cache_dir", "cache_dir")
WORKERS_SETTING = "tarball-diff.workers"
PROCESSES_SETTING = "tarball-diff.processes"
_DEFAULT_WORKERS = 8


@dataclass(frozen=True, slots=True)
class TarballRef:
    url: str
    integrity: str | None
    shasum: str | None

    @property
    def identity(self) -> str | None:
        """What names these exact bytes, for caches."""
        return self.integrity or (f"sha1:{self.shasum}" if self.shasum else None)


def tarball_ref(node: PackageNode, info: VersionInfo | None) -> TarballRef:
    """Where ``node``'s tarball is and the hash it must match: the lockfile's integrity first
    (that is what npm will verify at install), the registry's as a fallback."""
    url = info.tarball if info and info.tarball else node.resolved
    if not url or not url.startswith(("http://", "https://")):
        raise RegistryError("no tarball URL in the lockfile or the registry", node.spec_id)
    integrity = node.integrity or (info.integrity if info else None)
    shasum = info.shasum if info else None
    if not integrity and not shasum:
        raise RegistryError("no integrity hash to verify the tarball against", node.spec_id)
    return TarballRef(url, integrity, shasum)


def advisory_lookup(advisories: AdvisoryDatabase) -> AdvisoryLookup:
    """(name, exact version) -> ids of the known-malicious advisories that list it."""

    def lookup(name: str, version: str) -> list[str]:
        return sorted({m.advisory.id for m in advisories.match(name, version)})

    return lookup


class TarballDiffCheck:
    """One verdict per incoming package: updates diffed, new packages inspected."""

    id: ClassVar[str] = CHECK_ID
    title: ClassVar[str] = "What the code of each new or updated package does (one verdict each)"
    needs_registry: ClassVar[bool] = True

    def run(self, context: ScanContext) -> CheckResult:
        if context.base is None:
            return CheckResult()
        items = incoming(context.base, context.lockfile)
        if not items:
            return CheckResult()
        from scanner.verdict import downgrade

        findings = [
            _finding(item, downgrade(item.name, _old_version(item), item.new.version), context)
            for item in items
            if item.kind is ChangeKind.DOWNGRADE
        ]
        to_judge = [item for item in items if item.kind is not ChangeKind.DOWNGRADE]
        registry = context.registry
        if registry is None:
            unexamined = NotChecked(
                CHECK_ID,
                "no registry: the code of incoming packages was not examined",
                tuple(i.new.spec_id for i in to_judge),
            )
            return CheckResult(tuple(findings), (unexamined,) if to_judge else ())
        # One parallel batch for the packages and the dependencies they add (the verdict looks
        # those up for advisories and age), not a request at a time while judging.
        documents = registry.packuments(sorted(_names_to_look_up(to_judge)))

        def packument(name: str) -> Packument | Unavailable | None:
            return documents.get(name) or registry.packument(name)

        from scanner.behaviour.pool import ProfilePool
        from scanner.registry.progress import ProgressLine, progress_wanted

        not_checked: list[NotChecked] = []
        workers = max(1, int_setting(context.settings, WORKERS_SETTING, _DEFAULT_WORKERS))
        shown = progress_wanted(bool(context.settings.get("progress")), sys.stderr, os.environ)
        progress = ProgressLine("judging packages", len(to_judge), sys.stderr, shown)
        cache_root = _cache_root(context.settings)
        try:
            with ProfilePool(cache_root, len(to_judge), _processes(context.settings)) as pool:
                judge = _Judge(context, registry, packument, pool)
                for item, outcome in _fetched_in_parallel(judge, to_judge, workers):
                    verdict = outcome if isinstance(outcome, NotChecked) else judge.judge(outcome)
                    progress.advance()
                    if isinstance(verdict, NotChecked):
                        not_checked.append(verdict)
                    elif verdict.severity > Severity.INFO:
                        findings.append(_finding(item, verdict, context))
        finally:
            progress.finish()
        return CheckResult(tuple(findings), tuple(not_checked))


def _fetched_in_parallel(
    judge: _Judge, items: list[Incoming], workers: int
) -> Iterator[tuple[Incoming, _Fetched | NotChecked]]:
    """Each item's tarballs, fetched, verified and read by worker threads, in item order, with
    their profiles under way in worker processes (:class:`scanner.behaviour.pool.ProfilePool`).

    The threads only download and hand over: the parser is not safe to share between threads and
    the GIL would serialise it anyway. At most ``2 * workers`` packages are in flight or waiting,
    so memory stays bounded however many packages the change brings.
    """
    window = 2 * workers
    with ThreadPoolExecutor(max_workers=min(workers, len(items) or 1)) as pool:
        pending: deque[tuple[Incoming, Future[_Fetched | NotChecked]]] = deque()
        queue = iter(items)
        for item in islice(queue, window):
            pending.append((item, pool.submit(judge.fetch, item)))
        while pending:
            item, future = pending.popleft()
            for following in islice(queue, 1):
                pending.append((following, pool.submit(judge.fetch, following)))
            yield item, future.result()


@dataclass(frozen=True, slots=True)
class _Fetched:
    """One incoming package's tarballs, downloaded and verified, with what the registry says,
    and their profiles under way."""

    item: Incoming
    identities: tuple[str | None, str | None]
    packument: Packument | None
    new_info: VersionInfo | None
    tarballs: tuple[TarballToProfile, ...]
    profiles: PendingProfiles


class _Judge:
    """Downloads and verifies incoming packages (in worker threads), hands them to the profile
    pool, then judges them."""

    def __init__(
        self,
        context: ScanContext,
        registry: TarballSource,
        packument: Callable[[str], Packument | Unavailable | None],
        pool: ProfilePool,
    ) -> None:
        from scanner.verdict.assess import Lookups

        self._registry = registry
        self._packument = packument
        self._now = now_setting(context.settings)
        advisories = context.advisories
        self._lookups = Lookups(advisory_lookup(advisories) if advisories else None, packument)
        self._pool = pool

    def fetch(self, item: Incoming) -> _Fetched | NotChecked:
        """Download and verify both versions (run in a worker thread)."""
        document = self._packument(item.name)
        packument = document if isinstance(document, Packument) else None
        old_info = None
        try:
            new_info = packument.versions.get(item.new.version) if packument else None
            new = self._tarball(item.new, new_info)
            old = None
            if item.old is not None:
                old_info = packument.versions.get(item.old.version) if packument else None
                old = self._tarball(item.old, old_info)
        except DepscanError as exc:
            return NotChecked(CHECK_ID, exc.one_line(), (item.new.spec_id,))
        except MemoryError:  # past the memory ceiling: this package is not checked
            return NotChecked(CHECK_ID, OUT_OF_MEMORY, (item.new.spec_id,))
        self._look_up_added_dependencies(old_info, new_info)
        tarballs = (*([old] if old else []), new)
        identities = (old.identity if old else None, new.identity)
        return _Fetched(
            item, identities, packument, new_info, tarballs, self._pool.submit(tarballs)
        )

    def _look_up_added_dependencies(
        self, old: VersionInfo | None, new: VersionInfo | None
    ) -> None:
        """Fetch, here in the worker thread, the documents the verdict will ask for about the
        dependencies this release adds (as the registry lists them; the client keeps what it
        fetched), so judging waits on none."""
        from scanner.verdict.dependencies import real_target

        if new is None:
            return
        had = {**old.optional_dependencies, **old.dependencies} if old else {}
        wanted = {**new.optional_dependencies, **new.dependencies}
        names = {
            target[0]
            for name, spec in wanted.items()
            if had.get(name) != spec and (target := real_target(name, spec)) is not None
        }
        if names:
            self._registry.packuments(sorted(names))

    def judge(self, fetched: _Fetched) -> Verdict | NotChecked:
        """Judge one fetched package, its profiles done (run in the calling thread)."""
        from scanner.behaviour.pool import Failed
        from scanner.verdict.assess import judge_archives

        spec_id = fetched.item.new.spec_id
        outcome = self._pool.resolve(fetched.profiles, fetched.tarballs)
        if isinstance(outcome, Failed):
            return NotChecked(CHECK_ID, outcome.message, (spec_id,))
        archives = [p.archive() for p in outcome]
        by_archive = {id(a): p.profile for a, p in zip(archives, outcome, strict=True)}
        old = archives[0] if len(archives) == 2 else None
        try:
            return judge_archives(
                old,
                archives[-1],
                identities=fetched.identities,
                packument=fetched.packument,
                registry_info=fetched.new_info,
                lookups=self._lookups,
                now=self._now,
                profiler=lambda archive, identity: by_archive[id(archive)],
            )
        except DepscanError as exc:
            return NotChecked(CHECK_ID, exc.one_line(), (spec_id,))
        except MemoryError:
            return NotChecked(CHECK_ID, OUT_OF_MEMORY, (spec_id,))

    def _tarball(self, node: PackageNode, info: VersionInfo | None) -> TarballToProfile:
        from scanner.behaviour.pool import TarballToProfile
        from scanner.tarball.integrity import verify_integrity

        ref = tarball_ref(node, info)
        data = self._registry.tarball(
            ref.url, integrity=ref.integrity, shasum=ref.shasum, name=node.spec_id
        )
        # Verified again here so that nothing is read on the client's word alone.
        verify_integrity(data, ref.integrity, ref.shasum, node.spec_id)
        return TarballToProfile(node.spec_id, data, ref.identity)


def _names_to_look_up(items: list[Incoming]) -> set[str]:
    """The incoming packages, and the registry names of the dependencies each one adds (as
    the lockfile records them; the verdict reads the tarball's own package.json)."""
    from scanner.verdict.dependencies import real_target

    names = {item.name for item in items}
    for item in items:
        had = {d.name for d in item.old.dependencies} if item.old is not None else set()
        for dependency in item.new.dependencies:
            if dependency.name in had:
                continue
            target = real_target(dependency.name, dependency.spec)
            if target is not None:
                names.add(target[0])
    return names


def _processes(settings: Mapping[str, object]) -> int | None:
    """``tarball-diff.processes``: worker processes for profiling (default: the CPUs, up to 4)."""
    if PROCESSES_SETTING not in settings:
        return None
    return int_setting(settings, PROCESSES_SETTING, 0)


def _cache_root(settings: Mapping[str, object]) -> Path | None:
    for key in CACHE_SETTINGS:
        value = settings.get(key)
        if isinstance(value, str | Path) and str(value):
            return Path(value)
    return None


def _old_version(item: Incoming) -> str | None:
    return item.old.version if item.old is not None else None


def _finding(item: Incoming, verdict: Verdict, context: ScanContext) -> Finding:
    lockfile: Lockfile = context.lockfile
    if verdict.kind is ChangeKind.NEW:
        lead = "new package"
    else:
        lead = f"{verdict.old_version} -> {verdict.new_version}"
    return Finding(
        check=CHECK_ID,
        severity=verdict.severity,
        message=f"{lead}: {verdict.summary}",
        package=PackageRef.of(item.new),
        lockfile=str(lockfile.path),
        line=item.new.line,
        details={"rule": verdict.kind.value, "verdict": verdict.to_json()},
    )
