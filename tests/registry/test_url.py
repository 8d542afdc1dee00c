"""The one URL reading: what is refused, the canonical form requests sends unchanged, and the
nerf-dart the credential lookup uses."""

from __future__ import annotations

import pytest
import requests
import urllib3

from scanner.registry.url import RegistryUrl, UrlRefused, normalise_nerf_dart, parse_url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # The case: depscan read the host after '@', requests the one before the '\'.
        ("http://127.0.0.1:9001\\@127.0.0.1:9002/x/-/x-1.0.0.tgz", "backslash"),
        ("https://registry.example.test\\evil.example.test/x", "backslash"),
        ("https://user:secret@registry.example.test/x", "credentials"),
        ("https://token@registry.example.test/x", "credentials"),
        ("https://evil.example.test%5C@registry.example.test/x", "credentials"),
        ("https://registry.example.test /x", "whitespace"),
        ("https://registry.example.test\t@evil.example.test/", "whitespace"),
        ("https://registry.example.test/x\r\nX-Injected: 1", "whitespace"),
        ("https://regístry.example.test/", "non-ASCII"),
        ("https://registry.example.test./x", "empty label"),
        ("https://registry..example.test/x", "empty label"),
        ("https://reg%69stry.example.test/", "percent-escape in the host"),
        ("https://2130706433/", "numeric host"),
        ("https://0x7f.0.0.1/", "numeric host"),
        ("https://0177.0.0.1/", "numeric host"),
        ("https://127.1/", "numeric host"),
        ("https://256.0.0.1/", "over 255"),
        ("https://registry.example.test:/x", "port"),
        ("https://registry.example.test:0/x", "port"),
        ("https://registry.example.test:65536/x", "port"),
        ("https://registry.example.test:+443/x", "port"),
        ("http://[::1/x", "closing ']'"),
        ("http://[::1]x/", "after the IPv6"),
        ("http://[fe80::1%25eth0]/", "zone"),
        ("http://[not-v6]/", "invalid IPv6"),
        ("http://::1/", "brackets"),
        ("https://registry.example.test/a/../b", "'..'"),
        ("https://registry.example.test/a/%2e%2E/b", "'..'"),
        ("https://registry.example.test/a/./b", "'.'"),
        ("https://registry.example.test/a%zz", "percent-escape"),
        ('https://registry.example.test/a"b', "path"),
        ("https://registry.example.test/a?b=<c>", "query"),
        ("file:///etc/passwd", "http(s)"),
        ("git+https://registry.example.test/x", "http(s)"),
        ("registry.example.test/x", "http(s)"),
        ("https:registry.example.test/x", "'//'"),
        ("https://", "no host"),
        ("https://" + "a" * 9000 + ".test/", "longer"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        parse_url(url)
    assert reason in str(refused.value)
    # The reason never repeats the URL (it may carry a secret).
    assert "secret" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "canonical", "dart"),
    [
        ("https://registry.example.test/", "https://registry.example.test/",
         "//registry.example.test/"),
        ("HTTPS://Registry.Example.Test:443/npm/", "https://registry.example.test/npm/",
         "//registry.example.test/npm/"),
        ("https://registry.example.test", "https://registry.example.test/",
         "//registry.example.test/"),
        ("https://registry.example.test:8443/@corp%2fwidgets",
         "https://registry.example.test:8443/@corp%2Fwidgets",
         "//registry.example.test:8443/@corp%2Fwidgets"),
        ("https://registry.example.test/%7euser/%41?q=%2f#frag",
         "https://registry.example.test/~user/A?q=%2F", "//registry.example.test/~user/A"),
        ("http://127.0.0.1:4873/x/-/x-1.0.0.tgz#sha1", "http://127.0.0.1:4873/x/-/x-1.0.0.tgz",
         "//127.0.0.1:4873/x/-/x-1.0.0.tgz"),
        ("http://[0:0::1]:4873/", "http://[::1]:4873/", "//[::1]:4873/"),
        ("https://my_host.corp.example.test/npm/@s/n(1)!*",
         "https://my_host.corp.example.test/npm/@s/n(1)!*",
         "//my_host.corp.example.test/npm/@s/n(1)!*"),
    ],
)
def test_canonical_form_is_what_requests_and_urllib3_send(
    url: str, canonical: str, dart: str
) -> None:
    parsed = parse_url(url)
    assert parsed.url == canonical
    assert parsed.nerf_dart == dart
    # The property the client relies on: the HTTP stack sends this exact URL to this host.
    assert requests.Request("GET", parsed.url).prepare().url == parsed.url
    wire = urllib3.util.parse_url(parsed.url)
    assert (wire.host or "").strip("[]") == parsed.host
    assert (wire.port or {"http": 80, "https": 443}[parsed.scheme]) == parsed.port
    assert parse_url(parsed.url) == parsed


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:1/", True),
        ("http://127.9.8.7/", True),
        ("http://localhost:4873/", True),
        ("http://[::1]/", True),
        ("http://10.0.0.1/", False),
        ("http://localhost.example.test/", False),
        ("http://registry.example.test/", False),
    ],
)
def test_loopback_is_decided_from_the_text(url: str, loopback: bool) -> None:
    assert parse_url(url).is_loopback is loopback


def test_redirect_locations_resolve_against_the_url() -> None:
    base = parse_url("https://registry.example.test/npm/left-pad")
    assert base.resolve("/other/x").url == "https://registry.example.test/other/x"
    assert base.resolve("sibling").url == "https://registry.example.test/npm/sibling"
    assert base.resolve("?write=1").url == "https://registry.example.test/npm/left-pad?write=1"
    assert base.resolve("//cdn.example.test/t.tgz").url == "https://cdn.example.test/t.tgz"
    assert base.resolve("HTTP://cdn.example.test/t.tgz").scheme == "http"
    for hostile in ("https://u:p@cdn.example.test/", "/a\\b", "../../etc", "//a\\@b/"):
        with pytest.raises(UrlRefused):
            base.resolve(hostile)


def test_nerf_darts_from_configuration_take_the_url_form() -> None:
    assert normalise_nerf_dart("//Registry.Example.Test/") == "//registry.example.test/"
    assert normalise_nerf_dart("//registry.example.test") == "//registry.example.test"
    assert normalise_nerf_dart("//127.0.0.1:4873/npm/") == "//127.0.0.1:4873/npm/"
    assert normalise_nerf_dart("//r.example.test/@corp%2fnpm/") == "//r.example.test/@corp%2Fnpm/"
    # A port written out stays, as in npm: it then matches no URL, whose default port is dropped.
    assert normalise_nerf_dart("//r.example.test:443/") == "//r.example.test:443/"
    # What would not parse as a URL is kept as written, and so matches nothing.
    assert normalise_nerf_dart("//b.example.test\\@a.example.test/") == (
        "//b.example.test\\@a.example.test/"
    )


def test_value_type_shape() -> None:
    parsed = parse_url("https://registry.example.test:8443/a?b")
    assert parsed == RegistryUrl("https", "registry.example.test", 8443, "/a", "b")
    assert parsed.origin == ("https", "registry.example.test", 8443)
    assert parsed.authority == "registry.example.test:8443"
    assert str(parsed) == "https://registry.example.test:8443/a?b"
