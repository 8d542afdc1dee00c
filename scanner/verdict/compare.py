"""What an update adds to what its package's code can do, judged at package level.

A capability is new when no file of the old version had it: more of an existing capability, or
code that moved from one file to another, is not new behaviour. Where a file sits matters twice:
install-time code is its own world (network access the library always had is new when it starts
running on ``npm install``), and tests, benchmarks, examples and type-only files never make a
capability new. For the capabilities whose target is the point (which secret, which credential
store, which endpoint, what a decoded value is passed to, which encoded blob), a new target is
new even when the capability itself was there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scanner.behaviour.model import Capability, PackageProfile, Signal, Zone

RUNTIME_ZONES = (Zone.OTHER, Zone.ENTRY)

TARGETED = frozenset(
    {
        Capability.ENV_SECRET,
        Capability.CREDENTIAL_ACCESS,
        Capability.EXFIL_ENDPOINT,
        Capability.DECODED_EXEC,
        Capability.FILE_WRITE,
        Capability.OBFUSCATION,
        Capability.WALLET_HOOK,
        Capability.SKIMMER,
    }
)
"""Capabilities compared by (capability, detail): a new target is new behaviour."""

RISKY_WRITE_TARGETS = frozenset(
    {"home", "system", "outside-package", "persistence", "install-hook-injection"}
)
"""Where a write is a persistence, spreading or wiping tool; writes to temp, the package or a
computed path are what build steps and caches do."""
ENV_HARVEST = frozenset({"serialised", "enumerated"})
"""How the whole environment is used when it is being collected; spread, copied or passed on
(to a child process, mostly) is forwarding it."""


def weighs(signal: Signal) -> bool:
    """Whether a signal counts in the verdict. Writes to ordinary places and the environment
    forwarded to a child process are common in every kind of package: shown, never weighed."""
    if signal.capability is Capability.FILE_WRITE:
        return signal.detail in RISKY_WRITE_TARGETS
    if signal.capability is Capability.ENV_ALL:
        return signal.detail in ENV_HARVEST
    return signal.capability is not Capability.ENV_NAMED


@dataclass(frozen=True, slots=True)
class Placed:
    """A signal and the zone of the file it is in."""

    signal: Signal
    zone: Zone


def placed(profile: PackageProfile, zones: Iterable[Zone]) -> list[Placed]:
    wanted = set(zones)
    return [
        Placed(signal, zone)
        for path, file in sorted(profile.files.items())
        if (zone := profile.zones.get(path, Zone.OTHER)) in wanted
        for signal in file.signals
    ]


def _key(signal: Signal) -> tuple[Capability, str | None]:
    return (signal.capability, signal.detail if signal.capability in TARGETED else None)


def _keys(items: Iterable[Placed]) -> set[tuple[Capability, str | None]]:
    return {_key(p.signal) for p in items}


BLOB_KINDS = frozenset({"hex-blob", "base64-blob", "escaped-string", "high-entropy-string"})


def blob_of(signal: Signal) -> tuple[str, str] | None:
    """(file, kind) of an encoded-blob signal, else None."""
    if signal.capability is not Capability.OBFUSCATION or not signal.detail:
        return None
    kind = signal.detail.split(" ", 1)[0]
    return (signal.file, kind) if kind in BLOB_KINDS else None


def new_signals(old: PackageProfile | None, new: PackageProfile) -> list[Placed]:
    """The new version's signals that stand for behaviour the old version did not have.

    Install-time signals are compared with the old install-time code only; runtime signals (entry
    points and other shipped code) with everything the old version ran, install-time included.
    Test-zone and type-only files never count. With no old version, every runtime and install
    signal is new. An encoded blob is new when its content is (by hash), except in a file whose
    old version carried a blob of the same kind: an inlined worker, WebAssembly module or data
    table rebuilt by the release, not a blob where there was none.
    """
    install = placed(new, (Zone.INSTALL,))
    runtime = placed(new, RUNTIME_ZONES)
    if old is None:
        return install + runtime
    old_install = _keys(placed(old, (Zone.INSTALL,)))
    old_any = old_install | _keys(placed(old, RUNTIME_ZONES))
    fresh = [p for p in install if _key(p.signal) not in old_install]
    old_blobs = {b for p in placed(old, (Zone.INSTALL, *RUNTIME_ZONES)) if (b := blob_of(p.signal))}
    fresh += [
        p for p in runtime if _key(p.signal) not in old_any and blob_of(p.signal) not in old_blobs
    ]
    return fresh


def first_per_key(items: Iterable[Placed]) -> list[Placed]:
    """One representative per (capability, target), preferring the weightiest zone."""
    best: dict[tuple[Capability, str | None], Placed] = {}
    for item in items:
        key = _key(item.signal)
        if key not in best or item.zone > best[key].zone:
            best[key] = item
    return sorted(best.values(), key=lambda p: (-p.zone, p.signal.capability, p.signal.file))


def new_binaries(old: PackageProfile | None, new: PackageProfile) -> list[str]:
    """Native binaries at paths the old version did not ship."""
    before = set(old.binaries) if old else set()
    return [path for path in new.binaries if path not in before]
