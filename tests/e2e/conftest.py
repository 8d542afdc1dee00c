from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import Depscan, copy_fixture_registry
from tests.support.registry_server import FixtureRegistry


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    """This test's own copy of the fixture registry's documents and tarballs."""
    return copy_fixture_registry(tmp_path / "registry")


@pytest.fixture
def server(registry_root: Path) -> Iterator[FixtureRegistry]:
    with FixtureRegistry(registry_root) as running:
        yield running


@pytest.fixture
def depscan(tmp_path: Path) -> Depscan:
    project = tmp_path / "project"
    project.mkdir()
    return Depscan(project=project, cache_dir=tmp_path / "cache", home=tmp_path / "home")
