"""Reading resolved URLs: hosts, ports, loopback, and registry tarball coordinates."""

from __future__ import annotations

import pytest

from scanner.checks.hygiene.urls import (
    is_loopback,
    normalize_host_entry,
    parse_resolved,
    registry_tarball_coordinates,
)


@pytest.mark.parametrize(
    ("text", "scheme", "host"),
    [
        ("https://registry.example.test/a/-/a-1.0.0.tgz", "https", "registry.example.test"),
        ("https://Registry.Example.Test:443/a", "https", "registry.example.test"),
        ("http://localhost:8080/a", "http", "localhost:8080"),
        ("http://[::1]:4873/a", "http", "[::1]:4873"),
        ("git+ssh://git@git.example.test/x/y.git#abc", "git+ssh", "git.example.test"),
        ("this: is: also: not: valid!", "this", ""),
        ("https://host.example.test:notaport/a", "https", ""),
    ],
)
def test_parse_resolved(text: str, scheme: str, host: str) -> None:
    url = parse_resolved(text)
    assert url is not None
    assert (url.scheme, url.host) == (scheme, host)


@pytest.mark.parametrize("text", ["fake resolved value", "packages/a", "../x/y", ""])
def test_values_without_a_scheme_are_not_urls(text: str) -> None:
    assert parse_resolved(text) is None


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("registry.example.test", "registry.example.test"),
        ("Registry.Example.Test", "registry.example.test"),
        ("localhost:8080", "localhost:8080"),
        ("https://registry.example.test/", "registry.example.test"),
        ("https://registry.example.test:443/npm/", "registry.example.test"),
        ("http://127.0.0.1:4873/", "127.0.0.1:4873"),
        ("", None),
        ("https://", None),
    ],
)
def test_normalize_host_entry(entry: str, key: str | None) -> None:
    assert normalize_host_entry(entry) == key


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True),
     ("registry.example.test", False), ("10.0.0.1", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("text", "name", "matches", "version"),
    [
        ("https://r.example.test/a/-/a-1.0.0.tgz", "a", True, "1.0.0"),
        ("https://r.example.test/@s/a/-/a-1.0.0-beta.1.tgz", "@s/a", True, "1.0.0-beta.1"),
        ("https://r.example.test/@s%2fa/-/a-2.0.0.tgz", "@s/a", True, "2.0.0"),
        ("https://r.example.test/p/q/@s/a/-/@s/a-2.0.0.tgz", "@s/a", True, "2.0.0"),
        ("https://r.example.test/a/-/b-1.0.0.tgz", "a", False, None),
        ("https://r.example.test/a-b/-/a-1.0.0.tgz", "a-b", False, None),
    ],
)
def test_registry_tarball_coordinates(
    text: str, name: str, matches: bool, version: str | None
) -> None:
    url = parse_resolved(text)
    assert url is not None
    coords = registry_tarball_coordinates(url)
    assert coords is not None
    assert (coords.name, coords.file_name_matches, coords.version) == (name, matches, version)


@pytest.mark.parametrize(
    "text",
    [
        "https://r.example.test/download/a/1.0.0/abc",
        "https://r.example.test/-/a-1.0.0.tgz",
        "https://r.example.test/@s/-/a-1.0.0.tgz",
        "https://r.example.test/a/-/a-1.0.0.zip",
    ],
)
def test_other_layouts_have_no_coordinates(text: str) -> None:
    url = parse_resolved(text)
    assert url is not None
    assert registry_tarball_coordinates(url) is None
