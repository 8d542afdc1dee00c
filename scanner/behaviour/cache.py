"""Package profiles on disk, by the tarball's integrity hash.

A profile depends only on the tarball's bytes (and on this analysis), so a version seen once is
never analysed again: one JSON file per tarball under ``<cache dir>/behaviour-profiles/``,
written then renamed (a concurrent scan never reads half a file). Every entry carries
:func:`entry_format`; an entry of another format, or one that does not read back as a profile
(truncated, edited, from a hostile cache directory), is ignored and recomputed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from scanner.behaviour.model import (
    Capability,
    FileProfile,
    InstallCommand,
    ManifestFacts,
    Method,
    PackageProfile,
    Signal,
    Zone,
)
from scanner.errors import DepscanError
from scanner.untrusted import loads, read_file

CACHE_FORMAT = 2
"""Bump whenever the JSON shape changes. A change to the analysis itself (a signal, a zone rule)
needs no bump: :func:`analysis_fingerprint` is part of every entry's format."""
CACHE_FOLDER = "behaviour-profiles"
MAX_ENTRY_BYTES = 64 * 1024 * 1024


@functools.cache
def analysis_fingerprint() -> str:
    """A hash of the analysis's own source: a profile cached by another version of the signals
    is stale even though the tarball is the same, and a forgotten manual bump would keep
    serving it."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def entry_format() -> str:
    return f"{CACHE_FORMAT}-{analysis_fingerprint()}"


class _Malformed(Exception):
    pass


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _Malformed
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Malformed
    return value


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise _Malformed
    return value


def _dict(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Malformed
    return value


def _str_dict(value: object) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in _dict(value).items()}


def _strs(value: object) -> tuple[str, ...]:
    return tuple(_str(v) for v in _list(value))


def signal_to_json(signal: Signal) -> dict[str, object]:
    return {
        "capability": signal.capability.value,
        "file": signal.file,
        "line": signal.line,
        "evidence": signal.evidence,
        "detail": signal.detail,
        "count": signal.count,
        "method": signal.method.value,
    }


def _signal(data: object) -> Signal:
    item = _dict(data)
    line = item.get("line")
    try:
        capability = Capability(_str(item.get("capability")))
        method = Method(_str(item.get("method")))
    except ValueError:
        raise _Malformed from None
    return Signal(
        capability,
        _str(item.get("file")),
        None if line is None else _int(line),
        _str(item.get("evidence")),
        _opt_str(item.get("detail")),
        _int(item.get("count")),
        method,
    )


def profile_to_json(profile: PackageProfile) -> dict[str, object]:
    facts = profile.manifest
    return {
        "format": entry_format(),
        "subject": profile.subject,
        "manifest": {
            "install_scripts": facts.install_scripts,
            "entry_points": list(facts.entry_points),
            "bin": facts.bin,
            "main": facts.main,
            "os": list(facts.os),
            "cpu": list(facts.cpu),
            "dependencies": facts.dependencies,
            "install_commands": [
                {
                    "script": c.script,
                    "command": c.command,
                    "kind": c.kind,
                    "files": list(c.files),
                    "note": c.note,
                    "code": c.code,
                }
                for c in facts.install_commands
            ],
        },
        "files": {
            path: {
                "signals": [signal_to_json(s) for s in file.signals],
                "parsed": file.parsed,
                "note": file.note,
                "local_requires": list(file.local_requires),
                "minified": file.minified,
            }
            for path, file in profile.files.items()
        },
        "zones": {path: zone.label for path, zone in profile.zones.items()},
        "binaries": list(profile.binaries),
        "notes": list(profile.notes),
    }


def profile_from_json(data: Mapping[str, object]) -> PackageProfile | None:
    """The profile, or None when ``data`` is not one of this format."""
    if data.get("format") != entry_format():
        return None
    try:
        return _profile(data)
    except (_Malformed, KeyError, ValueError):
        return None


def _profile(data: Mapping[str, object]) -> PackageProfile:
    manifest = _dict(data.get("manifest"))
    commands = tuple(
        InstallCommand(
            _str(c.get("script")),
            _str(c.get("command")),
            _str(c.get("kind")),
            _strs(c.get("files")),
            _opt_str(c.get("note")),
            _opt_str(c.get("code")),
        )
        for c in (_dict(item) for item in _list(manifest.get("install_commands")))
    )
    facts = ManifestFacts(
        install_scripts=_str_dict(manifest.get("install_scripts")),
        entry_points=_strs(manifest.get("entry_points")),
        bin=_str_dict(manifest.get("bin")),
        main=_opt_str(manifest.get("main")),
        os=_strs(manifest.get("os")),
        cpu=_strs(manifest.get("cpu")),
        dependencies=_str_dict(manifest.get("dependencies")),
        install_commands=commands,
    )
    files: dict[str, FileProfile] = {}
    for path, value in _dict(data.get("files")).items():
        item = _dict(value)
        parsed, minified = item.get("parsed"), item.get("minified")
        if not isinstance(parsed, bool) or not isinstance(minified, bool):
            raise _Malformed
        files[path] = FileProfile(
            path,
            tuple(_signal(s) for s in _list(item.get("signals"))),
            parsed,
            _opt_str(item.get("note")),
            _strs(item.get("local_requires")),
            minified,
        )
    zones = {path: Zone[_str(label).upper()] for path, label in _dict(data.get("zones")).items()}
    return PackageProfile(
        subject=_str(data.get("subject")),
        manifest=facts,
        files=files,
        zones=zones,
        binaries=_strs(data.get("binaries")),
        notes=_strs(data.get("notes")),
    )


class ProfileCache:
    """Profiles by tarball integrity; a ``None`` root caches nothing."""

    def __init__(self, root: Path | None) -> None:
        self._root = root / CACHE_FOLDER if root else None

    def _path(self, integrity: str | None) -> Path | None:
        if self._root is None or not integrity:
            return None
        return self._root / f"{hashlib.sha256(integrity.encode()).hexdigest()}.json"

    def get(self, integrity: str | None) -> PackageProfile | None:
        path = self._path(integrity)
        if path is None:
            return None
        # The bounded reader reads what fstat says is there (a read of the size cap would
        # reserve the cap's worth of memory per thread) and refuses FIFOs and devices.
        try:
            raw = read_file(path, max_bytes=MAX_ENTRY_BYTES, what="profile cache entry")
            data = loads(raw, subject=str(path))
        except DepscanError:
            return None
        return profile_from_json(data) if isinstance(data, dict) else None

    def put(self, integrity: str | None, profile: PackageProfile) -> None:
        path = self._path(integrity)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(profile_to_json(profile), handle, separators=(",", ":"))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a cache that cannot be written only costs time
