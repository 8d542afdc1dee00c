"""Shell, batch and PowerShell scripts run by install scripts: what the text says they do.

Scripts are not parsed; these patterns cover the commands install-time payloads use: downloads
(``curl``, ``wget``, ``Invoke-WebRequest``, ``bitsadmin``, ``certutil -urlcache``, a URL in a
command line), piping a download into a shell, ``base64 -d``, ``eval``, PowerShell's encoded
commands, loaders of DLLs and HTML applications (``regsvr32``, ``rundll32``, ``mshta``),
environment dumps (``env``/``printenv`` piped or redirected), and batch files that assemble their
commands from variable fragments (``%a%%b%``, ``%x:~0,4%``) so that no command is written out,
as the 2021 coa and rc hijacks did. Every signal is ``Method.PATTERN`` and the file's note says
so.
"""

from __future__ import annotations

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import SignalSpec, fixed

SHELL_SIGNAL = SignalSpec(
    id="shell",
    title="Shell script commands",
    capabilities=(
        Capability.NETWORK,
        Capability.DECODE,
        Capability.DECODED_EXEC,
        Capability.DYNAMIC_CODE,
        Capability.ENV_ALL,
        Capability.PROCESS_SPAWN,
        Capability.OBFUSCATION,
    ),
    detector=None,
    doc=__doc__ or "",
    patterns=(
        fixed(Capability.NETWORK, rb"curl\s", "curl"),
        fixed(Capability.NETWORK, rb"wget\s", "wget"),
        fixed(Capability.NETWORK, rb"Invoke-WebRequest\b", "Invoke-WebRequest"),
        fixed(Capability.DECODED_EXEC, rb"curl[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b", "shell"),
        fixed(Capability.DECODED_EXEC, rb"wget[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b", "shell"),
        fixed(Capability.DECODE, rb"base64\s+(?:-d|--decode|-D)\b", "base64"),
        fixed(Capability.DYNAMIC_CODE, rb"eval\s", "eval"),
        fixed(Capability.ENV_ALL, rb"printenv\s*(?:\||>)", "serialised"),
        fixed(Capability.ENV_ALL, rb"env\s*(?:\||>)", "serialised"),
        fixed(Capability.NETWORK, rb"(?i)\bbitsadmin\b[^\n]*\/transfer", "bitsadmin"),
        fixed(Capability.NETWORK, rb"(?i)\bcertutil\b[^\n]*-urlcache", "certutil"),
        fixed(Capability.NETWORK, rb"(?i)\b(?:DownloadString|DownloadFile|iwr)\b", "powershell"),
        fixed(
            Capability.NETWORK,
            rb"(?im)^(?![ \t]*(?:#|rem\b|::|REM\b))[^\n]*\bhttps?://",
            "url",
        ),
        fixed(
            Capability.DECODED_EXEC,
            rb"(?i)\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]*\s-e(?:nc|ncodedcommand)?\s",
            "powershell",
        ),
        fixed(Capability.PROCESS_SPAWN, rb"(?i)\b(?:regsvr32|rundll32|mshta)\b", "lolbin"),
        fixed(
            Capability.OBFUSCATION,
            rb"(?:%[A-Za-z_]\w{0,15}%){2,}|%[A-Za-z_]\w{0,15}:~-?\d+(?:,-?\d+)?%",
            "command-fragments",
        ),
    ),
)
