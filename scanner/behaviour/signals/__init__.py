"""The registry of signals: one module per capability (environment covers its three), each with
its own metadata and documentation. Adding a signal is adding its module name here."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from scanner.behaviour.signals.base import SignalSpec, Trigger
from scanner.behaviour.triggers import DEFERRED_TESTS, FileText

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


def code_signals(text: FileText) -> tuple[SignalSpec, ...]:
    """The signals whose detectors should run on a file: those with a trigger in its bytes.

    A detector may also run where its trigger does not hold (it then finds nothing): when some
    signal's trigger holds without the deferred tests, the file is parsed anyway, and the
    signals that only a deferred test could select run without that test."""
    specs = [s for s in all_signals() if s.detector is not None]
    text.defer = False
    sure = {s.id for s in specs if text.fires_any(s.triggers)}
    text.defer = True if sure else None
    found = tuple(s for s in specs if s.id in sure or (_deferred(s) and text.fires_any(s.triggers)))
    text.defer = None
    return found


@cache
def _deferred_ids() -> frozenset[str]:
    def tests(trigger: Trigger) -> set[object]:
        return {*trigger.tests, *(t for needed in trigger.requires for t in tests(needed))}

    return frozenset(s.id for s in all_signals() for t in s.triggers if tests(t) & DEFERRED_TESTS)


def _deferred(spec: SignalSpec) -> bool:
    return spec.id in _deferred_ids()
