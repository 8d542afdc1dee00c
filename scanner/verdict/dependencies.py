"""Dependencies a release adds or re-ranges: known-malicious targets and brand-new packages.

A dependency range is resolved the way npm's installer picks a version: the ``latest`` dist-tag
when it satisfies the range, else the highest version that does (node-semver order, never text
order). ``npm:`` aliases are looked up under the package they really install.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from scanner.model import Severity
from scanner.registry.packument import Packument, Unavailable
from scanner.timestamps import parse_time
from scanner.verdict.manifest import key_line
from scanner.verdict.notes import Note

AdvisoryLookup = Callable[[str, str], list[str]]
"""(package name, version) -> ids of known-malicious advisories for that exact version."""
PackumentLookup = Callable[[str], "Packument | Unavailable | None"]

NEW_PACKAGE_AGE = timedelta(days=30)
_NON_REGISTRY = ("git", "http:", "https:", "file:", "link:", "workspace:", "github:", "/", ".")


def real_target(name: str, spec: str) -> tuple[str, str] | None:
    """(registry name, range) a dependency installs; ``None`` for git, URL, file and workspace
    specs, which do not come from the registry by name."""
    spec = spec.strip()
    if spec.startswith("npm:"):
        aliased = spec[4:]
        at = aliased.rfind("@")
        if at > 0:
            return aliased[:at], aliased[at + 1 :] or "*"
        return aliased, "*"
    if spec.startswith(_NON_REGISTRY) or "/" in spec:  # ranges never hold a slash; repos do
        return None
    return name, spec or "*"


def pick_version(document: Packument, spec: str) -> str | None:
    """The version npm would install for ``spec``: an exact version, a dist-tag, the ``latest``
    tag when it satisfies the range, else the highest satisfying version."""
    if spec in document.versions:
        return spec
    tagged = document.dist_tags.get(spec)
    if tagged in document.versions:
        return tagged
    import nodesemver  # only needed when dependencies changed

    latest = document.dist_tags.get("latest")
    try:
        if latest in document.versions and nodesemver.satisfies(latest, spec, loose=True):
            return latest
        best = nodesemver.max_satisfying(list(document.versions), spec, loose=True)
    except (ValueError, TypeError):
        return None
    return str(best) if best else None


def dependency_notes(
    changes: Mapping[str, tuple[str | None, str]],
    package_json: bytes = b"",
    *,
    lookup_advisories: AdvisoryLookup | None = None,
    packument_lookup: PackumentLookup | None = None,
    now: datetime,
) -> list[Note]:
    """Added dependencies (info), ones that resolve to known malware (critical), and ones whose
    package is itself brand new (medium): flatmap-stream was published for event-stream 3.3.6."""
    notes: list[Note] = []
    for name, (old_spec, spec) in changes.items():
        line = key_line(package_json, "dependencies", name) or key_line(
            package_json, "optionalDependencies", name
        )
        target = real_target(name, spec)
        if old_spec is None:
            notes.append(
                Note(
                    "dependency-added",
                    Severity.INFO,
                    "package.json",
                    line,
                    f"adds dependency {name}@{spec}",
                )
            )
        if target is None:
            continue
        real, wanted = target
        document = packument_lookup(real) if packument_lookup else None
        if lookup_advisories is not None:
            version = pick_version(document, wanted) if isinstance(document, Packument) else None
            # Removed malware is usually gone from the registry: check the range as a version.
            ids = lookup_advisories(real, version or wanted.lstrip("=v^~ "))
            if ids:
                notes.append(
                    Note(
                        "dependency-malicious",
                        Severity.CRITICAL,
                        "package.json",
                        line,
                        f"dependency {name}@{spec} resolves to {real}@{version or wanted}, "
                        f"which known-malicious advisories list: {', '.join(sorted(ids))}",
                    )
                )
        if old_spec is None:
            notes.extend(_young_package(name, real, spec, line, document, now))
    return notes


def _young_package(
    name: str, real: str, spec: str, line: int | None, doc: object, now: datetime
) -> list[Note]:
    if isinstance(doc, Unavailable):
        return [
            Note(
                "dependency-unchecked",
                Severity.INFO,
                "package.json",
                line,
                f"could not check new dependency {real}: {doc.reason}",
            )
        ]
    if not isinstance(doc, Packument):
        return []
    created = parse_time(doc.time.get("created"))
    if created is None or now - created >= NEW_PACKAGE_AGE:
        return []
    return [
        Note(
            "dependency-new-package",
            Severity.MEDIUM,
            "package.json",
            line,
            f"new dependency {name}@{spec} was first published on {created.date()}, "
            f"less than {NEW_PACKAGE_AGE.days} days ago",
        )
    ]
