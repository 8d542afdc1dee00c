"""Every severity decision of a package verdict, in one place.

Critical and high are kept for the combinations attacks have and ordinary releases almost never
have; each rule says which attack it stands for. A single capability on its own (a library that
starts using fetch, a CLI that spawns git) is at most medium, because ordinary releases do that
all the time and a verdict that fails every upgrade pull request gets switched off.

Groups used below:
- *sources*: what a thief wants: the whole environment, secret variables, credential files;
- *channels*: ways out: the network, DNS, known exfiltration endpoints;
- *execution*: spawning processes, dynamic code, decoded data executed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import Zone
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict.compare import Placed, first_per_key
from scanner.verdict.evidence import Bump, Evidence, ScriptChange
from scanner.verdict.phrases import join, phrase, place, where

SOURCES = frozenset({C.ENV_ALL, C.ENV_SECRET, C.CREDENTIAL_ACCESS})
CHANNELS = frozenset({C.NETWORK, C.DNS, C.EXFIL_ENDPOINT})
INSTALL_RISK = (
    SOURCES
    | CHANNELS
    | {
        C.DYNAMIC_CODE,
        C.DECODED_EXEC,
        C.DECIPHER,
        C.OBFUSCATION,
        C.FILE_WRITE,
    }
)
"""What install-time code has no business doing: the network, the environment, credentials,
code built at run time, hidden code, writes to the home folder or the system. Spawning processes
and loading modules by computed names are what build steps do (node-gyp, prebuild-install,
compilers), so install code that only does those is worth a look (medium), not a stop."""
INSTALL_BUILD = frozenset({C.PROCESS_SPAWN, C.COMPUTED_REQUIRE})

FEW_VERSIONS = 3
"""A package with this many versions or fewer has no history to vouch for it."""
YOUNG = timedelta(days=90)
"""A package first published less recently than this has no history to vouch for it either."""
YOUNG_MAX_VERSIONS = 10
SQUAT_MAX_VERSIONS = 5
"""Typosquats are thrown away after a few releases; a look-alike name with a long history of
releases is a real package (``preact``, ``through2``), not a squat."""


@dataclass(frozen=True, slots=True)
class Reason:
    severity: Severity
    text: str
    rule: str
    """Stable id of the rule that gave it (JSON, tests, docs)."""
    file: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.label,
            "rule": self.rule,
            "text": self.text,
            "file": self.file,
            "line": self.line,
        }


def _caps(items: Iterable[Placed]) -> set[C]:
    return {p.signal.capability for p in items}


def _pick(items: Iterable[Placed], caps: Iterable[C]) -> list[Placed]:
    wanted = set(caps)
    return first_per_key(p for p in items if p.signal.capability in wanted)


def _describe(items: list[Placed]) -> str:
    """``lib/a.js:3 reads NPM_TOKEN and reaches the network``, first places first."""
    files = join([where(p.signal) for p in items[:3]])
    return f"{join([phrase(p.signal) for p in items])} ({files})"


def _reason(severity: Severity, rule: str, text: str, items: list[Placed]) -> Reason:
    first = items[0].signal if items else None
    return Reason(
        severity, text, rule, first.file if first else None, first.line if first else None
    )


# -- install time ---------------------------------------------------------------------------------


def _no_history(evidence: Evidence) -> bool:
    """A package new to the project with nothing to vouch for it: a handful of releases, or a
    first release less than :data:`YOUNG` ago (when the registry gives real times)."""
    meta = evidence.metadata
    if evidence.kind is not ChangeKind.NEW or meta is None:
        return False
    count = meta.version_count
    few = count is not None and count <= FEW_VERSIONS
    young = meta.created is not None and meta.now is not None and meta.now - meta.created < YOUNG
    # Dozens of releases are history even in 90 days (and publish times can be missing or wrong
    # on a mirror): age alone does not make a package unknown.
    return few or (young and (count is None or count <= YOUNG_MAX_VERSIONS))


def _established_install(evidence: Evidence) -> bool:
    """A new-to-the-project package whose earlier releases ran install scripts too (esbuild's,
    sharp's): long-standing behaviour, not something this release introduced."""
    meta = evidence.metadata
    if evidence.kind is not ChangeKind.NEW or meta is None or _no_history(evidence):
        return False
    earlier, total = meta.earlier_install_scripts, meta.earlier_versions
    return bool(earlier and total and total > FEW_VERSIONS and earlier * 2 >= total)


def install_time(evidence: Evidence) -> list[Reason]:
    """New install-time code that touches the network, the environment or credentials, or that
    executes decoded data: how ua-parser-js 0.7.29, Shai-Hulud and most npm malware run."""
    fresh = evidence.fresh_in(Zone.INSTALL)
    caps = _caps(fresh)
    scripts = evidence.scripts
    established = _established_install(evidence)
    lead = _install_lead(evidence)
    reasons: list[Reason] = []
    if SOURCES & caps and CHANNELS & caps:
        items = _pick(fresh, (SOURCES | CHANNELS) & caps)
        severity = Severity.HIGH if established else Severity.CRITICAL
        reasons.append(_reason(severity, "install-exfiltration", lead + _describe(items), items))
    if C.DECODED_EXEC in caps or (
        C.DECIPHER in caps and caps & {C.DYNAMIC_CODE, C.COMPUTED_REQUIRE}
    ):
        items = _pick(fresh, {C.DECODED_EXEC, C.DECIPHER, C.DYNAMIC_CODE, C.COMPUTED_REQUIRE})
        reasons.append(
            _reason(Severity.CRITICAL, "install-decoded-exec", lead + _describe(items), items)
        )
    risky = _pick(fresh, INSTALL_RISK & caps)
    if risky and not reasons:
        severity = Severity.MEDIUM if established else Severity.HIGH
        reasons.append(_reason(severity, "install-risky-code", lead + _describe(risky), risky))
    build = _pick(fresh, INSTALL_BUILD & caps)
    if build and not reasons:
        # A build step is what established native packages run; a package with no history
        # that spawns processes on install is how typosquats start their payload.
        if _no_history(evidence):
            severity = Severity.HIGH
        else:
            severity = Severity.LOW if established else Severity.MEDIUM
        reasons.append(_reason(severity, "install-build-step", lead + _describe(build), build))
    for script in scripts:
        if script.downloads:
            reasons.append(
                Reason(
                    Severity.MEDIUM if established else Severity.HIGH,
                    f"{_verb(script, evidence.kind)} {_a(script.name)} script that fetches or "
                    "runs code inline: "
                    f"`{_short(script.command)}`",
                    "install-inline-download",
                    "package.json",
                )
            )
    if scripts and not reasons:
        reasons.append(
            Reason(
                Severity.LOW if established else Severity.MEDIUM,
                lead.removesuffix(", which "),
                "install-script",
                "package.json",
            )
        )
    if established and reasons:
        meta = evidence.metadata
        assert meta is not None
        reasons[0] = replace(
            reasons[0],
            text=f"{reasons[0].text} (as {meta.earlier_install_scripts} of its "
            f"{meta.earlier_versions} earlier versions did)",
        )
    return reasons


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _verb(script: ScriptChange, kind: ChangeKind = ChangeKind.UPDATE) -> str:
    if kind is ChangeKind.NEW:
        return "runs"
    return "adds" if script.previous is None else "changes"


def _install_lead(evidence: Evidence) -> str:
    """``adds a postinstall script (`node bundle.js`) that runs bundle.js, which ``."""
    if not evidence.scripts:
        return "install-time code "
    parts = [
        f"{_verb(s, evidence.kind)} {_a(s.name)} script (`{_short(s.command)}`)"
        for s in evidence.scripts
    ]
    runs = sorted({path for s in evidence.scripts for path in s.runs})
    shown = join(runs[:3]) + (f" and {len(runs) - 3} more files" if len(runs) > 3 else "")
    return join(parts) + (f" that runs {shown}" if runs else "") + ", which "


# -- runtime ------------------------------------------------------------------------------------


def _by_file(items: Iterable[Placed]) -> dict[str, list[Placed]]:
    """Signals grouped by file. Combinations are judged within one file: an injected payload
    sits in one file, while a big package has every capability somewhere."""
    grouped: dict[str, list[Placed]] = {}
    for item in items:
        grouped.setdefault(item.signal.file, []).append(item)
    return grouped


def _worst(found: list[Reason]) -> list[Reason]:
    """The most severe of several same-rule reasons (one per file), so a rule speaks once."""
    return [max(found, key=lambda r: r.severity)] if found else []


_WALLET_HOOKS = frozenset({"ethereum-hook", "address-swap"})


def browser_hooks(evidence: Evidence) -> list[Reason]:
    """Form skimmers and wallet hijacks (the September 2025 chalk/debug payload swapped wallet
    addresses in fetch/XMLHttpRequest responses and hooked window.ethereum). In a package new to
    the project, a replaced fetch or XMLHttpRequest alone is what instrumentation and framework
    polyfills do; a wallet hook, an address swap or a skimmer is not."""
    found: list[Reason] = []
    for items in _by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER, Zone.INSTALL)).values():
        caps = _caps(items)
        hooks = _pick(items, {C.SKIMMER, C.WALLET_HOOK} & caps)
        if not hooks:
            continue
        sends = caps & CHANNELS
        strong = any(
            h.signal.capability is C.SKIMMER or h.signal.detail in _WALLET_HOOKS for h in hooks
        )
        if evidence.kind is ChangeKind.NEW and not strong:
            severity = Severity.MEDIUM
        elif sends or C.OBFUSCATION in caps:
            severity = Severity.CRITICAL if strong else Severity.HIGH
        else:
            severity = Severity.HIGH
        shown = hooks + _pick(items, sends)
        found.append(_reason(severity, "browser-hook", f"new code {_describe(shown)}", shown))
    return _worst(found)


