"""The one interface every check implements, and the context a scan hands to it.

A check is one module with one class: a docstring that says what it detects and why, an ``id``
used in reports, SARIF rules and policy ignores, and ``run(context) -> CheckResult``. A check
never prints and never raises for a package it cannot examine: it returns a :class:`NotChecked`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

from scanner.model import CheckResult, Lockfile

if TYPE_CHECKING:
    from scanner.osv.database import AdvisoryDatabase
    from scanner.registry.client import RegistryClient


@dataclass
class ScanContext:
    """What a check may read. Services are ``None`` when the scan runs without them."""

    lockfile: Lockfile
    offline: bool = False
    advisories: AdvisoryDatabase | None = None
    registry: RegistryClient | None = None
    base: Lockfile | None = None
    """The lockfile before the change (PR mode, ``--diff-from``), when there is one."""
    settings: Mapping[str, object] = field(default_factory=dict)
    """Check-specific knobs from the command line and the policy file, keyed ``check-id.knob``."""


class Check(Protocol):
    id: ClassVar[str]
    title: ClassVar[str]
    needs_registry: ClassVar[bool]

    def run(self, context: ScanContext) -> CheckResult: ...
