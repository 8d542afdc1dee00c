"""modified_id.csv: parsing, and what differs from what the database stored."""

from __future__ import annotations

import pytest

from scanner.osv.feed_source import FeedError
from scanner.osv.modified_index import (
    diff_listing,
    diff_listings,
    parse_listing,
    same_instant,
    valid_id,
)

LISTING = (
    b"2025-03-01T00:00:00Z,MAL-2025-3\n"
    b"2025-02-01T00:00:00.5Z,MAL-2025-2\n"
    b"2025-01-01T00:00:00Z,GHSA-xxxx-yyyy-zzzz\n"
    b"2025-01-01T00:00:00Z,MAL-2025-1\n"
)


def malicious(record_id: str) -> bool:
    return record_id.startswith("MAL-")


def test_parse_keeps_the_ids_the_filter_accepts() -> None:
    assert parse_listing(LISTING, "S", malicious) == {
        "MAL-2025-3": "2025-03-01T00:00:00Z",
        "MAL-2025-2": "2025-02-01T00:00:00.5Z",
        "MAL-2025-1": "2025-01-01T00:00:00Z",
    }


def test_diff_reports_new_changed_and_removed_records() -> None:
    stored = {
        "MAL-2025-1": "2025-01-01T00:00:00Z",  # unchanged
        "MAL-2025-2": "2025-02-01T00:00:00.500Z",  # the same instant, spelled differently
        "MAL-2025-0": "2024-01-01T00:00:00Z",  # no longer listed
    }
    changes = diff_listing(LISTING, "S", stored, malicious)
    assert changes.changed == {"MAL-2025-3": "2025-03-01T00:00:00Z"}
    assert changes.removed == ["MAL-2025-0"]
    assert changes.invalid == 0


def test_unusable_rows_are_ignored_and_never_drop_a_stored_record() -> None:
    listing = b"not-a-time,MAL-2025-1\n2025-01-01T00:00:00Z,MAL-../../etc\n"
    changes = diff_listing(listing, "S", {"MAL-2025-1": "2025-01-01T00:00:00Z"}, malicious)
    assert changes.changed == {} and changes.removed == [] and changes.invalid == 2


def test_a_file_that_is_not_a_listing_is_an_error_naming_it() -> None:
    where = "https://mirror.example.test/npm/modified_id.csv"
    with pytest.raises(FeedError, match=r"not a modified_id\.csv") as raised:
        parse_listing(b"<html>\n" * 50, where, malicious)
    assert raised.value.subject == where
    with pytest.raises(FeedError, match="not UTF-8"):
        parse_listing(b"\xff\xfe", "S", malicious)


@pytest.mark.parametrize(
    ("record_id", "usable"),
    [("MAL-2025-1", True), ("GHSA-abcd-efgh-ijkl", True), ("../x", False), ("a/b", False),
     ("a%2fb", False), ("", False), ("MAL-" + "9" * 200, False)],
)
def test_ids_must_be_safe_as_file_names_and_url_segments(record_id: str, usable: bool) -> None:
    assert valid_id(record_id) is usable


def test_same_instant() -> None:
    assert same_instant("2024-12-04T00:35:04.450Z", "2024-12-04T00:35:04.45Z")
    assert same_instant("2024-12-04T00:35:04Z", "2024-12-04T00:35:04+00:00")
    assert not same_instant("2024-12-04T00:35:04Z", "2024-12-04T00:35:05Z")
    assert not same_instant("garbage", "garbage")


def test_diff_by_previous_listing_agrees_with_diff_by_stored_records() -> None:
    import random

    chooser = random.Random(7)
    old = {f"MAL-2025-{n}": f"2025-01-{1 + n % 28:02d}T00:00:00Z" for n in range(2000)}
    old.update({f"GHSA-{n}": "2025-01-01T00:00:00Z" for n in range(50)})
    new = dict(old)
    for record_id in chooser.sample(sorted(old), 300):
        action = chooser.choice(["change", "remove", "restamp"])
        if action == "change":
            new[record_id] = "2026-02-02T00:00:00Z"
        elif action == "remove":
            del new[record_id]
        else:
            new[record_id] = old[record_id].replace("Z", ".000Z")
    new.update({f"MAL-2026-{n}": "2026-03-03T00:00:00Z" for n in range(40)})

    def listing(rows: dict[str, str]) -> bytes:
        ordered = sorted(rows.items(), key=lambda item: item[1], reverse=True)
        return "".join(f"{m},{i}\n" for i, m in ordered).encode()

    stored = {i: m for i, m in old.items() if malicious(i)}
    by_records = diff_listing(listing(new), "S", stored, malicious)
    by_listing = diff_listings(listing(old), listing(new), "S", malicious)
    assert by_listing.changed == by_records.changed
    assert by_listing.removed == by_records.removed
    assert len(by_records.changed) > 40 and by_records.removed
    assert not any(i.startswith("GHSA") for i in [*by_records.changed, *by_records.removed])
