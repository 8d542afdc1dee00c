"""Comparing two package tarballs in memory: which files changed, and how, line by line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache

from scanner.registry.packument import VersionInfo
from scanner.tarball.archive import DEFAULT_LIMITS, ArchiveFile, ArchiveLimits, PackageArchive
from scanner.tarball.archive import read_package as read_archive
from scanner.tarball.parallel import fork_map
from scanner.tarball.textdiff import EditBlock, diff_split, split_lines

# git's rule: a NUL byte in the first 8000 bytes makes a file binary.
_BINARY_SNIFF_BYTES = 8000


class FileStatus(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    status: FileStatus
    old_size: int | None
    new_size: int | None
    old_mode: int | None
    new_mode: int | None
    binary: bool
    """Either side is binary: no line diff is made."""
    added_lines: int = 0
    removed_lines: int = 0
    blocks: tuple[EditBlock, ...] = ()
    """Edit blocks of the line diff; empty for binary files and name-only diffs."""
    old_data: bytes = field(default=b"", repr=False, compare=False)
    new_data: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class PackageSide:
    """One of the two packages compared, and how far its bytes can be trusted."""

    subject: str
    """``name@version`` or the local file path."""
    name: str | None
    version: str | None
    verified: str | None
    """Hash the tarball was verified with; ``None`` for a local file (no registry hash)."""
    manifest: dict[str, object] | None
    notes: tuple[str, ...] = ()
    registry_info: VersionInfo | None = None
    """The registry's version document, when the package came from a registry."""

    @property
    def integrity_statement(self) -> str:
        if self.verified:
            return f"{self.subject}: tarball verified against the registry's {self.verified} hash"
        return f"{self.subject}: local file, no registry integrity to verify against"


