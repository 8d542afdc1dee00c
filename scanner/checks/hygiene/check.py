"""The ``lockfile-hygiene`` check: what the lockfile alone says about where packages come from."""

from __future__ import annotations

from typing import ClassVar

from scanner.checks.base import ScanContext
from scanner.checks.hygiene.hosts import check_resolved_urls
from scanner.checks.hygiene.integrity import check_integrity
from scanner.checks.hygiene.names import check_tarball_names
from scanner.checks.hygiene.overrides import overridden_names
from scanner.checks.hygiene.ranges import check_ranges
from scanner.checks.hygiene.settings import read_settings
from scanner.checks.hygiene.sources import check_sources
from scanner.model import CheckResult, DeclaredDependency, Lockfile, PackageNode


def incoming_declarations(
    lockfile: Lockfile,
) -> dict[str, list[tuple[PackageNode, DeclaredDependency]]]:
    """Location -> the (dependent, declaration) pairs that resolve to it."""
    incoming: dict[str, list[tuple[PackageNode, DeclaredDependency]]] = {}
    for node in lockfile.nodes.values():
        for dep in node.dependencies:
            if dep.target is not None:
                incoming.setdefault(dep.target, []).append((node, dep))
    return incoming


def _installed_from_its_entry(node: PackageNode) -> bool:
    """Whether the node's own ``resolved``/``integrity`` say where its code comes from.

    Bundled packages arrive inside their parent's tarball; npm entries outside the project
    (``../other/node_modules/x``, the contents of a linked folder) belong to that folder's own
    lockfile. The link itself is still listed by the source rule.
    """
    return not node.in_bundle and not node.location.startswith("../")


class LockfileHygieneCheck:
    """Offline lockfile hygiene, lockfile-lint's rules without its false alarms.

    Each finding's ``details["rule"]`` names the rule: ``host``, ``insecure-protocol``, ``scheme``,
    ``name-mismatch``, ``version-mismatch``, ``integrity-missing``, ``integrity-sha1``,
    ``integrity-invalid``, ``integrity-malformed``, ``integrity-conflict``, ``source``,
    ``range-unsatisfied``, and ``registry-unconfigured`` (the lockfile's main host, which no
    configuration names). Bundled
    packages and the contents of folders linked from outside the project are not installed from
    their own entry, so only the range rule looks at them.
    """

    id: ClassVar[str] = "lockfile-hygiene"
    title: ClassVar[str] = "Lockfile hygiene"
    needs_registry: ClassVar[bool] = False

    def run(self, context: ScanContext) -> CheckResult:
        settings = read_settings(context.settings, context.lockfile)
        lockfile = context.lockfile
        fetched = [n for n in lockfile.packages() if _installed_from_its_entry(n)]
        parts = (
            check_resolved_urls(
                lockfile, fetched, settings.allowed_hosts, incoming_declarations(lockfile)
            ),
            check_tarball_names(lockfile, fetched),
            check_integrity(lockfile, fetched),
            check_sources(lockfile, fetched, settings.forbidden_sources),
            check_ranges(lockfile, overridden_names(lockfile.path)),
        )
        return CheckResult(
            findings=tuple(f for part in parts for f in part.findings),
            not_checked=tuple(n for part in parts for n in part.not_checked),
        )
