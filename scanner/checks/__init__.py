"""The registry of checks. Each entry names the module and class so importing this registry stays
cheap: a check's module (and whatever it imports) loads only when the check runs."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum

from scanner.checks.base import Check


class RegistryUse(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    """Runs from the lockfile alone; the registry adds facts when it can be asked."""
    REQUIRED = "required"


@dataclass(frozen=True, slots=True)
class CheckEntry:
    id: str
    target: str
    """``module:Class``"""
    registry: RegistryUse = RegistryUse.NONE
    needs_base: bool = False
    """Only meaningful when there is an older lockfile to compare with (``--diff-from``)."""

    def load(self) -> Check:
        module_name, class_name = self.target.split(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        check: Check = cls()
        return check


CHECKS: tuple[CheckEntry, ...] = (
    CheckEntry("known-malicious", "scanner.checks.known_malicious:KnownMaliciousCheck"),
    CheckEntry("lockfile-problem", "scanner.checks.lockfile_problems:LockfileProblemsCheck"),
    CheckEntry("lockfile-hygiene", "scanner.checks.hygiene.check:LockfileHygieneCheck"),
    CheckEntry(
        "install-scripts",
        "scanner.checks.install_scripts:InstallScriptsCheck",
        registry=RegistryUse.OPTIONAL,
    ),
    CheckEntry(
        "publishers", "scanner.checks.publishers:PublishersCheck", registry=RegistryUse.REQUIRED
    ),
    CheckEntry(
        "registry-signature",
        "scanner.checks.signatures:RegistrySignatureCheck",
        registry=RegistryUse.REQUIRED,
    ),
    CheckEntry(
        "trust-downgrade",
        "scanner.checks.provenance:TrustDowngradeCheck",
        registry=RegistryUse.REQUIRED,
    ),
    CheckEntry(
        "tarball-diff",
        "scanner.checks.tarball_diff:TarballDiffCheck",
        registry=RegistryUse.REQUIRED,
        needs_base=True,
    ),
)


def check_ids() -> list[str]:
    return [c.id for c in CHECKS]
