"""Known exfiltration endpoints: the one list, with where each entry comes from.

Sources: the ``details`` of the OSV malicious-package records (../shared/advisories: Discord
and Telegram webhooks, pipedream, webhook.site, oast.* are the ones that recur), ProjectDiscovery's
interactsh documentation (its public oast.* server domains), PortSwigger's Burp Collaborator
documentation (burpcollaborator.net, oastify.com), Thinkst Canarytokens, and public write-ups of
npm dependency-confusion and stealer campaigns 2021-2025 for the paste, file-drop and tunnel
services. A host matches itself and its subdomains (``abc.oast.fun``), never a longer name that
merely ends the same way (``mywebhook.site``).
"""

from __future__ import annotations

import ipaddress
import re

from scanner.behaviour.signals.base import Trigger, words
from scanner.behaviour.triggers import raw_ip

# category -> hosts
HOSTS: dict[str, tuple[str, ...]] = {
    "webhook": (
        "webhook.site",
        "pipedream.net",
        "requestbin.net",
        "requestbin.com",
        "requestcatcher.com",
        "hookbin.com",
        "beeceptor.com",
        "mockbin.org",
        "postb.in",
        "ptsv2.com",
        "ptsv3.com",
        "hooks.slack.com",
        "api.telegram.org",
    ),
    "oob": (
        "burpcollaborator.net",
        "oastify.com",
        "interact.sh",
        "interactsh.com",
        "oast.pro",
        "oast.live",
        "oast.site",
        "oast.online",
        "oast.fun",
        "oast.me",
        "canarytokens.com",
        "canarytokens.org",
        "dnslog.cn",
        "ceye.io",
        "requestrepo.com",
        "bxss.me",
        "xss.ht",
    ),
    "paste": (
        "pastebin.com",
        "paste.ee",
        "hastebin.com",
        "rentry.co",
        "dpaste.com",
        "justpaste.it",
        "controlc.com",
        "termbin.com",
    ),
    "file-drop": (
        "transfer.sh",
        "file.io",
        "0x0.st",
        "anonfiles.com",
        "bashupload.com",
        "temp.sh",
        "gofile.io",
    ),
    "tunnel": (
        "ngrok.io",
        "ngrok-free.app",
        "ngrok.app",
        "trycloudflare.com",
        "serveo.net",
        "loca.lt",
        "localtunnel.me",
    ),
}
# Hosts that are only an exfiltration endpoint with this path (discord.com is also an API).
WEBHOOK_PATHS: dict[str, str] = {
    "discord.com": "/api/webhooks",
    "discordapp.com": "/api/webhooks",
    "canary.discord.com": "/api/webhooks",
    "ptb.discord.com": "/api/webhooks",
}
CLOUD_METADATA = ("169.254.169.254", "metadata.google.internal", "100.100.100.200", "fd00:ec2::254")

_GENERIC_LABELS = frozenset({"api", "hooks", "file", "temp", "paste", "transfer"})


def _endpoint_trigger() -> Trigger:
    """What :func:`endpoint_details` needs in the lower-cased text. A listed host is matched
    whole (no letter, digit or ``-`` around it), so the first piece of its first label is a
    piece of the text; hosts whose first piece is a common word are searched whole."""
    pieces: set[str] = {"discord", "discordapp"}  # the webhook URLs
    texts: list[bytes] = [host.encode() for host in CLOUD_METADATA]
    for host in sorted(_CATEGORY):
        first = re.split(r"[^a-z0-9]", host)[0]
        if first in _GENERIC_LABELS:
            texts.append(host.encode())
        else:
            pieces.add(first)
    return Trigger(folded=words(pieces), folded_texts=tuple(texts), tests=(raw_ip,))


_CATEGORY = {host: category for category, hosts in HOSTS.items() for host in hosts}
# No repeated label group before the host: a string of thousands of "a." must not backtrack.
# The look-behind lets a subdomain's dot through and stops a longer name ("mywebhook.site").
_HOST = re.compile(
    r"(?<![a-z0-9-])("
    + "|".join(re.escape(h) for h in sorted(_CATEGORY, key=len, reverse=True))
    + r")(?![a-z0-9-])(?!\.[a-z])",
    re.IGNORECASE,
)
_WEBHOOK = re.compile(
    r"(?<![a-z0-9.-])(?:(?:canary|ptb)\.)?discord(?:app)?\.com(?::\d+)?/api/webhooks", re.IGNORECASE
)
_METADATA = re.compile("|".join(re.escape(h) for h in CLOUD_METADATA), re.IGNORECASE)
_IP_URL = re.compile(
    r"\b(?:https?|wss?|ftp|tcp|udp)://(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])(?::\d{1,5})?",
    re.IGNORECASE,
)
_IP_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d{2,5}$")


def endpoint_details(value: str) -> list[str]:
    """``category:host`` for every known endpoint in a string's text."""
    found: list[str] = []
    lowered = value.lower()
    if "." not in lowered and ":" not in lowered:
        return found
    for match in _HOST.finditer(lowered):
        host = match.group(1)
        found.append(f"{_CATEGORY[host]}:{host}")
    for match in _WEBHOOK.finditer(lowered):
        found.append("webhook:" + match.group().split("/", 1)[0].split(":", 1)[0])
    for match in _METADATA.finditer(lowered):
        found.append(f"cloud-metadata:{match.group()}")
    for match in [*_IP_URL.finditer(value), *_IP_PORT.finditer(value.strip())]:
        address = match.group(1)
        if _public_ip(address):
            found.append(f"ip:{address}")
    return found


def _public_ip(address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    # Loopback, private, link-local, documentation (TEST-NET) and reserved ranges are examples
    # and local services, not somewhere to send data; the metadata address is matched above.
    return ip.is_global and not ip.is_multicast


ENDPOINT_TRIGGER = _endpoint_trigger()
