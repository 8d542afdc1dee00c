"""Who published the locked versions, and when: takeovers, maintainer changes, very new releases.

The check reads each registry package's document once and applies three rules to every locked
version: a publisher new to the package (high, see :mod:`scanner.checks.publisher_takeover`),
maintainers added or removed in the last releases (medium, :mod:`scanner.checks.maintainer_change`)
and a release younger than the minimum age (medium, :mod:`scanner.checks.release_age`). Mirrors
that drop ``_npmUser``, ``maintainers`` or ``time`` make a rule impossible, which is reported once
per missing kind of data, never read as "nothing changed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from scanner.checks.base import ScanContext
from scanner.checks.knobs import int_setting, now_setting
from scanner.checks.maintainer_change import (
    DEFAULT_LOOKBACK_VERSIONS,
    maintainer_change_message,
    maintainer_changes,
)
from scanner.checks.publisher_takeover import (
    DEFAULT_WINDOW_DAYS,
    DEFAULT_WINDOW_VERSIONS,
    TakeoverWindow,
    find_takeover,
    takeover_message,
)
from scanner.checks.release_age import DEFAULT_MIN_AGE_DAYS, recent_release_message, release_age
from scanner.checks.release_history import ReleaseHistory
from scanner.model import (
    CheckResult,
    Finding,
    NotChecked,
    PackageNode,
    PackageRef,
    Severity,
    SourceKind,
)
from scanner.registry.packument import Unavailable

CHECK_ID = "publishers"

WINDOW_DAYS_SETTING = "publishers.window-days"
WINDOW_VERSIONS_SETTING = "publishers.window-versions"
MAINTAINER_VERSIONS_SETTING = "publishers.maintainer-versions"
MIN_RELEASE_AGE_SETTING = "publishers.min-release-age-days"

REASON_NO_REGISTRY = "the registry was not consulted"
REASON_NO_PUBLISHER = "the registry returns no publisher data"
REASON_NO_PUBLISHER_FOR_VERSION = "the registry does not say who published the locked version"
REASON_NO_TIME = "the registry returns no publish times"
REASON_NO_TIME_FOR_VERSION = "the registry has no publish time for the locked version"
REASON_NO_MAINTAINERS = "the registry returns no maintainer data"
REASON_NO_MAINTAINERS_FOR_VERSION = "the registry has no maintainer list for the locked version"
REASON_VERSION_MISSING = (
    "the locked version is not in the registry document"
)


def _unavailable_reason(reason: str) -> str:
    return f"registry document unavailable ({reason})"


@dataclass(frozen=True, slots=True)
class PublisherSettings:
    window: TakeoverWindow
    maintainer_versions: int
    min_release_age: timedelta
    now: datetime

    @classmethod
    def read(cls, settings: Mapping[str, object]) -> PublisherSettings:
        window = TakeoverWindow(
            days=int_setting(settings, WINDOW_DAYS_SETTING, DEFAULT_WINDOW_DAYS),
            versions=int_setting(settings, WINDOW_VERSIONS_SETTING, DEFAULT_WINDOW_VERSIONS),
        )
        return cls(
            window=window,
            maintainer_versions=int_setting(
                settings, MAINTAINER_VERSIONS_SETTING, DEFAULT_LOOKBACK_VERSIONS
            ),
            min_release_age=timedelta(
                days=int_setting(settings, MIN_RELEASE_AGE_SETTING, DEFAULT_MIN_AGE_DAYS)
            ),
            now=now_setting(settings),
        )


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What the rules found for one locked version, and which of them could not run and why."""

    findings: tuple[tuple[str, Severity, str, dict[str, object]], ...]
    """``(rule, severity, message, details)``."""
    not_checked: tuple[str, ...]


