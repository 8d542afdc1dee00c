"""Install-time rules: what a package runs on ``npm install``, judged before anything runs."""

from __future__ import annotations

from dataclasses import replace

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import Zone
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.verdict.evidence import Evidence, ScriptChange
from scanner.verdict.phrases import join
from scanner.verdict.reasons import (
    CHANNELS,
    FEW_VERSIONS,
    SOURCES,
    Reason,
    capabilities,
    describe,
    no_history,
    pick,
    reason,
    short,
)

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


def _established_install(evidence: Evidence) -> bool:
    """A new-to-the-project package whose earlier releases ran install scripts too (esbuild's,
    sharp's): long-standing behaviour, not something this release introduced."""
    meta = evidence.metadata
    if evidence.kind is not ChangeKind.NEW or meta is None or no_history(evidence):
        return False
    earlier, total = meta.earlier_install_scripts, meta.earlier_versions
    return bool(earlier and total and total > FEW_VERSIONS and earlier * 2 >= total)


def install_time(evidence: Evidence) -> list[Reason]:
    """New install-time code that touches the network, the environment or credentials, or that
    executes decoded data: how ua-parser-js 0.7.29, Shai-Hulud and most npm malware run."""
    fresh = evidence.fresh_in(Zone.INSTALL)
    caps = capabilities(fresh)
    scripts = evidence.scripts
    established = _established_install(evidence)
    lead = _install_lead(evidence)
    reasons: list[Reason] = []
    if SOURCES & caps and CHANNELS & caps:
        items = pick(fresh, (SOURCES | CHANNELS) & caps)
        severity = Severity.HIGH if established else Severity.CRITICAL
        reasons.append(reason(severity, "install-exfiltration", lead + describe(items), items))
    if C.DECODED_EXEC in caps or (
        C.DECIPHER in caps and caps & {C.DYNAMIC_CODE, C.COMPUTED_REQUIRE}
    ):
        items = pick(fresh, {C.DECODED_EXEC, C.DECIPHER, C.DYNAMIC_CODE, C.COMPUTED_REQUIRE})
        reasons.append(
            reason(Severity.CRITICAL, "install-decoded-exec", lead + describe(items), items)
        )
    risky = pick(fresh, INSTALL_RISK & caps)
    if risky and not reasons:
        severity = Severity.MEDIUM if established else Severity.HIGH
        reasons.append(reason(severity, "install-risky-code", lead + describe(risky), risky))
    build = pick(fresh, INSTALL_BUILD & caps)
    if build and not reasons:
        # A build step is what established native packages run; a package with no history
        # that spawns processes on install is how typosquats start their payload.
        if no_history(evidence):
            severity = Severity.HIGH
        else:
            severity = Severity.LOW if established else Severity.MEDIUM
        reasons.append(reason(severity, "install-build-step", lead + describe(build), build))
    for script in scripts:
        if script.downloads:
            reasons.append(
                Reason(
                    Severity.MEDIUM if established else Severity.HIGH,
                    f"{_verb(script, evidence.kind)} {article(script.name)} script that fetches or "
                    "runs code inline: "
                    f"`{short(script.command)}`",
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


def article(word: str) -> str:
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
        f"{_verb(s, evidence.kind)} {article(s.name)} script (`{short(s.command)}`)"
        for s in evidence.scripts
    ]
    runs = sorted({path for s in evidence.scripts for path in s.runs})
    shown = join(runs[:3]) + (f" and {len(runs) - 3} more files" if len(runs) > 3 else "")
    return join(parts) + (f" that runs {shown}" if runs else "") + ", which "
