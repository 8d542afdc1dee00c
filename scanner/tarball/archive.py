"""Reading a package tarball into memory without trusting it.

Nothing is written to disk. The gzip stream is inflated with a hard cap on the decompressed byte
count (headers of a gzip or tar bomb lie; the inflater's output does not), and every member is
vetted before its bytes are read: links, devices, fifos, absolute paths and ``..`` segments make
the whole tarball refused, because a package that carries them is either broken or hostile and a
diff of "the rest" would be misleading.

Like npm, the first path segment (usually ``package/``) is stripped from every member name.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass, field

from scanner.errors import TarballError

_GZIP_MAGIC = b"\x1f\x8b"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
# zlib's "detect gzip or zlib header" window bits.
_AUTO_HEADER_WBITS = 32 + zlib.MAX_WBITS


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Caps that stop tar and gzip bombs. The defaults fit every real package seen so far."""

    max_members: int = 50_000
    max_member_size: int = 128 * 1024 * 1024
    max_total_size: int = 512 * 1024 * 1024
    """Decompressed bytes of the whole tar stream (headers and padding included)."""


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
            value = json.loads(entry.data.decode("utf-8", errors="replace"))
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def inflate(data: bytes, subject: str, limit: int) -> bytes:
    """Decompress a gzip stream (all members), refusing to produce more than ``limit`` bytes."""
    pieces: list[bytes] = []
    produced = 0
    remaining = data
    while remaining:
        inflater = zlib.decompressobj(_AUTO_HEADER_WBITS)
        chunk_input = remaining
        while True:
            # max_length bounds what one call may produce, so a bomb never gets past the cap
            # (zlib grows its output buffer as it goes; nothing of that size is preallocated).
            piece = inflater.decompress(chunk_input, limit + 1 - produced)
            pieces.append(piece)
            produced += len(piece)
            if produced > limit:
                raise TarballError(
                    f"decompressed size exceeds the {limit} byte limit (gzip bomb?)",
                    subject=subject,
                )
            chunk_input = inflater.unconsumed_tail
            if inflater.eof or (not chunk_input and not piece):
                break
        if not inflater.eof:
            raise TarballError("truncated gzip stream", subject=subject)
        remaining = inflater.unused_data
        # Trailing zero padding after the last gzip member is common and harmless.
        if remaining and not remaining.startswith(_GZIP_MAGIC):
            break
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _safe_member_path(name: str, subject: str) -> list[str]:
    """The member's path segments, or TarballError when it could escape the package folder."""
    if name.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(name):
        raise TarballError(f"refusing member {name!r}: absolute path", subject=subject)
    segments = [s for s in re.split(r"[/\\]", name) if s not in ("", ".")]
    if ".." in segments:
        raise TarballError(f"refusing member {name!r}: '..' in path", subject=subject)
    return segments


def read_package(
    data: bytes, subject: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> PackageArchive:
    """Read every regular file of a package tarball (gzip-compressed or plain tar) into memory."""
    tar_bytes = (
        inflate(data, subject, limits.max_total_size) if data.startswith(_GZIP_MAGIC) else data
    )
    if len(tar_bytes) > limits.max_total_size:
        raise TarballError(
            f"uncompressed size exceeds the {limits.max_total_size} byte limit", subject=subject
        )
    files: dict[str, ArchiveFile] = {}
    notes: list[str] = []
    root_folder: str | None = None
    try:
        with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as archive:
            for count, member in enumerate(archive, start=1):
                if count > limits.max_members:
                    raise TarballError(
                        f"more than {limits.max_members} members (tar bomb?)", subject=subject
                    )
                entry = _read_member(archive, member, subject, limits)
                if entry is None:
                    continue
                root, path, content = entry
                root_folder = root_folder or root
                if path is None:
                    notes.append(f"ignored {member.name!r}: not inside a package folder")
                    continue
                if path in files:
                    # npm extracts in order, so the last copy is the one that gets installed.
                    notes.append(f"duplicate member {path!r}: the last copy is used")
                files[path] = ArchiveFile(path, content, member.mode & 0o7777)
    except tarfile.TarError as exc:
        raise TarballError(f"not a readable tar archive ({exc})", subject=subject) from None
    return PackageArchive(subject, files, root_folder, tuple(notes))


def _read_member(
    archive: tarfile.TarFile, member: tarfile.TarInfo, subject: str, limits: ArchiveLimits
) -> tuple[str | None, str | None, bytes] | None:
    """(root folder, path inside the package, bytes) of a regular file; None for directories.

    A file directly at the archive root has neither root folder nor package path: npm's extraction
    drops it, so it is reported and ignored.
    """
    segments = _safe_member_path(member.name, subject)
    if member.issym() or member.islnk():
        kind = "symlink" if member.issym() else "hardlink"
        raise TarballError(
            f"refusing member {member.name!r}: {kind} to {member.linkname!r}", subject=subject
        )
    if member.ischr() or member.isblk() or member.isfifo():
        raise TarballError(f"refusing member {member.name!r}: device or fifo", subject=subject)
    if member.isdir() or not segments:
        return None
    if not member.isreg():
        raise TarballError(
            f"refusing member {member.name!r}: unsupported tar entry type {member.type!r}",
            subject=subject,
        )
    if member.size > limits.max_member_size:
        raise TarballError(
            f"member {member.name!r} is {member.size} bytes, over the "
            f"{limits.max_member_size} byte limit",
            subject=subject,
        )
    reader = archive.extractfile(member)
    if reader is None:  # pragma: no cover - isreg() members always have data
        return None
    content = reader.read(limits.max_member_size + 1)
    if len(content) > limits.max_member_size:  # pragma: no cover - guarded by the header check
        raise TarballError(f"member {member.name!r} is too large", subject=subject)
    if len(segments) == 1:
        return None, None, content
    return segments[0], _printable("/".join(segments[1:])), content


def _printable(path: str) -> str:
    """A name tarfile could not decode keeps surrogate escapes, which no output can print."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
