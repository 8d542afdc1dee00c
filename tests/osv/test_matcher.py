"""OSV matching on hand-written records: lists, every range form, prereleases, withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scanner.osv.database import AdvisoryDatabase
from scanner.osv.matcher import entry_reasons, range_reason
from scanner.osv.records import AffectedEntry, VersionRange

DatabaseOf = Callable[..., AdvisoryDatabase]


def reasons(database: AdvisoryDatabase, name: str, version: str) -> dict[str, str]:
    return {match.advisory.id: match.reason for match in database.match(name, version)}


def test_explicit_versions_match_by_string_equality_only(
    database_of: DatabaseOf, make_record: Any
) -> None:
    database = database_of(make_record("T-1", "pkg", versions=["1.0.0", "2.0.0-beta.1"]))
    assert reasons(database, "pkg", "1.0.0") == {"T-1": "version 1.0.0 listed"}
    assert reasons(database, "pkg", "2.0.0-beta.1") == {"T-1": "version 2.0.0-beta.1 listed"}
    for clean in ("1.0.1", "0.9.9", "2.0.0", "v1.0.0", "1.0"):
        assert database.match("pkg", clean) == []
    assert database.match("other", "1.0.0") == []


def test_introduced_zero_alone_matches_every_version_even_invalid_ones(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    database = database_of(make_record("T-1", "evil", ranges=[make_range(("introduced", "0"))]))
    for version in ("0.0.1", "1.2.3", "99.0.0-rc.1", "not-a-version", ""):
        assert reasons(database, "evil", version) == {"T-1": "range >=0 (all versions)"}


def test_entry_without_versions_or_ranges_matches_every_version(
    database_of: DatabaseOf, make_record: Any
) -> None:
    database = database_of(make_record("T-1", "evil"))
    assert reasons(database, "evil", "3.1.4") == {
        "T-1": "no versions or ranges listed (all versions)"
    }
    assert reasons(database, "evil", "garbage") != {}


def test_introduced_fixed_is_half_open(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    rng = make_range(("introduced", "1.95.6"), ("fixed", "1.95.8"))
    database = database_of(make_record("T-1", "web3", ranges=[rng]))
    assert database.match("web3", "1.95.5") == []
    assert reasons(database, "web3", "1.95.6") == {"T-1": "range >=1.95.6 <1.95.8"}
    assert reasons(database, "web3", "1.95.7") == {"T-1": "range >=1.95.6 <1.95.8"}
    assert database.match("web3", "1.95.8") == []
    assert database.match("web3", "2.0.0") == []


def test_introduced_last_affected_is_closed(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    rng = make_range(("introduced", "8.1.1"), ("last_affected", "8.1.2"))
    database = database_of(make_record("T-1", "lint", ranges=[rng]))
    assert database.match("lint", "8.1.0") == []
    assert reasons(database, "lint", "8.1.1") == {"T-1": "range >=8.1.1 <=8.1.2"}
    assert reasons(database, "lint", "8.1.2") == {"T-1": "range >=8.1.1 <=8.1.2"}
    assert database.match("lint", "8.1.3") == []


def test_open_ended_introduced_covers_later_versions(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    database = database_of(make_record("T-1", "p", ranges=[make_range(("introduced", "2.0.0"))]))
    assert database.match("p", "1.9.9") == []
    assert reasons(database, "p", "2.0.0") == {"T-1": "range >=2.0.0"}
    assert reasons(database, "p", "30.1.0") == {"T-1": "range >=2.0.0"}


def test_limit_bounds_the_range(database_of: DatabaseOf, make_record: Any, make_range: Any) -> None:
    rng = make_range(("introduced", "1.0.0"), ("limit", "1.5.0"))
    database = database_of(make_record("T-1", "p", ranges=[rng]))
    assert reasons(database, "p", "1.4.9") == {"T-1": "range >=1.0.0"}
    assert database.match("p", "1.5.0") == []
    assert database.match("p", "2.0.0") == []
    unlimited = make_range(("introduced", "1.0.0"), ("limit", "*"))
    assert reasons(database_of(make_record("T-2", "q", ranges=[unlimited])), "q", "9.0.0") != {}


def test_multi_interval_range_in_any_event_order(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    # Written newest interval first, like the real ngx-bootstrap record: order must not matter.
    rng = make_range(
        ("introduced", "20.0.3"),
        ("last_affected", "20.0.6"),
        ("introduced", "19.0.3"),
        ("last_affected", "19.0.4"),
    )
    database = database_of(make_record("T-1", "ngx", ranges=[rng]))
    for version in ("19.0.3", "19.0.4"):
        assert reasons(database, "ngx", version) == {"T-1": "range >=19.0.3 <=19.0.4"}
    for version in ("20.0.3", "20.0.5", "20.0.6"):
        assert reasons(database, "ngx", version) == {"T-1": "range >=20.0.3 <=20.0.6"}
    for version in ("19.0.2", "19.0.5", "20.0.0", "20.0.2", "20.0.7", "21.0.0"):
        assert database.match("ngx", version) == [], version


def test_reintroduced_after_fix(database_of: DatabaseOf, make_record: Any, make_range: Any) -> None:
    rng = make_range(("introduced", "1.0.0"), ("fixed", "1.2.0"), ("introduced", "2.0.0"))
    database = database_of(make_record("T-1", "p", ranges=[rng]))
    assert reasons(database, "p", "1.1.0") == {"T-1": "range >=1.0.0 <1.2.0"}
    assert database.match("p", "1.5.0") == []
    assert reasons(database, "p", "2.3.0") == {"T-1": "range >=2.0.0"}


def test_prereleases_follow_node_semver_ordering(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    rng = make_range(("introduced", "1.0.0"), ("fixed", "2.0.0"))
    database = database_of(make_record("T-1", "p", ranges=[rng]))
    assert database.match("p", "1.0.0-rc.1") == []  # a prerelease sorts before its release
    assert reasons(database, "p", "2.0.0-rc.1") != {}  # ...so it is still below the fix
    assert reasons(database, "p", "1.5.0-beta.2") != {}
    assert database.match("p", "2.0.0") == []
    # Numeric prerelease identifiers compare as numbers, not strings (rc.10 > rc.9).
    rc_rng = make_range(("introduced", "3.0.0-rc.9"), ("fixed", "3.0.0-rc.10"))
    rc_db = database_of(make_record("T-2", "q", ranges=[rc_rng]))
    assert reasons(rc_db, "q", "3.0.0-rc.9") != {}
    assert rc_db.match("q", "3.0.0-rc.10") == []
    assert rc_db.match("q", "3.0.0-rc.2") == []


def test_versions_and_ranges_are_a_union_and_every_cause_is_reported(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    record = make_record(
        "T-1",
        "p",
        versions=["0.5.0", "1.1.0"],
        ranges=[make_range(("introduced", "1.0.0"), ("fixed", "1.2.0"))],
    )
    database = database_of(record)
    assert reasons(database, "p", "0.5.0") == {"T-1": "version 0.5.0 listed"}
    assert reasons(database, "p", "1.0.5") == {"T-1": "range >=1.0.0 <1.2.0"}
    assert reasons(database, "p", "1.1.0") == {"T-1": "version 1.1.0 listed; range >=1.0.0 <1.2.0"}
    assert database.match("p", "0.6.0") == []


def test_zero_range_next_to_a_narrow_range_keeps_strict_semantics(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    ranges = [
        make_range(("introduced", "0")),
        make_range(("introduced", "4.1.1"), ("last_affected", "4.1.2")),
    ]
    database = database_of(make_record("T-1", "tiny", ranges=ranges))
    assert reasons(database, "tiny", "4.0.0") == {"T-1": "range >=0 (all versions)"}
    assert reasons(database, "tiny", "4.1.1") == {
        "T-1": "range >=0 (all versions); range >=4.1.1 <=4.1.2"
    }


def test_invalid_versions_skip_ordered_ranges_without_crashing(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    record = make_record(
        "T-1",
        "p",
        versions=["git+ssh://example.test/p.git"],
        ranges=[make_range(("introduced", "1.0.0"))],
    )
    database = database_of(record)
    assert database.match("p", "latest") == []
    assert database.match("p", "1.0") == []
    assert reasons(database, "p", "git+ssh://example.test/p.git") == {
        "T-1": "version git+ssh://example.test/p.git listed"
    }
    # An unparseable event version makes that range unusable, not the whole record.
    broken = make_record(
        "T-2",
        "q",
        versions=["1.0.0"],
        ranges=[make_range(("introduced", "one"), ("fixed", "2.0.0"))],
    )
    broken_db = database_of(broken)
    assert broken_db.match("q", "1.5.0") == []
    assert reasons(broken_db, "q", "1.0.0") == {"T-2": "version 1.0.0 listed"}


def test_ecosystem_ranges_use_semver_order_and_git_ranges_are_ignored(
    database_of: DatabaseOf, make_record: Any, make_range: Any
) -> None:
    eco = make_range(("introduced", "3.3.6"), ("fixed", "4.0.0"), kind="ECOSYSTEM")
    git = make_range(("introduced", "0"), kind="GIT")
    database = database_of(
        make_record("T-1", "es", ranges=[eco]), make_record("T-2", "gg", ranges=[git])
    )
    assert reasons(database, "es", "3.3.6") == {"T-1": "range >=3.3.6 <4.0.0"}
    assert database.match("es", "3.3.5") == []
    assert database.match("es", "4.0.0") == []
    # A GIT range is about commits; it must not turn into "every version".
    assert database.match("gg", "1.0.0") == []


def test_withdrawn_records_never_match(database_of: DatabaseOf, make_record: Any) -> None:
    withdrawn = make_record("T-1", "ocore", versions=["1.0.0"], withdrawn="2024-07-01T05:16:00Z")
    live = make_record("T-2", "ocore", versions=["2.0.0"])
    database = database_of(withdrawn, live)
    assert database.match("ocore", "1.0.0") == []
    assert reasons(database, "ocore", "2.0.0") == {"T-2": "version 2.0.0 listed"}
    assert database.record_count == 2
    assert database.sources[0].endswith("(2 records, 1 withdrawn)")


def test_only_npm_entries_count(database_of: DatabaseOf, make_record: Any) -> None:
    record = make_record("T-1", "requests", versions=["2.0.0"])
    record["affected"][0]["package"]["ecosystem"] = "PyPI"
    record["affected"].append(
        {"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["9.9.9"]}
    )
    database = database_of(record)
    assert database.match("requests", "2.0.0") == []
    assert reasons(database, "left-pad", "9.9.9") == {"T-1": "version 9.9.9 listed"}


def test_match_reports_display_fields_and_source(database_of: DatabaseOf, make_record: Any) -> None:
    record = make_record(
        "T-1",
        "p",
        versions=["1.0.0"],
        aliases=["GHSA-aaaa-bbbb-cccc", "T-1"],
        published="2024-01-02T03:04:05Z",
        references=[{"type": "WEB", "url": "https://example.test/a"}, {"type": "WEB"}],
    )
    (match,) = database_of(record).match("p", "1.0.0")
    assert match.advisory.aliases == ("GHSA-aaaa-bbbb-cccc", "T-1")
    assert match.advisory.all_ids == ("T-1", "GHSA-aaaa-bbbb-cccc")
    assert match.advisory.published == "2024-01-02T03:04:05Z"
    assert match.advisory.references == ("https://example.test/a",)
    assert match.advisory.summary == "test record for p"
    assert match.advisory.source.endswith("osv-1")


@pytest.mark.parametrize(
    ("events", "version", "expected"),
    [
        ((("introduced", "0"), ("fixed", "1.0.0")), "0.0.0", "range >=0 <1.0.0"),
        ((("introduced", "0"), ("fixed", "1.0.0")), "1.0.0", None),
        ((("introduced", "1.0.0"), ("fixed", "1.0.0")), "1.0.0", None),
        ((("introduced", "1.0.0+build.1"),), "1.0.0", "range >=1.0.0+build.1"),
        ((("fixed", "1.0.0"),), "0.5.0", None),
    ],
)
def test_range_reason_edge_cases(
    events: tuple[tuple[str, str], ...], version: str, expected: str | None
) -> None:
    assert range_reason(VersionRange("SEMVER", events), version) == expected


def test_entry_reasons_is_empty_when_nothing_covers_the_version() -> None:
    entry = AffectedEntry(
        versions=("1.0.0",), ranges=(VersionRange("SEMVER", (("introduced", "2.0.0"),)),)
    )
    assert entry_reasons(entry, "1.5.0") == []
    assert entry_reasons(entry, "1.0.0") == ["version 1.0.0 listed"]
