"""The feed database answers exactly as the compiled index does, on the real 22,330 records.

Every pitfall SUMMARY.md lists (versions and ranges as a union, ``introduced: 0`` next to a narrow
range, multi-interval ranges, withdrawn records, prereleases) is exercised by the real records
below; both backends run the same matcher, and this shows they hand it the same entries.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from scanner.osv.database import AdvisoryDatabase
from tests.osv.helpers import feed_of


@pytest.fixture(scope="module")
def feed_database(shared_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> AdvisoryDatabase:
    return feed_of(shared_zip, tmp_path_factory.mktemp("shared-feed"), all_records=False)


def probes(shared_zip: Path) -> list[tuple[str, str]]:
    """Every record with more than an all-versions range (all its versions and range events,
    and their neighbours), plus every 25th record, plus the withdrawn ones."""
    out: list[tuple[str, str]] = []
    with zipfile.ZipFile(shared_zip) as archive:
        for position, info in enumerate(archive.infolist()):
            record = json.loads(archive.read(info))
            for entry in record["affected"]:
                name = entry["package"]["name"]
                events = [v for r in entry.get("ranges", []) for e in r["events"]
                          for v in e.values()]
                interesting = set(events) - {"0"} or record.get("withdrawn")
                if not interesting and position % 25:
                    continue
                for version in {*entry.get("versions", []), *events, "0.0.1", "1.0.0",
                                "999.0.0", "1.0.0-rc.1"} - {"0"}:
                    out.append((name, version))
    return out


def test_feed_and_index_agree_on_real_records(
    zip_database: AdvisoryDatabase, feed_database: AdvisoryDatabase, shared_zip: Path
) -> None:
    assert feed_database.record_count == zip_database.record_count == 22_330
    checked = hits = 0
    for name, version in probes(shared_zip):
        index = [(m.advisory, m.reason) for m in zip_database.match(name, version)]
        feed = [(m.advisory, m.reason) for m in feed_database.match(name, version)]
        # The source label differs by design (the zip path vs the feed's source); all else equal.
        assert [(a.id, a.aliases, a.summary, a.references, r) for a, r in index] == [
            (a.id, a.aliases, a.summary, a.references, r) for a, r in feed], (name, version)
        checked += 1
        hits += bool(index)
    assert checked > 3000 and hits > 1000
    assert {m.advisory.id for m in feed_database.match("@ctrl/tinycolor", "4.1.0")} == {
        "MAL-2025-47141"}
    assert [m.reason for m in feed_database.match("@ctrl/tinycolor", "4.1.2")] == [
        "range >=0 (all versions); range >=4.1.1 <=4.1.2"]
