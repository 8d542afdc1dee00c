"""Against the registry npm is configured with on this machine (opt-in: ``pytest -m live``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.registry.client import RegistryClient
from scanner.registry.npmrc import resolve_npm_config
from scanner.registry.packument import Packument


@pytest.mark.live
def test_configured_registry_serves_a_long_lived_package(tmp_path: Path) -> None:
    config = resolve_npm_config(Path.cwd(), None, os.environ)
    with RegistryClient(config, cache_dir=tmp_path, jobs=2) as client:
        result = client.packument("left-pad")
        assert isinstance(result, Packument), result
        info = result.versions["1.3.0"]
        assert info.integrity is not None and info.integrity.startswith("sha512-")
        assert info.tarball is not None
        data = client.tarball(info.tarball, integrity=info.integrity, shasum=None, name="left-pad")
    assert data[:2] == b"\x1f\x8b"
