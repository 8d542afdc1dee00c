from __future__ import annotations

from pathlib import Path

import pytest

LOCKFILES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"


@pytest.fixture
def lockfiles() -> Path:
    """Folder of the yarn, pnpm and bun lockfile fixtures."""
    return LOCKFILES
