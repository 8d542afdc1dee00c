"""The registry of checks. Each entry names the module and class so importing this registry stays
cheap: a check's module (and whatever it imports) loads only when the check runs."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from scanner.checks.base import Check


@dataclass(frozen=True, slots=True)
class CheckEntry:
    id: str
    target: str
    """``module:Class``"""
    needs_registry: bool

    def load(self) -> Check:
        module_name, class_name = self.target.split(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        check: Check = cls()
        return check


CHECKS: tuple[CheckEntry, ...] = (
    CheckEntry("known-malicious", "scanner.checks.known_malicious:KnownMaliciousCheck", False),
    CheckEntry("lockfile-problem", "scanner.checks.lockfile_problems:LockfileProblemsCheck", False),
)


def check_ids() -> list[str]:
    return [c.id for c in CHECKS]
