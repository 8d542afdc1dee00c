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

from collections.abc import Callable
from dataclasses import replace

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import Zone
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict.compare import Placed, blob_of
from scanner.verdict.evidence import Bump, Evidence
from scanner.verdict.install_rules import install_time
from scanner.verdict.package_rules import binaries, notes, package_metadata
from scanner.verdict.phrases import place, where
from scanner.verdict.reasons import (
    CHANNELS,
    SOURCES,
    Reason,
    by_file,
    capabilities,
    describe,
    no_history,
    pick,
    reason,
    worst,
)

__all__ = ["RULES", "Reason", "decide"]

LOADERS = frozenset({C.DYNAMIC_CODE, C.COMPUTED_REQUIRE})
"""Ways code runs what it did not ship: built strings, modules loaded by computed names."""
EXECUTION = frozenset({C.DECODE, C.DECODED_EXEC, C.DECIPHER, C.PROCESS_SPAWN})
"""What turns a blob into behaviour: decoding it, decrypting it, running it."""


_WALLET_HOOKS = frozenset({"ethereum-hook", "address-swap", "clipboard-swap"})
_OVERRIDES = frozenset({"fetch-override", "xhr-override"})


def _network_library(evidence: Evidence) -> bool:
    """Whether the old version already reached the network: the new version has network code
    and none of it is new."""
    has_network = any(C.NETWORK in caps for caps in evidence.file_capabilities.values())
    fresh_network = any(p.signal.capability is C.NETWORK for p in evidence.fresh)
    return has_network and not fresh_network


def browser_hooks(evidence: Evidence) -> list[Reason]:
    """Form skimmers and wallet hijacks (the September 2025 chalk/debug payload swapped wallet
    addresses in fetch/XMLHttpRequest responses and hooked window.ethereum). In a package new to
    the project, or in an update of a package that always reached the network, a replaced fetch
    or XMLHttpRequest alone is what instrumentation, polyfills and HTTP clients do; a wallet
    hook, an address swap or a skimmer is not."""
    found: list[Reason] = []
    for items in by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER, Zone.INSTALL)).values():
        caps = capabilities(items)
        hooks = pick(items, {C.SKIMMER, C.WALLET_HOOK} & caps)
        if not hooks:
            continue
        sends = caps & CHANNELS
        strong = any(
            h.signal.capability is C.SKIMMER or h.signal.detail in _WALLET_HOOKS for h in hooks
        )
        overrides = all(h.signal.detail in _OVERRIDES for h in hooks)
        if not strong and (
            evidence.kind is ChangeKind.NEW or (overrides and _network_library(evidence))
        ):
            # An HTTP library that starts installing its own fetch (undici 7's install()) is
            # doing its job; chalk had no network code before its hijack replaced fetch.
            severity = Severity.MEDIUM
        elif sends or C.OBFUSCATION in caps:
            severity = Severity.CRITICAL if strong else Severity.HIGH
        else:
            severity = Severity.HIGH
        shown = hooks + pick(items, sends)
        found.append(reason(severity, "browser-hook", f"new code {describe(shown)}", shown))
    return worst(found)


def decoded_execution(evidence: Evidence) -> list[Reason]:
    """Decoded or decrypted data that gets executed: how event-stream's flatmap-stream payload
    ran, and how obfuscated droppers load their second stage."""
    found: list[Reason] = []
    for items in by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER)).values():
        caps = capabilities(items)
        # Decryption and dynamic code newly side by side in one file is how flatmap-stream
        # looked in its update; in a package seen whole for the first time (a bundled compiler,
        # a config library) only a traced flow from the decoded value to the sink counts.
        together = C.DECIPHER in caps and caps & {C.DYNAMIC_CODE, C.COMPUTED_REQUIRE}
        if C.DECODED_EXEC not in caps and not (together and evidence.kind is ChangeKind.UPDATE):
            continue
        shown = pick(items, {C.DECODED_EXEC, C.DECIPHER, C.OBFUSCATION, C.DYNAMIC_CODE})
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
        found.append(reason(severity, "decoded-exec", f"new code {describe(shown)}", shown))
    return worst(found)


