"""The registry client against mocked HTTP: retries, failures as values, cache, auth, tarballs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from scanner.errors import TarballError
from scanner.registry.client import RETRY_AFTER_CAP_SECONDS, RegistryClient, package_path
from scanner.registry.npmrc import AuthEntry, NpmConfig
from scanner.registry.packument import Packument, Unavailable

from .helpers import REG, manifest, packument_document

CONFIG = NpmConfig(registry=REG)


def _client(tmp_path: Path | None = None, **options: Any) -> RegistryClient:
    cache_dir = tmp_path / "cache" if tmp_path is not None else None
    return RegistryClient(options.pop("config", CONFIG), cache_dir=cache_dir, **options)


def _json_body(document: object) -> str:
    return json.dumps(document)


@responses.activate
def test_fetches_and_trims_with_full_document_accept_header() -> None:
    responses.get(REG + "left-pad", json=packument_document("left-pad", ("1.0.0", "1.3.0")))
    with _client() as client:
        result = client.packument("left-pad")
    assert isinstance(result, Packument)
    assert sorted(result.versions) == ["1.0.0", "1.3.0"]
    assert result.versions["1.3.0"].publisher == "alice"
    sent = responses.calls[0].request.headers
    assert sent["Accept"] == "application/json"
    assert "Authorization" not in sent


def test_scoped_names_are_encoded_like_npm() -> None:
    assert package_path("@scope/name") == "@scope%2fname"
    assert package_path("left-pad") == "left-pad"
    assert package_path("Old_Name.js") == "Old_Name.js"


@responses.activate
def test_not_found_is_a_value(sleeps: list[float]) -> None:
    responses.get(REG + "nope", status=404, json={"error": "Not found"})
    result = _client().packument("nope")
    assert result == Unavailable("nope", "not found in registry (HTTP 404)")
    assert len(responses.calls) == 1 and sleeps == []


@responses.activate
def test_auth_refusal_says_so(sleeps: list[float]) -> None:
    responses.get(REG + "private", status=401)
    result = _client().packument("private")
    assert isinstance(result, Unavailable) and "HTTP 401" in result.reason
    assert "auth" in result.reason


@responses.activate
def test_timeout_is_retried_then_a_value(sleeps: list[float]) -> None:
    responses.get(REG + "slow", body=requests.exceptions.ReadTimeout("read timed out"))
    result = _client(timeout=5, retries=2).packument("slow")
    assert isinstance(result, Unavailable)
    assert result.reason == "timed out after 5s (after 3 attempts)"
    assert len(responses.calls) == 3
    assert sleeps == [0.5, 1.0]


@responses.activate
def test_connection_error_is_a_value(sleeps: list[float]) -> None:
    responses.get(REG + "down", body=requests.exceptions.ConnectionError("refused"))
    result = _client(retries=1).packument("down")
    assert result == Unavailable("down", "connection failed (after 2 attempts)")


@responses.activate
def test_429_honours_retry_after_then_succeeds(sleeps: list[float]) -> None:
    responses.get(REG + "busy", status=429, headers={"Retry-After": "7"})
    responses.get(REG + "busy", json=packument_document("busy"))
    result = _client().packument("busy")
    assert isinstance(result, Packument)
    assert sleeps == [7.0]


@responses.activate
def test_retry_after_is_capped(sleeps: list[float]) -> None:
    responses.get(REG + "busy", status=429, headers={"Retry-After": "86400"})
    responses.get(
        REG + "busy", status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    responses.get(REG + "busy", json=packument_document("busy"))
    assert isinstance(_client().packument("busy"), Packument)
    assert sleeps == [RETRY_AFTER_CAP_SECONDS, 0.0]


@responses.activate
def test_500_then_success(sleeps: list[float]) -> None:
    responses.get(REG + "flaky", status=500)
    responses.get(REG + "flaky", json=packument_document("flaky"))
    assert isinstance(_client().packument("flaky"), Packument)
    assert len(responses.calls) == 2 and sleeps == [0.5]


@responses.activate
def test_500_forever_gives_up_with_exponential_backoff(sleeps: list[float]) -> None:
    responses.get(REG + "broken", status=502)
    result = _client(retries=4).packument("broken")
    assert result == Unavailable("broken", "registry answered HTTP 502 (after 5 attempts)")
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


@responses.activate
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_json_body(packument_document("bad"))[:150], "not valid JSON"),
        ("<html>gateway</html>", "not valid JSON"),
        ("", "not valid JSON"),
        ('["not", "a", "packument"]', "JSON list"),
        ('{"name": "bad"}', "no versions"),
        ('{"name": "other", "versions": {}}', "'other'"),
    ],
)
def test_garbage_bodies_are_values(body: str, reason: str, sleeps: list[float]) -> None:
    responses.get(REG + "bad", body=body)
    result = _client().packument("bad")
    assert isinstance(result, Unavailable) and result.name == "bad"
    assert reason in result.reason


@responses.activate
def test_huge_document_is_trimmed_before_it_is_kept(tmp_path: Path) -> None:
    versions = tuple(f"1.0.{i}" for i in range(1500))
    document = packument_document("huge", versions)
    for version in versions:
        document["versions"][version]["readme"] = "x" * 20_000
        document["versions"][version]["files"] = [f"lib/file{i}.js" for i in range(50)]
    body = json.dumps(document).encode()
    del document
    assert len(body) > 30 * 1024**2
    responses.get(REG + "huge", body=body, headers={"ETag": '"v1"'})

    with _client(tmp_path) as client:
        result = client.packument("huge")
        assert isinstance(result, Packument) and len(result.versions) == 1500
        assert client._cache is not None
        stored = client._cache.stored_size(REG + "huge")
    assert stored is not None
    assert stored < len(body) / 50, (stored, len(body))
    assert len(repr(result)) < len(body) / 20


@responses.activate
def test_etag_revalidation_reuses_the_cached_document(tmp_path: Path, sleeps: list[float]) -> None:
    responses.get(REG + "cached", json=packument_document("cached"), headers={"ETag": '"e1"'})
    with _client(tmp_path) as first:
        original = first.packument("cached")
    assert isinstance(original, Packument)

    responses.replace(responses.GET, REG + "cached", status=304, headers={"ETag": '"e1"'})
    with _client(tmp_path) as second:
        revalidated = second.packument("cached")
    assert revalidated == original
    assert responses.calls[1].request.headers["If-None-Match"] == '"e1"'

    # The 304 refreshed the entry: it still revalidates with the same tag next time.
    with _client(tmp_path) as third:
        assert third.packument("cached") == original
    assert responses.calls[2].request.headers["If-None-Match"] == '"e1"'


@responses.activate
def test_changed_document_replaces_the_cached_one(tmp_path: Path) -> None:
    responses.get(REG + "moving", json=packument_document("moving"), headers={"ETag": '"a"'})
    with _client(tmp_path) as first:
        first.packument("moving")
    responses.replace(
        responses.GET,
        REG + "moving",
        json=packument_document("moving", ("1.0.0", "2.0.0")),
        headers={"ETag": '"b"'},
    )
    with _client(tmp_path) as second:
        updated = second.packument("moving")
    assert isinstance(updated, Packument) and "2.0.0" in updated.versions
    with _client(tmp_path, offline=True) as offline:
        cached = offline.packument("moving")
    assert isinstance(cached, Packument) and "2.0.0" in cached.versions


@responses.activate
def test_offline_reads_the_cache_and_never_the_network(tmp_path: Path) -> None:
    responses.get(REG + "known", json=packument_document("known"))
    with _client(tmp_path) as online:
        fetched = online.packument("known")
    calls_before = len(responses.calls)

    with _client(tmp_path, offline=True) as offline:
        assert offline.packument("known") == fetched
        assert offline.packument("unknown") == Unavailable("unknown", "offline and not in cache")
    assert len(responses.calls) == calls_before


def test_offline_without_a_cache_dir_has_nothing() -> None:
    with _client(offline=True) as offline:
        assert offline.packuments(["a", "b"]) == {
            "a": Unavailable("a", "offline and not in cache"),
            "b": Unavailable("b", "offline and not in cache"),
        }


@responses.activate
def test_corrupt_cache_entry_is_refetched(tmp_path: Path) -> None:
    responses.get(REG + "c", json=packument_document("c"), headers={"ETag": '"t"'})
    with _client(tmp_path) as first:
        first.packument("c")
        assert first._cache is not None
        first._cache.put_document(REG + "c", '"t"', {"name": "c"})
    with _client(tmp_path) as second:
        assert isinstance(second.packument("c"), Packument)
    assert "If-None-Match" not in responses.calls[1].request.headers


@responses.activate
def test_many_names_fetched_concurrently_each_once() -> None:
    names = [f"pkg-{i}" for i in range(120)] + ["@scope/deep"]
    for name in names:
        responses.get(REG + package_path(name), json=packument_document(name))
    barrier = threading.Barrier(8, timeout=30)
    original_get = requests.Session.get

    def get_waiting_for_company(session: requests.Session, url: str, **kwargs: Any) -> Any:
        # Eight requests must be in flight together for any of them to proceed.
        if url.endswith(("pkg-0", "pkg-1", "pkg-2", "pkg-3", "pkg-4", "pkg-5", "pkg-6", "pkg-7")):
            barrier.wait()
        return original_get(session, url, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(requests.Session, "get", get_waiting_for_company)
        with _client(jobs=16) as client:
            first = client.packuments(names + names[:10])
            again = client.packuments(reversed(names))
            single = client.packument("pkg-3")

    assert all(isinstance(v, Packument) for v in first.values())
    assert set(first) == set(names)
    assert again == first and single is first["pkg-3"]
    urls = [call.request.url for call in responses.calls]
    assert len(urls) == len(names) == len(set(urls))


@responses.activate
def test_same_name_from_many_threads_is_fetched_once() -> None:
    responses.get(REG + "shared", json=packument_document("shared"))
    results: list[object] = []
    with _client() as client:
        threads = [
            threading.Thread(target=lambda: results.append(client.packument("shared")))
            for _ in range(10)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(results) == 10 and all(r is results[0] for r in results)
    assert len(responses.calls) == 1


@responses.activate
def test_scoped_registry_and_auth_go_only_to_their_host() -> None:
    corp = "https://corp.example.test/npm/"
    config = NpmConfig(
        registry=REG,
        scoped={"@corp": corp},
        auth={"//corp.example.test/npm/": AuthEntry(token="corp-token")},
    )
    responses.get(corp + "@corp%2flib", json=packument_document("@corp/lib"))
    responses.get(REG + "public", json=packument_document("public"))
    with _client(config=config) as client:
        results = client.packuments(["@corp/lib", "public"])
    assert all(isinstance(v, Packument) for v in results.values())
    # urllib3 writes percent-escapes in upper case; RFC 3986 makes %2f and %2F the same.
    by_url = {str(call.request.url).lower(): call.request.headers for call in responses.calls}
    assert by_url[corp + "@corp%2flib"]["Authorization"] == "Bearer corp-token"
    assert "Authorization" not in by_url[REG + "public"]


def test_netrc_credentials_are_never_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine registry.example.test login x password leaked\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with responses.RequestsMock() as mock:
        mock.get(REG + "p", json=packument_document("p"))
        _client().packument("p")
        assert "Authorization" not in mock.calls[0].request.headers


@responses.activate
def test_signing_keys() -> None:
    keys = {"keys": [{"keyid": "SHA256:abc", "key": "MFkw", "expires": None}]}
    responses.get(REG + "-/npm/v1/keys", json=keys)
    with _client() as client:
        assert client.signing_keys() == keys["keys"]
        assert client.signing_keys() == keys["keys"]
    assert len(responses.calls) == 1


@responses.activate
def test_missing_signing_keys_are_unavailable(sleeps: list[float]) -> None:
    responses.get(REG + "-/npm/v1/keys", status=404)
    result = _client().signing_keys()
    assert isinstance(result, Unavailable) and "404" in result.reason


@responses.activate
def test_progress_line_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("a", "b", "c"):
        responses.get(REG + name, json=packument_document(name))
    monkeypatch.delenv("CI", raising=False)

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _client(progress=True) as client:
        client.packuments(["a", "b", "c"])
    assert "3/3" in terminal.getvalue()

    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with _client(progress=False) as client:
        client.packuments(["a", "b", "c"])
    assert quiet.getvalue() == ""

    in_ci = Terminal()
    monkeypatch.setattr(sys, "stderr", in_ci)
    monkeypatch.setenv("CI", "true")
    with _client(progress=True) as client:
        client.packuments(["a", "b", "c"])
    assert in_ci.getvalue() == ""


# -- tarballs ---------------------------------------------------------------------------------

TGZ = b"\x1f\x8b fixture tarball bytes"
TGZ_URL = REG + "left-pad/-/left-pad-1.3.0.tgz"
SHA512 = "sha512-" + base64.b64encode(hashlib.sha512(TGZ).digest()).decode()
SHA1_HEX = hashlib.sha1(TGZ).hexdigest()


@responses.activate
def test_tarball_sha512_verified_and_cached(tmp_path: Path) -> None:
    responses.get(TGZ_URL, body=TGZ)
    with _client(tmp_path) as client:
        assert client.tarball(TGZ_URL, integrity=SHA512, shasum=None, name="left-pad@1.3.0") == TGZ
    with _client(tmp_path, offline=True) as offline:
        assert offline.tarball(TGZ_URL, integrity=SHA512, shasum=None, name="left-pad@1.3.0") == TGZ
    assert len(responses.calls) == 1


@responses.activate
def test_tarball_sha512_mismatch_raises(tmp_path: Path) -> None:
    responses.get(TGZ_URL, body=TGZ + b"tampered")
    with _client(tmp_path) as client, pytest.raises(TarballError) as raised:
        client.tarball(TGZ_URL, integrity=SHA512, shasum=SHA1_HEX, name="left-pad@1.3.0")
    assert raised.value.subject == "left-pad@1.3.0"
    assert "sha512 integrity mismatch" in raised.value.message
    # Nothing unverified reaches the cache.
    with _client(tmp_path, offline=True) as offline, pytest.raises(TarballError):
        offline.tarball(TGZ_URL, integrity=SHA512, shasum=None, name="left-pad@1.3.0")


@responses.activate
def test_tarball_sha1_shasum_fallback() -> None:
    responses.get(TGZ_URL, body=TGZ)
    with _client() as client:
        assert client.tarball(TGZ_URL, integrity=None, shasum=SHA1_HEX, name="old@0.1.0") == TGZ
        with pytest.raises(TarballError) as raised:
            client.tarball(TGZ_URL, integrity=None, shasum="0" * 40, name="old@0.1.0")
    assert "sha1" in raised.value.message


def test_tarball_without_hash_raises_before_downloading() -> None:
    with responses.RequestsMock() as mock, _client() as client:
        with pytest.raises(TarballError) as raised:
            client.tarball(TGZ_URL, integrity=None, shasum=None, name="x@1.0.0")
        with pytest.raises(TarballError):
            client.tarball(TGZ_URL, integrity="md5-abc", shasum="", name="x@1.0.0")
        assert len(mock.calls) == 0
    assert raised.value.subject == "x@1.0.0"


@responses.activate
def test_tarball_download_failure_raises(sleeps: list[float]) -> None:
    responses.get(TGZ_URL, status=404)
    with _client() as client, pytest.raises(TarballError) as raised:
        client.tarball(TGZ_URL, integrity=SHA512, shasum=None, name="left-pad@1.3.0")
    assert "HTTP 404" in raised.value.message


def test_tarball_offline_and_uncached_raises(tmp_path: Path) -> None:
    with _client(tmp_path, offline=True) as offline, pytest.raises(TarballError) as raised:
        offline.tarball(TGZ_URL, integrity=SHA512, shasum=None, name="left-pad@1.3.0")
    assert "offline" in raised.value.message


@responses.activate
def test_tarball_auth_follows_the_tarball_host() -> None:
    config = NpmConfig(registry=REG, auth={"//registry.example.test/": AuthEntry(token="t")})
    cdn = "https://cdn.example.test/left-pad-1.3.0.tgz"
    responses.get(TGZ_URL, body=TGZ)
    responses.get(cdn, body=TGZ)
    with _client(config=config) as client:
        client.tarball(TGZ_URL, integrity=SHA512, shasum=None, name="a")
        client.tarball(cdn, integrity=SHA512, shasum=None, name="b")
    assert responses.calls[0].request.headers["Authorization"] == "Bearer t"
    assert "Authorization" not in responses.calls[1].request.headers


def test_manifest_helper_matches_registry_shape() -> None:
    # Guards the fixtures above: a helper drifting from the registry shape would hollow them out.
    version = manifest("x", "1.0.0")
    assert version["dist"]["tarball"].startswith(REG) and "readme" in version


@responses.activate
def test_fresh_answers_are_reused_without_a_request(tmp_path: Path) -> None:
    responses.get(
        REG + "fresh",
        json=packument_document("fresh"),
        headers={"ETag": '"f1"', "Cache-Control": "public, max-age=300"},
    )
    with _client(tmp_path) as first:
        original = first.packument("fresh")
    with _client(tmp_path) as second:
        assert second.packument("fresh") == original
    assert len(responses.calls) == 1  # within max-age, like npm: no revalidation at all


@responses.activate
def test_stale_or_uncacheable_answers_are_revalidated(tmp_path: Path) -> None:
    for name, header in (("stale", "max-age=0"), ("nocache", "no-cache, max-age=300")):
        responses.get(
            REG + name,
            json=packument_document(name),
            headers={"ETag": '"s1"', "Cache-Control": header},
        )
        with _client(tmp_path) as first:
            first.packument(name)
        responses.replace(responses.GET, REG + name, status=304, headers={"ETag": '"s1"'})
        with _client(tmp_path) as second:
            assert isinstance(second.packument(name), Packument)
        assert responses.calls[-1].request.headers["If-None-Match"] == '"s1"'
    assert len(responses.calls) == 4
