"""How a reviewer would say what code does: one phrase per capability, joined into sentences."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.behaviour.model import Capability, Signal, Zone

_PHRASES: dict[Capability, str] = {
    Capability.PROCESS_SPAWN: "spawns processes",
    Capability.NETWORK: "reaches the network",
    Capability.DNS: "makes DNS queries",
    Capability.FILE_WRITE: "writes files",
    Capability.ENV_ALL: "reads the whole environment",
    Capability.ENV_SECRET: "reads secret environment variables",
    Capability.ENV_NAMED: "reads environment variables",
    Capability.DYNAMIC_CODE: "runs dynamically built code",
    Capability.COMPUTED_REQUIRE: "loads modules by computed names",
    Capability.DECODE: "decodes hex or base64 data",
    Capability.DECODED_EXEC: "executes decoded data",
    Capability.DECIPHER: "decrypts data",
    Capability.CREDENTIAL_ACCESS: "reads credential files",
    Capability.EXFIL_ENDPOINT: "contacts an exfiltration endpoint",
    Capability.SKIMMER: "hooks form submission and reads password or card fields",
    Capability.WALLET_HOOK: "hooks wallet or network APIs in the browser",
    Capability.OBFUSCATION: "contains obfuscated code",
    Capability.NATIVE_BINARY: "ships a native executable",
}

# Targets worth naming in the phrase ("reads NPM_TOKEN", "posts to discord.com/api/webhooks").
_WITH_TARGET: dict[Capability, str] = {
    Capability.ENV_SECRET: "reads {}",
    Capability.CREDENTIAL_ACCESS: "reads {}",
    Capability.EXFIL_ENDPOINT: "contacts {}",
    Capability.DECODED_EXEC: "passes decoded data to {}",
    Capability.FILE_WRITE: "writes to {}",
}
_DETAIL_PHRASES = {
    (Capability.DYNAMIC_CODE, "remote-script"): "loads and runs a script from another host{}",
    (Capability.NETWORK, "spawn:"): "downloads with {}",
    (Capability.PROCESS_SPAWN, "shell:"): "starts a shell ({})",
    (Capability.CREDENTIAL_ACCESS, "keystrokes"): "logs keystrokes",
    (Capability.CREDENTIAL_ACCESS, "screen"): "captures the screen",
    (Capability.FILE_WRITE, "persistence"): "sets itself up to run again at login or on a schedule",
    (Capability.FILE_WRITE, "install-hook-injection"): (
        "writes an install script into other projects' package.json"
    ),
    (Capability.WALLET_HOOK, "clipboard-swap"): "watches the clipboard for crypto-wallet addresses",
    (Capability.WALLET_HOOK, "wallet-transaction"): (
        "asks the browser wallet to sign or send a transaction"
    ),
    (Capability.OBFUSCATION, "encoded-names"): "hides module names or commands by encoding them",
}

_ZONE_PLACE = {
    Zone.INSTALL: "install-time code",
    Zone.ENTRY: "an entry point",
    Zone.OTHER: "shipped code",
    Zone.TEST: "tests",
    Zone.TYPES: "type declarations",
}

_MAX_TARGET = 60


_ENV_USE = {
    "serialised": "serialises the whole environment",
    "enumerated": "enumerates the whole environment",
}


def phrase(signal: Signal) -> str:
    if signal.capability is Capability.ENV_ALL:
        return _ENV_USE.get(signal.detail or "", "passes the whole environment on")
    detail = signal.detail or ""
    if signal.capability is Capability.DECODED_EXEC and detail.startswith("literal:"):
        return f"decodes a literal written in the code and passes it to {detail[8:]}"
    for (capability, prefix), shaped in _DETAIL_PHRASES.items():
        if signal.capability is capability and (signal.detail or "").startswith(prefix):
            return shaped.format((signal.detail or "")[len(prefix) :])
    template = _WITH_TARGET.get(signal.capability)
    if template and signal.detail:
        detail = signal.detail if len(signal.detail) <= _MAX_TARGET else signal.detail[:59] + "…"
        return template.format(detail)
    return _PHRASES[signal.capability]


def capability_phrase(capability: Capability) -> str:
    return _PHRASES[capability]


def place(zone: Zone) -> str:
    return _ZONE_PLACE[zone]


def where(signal: Signal) -> str:
    return f"{signal.file}:{signal.line}" if signal.line else signal.file


def join(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``; repeated items once, order kept."""
    unique = list(dict.fromkeys(item for item in items if item))
    if len(unique) <= 1:
        return "".join(unique)
    return ", ".join(unique[:-1]) + " and " + unique[-1]
