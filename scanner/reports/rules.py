"""What each check id means to a reader: a name, one line, and help that explains risk and fix.

Reports (SARIF rules, Markdown, annotations) look checks up here by ``Finding.check`` so the
wording lives in one place. Ids nobody registered still get a usable entry from
:func:`rule_for`, because a report must never fail on a check it does not know.

The long form lives in docs/checks.md, one section per check id (the anchor is the id); SARIF
rules link to it through :attr:`RuleInfo.help_uri`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from scanner.model import Severity

REPOSITORY_URL = "https://github.com/your-org/depscan"
"""depscan's home, as README.md and docs/ci.md name it; the one place a report links to."""
CHECKS_DOCS_URL = f"{REPOSITORY_URL}/blob/main/docs/checks.md"
"""docs/checks.md: a section per check id, whose anchor is the id."""


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    name: str
    """PascalCase name, the form SARIF viewers show next to the id."""
    summary: str
    """One sentence: what the check detects."""
    help_markdown: str
    """Why it matters and what to do about it (GitHub-flavoured markdown)."""
    default_severity: Severity
    """The severity the check usually reports; used when a run has no finding for it."""

    @property
    def help_uri(self) -> str:
        """The check's section of docs/checks.md (the page itself for ids it does not list)."""
        return f"{CHECKS_DOCS_URL}#{self.id}" if self.id in RULES else CHECKS_DOCS_URL

    @property
    def help_text(self) -> str:
        """The help without markdown emphasis, for viewers that show plain text."""
        return self.help_markdown.replace("**", "").replace("`", "")


def _rule(rule_id: str, name: str, summary: str, severity: Severity, *paragraphs: str) -> RuleInfo:
    return RuleInfo(rule_id, name, summary, "\n\n".join(paragraphs), severity)


_INSTALL_SCRIPT_HELP = (
    "**Risk:** lifecycle scripts run arbitrary code with the installing user's rights the "
    "moment the package is installed, before any of your code uses it. Most supply-chain "
    "attacks on npm deliver their payload this way.",
    "**Fix:** check that the package really needs the script (native builds usually do). "
    "If it does, add it to `[install-scripts] allow` in `.depscan.toml`; otherwise install "
    "with `--ignore-scripts` or replace the package.",
)

_KNOWN: tuple[RuleInfo, ...] = (
    _rule(
        "known-malicious",
        "KnownMaliciousPackage",
        "A locked package version is listed in a malicious-package advisory.",
        Severity.CRITICAL,
        "**Risk:** the advisory says this exact version was published to steal credentials, "
        "install a backdoor or otherwise harm whoever installs it. Its install scripts may "
        "already have run on any machine that installed it, including CI runners.",
        "**Fix:** remove the package or move to a version the advisory does not list, "
        "regenerate the lockfile, and treat machines and secrets that installed it as "
        "compromised: rotate tokens and keys that were reachable from those machines.",
    ),
    _rule(
        "lockfile-problem",
        "LockfileProblem",
        "The lockfile is internally inconsistent.",
        Severity.LOW,
        "**Risk:** an inconsistent lockfile can install something other than what was "
        "reviewed, and hides what will really be installed from every tool that reads it.",
        "**Fix:** regenerate the lockfile with the package manager (for npm: delete it and "
        "`node_modules`, run `npm install`) and review the resulting diff.",
    ),
    _rule(
        "lockfile-hygiene",
        "LockfileHygiene",
        "A lockfile entry resolves from an unexpected host or lacks an integrity hash.",
        Severity.MEDIUM,
        "**Risk:** entries that resolve from an unexpected host, over plain HTTP, from git or "
        "from a URL tarball, or that carry no integrity hash, can be swapped for other code "
        "without the lockfile changing. The finding's `rule` property says which case it is.",
        "**Fix:** resolve the package from your configured registry with an integrity hash. "
        "If the host is legitimately yours, list it in `[hygiene] allowed-hosts` in "
        "`.depscan.toml`.",
    ),
    _rule(
        "registry-signature",
        "RegistrySignature",
        "The registry signature or provenance of a version is missing or does not verify.",
        Severity.HIGH,
        "**Risk:** a signature that does not verify means the tarball metadata is not what "
        "the registry signed, which points to tampering between the registry and you.",
        "**Fix:** do not install the version. Retry from a clean cache; if it still fails, "
        "report it to the registry operator and pin a version whose signature verifies.",
    ),
    _rule(
        "trust-downgrade",
        "TrustDowngrade",
        "A newer version has weaker publishing guarantees than the version before it.",
        Severity.HIGH,
        "**Risk:** a release that drops provenance or trusted publishing after earlier "
        "releases had it was probably not published by the project's usual pipeline, which "
        "is what an attacker with a stolen token produces.",
        "**Fix:** stay on the previous version until the maintainers confirm the release, "
        "and compare the two tarballs before upgrading.",
    ),
    _rule(
        "policy-change",
        "PolicyChange",
        "A pull request adds, edits or removes the policy file that applies to a lockfile.",
        Severity.MEDIUM,
        "**Risk:** `.depscan.toml` decides what depscan ignores, when it fails and which hosts "
        "and install scripts are allowed. In pull-request mode depscan obeys the base "
        "branch's version, so a pull request cannot switch off or forge its own verdict, but "
        "whatever the change asks for applies to every scan once it is merged.",
        "**Fix:** review the policy change like code: each new ignore needs a reason you agree "
        "with, and a higher `fail-on`, new allowed hosts or install scripts, or registry checks "
        "turned off need a maintainer's decision.",
    ),
    _rule(
        "tarball-diff",
        "TarballDiff",
        "The published tarball differs from the previous version in a suspicious way.",
        Severity.HIGH,
        "**Risk:** new install scripts, obfuscated or minified code, network or process APIs "
        "appearing in a patch release are how injected payloads look in practice.",
        "**Fix:** read the listed files in the diff. Pin the previous version until the "
        "change is explained by the project's changelog or source history.",
    ),
)