@dataclass(frozen=True, slots=True)
class PackageDiff:
    old: PackageSide
    new: PackageSide
    files: tuple[FileChange, ...]
    """Changed files only, sorted by path."""
    name_only: bool = False
    filters: tuple[str, ...] = ()

    @property
    def added_lines(self) -> int:
        return sum(f.added_lines for f in self.files)

    @property
    def removed_lines(self) -> int:
        return sum(f.removed_lines for f in self.files)

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status is status)


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_SNIFF_BYTES]


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """``*`` stays inside one path segment, ``**`` crosses them, ``?`` is one character."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _normalize_filter(pattern: str) -> str:
    pattern = pattern.replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.removeprefix("package/")


def path_matches(path: str, patterns: Sequence[str]) -> bool:
    """Whether ``path`` is selected by any of the globs or folder names in ``patterns``.

    As with ``npm diff --diff-files``-style filters: a pattern is a glob on the whole path, a
    pattern without ``/`` starting with ``*`` also matches the file name alone (``*.js``), and a
    plain folder name selects everything beneath it (``lib`` or ``lib/``).
    """
    for raw in patterns:
        pattern = _normalize_filter(raw)
        if not pattern:
            continue
        if _glob_regex(pattern).match(path):
            return True
        basename = path.rsplit("/", 1)[-1]
        if "/" not in pattern and pattern.startswith("*") and _glob_regex(pattern).match(basename):
            return True
        folder = pattern.rstrip("/")
        if path.startswith(folder + "/"):
            return True
    return False


def _selected(path: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if include and not path_matches(path, include):
        return False
    return not (exclude and path_matches(path, exclude))


def compare_files(
    path: str,
    old: ArchiveFile | None,
    new: ArchiveFile | None,
    *,
    name_only: bool,
    line_diff: bool = True,
) -> FileChange | None:
    """How one path differs between the two packages; None when it does not.

    With ``line_diff=False`` a modified text file comes back without its line diff, for the
    caller to add with :func:`with_line_diff` (possibly in another process).
    """
    if old is not None and new is not None:
        if old.data == new.data and old.mode == new.mode:
            return None
        status = FileStatus.MODIFIED
    elif new is not None:
        status = FileStatus.ADDED
    elif old is not None:
        status = FileStatus.REMOVED
    else:
        return None
    old_data = old.data if old else b""
    new_data = new.data if new else b""
    binary = is_binary(old_data) or is_binary(new_data)
    blocks: tuple[EditBlock, ...] = ()
    if not binary and old_data != new_data:
        # Line counts are wanted even for a name-only listing; only the blocks are dropped.
        if status is FileStatus.ADDED:
            lines = len(split_lines(new_data).lines) if new_data else 0
            blocks = (EditBlock(0, 0, 0, lines),) if lines else ()
        elif status is FileStatus.REMOVED:
            lines = len(split_lines(old_data).lines) if old_data else 0
            blocks = (EditBlock(0, lines, 0, 0),) if lines else ()
        elif line_diff:
            blocks = _line_diff(old_data, new_data)
    return FileChange(
        path=path,
        status=status,
        old_size=len(old_data) if old else None,
        new_size=len(new_data) if new else None,
        old_mode=old.mode if old else None,
        new_mode=new.mode if new else None,
        binary=binary,
        added_lines=sum(b.added for b in blocks),
        removed_lines=sum(b.removed for b in blocks),
        blocks=() if name_only else blocks,
        old_data=old_data,
        new_data=new_data,
    )


def _line_diff(old: bytes, new: bytes) -> tuple[EditBlock, ...]:
    return tuple(diff_split(split_lines(old), split_lines(new)))


def needs_line_diff(change: FileChange) -> bool:
    return (
        change.status is FileStatus.MODIFIED
        and not change.binary
        and change.old_data != change.new_data
    )


def with_line_diff(
    change: FileChange, blocks: tuple[EditBlock, ...], *, name_only: bool
) -> FileChange:
    return replace(
        change,
        added_lines=sum(b.added for b in blocks),
        removed_lines=sum(b.removed for b in blocks),
        blocks=() if name_only else blocks,
    )


def side_of(
    archive: PackageArchive,
    *,
    verified: str | None,
    registry_info: VersionInfo | None = None,
) -> PackageSide:
    manifest = archive.manifest()
    name = manifest.get("name") if manifest else None
    version = manifest.get("version") if manifest else None
    return PackageSide(
        subject=archive.subject,
        name=name if isinstance(name, str) else None,
        version=version if isinstance(version, str) else None,
        verified=verified,
        manifest=manifest,
        notes=archive.notes,
        registry_info=registry_info,
    )


def diff_archives(
    old: PackageArchive,
    new: PackageArchive,
    *,
    old_verified: str | None = None,
    new_verified: str | None = None,
    old_info: VersionInfo | None = None,
    new_info: VersionInfo | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    name_only: bool = False,
) -> PackageDiff:
    changes: list[FileChange] = []
    for path in sorted(old.files.keys() | new.files.keys()):
        if not _selected(path, include, exclude):
            continue
        change = compare_files(
            path, old.files.get(path), new.files.get(path), name_only=name_only, line_diff=False
        )
        if change is not None:
            changes.append(change)
    # The line diffs are the expensive part: big ones are shared with a second process.
    pending = [i for i, change in enumerate(changes) if needs_line_diff(change)]
    diffs = fork_map(
        lambda i: _line_diff(changes[i].old_data, changes[i].new_data),
        pending,
        # Diff cost follows the smaller side: a file that shrank to nothing diffs quickly.
        [min(len(changes[i].old_data), len(changes[i].new_data)) for i in pending],
    )
    for i, blocks in zip(pending, diffs, strict=True):
        changes[i] = with_line_diff(changes[i], blocks, name_only=name_only)
    return PackageDiff(
        old=side_of(old, verified=old_verified, registry_info=old_info),
        new=side_of(new, verified=new_verified, registry_info=new_info),
        files=tuple(changes),
        name_only=name_only,
        filters=tuple(include) + tuple(f"!{p}" for p in exclude),
    )


def diff_packages(
    old: bytes,
    new: bytes,
    *,
    old_subject: str = "old",
    new_subject: str = "new",
    old_verified: str | None = None,
    new_verified: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    name_only: bool = False,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> PackageDiff:
    """Compare two package tarballs held in memory.

    The bytes must already be verified (:func:`scanner.tarball.integrity.verify_integrity`) when
    they come from a registry; ``*_verified`` records which hash that was, for the report.
    """
    return diff_archives(
        read_archive(old, old_subject, limits),
        read_archive(new, new_subject, limits),
        old_verified=old_verified,
        new_verified=new_verified,
        include=include,
        exclude=exclude,
        name_only=name_only,
    )
