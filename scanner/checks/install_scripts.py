"""Install scripts: code a package runs on the installing machine, and whether it is new.

Most npm malware runs from a lifecycle script (ua-parser-js 0.7.29 added a ``preinstall`` that
fetched a miner). A script that appeared or changed in the locked version is the signal (high); a
script a package has long shipped unchanged is worth knowing (low), or nothing new when the project
already allows it (info). The lockfile alone says whether a package has an install script (npm's
``hasInstallScript``); the registry's version documents say what it is and what it was before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from scanner.allowlist import ScriptAllowlist, ScriptRule, load_script_allowlist
from scanner.checks.base import ScanContext
from scanner.checks.knobs import names_setting
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
from scanner.registry.packument import Packument, Unavailable, VersionInfo

CHECK_ID = "install-scripts"
ALLOW_SETTING = "install-scripts.allow"

# npm runs these on every install; `prepare` only when it builds a git dependency.
SCRIPTS_RUN_ON_INSTALL = ("preinstall", "install", "postinstall")
SCRIPTS_RUN_FOR_GIT = ("prepare",)
IMPLICIT_GYP_COMMAND = "node-gyp rebuild"
QUOTE_LIMIT = 80

# Packages whose code lives in the project itself: their scripts are the project's own.
_PROJECT_OWN_SOURCES = (SourceKind.LINK, SourceKind.WORKSPACE, SourceKind.ROOT)


@dataclass(frozen=True, slots=True)
class LifecycleScript:
    name: str
    command: str
    implicit: bool = False
    """npm's own ``node-gyp rebuild`` for a package with a binding.gyp and no install script."""


def lifecycle_scripts(
    scripts: Mapping[str, str], gypfile: bool, source: SourceKind
) -> dict[str, LifecycleScript]:
    """The scripts npm runs when it installs a package with these ``scripts`` from ``source``."""
    names = SCRIPTS_RUN_ON_INSTALL + (SCRIPTS_RUN_FOR_GIT if source is SourceKind.GIT else ())
    found = {
        name: LifecycleScript(name, command)
        for name in names
        if isinstance(command := scripts.get(name), str) and command.strip()
    }
    if gypfile and "install" not in found and "preinstall" not in found:
        found["install"] = LifecycleScript("install", IMPLICIT_GYP_COMMAND, implicit=True)
    return found


def shorten(command: str, limit: int = QUOTE_LIMIT) -> str:
    """One line, at most ``limit`` characters, safe inside backticks."""
    text = " ".join(command.split()).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote(script: LifecycleScript) -> str:
    text = f"`{shorten(script.command)}`"
    return f"{text} (implicit: the package has a binding.gyp)" if script.implicit else text


def _article(name: str) -> str:
    return "an" if name[0] in "aeiou" else "a"


def _script_list(names: list[str]) -> str:
    if len(names) == 1:
        return f"{_article(names[0])} {names[0]} script"
    return f"{', '.join(names[:-1])} and {names[-1]} scripts"


def script_changes(
    current: Mapping[str, LifecycleScript],
    previous: Mapping[str, LifecycleScript],
    previous_version: str,
) -> list[str]:
    """What is new in ``current`` compared with ``previous`` (removed scripts are no risk)."""
    changes = []
    for name, script in current.items():
        before = previous.get(name)
        if before is None:
            had = f"had no {name} script" if previous else "had none"
            changes.append(
                f"added {_article(name)} {name} script "
                f"(previous version {previous_version} {had}): {quote(script)}"
            )
        elif before.command != script.command:
            changes.append(
                f"changed its {name} script "
                f"(previous version {previous_version}: {quote(before)}): {quote(script)}"
            )
    return changes


@dataclass(frozen=True, slots=True)
class ScriptVerdict:
    severity: Severity
    message: str
    change: str
    """``added-or-changed``, ``unchanged``, ``first-release`` or ``lockfile-only``."""
    scripts: dict[str, str] = field(default_factory=dict)
    previous_version: str | None = None


