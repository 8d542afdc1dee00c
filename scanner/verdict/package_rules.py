"""Rules on what a package is rather than what its code does: native binaries, manifest notes,
and the name and history of a package new to the project."""

from __future__ import annotations

import re

from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict.evidence import Evidence
from scanner.verdict.phrases import join
from scanner.verdict.reasons import FEW_VERSIONS, SQUAT_MAX_VERSIONS, Reason, no_history

_PREBUILD = re.compile(r"^prebuilds/([a-z0-9]+-[a-z0-9_.+-]+)/[^/]+$")
MIN_PREBUILT_PLATFORMS = 3


def _prebuilt_platforms(paths: tuple[str, ...] | list[str]) -> int:
    """How many platforms the added binaries cover, when every one sits in prebuildify's
    ``prebuilds/<platform>-<arch>/`` layout; 0 otherwise."""
    platforms = set()
    for path in paths:
        match = _PREBUILD.match(path)
        if match is None:
            return 0
        platforms.add(match.group(1))
    return len(platforms)


def binaries(evidence: Evidence) -> list[Reason]:
    """A native binary in a package that never had one (the rc/coa hijack shipped a DLL); a
    platform package (os/cpu set, like @esbuild/linux-x64) shipping its binary is what it is for."""
    added = evidence.new_binaries
    if not added:
        return []
    shown = join(list(added[:3])) + (f" and {len(added) - 3} more" if len(added) > 3 else "")
    if evidence.platform_package:
        return [
            Reason(Severity.INFO, f"platform package ships {shown}", "platform-binary", added[0])
        ]
    if evidence.kind is ChangeKind.NEW:
        # leveldown, nodemon and electron-winstaller ship binaries (the last with an install
        # script); a package with no history that does is suspect.
        risky = no_history(evidence)
        severity = Severity.HIGH if risky else Severity.MEDIUM
        return [Reason(severity, f"ships native code: {shown}", "native-binary", added[0])]
    prebuilt = _prebuilt_platforms(added)
    if prebuilt >= MIN_PREBUILT_PLATFORMS and not evidence.had_binaries:
        # A build pipeline that starts shipping its addon for every platform (prebuildify's
        # prebuilds/<platform>-<arch>/ layout) is a packaging change; the rc and coa hijacks
        # dropped one library for one system.
        return [
            Reason(
                Severity.MEDIUM,
                f"adds prebuilt native addons for {prebuilt} platforms: {shown} (the previous "
                "version had none)",
                "native-binary",
                added[0],
            )
        ]
    severity = Severity.MEDIUM if evidence.had_binaries else Severity.HIGH
    first = "" if evidence.had_binaries else " (the previous version had none)"
    return [Reason(severity, f"adds native code {shown}{first}", "native-binary", added[0])]


def notes(evidence: Evidence) -> list[Reason]:
    """Manifest-level observations made outside the code: malicious dependencies, manifest
    confusion, entry points moved, dependencies added."""
    return [Reason(n.severity, n.message, n.kind, n.file, n.line) for n in evidence.notes]


def package_metadata(evidence: Evidence) -> list[Reason]:
    """For a package new to the project: a name one or two edits away from a popular one, no
    history, or a very young release, each worth more when the package runs install scripts."""
    meta = evidence.metadata
    if evidence.kind is not ChangeKind.NEW or meta is None:
        return []
    installs = bool(evidence.scripts)
    reasons: list[Reason] = []
    young = meta.version_count is None or meta.version_count <= SQUAT_MAX_VERSIONS
    if meta.similar_to and young:
        reasons.append(
            Reason(
                Severity.HIGH if installs else Severity.MEDIUM,
                f"name is one or two edits away from the popular package {meta.similar_to}",
                "similar-name",
            )
        )
    if meta.version_count is not None and meta.version_count <= FEW_VERSIONS and installs:
        reasons.append(
            Reason(
                Severity.MEDIUM,
                f"has {meta.version_count} version{'s' if meta.version_count != 1 else ''} "
                "and runs an install script",
                "no-history",
            )
        )
    return reasons