def examine_version(
    history: ReleaseHistory, version: str, settings: PublisherSettings
) -> RuleOutcome:
    """Apply the three rules to ``version`` of the package ``history`` is about."""
    document = history.packument
    name = document.name
    if version not in document.versions:
        return RuleOutcome((), (REASON_VERSION_MISSING,))
    info = document.versions[version]
    found: list[tuple[str, Severity, str, dict[str, object]]] = []
    missing: list[str] = []

    timed = version in history.times
    if not timed:
        missing.append(REASON_NO_TIME if not document.has_time_data else REASON_NO_TIME_FOR_VERSION)

    if not document.has_publisher_data:
        missing.append(REASON_NO_PUBLISHER)
    elif info.publisher is None:
        missing.append(REASON_NO_PUBLISHER_FOR_VERSION)
    elif timed:
        takeover = find_takeover(history, version, settings.window)
        if takeover is not None:
            details: dict[str, object] = {
                "publisher": takeover.publisher,
                "earlier_publishers": list(takeover.earlier_publishers),
            }
            if takeover.first_version is not None:
                details["first_version"] = takeover.first_version
            message = takeover_message(name, version, takeover)
            found.append(("publisher-takeover", Severity.HIGH, message, details))

    if not any(v.maintainers is not None for v in document.versions.values()):
        missing.append(REASON_NO_MAINTAINERS)
    elif info.maintainers is None:
        missing.append(REASON_NO_MAINTAINERS_FOR_VERSION)
    else:
        changes = maintainer_changes(history, version, settings.maintainer_versions)
        if changes:
            details = {
                "changes": [
                    {"version": c.version, "added": list(c.added), "removed": list(c.removed)}
                    for c in changes
                ]
            }
            message = maintainer_change_message(name, version, changes)
            found.append(("maintainer-change", Severity.MEDIUM, message, details))

    age = release_age(history, version, settings.now)
    if age is not None and age < settings.min_release_age:
        min_days = settings.min_release_age.days
        message = recent_release_message(name, version, age, min_days)
        details = {"age_hours": round(age.total_seconds() / 3600, 1)}
        found.append(("recent-release", Severity.MEDIUM, message, details))
    return RuleOutcome(tuple(found), tuple(missing))


class PublishersCheck:
    """Publisher takeovers, maintainer-set changes and too-recent releases of registry packages."""

    id: ClassVar[str] = CHECK_ID
    title: ClassVar[str] = "Publishers and maintainers (takeovers, changes, very recent releases)"
    needs_registry: ClassVar[bool] = True

    def run(self, context: ScanContext) -> CheckResult:
        settings = PublisherSettings.read(context.settings)
        groups: dict[tuple[str, str], list[PackageNode]] = {}
        for node in sorted(context.lockfile.packages(), key=lambda n: n.location):
            if node.source is SourceKind.REGISTRY:
                groups.setdefault((node.name, node.version), []).append(node)
        if not groups:
            return CheckResult()
        if context.registry is None:
            return CheckResult(not_checked=(NotChecked(CHECK_ID, REASON_NO_REGISTRY),))

        documents = context.registry.packuments(sorted({name for name, _ in groups}))
        lockfile = str(context.lockfile.path)
        findings: list[Finding] = []
        skipped: dict[str, set[str]] = defaultdict(set)
        histories: dict[str, ReleaseHistory] = {}
        for (name, version), nodes in groups.items():
            node = nodes[0]
            document = documents.get(name) or Unavailable(name, "no answer for this package")
            if isinstance(document, Unavailable):
                skipped[_unavailable_reason(document.reason)].add(node.spec_id)
                continue
            if name not in histories:
                histories[name] = ReleaseHistory.of(document)
            outcome = examine_version(histories[name], version, settings)
            for reason in outcome.not_checked:
                skipped[reason].add(node.spec_id)
            for rule, severity, message, details in outcome.findings:
                extra: dict[str, object] = {"rule": rule, **details}
                if len(nodes) > 1:
                    extra["locations"] = [n.location for n in nodes]
                findings.append(
                    Finding(
                        check=CHECK_ID,
                        severity=severity,
                        message=message,
                        package=PackageRef.of(node),
                        lockfile=lockfile,
                        line=node.line,
                        details=extra,
                    )
                )
        not_checked = tuple(
            NotChecked(CHECK_ID, reason, tuple(sorted(specs)))
            for reason, specs in sorted(skipped.items())
        )
        return CheckResult(tuple(sorted(findings, key=lambda f: f.sort_key)), not_checked)
