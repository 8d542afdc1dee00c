"""The diff command's core and the tarball-diff check over real HTTP, with the real client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.checks.base import ScanContext
from scanner.checks.tarball_diff import TarballDiffCheck
from scanner.errors import TarballError
from scanner.model import Lockfile, PackageNode, SourceKind
from scanner.registry.client import RegistryClient
from scanner.registry.npmrc import NpmConfig
from scanner.tarball.archive import read_package
from scanner.tarball.integrity import sri_sha512
from scanner.tarball.render import render_text
from scanner.tarball.resolve import fetch_pair, run_diff
from scanner.verdict.assess import judge_archives
from scanner.verdict.render import verdict_lines
from tests.support.registry_server import FixtureRegistry, write_packument, write_tarball

from .incidents import PACKAGES

SHARED_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "registry"


def _registry_root(root: Path) -> Path:
    """Packuments and tarballs for the incident packages, as the fixture server lays them out."""
    by_name: dict[str, dict[str, bytes]] = {}
    for (name, version), data in PACKAGES.items():
        by_name.setdefault(name, {})[version] = data
        write_tarball(root, f"{name}-{version}.tgz", data)
    for name, versions in by_name.items():
        document = {
            "name": name,
            "dist-tags": {"latest": max(versions)},
            "time": {"created": "2012-01-01T00:00:00.000Z"},
            "versions": {
                version: {
                    "name": name,
                    "version": version,
                    **json.loads(_manifest_of(data)),
                    "dist": {
                        "integrity": sri_sha512(data),
                        "tarball": f"{{registry}}{name}/-/{name}-{version}.tgz",
                    },
                }
                for version, data in versions.items()
            },
        }
        write_packument(root, document)
    return root


def _manifest_of(data: bytes) -> str:
    from scanner.tarball.archive import read_package

    return read_package(data, "fixture").files["package.json"].data.decode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FixtureRegistry]:
    with FixtureRegistry(_registry_root(tmp_path / "registry")) as running:
        yield running


@pytest.fixture
def client(server: FixtureRegistry, tmp_path: Path) -> Iterator[RegistryClient]:
    registry = RegistryClient(NpmConfig(registry=server.url), cache_dir=tmp_path / "cache")
    try:
        yield registry
    finally:
        registry.close()


def test_depscan_diff_over_http(client: RegistryClient) -> None:
    diff = run_diff("flatmap-stream@0.1.0", "flatmap-stream@^0.1.1", client)
    old, new = fetch_pair("flatmap-stream@0.1.0", "flatmap-stream@^0.1.1", client)
    verdict = judge_archives(old.archive, new.archive, registry_info=new.registry_info)
    text = render_text(diff, verdict=verdict_lines(verdict))
    assert "flatmap-stream@0.1.1: tarball verified against the registry's sha512 hash" in text
    assert "verdict: CRITICAL (update) new code decrypts data" in text
    assert "  [critical] decoded-exec: new code decrypts data" in text
    assert "+!function(){try{var r=require" in text


def test_corrupted_download_is_refused_over_http(
    server: FixtureRegistry, client: RegistryClient
) -> None:
    path = server.root / "tarballs" / "flatmap-stream-0.1.1.tgz"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(TarballError) as caught:
        run_diff("flatmap-stream@0.1.0", "flatmap-stream@0.1.1", client)
    assert caught.value.subject == "flatmap-stream@0.1.1"


def _lockfile(path: Path, version: str) -> Lockfile:
    root = PackageNode("", "app", "1.0.0", SourceKind.ROOT)
    pkg = PackageNode("node_modules/ua-parser-js", "ua-parser-js", version, SourceKind.REGISTRY)
    return Lockfile(path, "npm-package-lock", "3", {"": root, pkg.location: pkg}, ("",))


def test_check_over_http_downloads_each_pair_once(
    server: FixtureRegistry, client: RegistryClient, tmp_path: Path
) -> None:
    ctx = ScanContext(
        lockfile=_lockfile(tmp_path / "new.json", "0.7.29"),
        base=_lockfile(tmp_path / "old.json", "0.7.28"),
        registry=client,
        settings={"cache_dir": str(tmp_path / "diffs")},
    )
    first = TarballDiffCheck().run(ctx)
    (verdict,) = first.findings
    assert verdict.message.startswith("0.7.28 -> 0.7.29: adds a preinstall script")
    assert first.not_checked == ()
    downloads = server.count("/ua-parser-js/-/ua-parser-js-0.7.29.tgz")
    assert downloads == 1
    second = TarballDiffCheck().run(ctx)
    assert second.findings == first.findings
    assert server.count("/ua-parser-js/-/ua-parser-js-0.7.29.tgz") == downloads


def test_shared_fixture_registry_event_stream(tmp_path: Path) -> None:
    # The lead's fixture documents: event-stream 3.3.6 added flatmap-stream.
    with FixtureRegistry(SHARED_FIXTURES) as running:
        registry = RegistryClient(NpmConfig(registry=running.url), cache_dir=None)
        try:
            diff = run_diff("event-stream@3.3.5", "event-stream@3.3.6", registry)
        finally:
            registry.close()
    assert "package.json" in {f.path for f in diff.files}
    old, new = (
        read_package((SHARED_FIXTURES / "tarballs" / f"event-stream-{v}.tgz").read_bytes(), v)
        for v in ("3.3.5", "3.3.6")
    )
    verdict = judge_archives(old, new)
    assert any(
        r.rule == "dependency-added" and "flatmap-stream" in r.text for r in verdict.reasons
    ), verdict.reasons
