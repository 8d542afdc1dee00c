"""Which credentials a request carries: npm's nerf-dart scoping, https only (localhost aside),
never across origins, and configuration values that could not go into a header."""

from __future__ import annotations

import pytest

from scanner.errors import RegistryError
from scanner.registry.credentials import (
    AuthEntry,
    auth_entries,
    configured_entry,
    may_carry_credentials,
    may_follow_with_credentials,
)
from scanner.registry.npmrc import NpmConfig
from scanner.registry.url import parse_url

AUTH = {
    "//registry.example.test/": AuthEntry(token="host-token"),
    "//registry.example.test/team/": AuthEntry(token="team-token"),
    "//registry.example.test:8443/": AuthEntry(token="port-token"),
    "//127.0.0.1:4873/": AuthEntry(token="local-token"),
    "//plain.example.test/": AuthEntry(token="plain-token"),
}
CONFIG = NpmConfig(registry="https://registry.example.test/", auth=AUTH)


def _header(url: str) -> str | None:
    return CONFIG.auth_header_for(parse_url(url))


@pytest.mark.parametrize(
    ("url", "header"),
    [
        ("https://registry.example.test/left-pad", "Bearer host-token"),
        ("https://registry.example.test/team/pkg/-/pkg-1.0.0.tgz", "Bearer team-token"),
        ("https://registry.example.test/teamx/pkg", "Bearer host-token"),
        ("https://registry.example.test:8443/x", "Bearer port-token"),
        ("https://registry.example.test:9443/x", None),
        ("https://registry.example.test.evil.example.test/x", None),
        ("https://evil.example.test/registry.example.test/x", None),
        ("http://127.0.0.1:4873/x", "Bearer local-token"),
        ("http://127.0.0.1:4874/x", None),
    ],
)
def test_the_longest_matching_nerf_dart_decides(url: str, header: str | None) -> None:
    assert _header(url) == header


def test_never_over_plain_http_except_to_this_machine() -> None:
    assert _header("https://plain.example.test/x") == "Bearer plain-token"
    assert _header("http://plain.example.test/x") is None
    assert _header("http://registry.example.test/x") is None
    reason = CONFIG.withheld_reason(parse_url("http://plain.example.test/x"))
    assert reason is not None and "only over https" in reason
    assert "plain-token" not in reason
    assert CONFIG.withheld_reason(parse_url("https://plain.example.test/x")) is None
    assert CONFIG.withheld_reason(parse_url("http://nothing.example.test/x")) is None
    for url in ("http://localhost/", "http://127.0.0.2/", "http://[::1]/", "https://a.test/"):
        assert may_carry_credentials(parse_url(url))


def test_redirects_keep_credentials_only_on_the_same_origin() -> None:
    first = parse_url("https://registry.example.test/left-pad")
    same = parse_url("https://registry.example.test/elsewhere")
    assert may_follow_with_credentials(first, same)
    for other in (
        "https://cdn.example.test/left-pad",
        "http://registry.example.test/left-pad",
        "https://registry.example.test:8443/left-pad",
    ):
        assert not may_follow_with_credentials(first, parse_url(other))


def _sources(key: str) -> str:
    return "/home/u/.npmrc"


def test_entries_follow_npm_precedence_and_keep_secrets_out_of_repr() -> None:
    entries = auth_entries(
        {
            "//a.example.test/:_authToken": "tok",
            "//a.example.test/:_auth": "YjpwdzI=",
            "//B.example.test/:username": "bob",
            "//B.example.test/:_password": "cHc=",
            "//c.example.test/:_auth": "Ym9iOnB3",
            "registry": "https://a.example.test/",
        },
        _sources,
    )
    assert entries["//a.example.test/"].header() == "Bearer tok"
    assert entries["//b.example.test/"].header() == "Basic Ym9iOnB3"
    assert entries["//c.example.test/"].header() == "Basic Ym9iOnB3"
    assert "tok" not in repr(entries) and "Ym9i" not in repr(entries)
    assert configured_entry(entries, parse_url("https://b.example.test/x")) is not None


@pytest.mark.parametrize(
    "settings",
    [
        {"//a.example.test/:_authToken": "tok\r\nX-Injected: yes"},
        {"//a.example.test/:_authToken": "tok en"},
        {"//a.example.test/:_authToken": "tök"},
        {"//a.example.test/:_auth": "YjpwdzI=\n"},
        {"//a.example.test/:username": "\ud800", "//a.example.test/:_password": "cHc="},
    ],
)
def test_values_a_header_cannot_carry_are_refused_without_showing_them(
    settings: dict[str, str],
) -> None:
    with pytest.raises(RegistryError) as raised:
        auth_entries(settings, _sources)
    assert raised.value.subject == "/home/u/.npmrc"
    line = raised.value.one_line()
    assert "\n" not in line and "tok" not in line and "Injected" not in line
