"""The checks against the real registry client and the local fixture registry server.

This exercises the fixture documents the way the end-to-end tests will: served over HTTP on
127.0.0.1, trimmed by the client, tarballs verified against the hashes the build script wrote.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.checks.base import ScanContext
from scanner.checks.install_scripts import InstallScriptsCheck
from scanner.checks.publishers import REASON_NO_PUBLISHER, PublishersCheck
from scanner.model import Severity
from scanner.registry.client import RegistryClient
from scanner.registry.npmrc import NpmConfig
from scanner.registry.packument import Packument
from tests.support.registry_server import FixtureRegistry

from .helpers import make_lockfile, node

FIXTURE_ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "registry"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[RegistryClient]:
    with FixtureRegistry(FIXTURE_ROOT) as server:
        registry = RegistryClient(NpmConfig(registry=server.url), cache_dir=tmp_path / "cache")
        try:
            yield registry
        finally:
            registry.close()


def test_incidents_found_through_the_fixture_registry(
    tmp_path: Path, client: RegistryClient
) -> None:
    lockfile = make_lockfile(
        tmp_path,
        node("event-stream", "3.3.6"),
        node("flatmap-stream", "0.1.1"),
        node("ua-parser-js", "0.7.29"),
        node("left-pad", "1.3.0"),
    )
    context = ScanContext(
        lockfile=lockfile, registry=client, settings={"now": "2021-10-23T00:00:00Z"}
    )
    scripts = InstallScriptsCheck().run(context)
    publishers = PublishersCheck().run(context)

    assert [(f.severity, f.package.name if f.package else None) for f in scripts.findings] == [
        (Severity.HIGH, "ua-parser-js")
    ]
    assert scripts.not_checked == ()
    summary = {
        (f.details["rule"], f.package.name if f.package else None) for f in publishers.findings
    }
    assert summary == {
        ("publisher-takeover", "event-stream"),
        ("maintainer-change", "event-stream"),
        ("recent-release", "ua-parser-js"),
    }
    no_publisher = [nc for nc in publishers.not_checked if nc.reason == REASON_NO_PUBLISHER]
    assert [nc.packages for nc in no_publisher] == [("left-pad@1.3.0",)]


def test_fixture_tarballs_match_the_hashes_in_their_documents(client: RegistryClient) -> None:
    for name in ("event-stream", "flatmap-stream", "ua-parser-js", "left-pad"):
        document = json.loads((FIXTURE_ROOT / "packuments" / f"{name}.json").read_text())
        for version in document["versions"]:
            served = client.packument(name)
            assert isinstance(served, Packument), served
            trimmed = served.versions[version]
            assert trimmed.tarball is not None and trimmed.tarball.startswith("http://127.0.0.1:")
            data = client.tarball(
                trimmed.tarball,
                integrity=trimmed.integrity,
                shasum=trimmed.shasum,
                name=f"{name}@{version}",
            )
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                member = tar.extractfile("package/package.json")
                assert member is not None
                manifest = json.loads(member.read())
            assert (manifest["name"], manifest["version"]) == (name, version)
