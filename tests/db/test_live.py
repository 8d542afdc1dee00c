"""Against OSV's public npm export itself (opt-in: ``pytest -m live``; downloads a few hundred MB).

Not run offline, and not run on the development machine of this change, which reaches no host
but the package registries: the layout it relies on is documented in docs/advisories.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.osv.database import AdvisoryDatabase
from scanner.osv.feed_limits import DEFAULT_LIMITS
from scanner.osv.feed_source import DEFAULT_SOURCE, parse_source
from scanner.osv.feed_update import update_feed


@pytest.mark.live
def test_the_default_source_imports_and_updates(tmp_path: Path) -> None:
    source = parse_source(DEFAULT_SOURCE)
    first = update_feed(source, tmp_path, limits=DEFAULT_LIMITS)
    assert first.status == "created" and first.meta.records > 100_000
    database = AdvisoryDatabase.load([], cache_dir=None, include_bundled=False, feeds_in=tmp_path)
    # The chalk hijack of September 2025: MAL-2025-46969 lists chalk 5.6.1.
    assert "MAL-2025-46969" in {m.advisory.id for m in database.match("chalk", "5.6.1")}
    assert database.match("chalk", "5.6.0") == []
    again = update_feed(source, tmp_path, limits=DEFAULT_LIMITS)
    assert again.status in ("unchanged", "updated")
    assert not any(m.startswith("GHSA-") for m in again.skipped)