def _allowed_note(rule: ScriptRule | None) -> str:
    return f" (allowed by {rule.source})" if rule is not None and rule.allowed else ""


def judge_scripts(
    spec_id: str,
    current: Mapping[str, LifecycleScript],
    previous: Mapping[str, LifecycleScript] | None,
    previous_version: str | None,
    allow_rule: ScriptRule | None,
) -> ScriptVerdict | None:
    """The finding for a locked version's scripts, given the version it followed (if any)."""
    if not current:
        return None
    allowed = allow_rule is not None and allow_rule.allowed
    note = _allowed_note(allow_rule)
    names = list(current)
    if len(names) == 1:
        quoted = quote(current[names[0]])
    else:
        quoted = ", ".join(f"{name} {quote(script)}" for name, script in current.items())
    scripts = {name: script.command for name, script in current.items()}
    if previous is None or previous_version is None:
        return ScriptVerdict(
            Severity.INFO if allowed else Severity.MEDIUM,
            f"{spec_id} runs {_script_list(names)} from its first release: {quoted}{note}",
            "first-release",
            scripts,
        )
    changes = script_changes(current, previous, previous_version)
    if changes:
        # Allowing a package means its reviewed script may run, not whatever replaces it.
        return ScriptVerdict(
            Severity.HIGH,
            f"{spec_id} {'; '.join(changes)}{note}",
            "added-or-changed",
            scripts,
            previous_version,
        )
    return ScriptVerdict(
        Severity.INFO if allowed else Severity.LOW,
        f"{spec_id} runs {_script_list(names)}, unchanged since {previous_version}: {quoted}{note}",
        "unchanged",
        scripts,
        previous_version,
    )


def judge_lockfile_flag(spec_id: str, allow_rule: ScriptRule | None) -> ScriptVerdict:
    """The finding for a package the lockfile says has an install script, nothing else known."""
    allowed = allow_rule is not None and allow_rule.allowed
    return ScriptVerdict(
        Severity.INFO if allowed else Severity.LOW,
        f"{spec_id} runs an install script (recorded in the lockfile; its text and history were "
        f"not checked){_allowed_note(allow_rule)}",
        "lockfile-only",
    )


# Reasons for NotChecked, shared wording so the summary groups them.
REASON_NO_REGISTRY = (
    "install scripts not compared with earlier versions: the registry was not consulted"
)
REASON_UNKNOWN_NO_REGISTRY = (
    "install scripts unknown: the lockfile does not record them and the registry was not consulted"
)
REASON_VERSION_MISSING = (
    "the locked version is not in the registry's package document"
)
REASON_UNKNOWN_SOURCE = (
    "install scripts unknown: the lockfile does not record them for packages that do not come "
    "from the registry"
)
REASON_GIT_PREPARE = (
    "git dependency: npm runs its prepare script when it builds the package, and that script is "
    "recorded neither in the lockfile nor in the registry"
)


def _unavailable_reason(reason: str) -> str:
    return f"registry document unavailable ({reason})"


@dataclass
class _Package:
    """All lockfile nodes of one ``name@version`` from one source."""

    nodes: list[PackageNode]

    @property
    def first(self) -> PackageNode:
        return self.nodes[0]


def _group(nodes: Iterable[PackageNode]) -> list[_Package]:
    groups: dict[tuple[str, str, SourceKind], _Package] = {}
    for node in sorted(nodes, key=lambda n: n.location):
        key = (node.name, node.version, node.source)
        groups.setdefault(key, _Package([])).nodes.append(node)
    return list(groups.values())