CREDENTIAL_SWEEP = 3
"""This many different credential stores read by one file is a stealer's sweep; cloud tools read
one or two (their own config and maybe ssh)."""


def _stores(items: list[Placed]) -> set[str]:
    return {
        p.signal.detail
        for p in items
        if p.signal.capability is C.CREDENTIAL_ACCESS and p.signal.detail is not None
    }


def _unvouched_severity(evidence: Evidence) -> Severity:
    """High for behaviour an update adds or a package with no history has; medium for a package
    with a history of releases, seen whole for the first time, where the same code is more often
    a feature."""
    if evidence.kind is ChangeKind.UPDATE or no_history(evidence):
        return Severity.HIGH
    return Severity.MEDIUM


def exfiltration(evidence: Evidence) -> list[Reason]:
    """Secrets or credential files read by code that, in the same file, gains a way out."""
    found: list[Reason] = []
    fresh = evidence.fresh_in(Zone.ENTRY, Zone.OTHER)
    for items in by_file(fresh).values():
        caps = capabilities(items)
        credentials = caps & {C.CREDENTIAL_ACCESS, C.ENV_ALL}
        if credentials and C.EXFIL_ENDPOINT in caps:
            shown = pick(items, credentials | {C.EXFIL_ENDPOINT, C.NETWORK})
            found.append(
                reason(Severity.CRITICAL, "exfiltration", f"new code {describe(shown)}", shown)
            )
        elif (
            caps & SOURCES
            and caps & CHANNELS
            and (C.CREDENTIAL_ACCESS in caps or C.EXFIL_ENDPOINT in caps)
        ):
            shown = pick(items, (SOURCES | CHANNELS) & caps)
            found.append(
                reason(Severity.HIGH, "exfiltration", f"new code {describe(shown)}", shown)
            )
        elif C.ENV_ALL in caps and caps & {C.NETWORK, C.DNS}:
            # The whole environment collected (serialised or walked, not passed to a child)
            # beside a way out. New to an update, that is a harvester; in a package seen whole
            # for the first time it is also what telemetry and error reporters do.
            shown = pick(items, {C.ENV_ALL, C.NETWORK, C.DNS})
            severity = _unvouched_severity(evidence)
            found.append(reason(severity, "exfiltration", f"new code {describe(shown)}", shown))
        elif len(_stores(items)) >= CREDENTIAL_SWEEP:
            # Several credential stores read by one file is a sweep, whether or not the way
            # out is in the same file: a stealer's collector and its uploader are often split.
            shown = pick(items, {C.CREDENTIAL_ACCESS})
            severity = _unvouched_severity(evidence)
            found.append(reason(severity, "credential-sweep", f"new code {describe(shown)}", shown))
    if found:
        return worst(found)
    targets = pick(fresh, {C.EXFIL_ENDPOINT, C.CREDENTIAL_ACCESS})
    if targets:
        return [
            reason(Severity.MEDIUM, "sensitive-target", f"new code {describe(targets)}", targets)
        ]
    return []