def decoded_execution(evidence: Evidence) -> list[Reason]:
    """Decoded or decrypted data that gets executed: how event-stream's flatmap-stream payload
    ran, and how obfuscated droppers load their second stage."""
    found: list[Reason] = []
    for items in _by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER)).values():
        caps = _caps(items)
        # Decryption and dynamic code newly side by side in one file is how flatmap-stream
        # looked in its update; in a package seen whole for the first time (a bundled compiler,
        # a config library) only a traced flow from the decoded value to the sink counts.
        together = C.DECIPHER in caps and caps & {C.DYNAMIC_CODE, C.COMPUTED_REQUIRE}
        if C.DECODED_EXEC not in caps and not (together and evidence.kind is ChangeKind.UPDATE):
            continue
        shown = _pick(items, {C.DECODED_EXEC, C.DECIPHER, C.OBFUSCATION, C.DYNAMIC_CODE})
        packed = any(
            p.signal.capability is C.DECODED_EXEC and (p.signal.detail or "").startswith("literal:")
            for p in items
        )
        if caps & {C.DECIPHER, C.OBFUSCATION}:
            severity = Severity.CRITICAL
        elif packed or evidence.kind is ChangeKind.UPDATE:
            severity = Severity.HIGH
        else:
            # A package seen whole for the first time that decodes run-time data (a source map,
            # a serialised module) and runs it is a loader, a test runner or a bundler.
            severity = Severity.MEDIUM
        found.append(_reason(severity, "decoded-exec", f"new code {_describe(shown)}", shown))
    return _worst(found)