class InstallScriptsCheck:
    """Lifecycle scripts of installed packages: new or changed ones high, long-standing ones low."""

    id: ClassVar[str] = CHECK_ID
    title: ClassVar[str] = "Install scripts (new, changed and long-standing)"
    needs_registry: ClassVar[bool] = False
    """Runs from the lockfile alone; the registry adds the script text and its history."""

    def run(self, context: ScanContext) -> CheckResult:
        lockfile = context.lockfile
        allowlist = load_script_allowlist(
            lockfile.path.parent, names_setting(context.settings, ALLOW_SETTING)
        )
        packages = [
            p for p in _group(lockfile.packages()) if p.first.source not in _PROJECT_OWN_SOURCES
        ]
        registry_names = sorted(
            {p.first.name for p in packages if p.first.source is SourceKind.REGISTRY}
        )
        histories: dict[str, ReleaseHistory | Unavailable] = {}
        if context.registry is not None and registry_names:
            for name, document in context.registry.packuments(registry_names).items():
                if isinstance(document, Packument):
                    histories[name] = ReleaseHistory.of(document)
                else:
                    histories[name] = document

        findings: list[Finding] = []
        skipped: dict[str, list[str]] = defaultdict(list)
        for package in packages:
            node = package.first
            verdict, reason = self._examine(
                node, context.registry is not None, histories.get(node.name), allowlist
            )
            if reason is not None:
                skipped[reason].append(node.spec_id)
            if verdict is not None:
                findings.append(self._finding(package, verdict, str(lockfile.path)))
        not_checked = tuple(
            NotChecked(CHECK_ID, reason, tuple(sorted(set(specs))))
            for reason, specs in sorted(skipped.items())
        )
        return CheckResult(tuple(sorted(findings, key=lambda f: f.sort_key)), not_checked)

    def _examine(
        self,
        node: PackageNode,
        registry_consulted: bool,
        document: ReleaseHistory | Unavailable | None,
        allowlist: ScriptAllowlist,
    ) -> tuple[ScriptVerdict | None, str | None]:
        """The verdict for one package and, when part of it could not be checked, why."""
        allow_rule = allowlist.decision(node.name, node.version)
        flagged = node.has_install_script
        lockfile_verdict = judge_lockfile_flag(node.spec_id, allow_rule) if flagged else None
        if node.source is SourceKind.GIT:
            return lockfile_verdict, REASON_GIT_PREPARE
        if node.source is not SourceKind.REGISTRY:
            return lockfile_verdict, REASON_UNKNOWN_SOURCE if flagged is None else None

        if not registry_consulted:
            if flagged is False:
                return None, None  # the lockfile says there is no script: nothing to compare
            return lockfile_verdict, REASON_NO_REGISTRY if flagged else REASON_UNKNOWN_NO_REGISTRY
        if document is None:
            document = Unavailable(node.name, "no answer for this package")
        if isinstance(document, Unavailable):
            if flagged is False:
                return None, None
            return lockfile_verdict, _unavailable_reason(document.reason)
        versions = document.packument.versions
        info = versions.get(node.version)
        if info is None:
            return lockfile_verdict, None if flagged is False else REASON_VERSION_MISSING

        current = self._scripts_of(info)
        before_version = document.previous_version(node.version)
        before_info = versions.get(before_version) if before_version else None
        previous = self._scripts_of(before_info) if before_info is not None else None
        return judge_scripts(node.spec_id, current, previous, before_version, allow_rule), None

    @staticmethod
    def _scripts_of(info: VersionInfo) -> dict[str, LifecycleScript]:
        return lifecycle_scripts(info.scripts, info.gypfile, SourceKind.REGISTRY)

    @staticmethod
    def _finding(package: _Package, verdict: ScriptVerdict, lockfile: str) -> Finding:
        node = package.first
        details: dict[str, object] = {"change": verdict.change}
        if verdict.scripts:
            details["scripts"] = dict(verdict.scripts)
        if verdict.previous_version is not None:
            details["previous_version"] = verdict.previous_version
        if len(package.nodes) > 1:
            details["locations"] = [n.location for n in package.nodes]
        return Finding(
            check=CHECK_ID,
            severity=verdict.severity,
            message=verdict.message,
            package=PackageRef.of(node),
            lockfile=lockfile,
            line=node.line,
            details=details,
        )