def obfuscation(evidence: Evidence) -> list[Reason]:
    """Obfuscated code newly in an entry point: ordinary releases ship minified code, not code
    built to hide what it does."""
    entry = evidence.fresh_in(Zone.ENTRY)
    if not pick(entry, {C.OBFUSCATION}):
        other = pick(evidence.fresh_in(Zone.OTHER), {C.OBFUSCATION})
        if other:
            return [reason(Severity.LOW, "obfuscation", f"new code {describe(other)}", other)]
        return []
    found: list[Reason] = []
    for items in by_file(entry).values():
        hidden = pick(items, {C.OBFUSCATION})
        if not hidden:
            continue
        if evidence.kind is ChangeKind.NEW:
            # A package seen for the first time has no earlier entry point to compare with:
            # obfuscation alone is how some vendors ship, obfuscation beside a way out is not.
            risky = capabilities(items) & (
                CHANNELS | {C.DYNAMIC_CODE, C.PROCESS_SPAWN, C.COMPUTED_REQUIRE}
            )
            # Module names and commands written encoded hide what the code loads and runs:
            # vendors' minifiers and obfuscators do not do that to names.
            names = any(h.signal.detail == "encoded-names" for h in hidden)
            severity = Severity.HIGH if risky or names else Severity.MEDIUM
            hidden += pick(items, risky)
        elif any(blob_of(h.signal) is None for h in hidden):
            # Obfuscator output, escaped strings and names written encoded are code made
            # unreadable on purpose: newly in an entry point, that is how the chalk/debug
            # payload looked.
            severity = Severity.HIGH
        else:
            # Only an encoded blob (a packed data table, an inlined worker or stylesheet): it
            # hides something only if something in the file decodes or runs it.
            file = hidden[0].signal.file
            runs = evidence.file_capabilities.get(file, frozenset()) & (
                LOADERS | CHANNELS | EXECUTION
            )
            severity = Severity.HIGH if runs else Severity.MEDIUM
            hidden += pick(items, runs)
        found.append(
            reason(severity, "obfuscation", f"{place(Zone.ENTRY)} {describe(hidden)}", hidden)
        )
    return worst(found)


_RAW_SOCKETS = frozenset({"net", "tls", "dgram", "node:net", "node:tls", "node:dgram"})


def remote_shell(evidence: Evidence) -> list[Reason]:
    """A shell program spawned in the same file that opens a raw socket: a reverse or bind
    shell (net.Socket piped to /bin/sh). Ordinary tools that spawn shells talk HTTP, if at all."""
    found: list[Reason] = []
    for items in by_file(evidence.fresh_in(Zone.INSTALL, Zone.ENTRY, Zone.OTHER)).values():
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
                reason(
                    Severity.CRITICAL if shells[0].zone is Zone.INSTALL else Severity.HIGH,
                    "remote-shell",
                    f"new code wires a shell ({program}) to a "
                    f"network socket ({where(shells[0].signal)} and {where(sockets[0].signal)})",
                    shown,
                )
            )
    return worst(found)


_PERSISTENT_WRITES = frozenset({"persistence", "install-hook-injection"})


def persistence(evidence: Evidence) -> list[Reason]:
    """Code that sets itself up to run again later (a launch agent, a cron entry, the Run key, a
    Python ``.pth`` hook) or writes install scripts into other projects' package.json (how the
    Shai-Hulud worm spread). Process managers set up start-up items by design, so a package with
    a history of releases seen whole for the first time is medium; an update that starts doing
    it, a package with no history, or a worm's write is high."""
    items = [
        p
        # Install-time writes like these are the install rules' (install-risky-code).
        for p in evidence.fresh_in(Zone.ENTRY, Zone.OTHER)
        if p.signal.capability is C.FILE_WRITE and p.signal.detail in _PERSISTENT_WRITES
    ]
    if not items:
        return []
    shown = pick(items, {C.FILE_WRITE})
    worm = any(p.signal.detail == "install-hook-injection" for p in items)
    severity = Severity.HIGH if worm else _unvouched_severity(evidence)
    return [reason(severity, "persistence", f"new code {describe(shown)}", shown)]


