"""The registry of signals: one module per capability (environment covers its three), each with
its own metadata and documentation. Adding a signal is adding its module name here."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from scanner.behaviour.signals.base import SignalSpec

SIGNAL_MODULES = (
    "process_spawn",
    "network",
    "dns",
    "file_write",
    "environment",
    "dynamic_code",
    "computed_require",
    "decode",
    "decoded_exec",
    "decipher",
    "credential_access",
    "exfil_endpoint",
    "skimmer",
    "wallet_hook",
    "obfuscation",
    "native_binary",
)


@cache
def all_signals() -> tuple[SignalSpec, ...]:
    """Every signal, in the order their detectors finish."""
    specs = [import_module(f"{__name__}.{name}").SIGNAL for name in SIGNAL_MODULES]
    return tuple(sorted(specs, key=lambda spec: spec.order))


def code_signals(data: bytes) -> tuple[SignalSpec, ...]:
    """The signals whose detectors should run on a file with these bytes."""
    seen: dict[bytes, bool] = {}
    return tuple(s for s in all_signals() if s.detector is not None and s.applies_to(data, seen))