def exfiltration(evidence: Evidence) -> list[Reason]:
    """Secrets or credential files read by code that, in the same file, gains a way out."""
    found: list[Reason] = []
    fresh = evidence.fresh_in(Zone.ENTRY, Zone.OTHER)
    for items in _by_file(fresh).values():
        caps = _caps(items)
        credentials = caps & {C.CREDENTIAL_ACCESS, C.ENV_ALL}
        if credentials and C.EXFIL_ENDPOINT in caps:
            shown = _pick(items, credentials | {C.EXFIL_ENDPOINT, C.NETWORK})
            found.append(
                _reason(Severity.CRITICAL, "exfiltration", f"new code {_describe(shown)}", shown)
            )
        elif (
            caps & SOURCES
            and caps & CHANNELS
            and (C.CREDENTIAL_ACCESS in caps or C.EXFIL_ENDPOINT in caps)
        ):
            shown = _pick(items, (SOURCES | CHANNELS) & caps)
            found.append(
                _reason(Severity.HIGH, "exfiltration", f"new code {_describe(shown)}", shown)
            )
    if found:
        return _worst(found)
    targets = _pick(fresh, {C.EXFIL_ENDPOINT, C.CREDENTIAL_ACCESS})
    if targets:
        return [
            _reason(Severity.MEDIUM, "sensitive-target", f"new code {_describe(targets)}", targets)
        ]
    return []