def download_and_run(evidence: Evidence) -> list[Reason]:
    """An update whose code newly reaches the network and, in the same file, newly runs code it
    did not ship (a module loaded by a computed name, code built from strings): a second stage
    fetched and loaded at run time, which no reviewer of the tarball ever sees."""
    if evidence.kind is not ChangeKind.UPDATE:
        return []
    found: list[Reason] = []
    for items in by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER)).values():
        caps = capabilities(items)
        if C.NETWORK in caps and caps & LOADERS:
            shown = pick(items, {C.NETWORK} | LOADERS)
            text = f"new code {describe(shown)}"
            found.append(reason(Severity.HIGH, "download-and-run", text, shown))
    return worst(found)


def unvouched_loader(evidence: Evidence) -> list[Reason]:
    """A package new to the project, with no release history, whose code fetches or decodes
    code and runs it (a remote ``<script>``, decoded data executed, the network beside dynamic
    code in one file): how hijacked browser SDKs load a wallet drainer from a CDN. With a history
    of releases the same loader is what SDKs and bundlers do."""
    if not no_history(evidence):
        return []
    for items in by_file(evidence.fresh_in(Zone.ENTRY, Zone.OTHER)).values():
        caps = capabilities(items)
        remote = [
            p
            for p in items
            if p.signal.capability is C.DYNAMIC_CODE and p.signal.detail == "remote-script"
        ]
        loader = remote or pick(items, {C.DECODED_EXEC})
        if not loader and C.NETWORK in caps and caps & LOADERS:
            loader = pick(items, {C.NETWORK} | LOADERS)
        if loader:
            text = f"code of a package with no history {describe(loader)}"
            return [reason(Severity.HIGH, "unvouched-loader", text, loader)]
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
        entry = pick(_first_time(evidence.fresh_in(Zone.ENTRY), cap), {cap})
        other = pick(_first_time(evidence.fresh_in(Zone.OTHER), cap), {cap})
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
            reason(severity, "first-time-capability", f"{release} first {describe(items)}", items)
        )
    return reasons


def lesser_signals(evidence: Evidence) -> list[Reason]:
    """New dynamic code, decryption, whole-environment reads and writes outside the package:
    worth a look, not a stop."""
    fresh = evidence.fresh_in(Zone.ENTRY, Zone.OTHER)
    medium = pick(fresh, {C.DECIPHER, C.DYNAMIC_CODE})
    low = pick(fresh, {C.ENV_ALL, C.ENV_SECRET, C.COMPUTED_REQUIRE, C.DECODE, C.FILE_WRITE})
    reasons = []
    if medium and evidence.kind is not ChangeKind.NEW:
        reasons.append(
            reason(Severity.MEDIUM, "new-capability", f"new code {describe(medium)}", medium)
        )
    if low and evidence.kind is not ChangeKind.NEW:
        reasons.append(reason(Severity.LOW, "new-capability", f"new code {describe(low)}", low))
    return reasons


RULES: tuple[Callable[[Evidence], list[Reason]], ...] = (
    install_time,
    browser_hooks,
    decoded_execution,
    exfiltration,
    remote_shell,
    persistence,
    download_and_run,
    unvouched_loader,
    obfuscation,
    first_time_capability,
    lesser_signals,
    binaries,
    notes,
    package_metadata,
)


def comparable(found: list[Reason], evidence: Evidence) -> list[Reason]:
    """At most medium for a reason about a file the old version's analysis parsed and the new
    one could only read with text patterns: patterns see more than the parser (a method named
    ``fetch``, a word in a string), so what looks new there may be the method. The reason says
    so; the file stays listed as analysed with patterns only."""
    changed = evidence.method_changed
    return [
        replace(
            r,
            severity=Severity.MEDIUM,
            text=f"{r.text} (read with text patterns only, where the previous version's file "
            "was parsed: part of the difference may be the method)",
        )
        if r.severity > Severity.MEDIUM and r.file in changed
        else r
        for r in found
    ]


def decide(evidence: Evidence) -> list[Reason]:
    """Every reason the rules find, most severe first."""
    found = comparable([reason for rule in RULES for reason in rule(evidence)], evidence)
    return sorted(found, key=lambda r: -r.severity)
