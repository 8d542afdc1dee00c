"""The real client against the real local fixture registry (a socket on 127.0.0.1, no mocks)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
import requests

from scanner.errors import TarballError
from scanner.registry.client import RegistryClient
from scanner.registry.npmrc import AuthEntry, NpmConfig
from scanner.registry.packument import Packument, Unavailable
from tests.support.registry_server import FixtureRegistry, write_packument, write_tarball

from .helpers import packument_document

TGZ = b"\x1f\x8b pretend gzip"


def _sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "registry"
    document = packument_document("left-pad", ("1.3.0",))
    dist = document["versions"]["1.3.0"]["dist"]
    dist["tarball"] = "{registry}left-pad/-/left-pad-1.3.0.tgz"
    dist["integrity"] = _sri(TGZ)
    write_packument(base, document)
    write_packument(base, packument_document("@scope/pkg"))
    write_tarball(base, "left-pad-1.3.0.tgz", TGZ)
    (base / "keys.json").write_text(json.dumps({"keys": [{"keyid": "SHA256:x", "key": "k"}]}))
    return base


def _client(server: FixtureRegistry, tmp_path: Path, **options: object) -> RegistryClient:
    return RegistryClient(
        NpmConfig(registry=server.url),
        cache_dir=tmp_path / "cache",
        **options,  # type: ignore[arg-type]
    )


def test_packument_and_tarball_through_the_real_client(root: Path, tmp_path: Path) -> None:
    with FixtureRegistry(root) as server, _client(server, tmp_path) as client:
        results = client.packuments(["left-pad", "@scope/pkg", "missing"])
        left_pad = results["left-pad"]
        assert isinstance(left_pad, Packument)
        assert isinstance(results["@scope/pkg"], Packument)
        assert results["missing"] == Unavailable("missing", "not found in registry (HTTP 404)")

        info = left_pad.versions["1.3.0"]
        assert info.tarball == f"{server.url}left-pad/-/left-pad-1.3.0.tgz"
        data = client.tarball(info.tarball, integrity=info.integrity, shasum=None, name="left-pad")
        assert data == TGZ
        assert client.signing_keys() == [{"keyid": "SHA256:x", "key": "k"}]

    assert server.count("/@scope%2fpkg") == 1
    assert server.count("/left-pad") == 1
    assert "/left-pad/-/left-pad-1.3.0.tgz" in server.requests
    assert server.received[0].headers.get("Accept") == "application/json"


def test_etag_304_from_the_server_keeps_the_cached_copy(root: Path, tmp_path: Path) -> None:
    with FixtureRegistry(root) as server:
        with _client(server, tmp_path) as first:
            original = first.packument("left-pad")
        with _client(server, tmp_path) as second:
            assert second.packument("left-pad") == original
        second_request = server.received[1]
        assert second_request.headers.get("If-None-Match")
        response = requests.get(
            server.url + "left-pad",
            headers={"If-None-Match": second_request.headers["If-None-Match"]},
            timeout=10,
        )
    assert response.status_code == 304


def test_planned_failure_is_retried(root: Path, tmp_path: Path, sleeps: list[float]) -> None:
    with FixtureRegistry(root) as server, _client(server, tmp_path) as client:
        server.fail("/left-pad", status=503, times=2, headers={"Retry-After": "1"})
        assert isinstance(client.packument("left-pad"), Packument)
        assert server.count("/left-pad") == 3
    assert sleeps == [1.0, 1.0]


def test_failure_forever_is_unavailable(root: Path, tmp_path: Path, sleeps: list[float]) -> None:
    with FixtureRegistry(root) as server, _client(server, tmp_path, retries=2) as client:
        server.fail("/left-pad", status=500, times=100)
        result = client.packument("left-pad")
    assert result == Unavailable("left-pad", "registry answered HTTP 500 (after 3 attempts)")


def test_truncated_answer_is_unavailable(root: Path, tmp_path: Path, sleeps: list[float]) -> None:
    with FixtureRegistry(root) as server, _client(server, tmp_path) as client:
        server.fail("/left-pad", status=200, times=1, body=b'{"name": "left-pad", "vers')
        result = client.packument("left-pad")
    assert isinstance(result, Unavailable) and "not valid JSON" in result.reason


def test_tampered_tarball_is_refused(root: Path, tmp_path: Path) -> None:
    write_tarball(root, "left-pad-1.3.0.tgz", TGZ + b"evil")
    with FixtureRegistry(root) as server, _client(server, tmp_path) as client:
        url = f"{server.url}left-pad/-/left-pad-1.3.0.tgz"
        with pytest.raises(TarballError):
            client.tarball(url, integrity=_sri(TGZ), shasum=None, name="left-pad@1.3.0")


def test_auth_header_reaches_the_server_only_for_its_nerf_dart(root: Path, tmp_path: Path) -> None:
    with FixtureRegistry(root) as server:
        dart = "//" + server.url.split("//", 1)[1]
        config = NpmConfig(registry=server.url, auth={dart: AuthEntry(token="tok")})
        with RegistryClient(config, cache_dir=None) as client:
            client.packument("left-pad")
    assert server.received[0].headers.get("Authorization") == "Bearer tok"


def test_server_refuses_paths_outside_its_root(root: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text("{}")
    with FixtureRegistry(root) as server:
        response = requests.get(server.url + "..%2f..%2fsecret", timeout=10)
    assert response.status_code == 404
