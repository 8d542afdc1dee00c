"""Shell, batch and PowerShell scripts run by install scripts: what the text says they do.

Scripts are not parsed; these patterns cover the commands install-time payloads use: downloads
(``curl``, ``wget``, ``Invoke-WebRequest``, ``bitsadmin``, ``certutil -urlcache``, a URL in a
command line), piping a download into a shell, ``base64 -d``, ``eval``, PowerShell's encoded
commands, loaders of DLLs and HTML applications (``regsvr32``, ``rundll32``, ``mshta``), environment
dumps (``env``/``printenv`` piped or redirected), spyware (keystroke polling and hooks, screen
capture, read as credential access), persistence (``crontab``, ``launchctl load``, ``schtasks
/create``, the Run key, the Startup folder, ``systemctl --user enable``), and batch files that
assemble their commands from variable fragments (``%a%%b%``, ``%x:~0,4%``) so that no command is
written out, as the 2021 coa and rc hijacks did. The same patterns read the command lines JavaScript
code spawns (``scanner.behaviour.signals.process_spawn``). Every signal is ``Method.PATTERN`` and
the file's note says so.
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
        Capability.FILE_WRITE,
        Capability.CREDENTIAL_ACCESS,
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
        fixed(
            Capability.NETWORK,
            rb"(?i)\b(?:DownloadString|DownloadFile|UploadFile|iwr|Invoke-RestMethod|irm)\b",
            "powershell",
        ),
        # Windows Script Host decoding base64 through an XML node into a binary stream: how
        # VBScript droppers turn a bundled text file into an executable.
        fixed(Capability.DECODE, rb"(?i)\bbin\.base64\b", "base64"),
        # Spyware: keystrokes polled or hooked, the screen captured.
        fixed(
            Capability.CREDENTIAL_ACCESS,
            rb"(?i)\b(?:GetAsyncKeyState|SetWindowsHookEx\w*|GetKeyboardState)\b",
            "keystrokes",
        ),
        fixed(
            Capability.CREDENTIAL_ACCESS,
            rb"(?i)\b(?:CopyFromScreen|screencapture\s+-\w|scrot\s|import\s+-window\s+root)",
            "screen",
        ),
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
        # Making something run again later: a crontab (not just listing it), a launch agent,
        # a scheduled task, the Run key, a systemd user unit.
        fixed(Capability.FILE_WRITE, rb"(?i)\bcrontab\b(?![ \t]+-l\b)", "persistence"),
        fixed(
            Capability.FILE_WRITE,
            rb"(?i)\blaunchctl\s+(?:load|bootstrap|submit)\b",
            "persistence",
        ),
        fixed(Capability.FILE_WRITE, rb"(?i)\bschtasks(?:\.exe)?\s+/create\b", "persistence"),
        fixed(
            Capability.FILE_WRITE,
            rb"(?i)(?:\breg(?:\.exe)?\s+add|New-ItemProperty|\.RegWrite)\b[^\n]*CurrentVersion\\+Run",
            "persistence",
        ),
        fixed(Capability.FILE_WRITE, rb"(?i)\bsystemctl\s+--user\s+enable\b", "persistence"),
        fixed(
            Capability.FILE_WRITE,
            rb"(?i)Start Menu[\\/]+Programs[\\/]+Startup|\bRegister-ScheduledTask\b",
            "persistence",
        ),
    ),
)


def command_outcomes(command: str) -> list[tuple[Capability, str | None, str]]:
    """(capability, detail, matched text) of the shell patterns a command line matches, once
    each: what a spawned command does, read like a line of a script."""
    data = command.encode("utf-8", "replace")
    found: dict[tuple[Capability, str | None], str] = {}
    for pattern in SHELL_SIGNAL.patterns:
        match = pattern.regex.search(data)
        if match is None:
            continue
        for capability, detail in pattern.describe(match, data):
            found.setdefault((capability, detail), match.group().decode("utf-8", "replace"))
    return [(c, d, text) for (c, d), text in found.items()]
