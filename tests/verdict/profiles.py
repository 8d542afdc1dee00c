"""Hand-built behaviour profiles, so the verdict is tested apart from the parser."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scanner.behaviour.install_commands import install_commands
from scanner.behaviour.model import (
    Capability,
    FileProfile,
    ManifestFacts,
    PackageProfile,
    Signal,
    Zone,
)

SignalSpec = tuple[Capability, int] | tuple[Capability, int, str]
"""(capability, line) or (capability, line, detail)."""


def profile(
    files: Mapping[str, Iterable[SignalSpec]],
    zones: Mapping[str, Zone] | None = None,
    *,
    scripts: Mapping[str, str] | None = None,
    binaries: Iterable[str] = (),
    os: Iterable[str] = (),
    subject: str = "pkg@1.0.0",
) -> PackageProfile:
    """Files with their signals; every file not in ``zones`` is an entry point."""
    built = {
        path: FileProfile(
            path,
            tuple(
                Signal(spec[0], path, spec[1], spec[0].value, spec[2] if len(spec) > 2 else None)
                for spec in specs
            ),
        )
        for path, specs in files.items()
    }
    all_zones = {path: Zone.ENTRY for path in built}
    all_zones.update({path: Zone.OTHER for path in binaries})
    all_zones.update(zones or {})
    return PackageProfile(
        subject=subject,
        manifest=ManifestFacts(
            install_scripts=dict(scripts or {}),
            os=tuple(os),
            install_commands=install_commands(dict(scripts or {}), all_zones.keys()),
        ),
        files=built,
        zones=all_zones,
        binaries=tuple(binaries),
    )
