"""One registry GET against mocked HTTP: credentials per hop, redirects, refused URLs, the
deadline and Retry-After. (Slow bodies need real sockets: tests/hostile/test_deadlines.py.)"""

from __future__ import annotations

import time
from typing import Any

import pytest
import responses

from scanner.errors import TarballError
from scanner.registry.client import RegistryClient
from scanner.registry.npmrc import AuthEntry, NpmConfig
from scanner.registry.packument import Packument, Unavailable

from .helpers import REG, packument_document

TOKEN = "fetch-test-token-5f2b"
AUTH = {"//registry.example.test/": AuthEntry(token=TOKEN)}
CONFIG = NpmConfig(registry=REG, auth=AUTH)
SHA512 = "sha512-" + "A" * 86 + "=="


def _client(**options: Any) -> RegistryClient:
    return RegistryClient(options.pop("config", CONFIG), cache_dir=None, **options)


def _authorization(call: Any) -> str | None:
    value = call.request.headers.get("Authorization")
    return str(value) if value is not None else None


@responses.activate
def test_a_redirect_to_another_host_loses_the_token() -> None:
    responses.get(REG + "left-pad", status=302, headers={"Location": "https://mirror.example.test/lp"})
    responses.get("https://mirror.example.test/lp", json=packument_document("left-pad"))
    with _client() as client:
        assert isinstance(client.packument("left-pad"), Packument)
    assert [c.request.url for c in responses.calls] == [
        REG + "left-pad", "https://mirror.example.test/lp"
    ]
    assert _authorization(responses.calls[0]) == f"Bearer {TOKEN}"
    assert _authorization(responses.calls[1]) is None


@responses.activate
def test_a_redirect_on_the_same_origin_keeps_it_and_a_downgrade_to_http_loses_it() -> None:
    responses.get(REG + "a", status=301, headers={"Location": "/moved/a"})
    responses.get(REG + "moved/a", json=packument_document("a"))
    responses.get(REG + "b", status=307, headers={"Location": "http://registry.example.test/b"})
    responses.get("http://registry.example.test/b", json=packument_document("b"))
    with _client() as client:
        assert isinstance(client.packument("a"), Packument)
        assert isinstance(client.packument("b"), Packument)
    by_url = {c.request.url: _authorization(c) for c in responses.calls}
    assert by_url[REG + "moved/a"] == f"Bearer {TOKEN}"
    assert by_url["http://registry.example.test/b"] is None


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.1:9\\@registry.example.test/x", "backslash"),
        ("https://user:pass@mirror.example.test/x", "credentials"),
        ("/x/../../admin", "'..'"),
        ("file:///etc/passwd", "http(s)"),
    ],
)
@responses.activate
def test_a_hostile_redirect_is_refused_not_followed(location: str, reason: str) -> None:
    responses.get(REG + "left-pad", status=302, headers={"Location": location})
    with _client() as client:
        result = client.packument("left-pad")
    assert isinstance(result, Unavailable)
    assert result.reason.startswith("redirect refused") and reason in result.reason
    assert len(responses.calls) == 1


@responses.activate
def test_redirect_loops_end() -> None:
    responses.get(REG + "loop", status=302, headers={"Location": "/loop"})
    with _client() as client:
        result = client.packument("loop")
    assert isinstance(result, Unavailable) and "more than 5 redirects" in result.reason
    assert len(responses.calls) == 6


@responses.activate
def test_no_token_over_plain_http_to_another_machine() -> None:
    plain = "http://plain.example.test/"
    config = NpmConfig(registry=plain, auth={"//plain.example.test/": AuthEntry(token=TOKEN)})
    responses.get(plain + "private", status=401)
    with _client(config=config) as client:
        result = client.packument("private")
    assert _authorization(responses.calls[0]) is None
    assert isinstance(result, Unavailable)
    assert "HTTP 401" in result.reason and "only over https" in result.reason
    assert TOKEN not in result.reason


@responses.activate
def test_a_token_for_localhost_travels_over_http() -> None:
    local = "http://127.0.0.1:4873/"
    config = NpmConfig(registry=local, auth={"//127.0.0.1:4873/": AuthEntry(token=TOKEN)})
    responses.get(local + "left-pad", json=packument_document("left-pad"))
    with _client(config=config) as client:
        assert isinstance(client.packument("left-pad"), Packument)
    assert _authorization(responses.calls[0]) == f"Bearer {TOKEN}"


@responses.activate
def test_names_that_would_escape_the_registry_path_are_refused() -> None:
    with _client() as client:
        results = client.packuments(["..", "."])
    assert all(isinstance(r, Unavailable) and "URL refused" in r.reason for r in results.values())
    assert len(responses.calls) == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9\\@registry.example.test/x/-/x-1.0.0.tgz",
        "https://user:s3cr3t@registry.example.test/x/-/x-1.0.0.tgz",
        "https://registry.example.test/x/-/x 1.tgz",
        "ftp://registry.example.test/x.tgz",
    ],
)
@responses.activate
def test_hostile_tarball_urls_are_refused_before_any_request(url: str) -> None:
    with _client() as client, pytest.raises(TarballError) as raised:
        client.tarball(url, integrity=SHA512, shasum=None, name="x@1.0.0")
    assert "tarball URL refused" in raised.value.message
    assert "s3cr3t" not in raised.value.one_line()
    assert len(responses.calls) == 0


@pytest.mark.parametrize(
    "retry_after", ["10", "Fri, 01 Jan 9999 00:00:00 GMT"]
)
@responses.activate
def test_retry_after_past_the_deadline_gives_up_at_once(
    retry_after: str, sleeps: list[float]
) -> None:
    responses.get(REG + "busy", status=429, headers={"Retry-After": retry_after})
    with _client(deadline=5.0) as client:
        result = client.packument("busy")
    assert isinstance(result, Unavailable)
    assert "HTTP 429" in result.reason
    assert "past the 5 s registry deadline" in result.reason
    assert sleeps == [] and len(responses.calls) == 1


@responses.activate
def test_nothing_is_fetched_after_the_deadline() -> None:
    responses.get(REG + "late", json=packument_document("late"))
    with _client(deadline=0.05) as client:
        time.sleep(0.1)
        result = client.packument("late")
    assert result == Unavailable("late", "not fetched: the 0.05 s registry deadline passed")
    assert len(responses.calls) == 0


@responses.activate
def test_npm_fetch_retries_applies(sleeps: list[float]) -> None:
    responses.get(REG + "flaky", status=503)
    config = NpmConfig(registry=REG, fetch_retries=1)
    with _client(config=config) as client:
        result = client.packument("flaky")
    assert result == Unavailable("flaky", "registry answered HTTP 503 (after 2 attempts)")
    assert len(responses.calls) == 2