def obfuscation(evidence: Evidence) -> list[Reason]:
    """Obfuscated code newly in an entry point: ordinary releases ship minified code, not code
    built to hide what it does."""
    entry = evidence.fresh_in(Zone.ENTRY)
    if not _pick(entry, {C.OBFUSCATION}):
        other = _pick(evidence.fresh_in(Zone.OTHER), {C.OBFUSCATION})
        if other:
            return [_reason(Severity.LOW, "obfuscation", f"new code {_describe(other)}", other)]
        return []
    found: list[Reason] = []
    for items in _by_file(entry).values():
        hidden = _pick(items, {C.OBFUSCATION})
        if not hidden:
            continue
        if evidence.kind is ChangeKind.NEW:
            # A package seen for the first time has no earlier entry point to compare with:
            # obfuscation alone is how some vendors ship, obfuscation beside a way out is not.
            risky = _caps(items) & (
                CHANNELS | {C.DYNAMIC_CODE, C.PROCESS_SPAWN, C.COMPUTED_REQUIRE}
            )
            # Module names and commands written encoded hide what the code loads and runs:
            # vendors' minifiers and obfuscators do not do that to names.
            names = any(h.signal.detail == "encoded-names" for h in hidden)
            severity = Severity.HIGH if risky or names else Severity.MEDIUM
            hidden += _pick(items, risky)
        else:
            severity = Severity.HIGH
        found.append(
            _reason(severity, "obfuscation", f"{place(Zone.ENTRY)} {_describe(hidden)}", hidden)
        )
    return _worst(found)


_RAW_SOCKETS = frozenset({"net", "tls", "dgram", "node:net", "node:tls", "node:dgram"})


def remote_shell(evidence: Evidence) -> list[Reason]:
    """A shell program spawned in the same file that opens a raw socket: a reverse or bind
    shell (net.Socket piped to /bin/sh). Ordinary tools that spawn shells talk HTTP, if at all."""
    found: list[Reason] = []
    for items in _by_file(evidence.fresh_in(Zone.INSTALL, Zone.ENTRY, Zone.OTHER)).values():
        shells = [
            p
            for p in items
            if p.signal.capability is C.PROCESS_SPAWN
            and (p.signal.detail or "").startswith("shell:")
        ]
        sockets = [
            p for p in items if p.signal.capability is C.NETWORK and p.signal.detail in _RAW_SOCKETS
        ]
        if shells and sockets:
            shown = [shells[0], sockets[0]]
            program = (shells[0].signal.detail or "shell:").split(":", 1)[1]
            found.append(
                _reason(
                    Severity.CRITICAL if shells[0].zone is Zone.INSTALL else Severity.HIGH,
                    "remote-shell",
                    f"new code wires a shell ({program}) to a "
                    f"network socket ({where(shells[0].signal)} and {where(sockets[0].signal)})",
                    shown,
                )
            )
    return _worst(found)


