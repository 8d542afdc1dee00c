"""Reading a package tarball into memory without trusting it.

Nothing is written to disk. The tar stream is read as it is inflated
(:mod:`scanner.tarball.tar_stream`): decompressed bytes are counted as they are produced, so a
gzip bomb stops at the cap whatever its headers claim, and the stream is never held whole, so
memory stays near what the package's files take. Every member is vetted from its headers before
its bytes are read: links, devices, fifos, sparse files, absolute paths and ``..`` segments make
the whole tarball refused, because a package that carries them is either broken or hostile and a
diff of "the rest" would be misleading.

Like npm, the first path segment (usually ``package/``) is stripped from every member name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scanner.errors import DepscanError, TarballError
from scanner.memory_ceiling import OUT_OF_MEMORY
from scanner.tarball.tar_stream import (
    DEVICE,
    DIRECTORY,
    GZIP_MAGIC,
    HARDLINK,
    REGULAR,
    SPARSE,
    SYMLINK,
    DecompressedStream,
    StreamLimits,
    TarHeader,
    TarReader,
)
from scanner.untrusted import loads

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Caps that stop tar and gzip bombs. The defaults fit every real package seen so far.

    ``max_total_size`` bounds what one tarball can make depscan hold (its files, never more than
    the decompressed stream), and a diff holds two: 2 x 256 MiB, plus one member being inflated,
    stays under the 960 MiB memory ceiling (:mod:`scanner.memory_ceiling`).
    """

    max_members: int = 50_000
    max_member_size: int = 256 * 1024 * 1024
    max_total_size: int = 256 * 1024 * 1024
    """Decompressed bytes of the whole tar stream (headers and padding included)."""
    max_name_bytes: int = 4096
    """A member's path, as Linux's PATH_MAX."""
    max_header_bytes: int = 1024 * 1024
    """A pax or GNU long-name header (node-tar ignores bigger ones)."""


DEFAULT_LIMITS = ArchiveLimits()


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    path: str
    """Path inside the package, first segment stripped: ``lib/index.js``."""
    data: bytes
    mode: int
    """Permission bits, e.g. ``0o644``."""

    @property
    def git_mode(self) -> str:
        """The mode as git and ``npm diff`` print it: ``100644``."""
        return f"100{self.mode:o}"


@dataclass(frozen=True, slots=True)
class PackageArchive:
    subject: str
    """What the tarball is, for messages: ``name@version`` or a file path."""
    files: dict[str, ArchiveFile]
    root_folder: str | None = None
    """The stripped first segment (``package`` for npm-packed tarballs)."""
    notes: tuple[str, ...] = field(default=())
    """Oddities that did not make the tarball unreadable (duplicate members, root-level files)."""

    def manifest(self) -> dict[str, object] | None:
        """The parsed ``package.json``; ``None`` when missing or not a JSON object."""
        entry = self.files.get("package.json")
        if entry is None:
            return None
        try:
            value = loads(entry.data.decode("utf-8", errors="replace"), subject=self.subject)
        except DepscanError:  # nested too deeply, huge numbers, not JSON: no manifest to read
            return None
        return value if isinstance(value, dict) else None


def inflate(data: bytes, subject: str, limit: int) -> bytes:
    """Decompress a gzip stream (all members), refusing to produce more than ``limit`` bytes."""
    stream = DecompressedStream(data, subject, limit)
    pieces = []
    while piece := stream.read(min(limit - stream.produced, 1024 * 1024) or 1):
        pieces.append(piece)
    return b"".join(pieces)


def read_package(
    data: bytes, subject: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> PackageArchive:
    """Read every regular file of a package tarball (gzip-compressed or plain tar) into memory."""
    if not data.startswith(GZIP_MAGIC) and len(data) > limits.max_total_size:
        raise TarballError(
            f"uncompressed size exceeds the {limits.max_total_size} byte limit", subject=subject
        )
    stream = DecompressedStream(data, subject, limits.max_total_size)
    reader = TarReader(
        stream,
        subject,
        StreamLimits(limits.max_total_size, limits.max_header_bytes, limits.max_name_bytes),
    )
    files: dict[str, ArchiveFile] = {}
    notes: list[str] = []
    root_folder: str | None = None
    try:
        for count, member in enumerate(reader.members(), start=1):
            if count > limits.max_members:
                raise TarballError(
                    f"more than {limits.max_members} members (tar bomb?)", subject=subject
                )
            segments = _vetted_segments(member, subject, limits)
            if member.kind == DIRECTORY or not segments:
                continue
            content = reader.read_data(member)
            if len(segments) == 1:
                # A file directly at the archive root: npm's extraction drops it.
                notes.append(f"ignored {member.name!r}: not inside a package folder")
                continue
            root_folder = root_folder or segments[0]
            path = _printable("/".join(segments[1:]))
            if path in files:
                # npm extracts in order, so the last copy is the one that gets installed.
                notes.append(f"duplicate member {path!r}: the last copy is used")
            files[path] = ArchiveFile(path, content, member.mode)
    except MemoryError:
        files.clear()
        raise TarballError(OUT_OF_MEMORY, subject=subject) from None
    return PackageArchive(subject, files, root_folder, tuple(notes))


def _vetted_segments(member: TarHeader, subject: str, limits: ArchiveLimits) -> list[str]:
    """The member's path segments once it is known to be a folder or a regular file of an
    acceptable size inside the package; anything else refuses the whole tarball."""
    segments = _safe_member_path(member.name, subject)
    if member.kind in (SYMLINK, HARDLINK):
        raise TarballError(
            f"refusing member {member.name!r}: {member.kind} to {member.linkname!r}",
            subject=subject,
        )
    if member.kind == DEVICE:
        raise TarballError(f"refusing member {member.name!r}: device or fifo", subject=subject)
    if member.kind == SPARSE:
        raise TarballError(
            f"refusing member {member.name!r}: sparse file (npm and other tar readers disagree "
            "on its content)",
            subject=subject,
        )
    if member.kind not in (REGULAR, DIRECTORY):
        raise TarballError(f"refusing member {member.name!r}: {member.kind}", subject=subject)
    if member.size > limits.max_member_size:
        raise TarballError(
            f"member {member.name!r} is {member.size} bytes, over the "
            f"{limits.max_member_size} byte limit",
            subject=subject,
        )
    return segments


def _safe_member_path(name: str, subject: str) -> list[str]:
    """The member's path segments, or TarballError when it could escape the package folder."""
    if name.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(name):
        raise TarballError(f"refusing member {name!r}: absolute path", subject=subject)
    segments = [s for s in re.split(r"[/\\]", name) if s not in ("", ".")]
    if ".." in segments:
        raise TarballError(f"refusing member {name!r}: '..' in path", subject=subject)
    return segments


def _printable(path: str) -> str:
    """A name that was not valid UTF-8 keeps surrogate escapes, which no output can print."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
