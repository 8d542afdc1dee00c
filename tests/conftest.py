"""Shared test helpers: where the fixtures and the shared corpus live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def shared_dir() -> Path | None:
    """The read-only shared/ folder (corpus, advisories) that sits beside the repository."""
    for candidate in (os.environ.get("DEPSCAN_SHARED"), REPO.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "corpus").is_dir():
            return Path(candidate)
    return None


@pytest.fixture
def shared() -> Path:
    found = shared_dir()
    if found is None:
        pytest.skip("the shared/ corpus is not beside this checkout")
    return found


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests never read or write the user's real cache.
    monkeypatch.setenv("DEPSCAN_CACHE_DIR", str(tmp_path_factory.mktemp("depscan-cache")))
