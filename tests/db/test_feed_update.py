"""`depscan db update` against a real HTTP export on 127.0.0.1: first import, incremental updates,
conditional requests, and every way a source can fail while the last good database stays."""

from __future__ import annotations

import json
import os
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.osv import feed_decode, feed_update
from scanner.osv.feed_db import FeedDatabase, delta_path
from scanner.osv.feed_source import DEFAULT_SOURCE, FeedError, parse_source
from scanner.osv.feed_store import (
    database_path,
    list_databases,
    listing_path,
    read_state,
    update_lock,
)
from tests.db.conftest import (
    TEST_LIMITS,
    Export,
    Update,
    all_versions,
    feed_database,
    matched,
    record,
)
from tests.db.export_server import ExportServer


def seed(export: Export) -> Export:
    return export.put(
        record("MAL-2025-1", "evil-pkg", ranges=all_versions()),
        record("MAL-2025-2", "typo-squat", versions=["1.0.0"]),
        record("MAL-2025-3", "hijacked", ranges=[
            {"type": "SEMVER", "events": [{"introduced": "2.0.1"}, {"last_affected": "2.0.2"}]}
        ]),
        # Ordinary vulnerabilities share OSV's npm export; they are not known-malicious.
        record("GHSA-aaaa-bbbb-cccc", "lodash", ranges=all_versions()),
    ).write()


def the_database(cache: Path, server: ExportServer) -> FeedDatabase:
    return FeedDatabase.open(database_path(cache, parse_source(server.url)))