# ``publishers`` reports three sub-rules (publisher-takeover, maintainer-change, recent-release)
# under one check id, named in ``details["rule"]``.
_REGISTERED: tuple[RuleInfo, ...] = (
    _rule(
        "install-scripts",
        "InstallScripts",
        "A package runs a preinstall, install or postinstall script.",
        Severity.MEDIUM,
        *_INSTALL_SCRIPT_HELP,
    ),
    _rule(
        "publishers",
        "PublisherChange",
        "Who publishes or maintains a package changed, or a version is very new.",
        Severity.HIGH,
        "**Risk:** a release by an account that never published the package before "
        "(`publisher-takeover`), a changed maintainer list (`maintainer-change`) or a version "
        "published only hours ago (`recent-release`) are how hijacked accounts and handed-over "
        "packages show up before anyone has reviewed the release. The finding's `rule` property "
        "says which one it is.",
        "**Fix:** confirm the new publisher or maintainer through the project's own channels and "
        "compare the release with the previous one; until then pin the last version published "
        "by the known maintainers, or one that has been public for a while.",
    ),
)

# Names a policy ignore may use besides the check ids: the publishers check's sub-rules.
SUB_RULES: Mapping[str, str] = MappingProxyType(
    {
        "publisher-takeover": "publishers",
        "maintainer-change": "publishers",
        "recent-release": "publishers",
    }
)

RULES: Mapping[str, RuleInfo] = MappingProxyType(
    {rule.id: rule for rule in (*_KNOWN, *_REGISTERED)}
)


def _pascal(check_id: str) -> str:
    parts = [p for p in check_id.replace("_", "-").split("-") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "UnknownCheck"


def rule_for(check_id: str) -> RuleInfo:
    """The rule metadata for ``check_id``; a generic entry for ids not in :data:`RULES`."""
    known = RULES.get(check_id)
    if known is not None:
        return known
    return _rule(
        check_id,
        _pascal(check_id),
        f"Finding reported by the {check_id} check.",
        Severity.MEDIUM,
        f"**Risk:** the `{check_id}` check flagged this package; read the finding's message "
        "for what it saw.",
        "**Fix:** review the package before merging, or record a reviewed exception as an "
        "`[[ignore]]` entry with a reason in `.depscan.toml`.",
    )
