"""A package's profile: every code file analysed, every file placed in a zone.

:func:`profile_archive` is the entry point. Files are analysed through the content-hash memo in
:mod:`.analyse`, so the second version of a diff costs only its changed files; when the files
still to analyse are large (a bundle of several MB), half of them go to a forked second process
(:func:`scanner.tarball.parallel.fork_map`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from scanner.behaviour.analyse import (
    FileAnalysis,
    analyse_code,
    analyse_shell,
    memo_key,
    recall,
    remember,
)
from scanner.behaviour.cache import ProfileCache
from scanner.behaviour.files import FileKind, file_kind
from scanner.behaviour.install_commands import INLINE_PREFIX
from scanner.behaviour.model import (
    Capability,
    FileProfile,
    ManifestFacts,
    Method,
    PackageProfile,
    Signal,
)
from scanner.behaviour.parser import MAX_PARSE_BYTES
from scanner.behaviour.references import ROOT_PREFIX
from scanner.behaviour.resolve import resolve_bundled, resolve_specifier, resolve_target
from scanner.behaviour.signals.native_binary import native_kind
from scanner.behaviour.zones import assign_zones, manifest_facts
from scanner.tarball.archive import ArchiveFile, PackageArchive
from scanner.tarball.parallel import fork_map

_Job = tuple[str, bytes, FileKind]
PARALLEL_WORK = 1024 * 1024
"""Parse-equivalent bytes (about 0.2 s of work) from which a second process pays for its fork."""


def profile_archive(
    archive: PackageArchive, *, max_parse_bytes: int = MAX_PARSE_BYTES
) -> PackageProfile:
    """Everything each file of the package can do, and when it runs."""
    files = archive.files
    manifest = archive.manifest()
    facts = manifest_facts(manifest, files)
    notes: list[str] = []
    if manifest is None:
        notes.append("no readable package.json: entry points and install scripts unknown")
    executable = _executables(facts)
    jobs: list[_Job] = []
    types: list[str] = []
    binaries: list[tuple[str, str]] = []
    for path, entry in sorted(files.items()):
        kind = file_kind(path, entry.data, executable=path in executable)
        if kind in (FileKind.CODE, FileKind.SHELL):
            jobs.append((path, entry.data, kind))
        elif kind is FileKind.TYPES:
            types.append(path)
        elif kind is FileKind.BINARY:
            binaries.append((path, native_kind(path, entry.data) or "binary"))
    for command in facts.install_commands:
        if command.code is not None and command.files:
            jobs.append((command.files[0], command.code.encode("utf-8", "replace"), FileKind.CODE))
    analyses = _analyse_all(jobs, max_parse_bytes)
    profiles: dict[str, FileProfile] = {}
    requires: dict[str, tuple[str, ...]] = {}
    bundled = any(path.startswith("node_modules/") for path in files)
    for (path, _, _), analysis in zip(jobs, analyses, strict=True):
        local = tuple(
            dict.fromkeys(
                found
                for spec in analysis.specifiers
                if (found := _resolve(spec, path, files, bundled)) is not None
            )
        )
        requires[path] = local
        profiles[path] = analysis.profile(path, local)
        if (
            analysis.note
            and not analysis.parsed
            and analysis.note != "shell script: text patterns only"
        ):
            notes.append(f"{path}: {analysis.note}")
    for path in types:
        profiles[path] = FileProfile(path)
    for path, binary_kind in binaries:
        size = len(files[path].data)
        signal = Signal(
            Capability.NATIVE_BINARY,
            path,
            None,
            f"a {binary_kind} file of {size:,} bytes",
            binary_kind,
            method=Method.BYTES,
        )
        profiles[path] = FileProfile(
            path, (signal,), parsed=False, note=f"native binary ({binary_kind})"
        )
    zones = assign_zones([*files, *(p for p, _, _ in jobs)], facts, requires)
    return PackageProfile(
        subject=archive.subject,
        manifest=facts,
        files=profiles,
        zones=zones,
        binaries=tuple(path for path, _ in binaries),
        notes=tuple(notes),
    )


def cached_profile(
    archive: PackageArchive,
    integrity: str | None,
    cache_dir: Path | None,
    *,
    max_parse_bytes: int = MAX_PARSE_BYTES,
) -> PackageProfile:
    """:func:`profile_archive`, read from and written to the on-disk cache by ``integrity``
    (the SRI or ``sha1:`` hash the tarball's bytes were verified against; None: no caching)."""
    cache = ProfileCache(cache_dir)
    found = cache.get(integrity)
    if found is not None:
        return replace(found, subject=archive.subject)
    profile = profile_archive(archive, max_parse_bytes=max_parse_bytes)
    cache.put(integrity, profile)
    return profile


def _resolve(
    spec: str, importer: str, files: Mapping[str, ArchiveFile], bundled: bool
) -> str | None:
    if spec.startswith(ROOT_PREFIX):
        return resolve_target(spec[len(ROOT_PREFIX) :], files)
    found = resolve_specifier(spec, _importer(importer), files)
    if found is None and bundled:
        found = resolve_bundled(spec, _importer(importer), files, lambda p: _read(files, p))
    return found


def _read(files: Mapping[str, ArchiveFile], path: str) -> bytes | None:
    entry = files.get(path)
    return entry.data if entry is not None else None


def _importer(path: str) -> str:
    """Inline install code resolves its requires from the package root."""
    return "index.js" if path.startswith(INLINE_PREFIX) else path


def _executables(facts: ManifestFacts) -> set[str]:
    """Files the manifest runs, read as code whatever their name."""
    found = set(facts.bin.values())
    for command in facts.install_commands:
        if command.kind in ("node-file", "package-file", "shell-file"):
            found.update(command.files)
    return found


def _analyse_all(jobs: list[_Job], max_parse_bytes: int) -> list[FileAnalysis]:
    results: dict[int, FileAnalysis] = {}
    pending: list[int] = []
    for index, (path, data, kind) in enumerate(jobs):
        if kind is FileKind.SHELL:
            results[index] = analyse_shell(data)
            continue
        cached = recall(memo_key(path, data, max_parse_bytes))
        if cached is not None:
            results[index] = cached
        else:
            pending.append(index)

    def run(index: int) -> FileAnalysis:
        path, data, _ = jobs[index]
        return analyse_code(path, data, max_parse_bytes=max_parse_bytes)

    weights = [_cost(len(jobs[i][1]), max_parse_bytes) for i in pending]
    results_list = fork_map(run, pending, weights, min_bytes=PARALLEL_WORK)
    for index, analysis in zip(pending, results_list, strict=True):
        path, data, _ = jobs[index]
        remember(memo_key(path, data, max_parse_bytes), analysis)
        results[index] = analysis
    return [results[i] for i in range(len(jobs))]


def _cost(size: int, max_parse_bytes: int) -> int:
    """Work in parse-equivalent bytes: the pattern scan of a file over the cap is about a
    twelfth of the cost of parsing and walking it."""
    return size if size <= max_parse_bytes else size // 12


def capability_zones(profile: PackageProfile) -> Mapping[Capability, set[str]]:
    """Capability -> the zones (labels) it occurs in: a summary for reports and base rates."""
    found: dict[Capability, set[str]] = {}
    for path, file in profile.files.items():
        zone = profile.zones.get(path)
        for signal in file.signals:
            found.setdefault(signal.capability, set()).add(
                zone.label if zone is not None else "other"
            )
    return found
