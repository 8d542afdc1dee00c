"""Known exfiltration endpoints in the code's string literals.

Detects, in string and template literals: webhook and bot APIs (Discord webhooks, Telegram's bot
API, Slack incoming hooks, webhook.site, pipedream, requestbin...), out-of-band testing domains
(Burp Collaborator, oastify, interactsh and oast.*, canarytokens, dnslog...), paste sites,
file-drop services, tunnels (ngrok, trycloudflare...), cloud metadata addresses
(169.254.169.254, metadata.google.internal), and URLs (or ``host:port`` strings) with a raw
public IPv4 address. The list, with its sources, is :mod:`.endpoints`. ``detail``:
``category:host`` (``webhook:discord.com``, ``oob:oastify.com``, ``ip:203.0.113.9``...).

Why: this is where stolen data goes. Dependency-confusion probes post to OOB domains and
pipedream; Discord-token stealers post to Discord webhooks; the raw IP is the classic
command-and-control address.

Ignores: comments (a README URL in a comment is not a request); loopback, private, link-local,
TEST-NET documentation and reserved addresses; hosts that merely end with a listed name
(``mywebhook.site``); discord.com URLs other than webhooks.
"""

from __future__ import annotations

import re

from scanner.behaviour.context import StringLiteral
from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import Detector, FallbackPattern, Outcome, SignalSpec
from scanner.behaviour.signals.endpoints import ENDPOINT_TRIGGER, endpoint_details

_MAX_LENGTH = 4096


class ExfilEndpointDetector(Detector):
    wants_strings = True

    def on_string(self, literal: StringLiteral) -> None:
        value = literal.value
        if len(value) < 7:  # the shortest listed name, file.io, with one more character
            return
        if len(value) > _MAX_LENGTH:
            value = value[:_MAX_LENGTH]
        for detail in endpoint_details(value):
            self.ctx.emit(Capability.EXFIL_ENDPOINT, literal.node, detail=detail)


_URL_TAIL = re.compile(rb"[^\s'\"`<>()]{1,200}")


def _url(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    """A ``://`` found by text: the URL around it, judged like a string literal's."""
    scheme = re.search(
        rb"([a-zA-Z][a-zA-Z0-9+.-]{0,10})$", data[max(0, match.start() - 12) : match.start()]
    )
    tail = _URL_TAIL.match(data, match.end())
    url = (scheme.group(1) if scheme else b"") + b"://" + (tail.group() if tail else b"")
    return [
        (Capability.EXFIL_ENDPOINT, d) for d in endpoint_details(url.decode("utf-8", "replace"))
    ]


def _host(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    start = max(0, match.start() - 100)
    text = data[start : match.end() + 100].decode("utf-8", "replace")
    return [(Capability.EXFIL_ENDPOINT, d) for d in endpoint_details(text)]


SIGNAL = SignalSpec(
    id=Capability.EXFIL_ENDPOINT.value,
    title="Names an exfiltration endpoint",
    capabilities=(Capability.EXFIL_ENDPOINT,),
    detector=ExfilEndpointDetector,
    doc=__doc__ or "",
    triggers=(ENDPOINT_TRIGGER,),
    patterns=(
        FallbackPattern(re.compile(rb"://"), _url),
        *(
            FallbackPattern(re.compile(re.escape(anchor)), _host, lean=False)
            for anchor in (
                b"oast",
                b"burpcollaborator",
                b"interact",
                b"canarytoken",
                b"dnslog",
                b"169.254.169.254",
                b"metadata.google",
                b"pipedream",
                b"webhook.site",
            )
        ),
    ),
)
