"""Lockfile hygiene: one module per rule, combined by :class:`LockfileHygieneCheck`."""

from scanner.checks.hygiene.check import LockfileHygieneCheck

__all__ = ["LockfileHygieneCheck"]