def test_first_update_imports_the_archive_and_scans_match(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    outcome = update(server.url)
    assert outcome.status == "created"
    assert server.names() == ["modified_id.csv", "all.zip"]
    assert outcome.meta.records == 3  # the GHSA record is left out
    assert matched(cache, "evil-pkg", "9.9.9") == {"MAL-2025-1"}
    assert matched(cache, "typo-squat", "1.0.0") == {"MAL-2025-2"}
    assert matched(cache, "typo-squat", "1.0.1") == set()
    assert matched(cache, "hijacked", "2.0.2") == {"MAL-2025-3"}
    assert matched(cache, "hijacked", "2.0.3") == set()
    assert matched(cache, "lodash", "4.17.20") == set()
    assert list_databases(cache) == [database_path(cache, parse_source(server.url))]


def test_unchanged_listing_is_a_304_and_nothing_else_is_asked(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    first = update(server.url)
    server.clear()
    second = update(server.url)
    assert second.status == "unchanged"
    assert server.names() == ["modified_id.csv"]
    assert server.requests[0].headers.get("if-none-match")
    assert second.meta.token == first.meta.token  # the database file was not rewritten
    assert read_state(database_path(cache, parse_source(server.url))).checked_at


def test_incremental_update_fetches_only_what_changed(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    update(server.url)
    base = database_path(cache, parse_source(server.url))
    base_inode = base.stat().st_ino
    # The affected version moves on, and a new record appears.
    export.put(
        record("MAL-2025-2", "typo-squat", versions=["1.0.1"], modified="2025-02-01T00:00:00Z"),
        record("MAL-2025-4", "new-evil", versions=["0.0.1"], modified="2025-02-01T00:00:01Z"),
    ).write(archive=False)
    server.clear()
    outcome = update(server.url)
    assert outcome.status == "updated"
    assert sorted(server.names()) == ["MAL-2025-2.json", "MAL-2025-4.json", "modified_id.csv"]
    assert (outcome.added, outcome.changed, outcome.removed) == (1, 1, 0)
    assert matched(cache, "typo-squat", "1.0.0") == set()
    assert matched(cache, "typo-squat", "1.0.1") == {"MAL-2025-2"}
    assert matched(cache, "new-evil", "0.0.1") == {"MAL-2025-4"}
    assert matched(cache, "evil-pkg", "1.0.0") == {"MAL-2025-1"}  # untouched records stay
    assert base.stat().st_ino == base_inode and delta_path(base).is_file()  # only a delta written
    assert list_databases(cache) == [base]  # the delta is part of it, not a second database


def test_a_big_delta_is_merged_into_a_new_base(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    update(server.url)
    export.put(
        record("MAL-2025-2", "typo-squat", versions=["1.0.1"], modified="2025-02-01T00:00:00Z"),
        record("MAL-2025-4", "new-evil", versions=["0.0.1"], modified="2025-02-01T00:00:01Z"),
    ).drop("MAL-2025-3").write(archive=False)
    outcome = update(server.url, limits=replace(TEST_LIMITS, max_delta_records=2))
    assert outcome.how.endswith("merged the changes into the base")
    base = database_path(cache, parse_source(server.url))
    assert not delta_path(base).exists()
    assert outcome.meta.records == 3 and outcome.meta.token == FeedDatabase.open(base).meta.token
    assert matched(cache, "typo-squat", "1.0.1") == {"MAL-2025-2"}
    assert matched(cache, "new-evil", "0.0.1") == {"MAL-2025-4"}
    assert matched(cache, "hijacked", "2.0.2") == set()
    assert update(server.url).status == "unchanged"  # the state follows the merged base


def test_withdrawn_and_delisted_records_stop_matching(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    update(server.url)
    withdrawn = record("MAL-2025-1", "evil-pkg", ranges=all_versions(),
                       modified="2025-03-01T00:00:00Z", withdrawn="2025-03-01T00:00:00Z")
    export.put(withdrawn).drop("MAL-2025-3").write(archive=False)
    outcome = update(server.url)
    assert outcome.removed == 1
    assert matched(cache, "evil-pkg", "1.0.0") == set()
    assert matched(cache, "hijacked", "2.0.2") == set()
    database = the_database(cache, server)
    assert (database.meta.records, database.meta.withdrawn) == (2, 1)


def test_restamped_modified_time_is_not_a_change(
    export: Export, server: ExportServer, update: Update
) -> None:
    seed(export)
    update(server.url)
    listing = export.root / "modified_id.csv"
    text = listing.read_text()
    listing.write_text(text.replace("2025-01-01T00:00:00Z", "2025-01-01T00:00:00.000Z"))
    server.clear()
    outcome = update(server.url)
    assert [n for n in server.names() if n.endswith(".json")] == []
    assert outcome.status == "unchanged"  # the same instants, spelt differently


def test_archive_older_than_its_listing_is_completed_record_by_record(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    # The listing and the single files are newer than the archive: one record moved, one is new.
    export.put(
        record("MAL-2025-2", "typo-squat", versions=["3.0.0"], modified="2025-05-01T00:00:00Z"),
        record("MAL-2025-9", "late-addition", ranges=all_versions(),
               modified="2025-05-01T00:00:00Z"),
    ).write(archive=False)
    outcome = update(server.url)
    assert sorted(n for n in server.names() if n.endswith(".json")) == [
        "MAL-2025-2.json", "MAL-2025-9.json"]
    assert outcome.meta.records == 4
    assert matched(cache, "typo-squat", "3.0.0") == {"MAL-2025-2"}
    assert matched(cache, "typo-squat", "1.0.0") == set()
    assert matched(cache, "late-addition", "1.0.0") == {"MAL-2025-9"}


def test_a_404_source_writes_nothing_and_says_which(
    server: ExportServer, update: Update, cache: Path
) -> None:
    with pytest.raises(FeedError) as raised:
        update(server.url)
    text = raised.value.one_line()
    assert text.startswith(server.url)
    assert "not found" in text and "no database was written" in text
    assert list_databases(cache) == []


def test_a_server_error_keeps_the_last_good_database(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    update(server.url)
    before = the_database(cache, server).meta
    export.put(record("MAL-2025-2", "typo-squat", versions=["1.0.1"],
                      modified="2025-02-01T00:00:00Z")).write(archive=False)
    server.behaviour["MAL-2025-2.json"] = "500"
    with pytest.raises(FeedError) as raised:
        update(server.url)
    text = raised.value.one_line()
    assert text.startswith(server.url) and "HTTP 500" in text
    assert "kept the previous database (3 records" in text
    assert the_database(cache, server).meta.token == before.token
    assert matched(cache, "typo-squat", "1.0.0") == {"MAL-2025-2"}
    state = read_state(database_path(cache, parse_source(server.url)))
    assert state.failure is not None and "HTTP 500" in state.failure


def test_a_record_the_listing_names_but_the_server_lacks_is_skipped_and_retried(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    update(server.url)
    export.put(record("MAL-2025-2", "typo-squat", versions=["1.0.1"],
                      modified="2025-02-01T00:00:00Z")).write(archive=False)
    server.behaviour["MAL-2025-2.json"] = "404"
    outcome = update(server.url)
    assert outcome.skipped == ("MAL-2025-2: listed in modified_id.csv but not found",)
    assert matched(cache, "typo-squat", "1.0.0") == {"MAL-2025-2"}  # the old revision stays
    del server.behaviour["MAL-2025-2.json"]
    server.clear()
    update(server.url)
    assert "MAL-2025-2.json" in server.names()  # still different: fetched again
    assert matched(cache, "typo-squat", "1.0.1") == {"MAL-2025-2"}


@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
def test_a_broken_archive_keeps_the_old_database_and_names_the_source(
    export: Export, server: ExportServer, update: Update, cache: Path, damage: str
) -> None:
    seed(export)
    update(server.url)
    good = the_database(cache, server).meta.token
    if damage == "truncate":
        server.behaviour["all.zip"] = "truncate"
    else:
        archive = export.root / "all.zip"
        with zipfile.ZipFile(archive) as reader:
            member = reader.getinfo("MAL-2025-1.json")
        start = member.header_offset + 30 + len(member.filename) + 5
        data = bytearray(archive.read_bytes())
        data[start : start + 20] = bytes(20)  # inside MAL-2025-1's compressed data
        archive.write_bytes(bytes(data))
    with pytest.raises(FeedError) as raised:
        update(server.url, force=True)
    text = raised.value.one_line()
    assert text.startswith(server.url) and "kept the previous database" in text
    expected = "download interrupted" if damage == "truncate" else "corrupt archive"
    assert expected in text
    assert the_database(cache, server).meta.token == good
    assert matched(cache, "evil-pkg", "1.0.0") == {"MAL-2025-1"}
    leftovers = [p.name for p in (cache / "advisory-db").iterdir() if ".tmp-" in p.name]
    assert leftovers == []


def test_a_hanging_server_times_out_quickly(
    export: Export, server: ExportServer, update: Update
) -> None:
    seed(export)
    server.behaviour["modified_id.csv"] = "hang"
    started = time.monotonic()
    with pytest.raises(FeedError) as raised:
        update(server.url, limits=replace(TEST_LIMITS, timeout=0.5))
    assert time.monotonic() - started < 4
    assert "no answer within 0.5 s" in raised.value.one_line()


def test_a_record_over_the_size_limit_is_skipped_and_reported(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    export.put(record("MAL-2025-5", "huge", versions=["1.0.0"], details="x" * 20_000)).write()
    small = replace(TEST_LIMITS, max_record_bytes=8192)
    outcome = update(server.url, limits=small)
    assert outcome.skipped == ("MAL-2025-5.json: larger than the 8,192 bytes record limit",)
    assert outcome.meta.records == 3
    assert outcome.meta.skipped == 1
    assert matched(cache, "evil-pkg", "1.0.0") == {"MAL-2025-1"}
    # The same record fetched alone (an incremental update) is skipped the same way.
    export.put(record("MAL-2025-5", "huge", versions=["1.0.0"], details="y" * 20_000,
                      modified="2025-06-01T00:00:00Z")).write(archive=False)
    again = update(server.url, limits=small)
    assert again.skipped == ("MAL-2025-5: larger than the 8,192 bytes record limit",)


def test_too_many_unreadable_records_fail_the_update(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    for number in range(12):
        export.put(record(f"MAL-2025-{100 + number}", f"p{number}", versions=["1.0.0"]))
    export.write()
    archive = export.root / "all.zip"
    # Valid zip, invalid records: every member holds broken JSON.
    with zipfile.ZipFile(archive, "w") as out:
        for number in range(12):
            out.writestr(f"MAL-2025-{100 + number}.json", "{not json")
    with pytest.raises(FeedError) as raised:
        update(server.url)
    assert "12 of 12 records could not be read" in raised.value.one_line()
    assert list_databases(cache) == []


def test_no_credentials_ever_reach_the_source(
    export: Export, server: ExportServer, update: Update, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A .netrc entry for the host would be sent by a default requests session, and npm tokens
    # live in the environment and .npmrc files: none of them may go to an advisory source.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret-password\n")
    os.chmod(netrc, 0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("NPM_TOKEN", "npm_secret")
    monkeypatch.setenv("npm_config__authToken", "npm_secret")
    (tmp_path / ".npmrc").write_text("//127.0.0.1/:_authToken=npm_secret\n")
    monkeypatch.chdir(tmp_path)
    seed(export)
    update(server.url)
    export.put(record("MAL-2025-2", "typo-squat", versions=["2.0.0"],
                      modified="2025-02-01T00:00:00Z")).write(archive=False)
    update(server.url)
    assert {"modified_id.csv", "all.zip", "MAL-2025-2.json"} <= set(server.names())
    for request in server.requests:
        assert "authorization" not in request.headers
        assert "cookie" not in request.headers
        assert "npm_secret" not in str(request.headers)


def test_an_archive_url_is_asked_conditionally(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    url = server.url + "all.zip"
    assert update(url).status == "created"
    server.clear()
    assert update(url).status == "unchanged"
    assert server.names() == ["all.zip"]
    assert server.requests[0].headers.get("if-none-match")
    assert matched(cache, "evil-pkg", "0.1.0") == {"MAL-2025-1"}


def test_plain_http_is_refused_for_remote_hosts() -> None:
    with pytest.raises(FeedError, match="use https"):
        parse_source("http://mirror.example.test/osv/npm/")
    with pytest.raises(FeedError, match="credentials"):
        parse_source("https://user:pass@mirror.example.test/osv/npm/")


def test_two_sources_are_two_databases_and_a_scan_uses_both(
    export: Export, server: ExportServer, update: Update, cache: Path, tmp_path: Path
) -> None:
    seed(export)
    update(server.url)
    own = tmp_path / "own-feed"
    own.mkdir()
    (own / "ACME-1.json").write_text(json.dumps(record("ACME-1", "internal-bad", ["1.0.0"])))
    assert update(str(own)).meta.records == 0  # only MAL- ids unless told otherwise
    outcome = update(str(own), all_records=True)
    assert outcome.meta.records == 1 and outcome.meta.all_records
    assert update(str(own)).status == "unchanged"  # the choice is remembered
    database = feed_database(cache)
    assert {m.advisory.id for m in database.match("internal-bad", "1.0.0")} == {"ACME-1"}
    assert {m.advisory.id for m in database.match("evil-pkg", "1.0.0")} == {"MAL-2025-1"}
    assert len(list_databases(cache)) == 2


def test_an_interrupted_update_leaves_the_database_and_no_leftovers(
    export: Export, server: ExportServer, update: Update, cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(export)
    update(server.url)
    good = the_database(cache, server).meta.token

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(feed_update, "decode_all", interrupted)  # in the middle of an import
    with pytest.raises(KeyboardInterrupt):
        update(server.url, force=True)
    assert the_database(cache, server).meta.token == good
    assert matched(cache, "evil-pkg", "1.0.0") == {"MAL-2025-1"}
    names = sorted(p.name for p in (cache / "advisory-db").iterdir())
    assert [n for n in names if ".tmp-" in n or n.startswith(".work-")] == []
    assert read_state(database_path(cache, parse_source(server.url))).failure == "interrupted"


def test_a_second_updater_of_the_same_database_fails_at_once(
    export: Export, server: ExportServer, update: Update, cache: Path
) -> None:
    seed(export)
    with update_lock(database_path(cache, parse_source(server.url))), pytest.raises(
        FeedError, match="another `depscan db update` is updating this database"
    ):
        update(server.url)


def test_without_any_database_the_default_source_is_osv(cache: Path) -> None:
    from scanner.cli_db import _known_sources

    assert _known_sources(cache) == [DEFAULT_SOURCE]
    assert DEFAULT_SOURCE == "https://osv-vulnerabilities.storage.googleapis.com/npm/"


def test_worker_processes_decode_big_archives_the_same_way(
    export: Export, update: Update, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_decode, "POOL_THRESHOLD", 1)  # as for 50,000 records and more
    for number in range(1200):
        export.put(record(f"MAL-2025-{number}", f"pkg-{number}", versions=[f"1.0.{number}"]))
    export.put(record("MAL-2025-bad", "bad", versions=["1.0.0"], affected="not a list"))
    export.write()
    outcome = update(str(export.root))
    assert outcome.meta.records == 1200
    assert outcome.skipped == (
        "MAL-2025-bad.json: MAL-2025-bad: OSV record has no 'affected' list",)
    assert matched(cache, "pkg-1199", "1.0.1199") == {"MAL-2025-1199"}
    assert matched(cache, "pkg-7", "1.0.8") == set()
    # A damaged member found by a worker still fails the update, naming the archive.
    archive = export.root / "all.zip"
    with zipfile.ZipFile(archive) as reader:
        member = reader.getinfo("MAL-2025-700.json")
    start = member.header_offset + 30 + len(member.filename) + 5
    data = bytearray(archive.read_bytes())
    data[start : start + 20] = bytes(20)
    archive.write_bytes(bytes(data))
    with pytest.raises(FeedError) as raised:
        update(str(export.root), force=True)
    assert f"{export.root}/all.zip:MAL-2025-700.json: corrupt archive" in raised.value.one_line()
    assert matched(cache, "pkg-700", "1.0.700") == {"MAL-2025-700"}


def test_later_updates_diff_against_the_kept_listing_not_every_record(
    export: Export, server: ExportServer, update: Update, cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(export)
    update(server.url)
    base = database_path(cache, parse_source(server.url))
    assert listing_path(base).read_bytes() == (export.root / "modified_id.csv").read_bytes()

    def no_full_scan(self: FeedDatabase) -> dict[str, str]:
        raise AssertionError("read every stored record although the kept listing applies")

    monkeypatch.setattr(FeedDatabase, "stored_modified", no_full_scan)
    export.put(record("MAL-2025-2", "typo-squat", versions=["1.0.1"],
                      modified="2025-02-01T00:00:00Z")).drop("MAL-2025-1").write(archive=False)
    outcome = update(server.url)
    assert (outcome.changed, outcome.removed) == (1, 1)
    assert matched(cache, "evil-pkg", "1.0.0") == set()
    # Without the kept listing, every stored record is compared instead: the same answer.
    monkeypatch.undo()
    listing_path(base).unlink()
    export.put(record("MAL-2025-3", "hijacked", versions=["5.0.0"],
                      modified="2025-03-01T00:00:00Z")).write(archive=False)
    again = update(server.url)
    assert (again.changed, again.removed) == (1, 0)
    assert matched(cache, "hijacked", "5.0.0") == {"MAL-2025-3"}


def test_a_copy_of_only_the_archive_and_listing_updates_from_the_archive(
    export: Export, update: Update, cache: Path
) -> None:
    # An air-gapped copy refreshed by copying all.zip and modified_id.csv, no single records.
    seed(export)
    for single in export.root.glob("MAL-*.json"):
        single.unlink()
    update(str(export.root))
    export.put(record("MAL-2025-2", "typo-squat", versions=["7.0.0"],
                      modified="2025-09-01T00:00:00Z")).write()
    for single in export.root.glob("MAL-*.json"):
        single.unlink()
    outcome = update(str(export.root))
    assert outcome.how == "read the archive" and outcome.skipped == ()
    assert matched(cache, "typo-squat", "7.0.0") == {"MAL-2025-2"}
    assert matched(cache, "typo-squat", "1.0.0") == set()
