"""Reading OSV records from where they live: a folder of JSON files, an OSV ``all.zip``, one file.

Every failure becomes one :class:`AdvisoryError` naming the file, or ``archive.zip:member`` for a
zip member, so the CLI can print a single line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from scanner.errors import AdvisoryError
from scanner.untrusted import loads, read_file

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""No real OSV record comes near this; a bigger member is a broken or hostile archive."""
MAX_SOURCE_BYTES = 512 * 1024 * 1024
"""An all.zip or single record file, read whole (OSV's npm all.zip is far smaller)."""


class SourceLayout(StrEnum):
    FOLDER = "folder"
    ZIP = "zip"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class AdvisorySource:
    """A place records are read from. ``label`` is what findings and reports call it."""

    path: Path
    label: str
    layout: SourceLayout


@dataclass(frozen=True, slots=True)
class FolderEntry:
    relative_path: str
    size: int
    mtime_ns: int


def open_source(path: Path, label: str | None = None) -> AdvisorySource:
    """Classify ``path`` as a folder, a single ``.json`` record or a zip archive."""
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.is_file()
    except OSError as error:
        raise AdvisoryError(f"cannot read advisory source: {error.strerror}", str(path)) from None
    if not exists:
        # A device or FIFO is not "missing": say what it is (it is never read).
        reason = "is not a regular file or folder" if path.exists() else "does not exist"
        raise AdvisoryError(f"advisory source {reason}", subject=str(path))
    if is_dir:
        layout = SourceLayout.FOLDER
    elif path.suffix.lower() == ".json":
        layout = SourceLayout.FILE
    else:
        layout = SourceLayout.ZIP
    return AdvisorySource(path=path, label=label or str(path), layout=layout)


def list_folder(root: Path) -> list[FolderEntry]:
    """Every ``*.json`` file under ``root`` (recursively, hidden folders skipped), sorted."""

    def fail(error: OSError) -> None:
        raise AdvisoryError(
            f"cannot read advisory folder: {error.strerror}", subject=error.filename or str(root)
        )

    entries: list[FolderEntry] = []
    for directory, subdirectories, files in os.walk(root, onerror=fail):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        for name in files:
            if name.startswith(".") or not name.lower().endswith(".json"):
                continue
            full = os.path.join(directory, name)
            try:
                status = os.stat(full)
            except OSError as error:
                raise AdvisoryError(f"cannot read: {error.strerror}", subject=full) from None
            relative = os.path.relpath(full, root).replace(os.sep, "/")
            entries.append(FolderEntry(relative, status.st_size, status.st_mtime_ns))
    entries.sort(key=lambda entry: entry.relative_path)
    return entries


def read_folder_records(root: Path, entries: list[FolderEntry]) -> Iterator[tuple[str, object]]:
    """``(subject, decoded JSON)`` for each listed file."""
    for entry in entries:
        full = root / entry.relative_path
        content = read_file(full, max_bytes=MAX_RECORD_BYTES, error=AdvisoryError)
        yield str(full), decode_record(content, str(full))


def read_file_record(path: Path, content: bytes) -> Iterator[tuple[str, object]]:
    yield str(path), decode_record(content, str(path))


def read_zip_records(path: Path, content: bytes) -> Iterator[tuple[str, object]]:
    """``(subject, decoded JSON)`` for each ``*.json`` member of the zip held in ``content``."""
    # Only a cache miss reads a zip; keeping zipfile off the warm path saves ~10 ms of import.
    import io
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        raise AdvisoryError(f"not a readable zip archive ({error})", subject=str(path)) from None
    with archive:
        for info in archive.infolist():
            member = info.filename
            base = member.rsplit("/", 1)[-1]
            if info.is_dir() or base.startswith(".") or not base.lower().endswith(".json"):
                continue
            subject = f"{path}:{member}"
            if info.file_size > MAX_RECORD_BYTES:
                raise AdvisoryError("zip member is too large for an OSV record", subject=subject)
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError) as error:
                raise AdvisoryError(f"broken zip member ({error})", subject=subject) from None
            yield subject, decode_record(data, subject)


def decode_record(content: bytes, subject: str) -> object:
    return loads(content, subject=subject, error=AdvisoryError)
