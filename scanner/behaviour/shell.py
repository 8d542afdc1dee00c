"""Shell scripts run by install scripts: what the text says they do.

Shell is not parsed; these patterns cover the commands install-time payloads use: downloads
(``curl``, ``wget``, ``nc``), piping a download into a shell, ``base64 -d``, ``eval``, and
environment dumps (``env``/``printenv`` piped or redirected). Every signal is
``Method.PATTERN`` and the file's note says so.
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
    ),
)