def unvouched_loader(evidence: Evidence) -> list[Reason]:
    """A package new to the project, with no release history, whose code fetches or decodes
    code and runs it (a remote ``<script>``, decoded data executed, the network beside dynamic
    code in one file): how hijacked browser SDKs load a wallet drainer from a CDN. With a history
    of releases the same loader is what SDKs and bundlers do."""
    if not _no_history(evidence):
        return []
    for items in _by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER)).values():
        caps = _caps(items)
        remote = [
            p
            for p in items
            if p.signal.capability is C.DYNAMIC_CODE and p.signal.detail == "remote-script"
        ]
        loader = remote or _pick(items, {C.DECODED_EXEC})
        if not loader and {C.NETWORK, C.DYNAMIC_CODE} <= caps:
            loader = _pick(items, {C.NETWORK, C.DYNAMIC_CODE})
        if loader:
            text = f"code of a package with no history {_describe(loader)}"
            return [_reason(Severity.HIGH, "unvouched-loader", text, loader)]
    return []


def _first_time(items: list[Placed], capability: C) -> list[Placed]:
    """The signals of ``capability`` this rule weighs: for dynamic code only a remote script
    (a ``<script src>`` or ``import()`` of another host, how polyfill.io-style injections run)."""
    if capability is not C.DYNAMIC_CODE:
        return items
    return [p for p in items if p.signal.detail == "remote-script"]


def first_time_capability(evidence: Evidence) -> list[Reason]:
    """A first-time capability to spawn processes, reach the network or run a remote script.
    In a patch release, where semver promises only fixes, from an entry point: high (a hijacked
    maintainer account ships a patch); in a minor or major release, or in code no entry point
    declares: medium."""
    if evidence.kind is not ChangeKind.UPDATE:
        return []
    reasons: list[Reason] = []
    for cap in (C.PROCESS_SPAWN, C.NETWORK, C.DNS, C.DYNAMIC_CODE):
        entry = _pick(_first_time(evidence.fresh_in(Zone.ENTRY), cap), {cap})
        other = _pick(_first_time(evidence.fresh_in(Zone.OTHER), cap), {cap})
        items = entry or other
        if not items:
            continue
        patch = evidence.bump in (Bump.PATCH, Bump.PRERELEASE)
        severity = Severity.HIGH if patch and entry else Severity.MEDIUM
        release = (
            f"a {evidence.bump.value} release"
            if evidence.bump is not Bump.UNKNOWN
            else "the update"
        )
        reasons.append(
            _reason(severity, "first-time-capability", f"{release} first {_describe(items)}", items)
        )
    return reasons


def lesser_signals(evidence: Evidence) -> list[Reason]:
    """New dynamic code, decryption, whole-environment reads and writes outside the package:
    worth a look, not a stop."""
    fresh = evidence.fresh_in(Zone.ENTRY, Zone.OTHER)
    medium = _pick(fresh, {C.DECIPHER, C.DYNAMIC_CODE})
    low = _pick(fresh, {C.ENV_ALL, C.ENV_SECRET, C.COMPUTED_REQUIRE, C.DECODE, C.FILE_WRITE})
    reasons = []
    if medium and evidence.kind is not ChangeKind.NEW:
        reasons.append(
            _reason(Severity.MEDIUM, "new-capability", f"new code {_describe(medium)}", medium)
        )
    if low and evidence.kind is not ChangeKind.NEW:
        reasons.append(_reason(Severity.LOW, "new-capability", f"new code {_describe(low)}", low))
    return reasons


# -- files and metadata -------------------------------------------------------------------------


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
        risky = _no_history(evidence)
        severity = Severity.HIGH if risky else Severity.MEDIUM
        return [Reason(severity, f"ships native code: {shown}", "native-binary", added[0])]
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


RULES: tuple[Callable[[Evidence], list[Reason]], ...] = (
    install_time,
    browser_hooks,
    decoded_execution,
    exfiltration,
    remote_shell,
    unvouched_loader,
    obfuscation,
    first_time_capability,
    lesser_signals,
    binaries,
    notes,
    package_metadata,
)


def decide(evidence: Evidence) -> list[Reason]:
    """Every reason the rules find, most severe first."""
    found = [reason for rule in RULES for reason in rule(evidence)]
    return sorted(found, key=lambda r: -r.severity)


def _short(command: str, limit: int = 80) -> str:
    text = " ".join(command.split()).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"
