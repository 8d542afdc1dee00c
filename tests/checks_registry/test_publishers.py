from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from scanner.checks.publishers import (
    REASON_NO_MAINTAINERS,
    REASON_NO_PUBLISHER,
    REASON_NO_PUBLISHER_FOR_VERSION,
    REASON_NO_REGISTRY,
    REASON_NO_TIME,
    REASON_VERSION_MISSING,
    PublishersCheck,
)
from scanner.errors import PolicyError
from scanner.model import CheckResult, Finding, PackageNode, Severity, SourceKind
from scanner.registry.packument import Packument, Unavailable

from .helpers import FakeRegistry, fixture_packument, make_context, make_packument, node, release

# Long after every fixture release, so the recent-release rule stays quiet unless a test moves it.
LATER = {"now": "2024-01-01T00:00:00Z"}


def run(
    project: Path,
    nodes: Sequence[PackageNode],
    documents: Sequence[Packument | Unavailable] | None,
    settings: Mapping[str, object] = LATER,
) -> CheckResult:
    registry = FakeRegistry(documents) if documents is not None else None
    return PublishersCheck().run(make_context(project, nodes, registry, settings))


def by_rule(result: CheckResult) -> dict[str, Finding]:
    found = {str(f.details["rule"]): f for f in result.findings}
    assert len(found) == len(result.findings), result.findings
    return found


def gaps(result: CheckResult) -> dict[str, tuple[str, ...]]:
    reasons = [nc.reason for nc in result.not_checked]
    assert len(reasons) == len(set(reasons)), "each reason once"
    return {nc.reason: nc.packages for nc in result.not_checked}


# -- publisher takeover -------------------------------------------------------------------------


def test_event_stream_3_3_6_publisher_had_started_four_days_earlier(tmp_path: Path) -> None:
    result = run(tmp_path, [node("event-stream", "3.3.6")], [fixture_packument("event-stream")])
    takeover = by_rule(result)["publisher-takeover"]
    assert takeover.severity is Severity.HIGH
    assert takeover.message == (
        "event-stream@3.3.6 was published by right9ctrl, whose first event-stream release was "
        "4 days earlier; earlier publishers: dominictarr"
    )
    assert takeover.details["first_version"] == "3.3.5"
    assert takeover.check == "publishers"
    assert result.not_checked == ()


def test_event_stream_3_3_5_is_a_brand_new_publisher(tmp_path: Path) -> None:
    result = run(tmp_path, [node("event-stream", "3.3.5")], [fixture_packument("event-stream")])
    takeover = by_rule(result)["publisher-takeover"]
    assert takeover.severity is Severity.HIGH
    assert takeover.message == (
        "event-stream@3.3.5 was published by right9ctrl, who had never published event-stream "
        "before; earlier publishers: dominictarr"
    )


def test_event_stream_3_3_4_by_its_long_time_publisher_is_quiet(tmp_path: Path) -> None:
    result = run(tmp_path, [node("event-stream", "3.3.4")], [fixture_packument("event-stream")])
    assert result == CheckResult()


def test_takeover_window_is_configurable(tmp_path: Path) -> None:
    # 4.0.1 came 15 days and 3 versions after right9ctrl's first release (3.3.5)
    document = fixture_packument("event-stream")
    nodes = [node("event-stream", "4.0.1")]
    default = by_rule(run(tmp_path, nodes, [document]))
    assert (
        "whose first event-stream release was 15 days earlier"
        in default["publisher-takeover"].message
    )
    by_days = {**LATER, "publishers.window-days": "10", "publishers.window-versions": 3}
    assert "publisher-takeover" in by_rule(run(tmp_path, nodes, [document], by_days))
    narrow = {**LATER, "publishers.window-days": 10, "publishers.window-versions": 2}
    assert "publisher-takeover" not in by_rule(run(tmp_path, nodes, [document], narrow))


def test_single_publisher_packages_are_no_takeover(tmp_path: Path) -> None:
    nodes = [node("flatmap-stream", "0.1.1"), node("ua-parser-js", "0.7.29")]
    documents = [fixture_packument("flatmap-stream"), fixture_packument("ua-parser-js")]
    assert run(tmp_path, nodes, documents) == CheckResult()


def test_a_founder_publishing_again_after_others_is_no_takeover(tmp_path: Path) -> None:
    document = make_packument(
        "pkg",
        release("1.0.0", time="2015-01-01T00:00:00Z", publisher="ann", maintainers=["ann"]),
        release("1.1.0", time="2016-01-01T00:00:00Z", publisher="bob", maintainers=["ann"]),
        release("2.0.0", time="2020-01-01T00:00:00Z", publisher="ann", maintainers=["ann"]),
    )
    assert run(tmp_path, [node("pkg", "2.0.0")], [document]) == CheckResult()
    # ... while bob's 1.1.0 was a first release by someone new
    first = by_rule(run(tmp_path, [node("pkg", "1.1.0")], [document]))
    assert first["publisher-takeover"].message == (
        "pkg@1.1.0 was published by bob, who had never published pkg before; "
        "earlier publishers: ann"
    )


def test_publisher_of_an_old_first_release_is_no_longer_new(tmp_path: Path) -> None:
    releases = [
        release("1.0.0", time="2015-01-01T00:00:00Z", publisher="ann", maintainers=["ann"]),
        release("1.1.0", time="2016-01-01T00:00:00Z", publisher="bob", maintainers=["ann"]),
    ]
    releases += [
        release(f"1.{n}.0", time=f"2017-0{n}-01T00:00:00Z", publisher="bob", maintainers=["ann"])
        for n in range(2, 7)
    ]
    document = make_packument("pkg", *releases)
    assert run(tmp_path, [node("pkg", "1.6.0")], [document]) == CheckResult()


# -- maintainer-set change ----------------------------------------------------------------------


def test_event_stream_maintainer_added_before_3_3_6(tmp_path: Path) -> None:
    result = run(tmp_path, [node("event-stream", "3.3.6")], [fixture_packument("event-stream")])
    change = by_rule(result)["maintainer-change"]
    assert change.severity is Severity.MEDIUM
    assert change.message == (
        "event-stream@3.3.6: maintainers changed in the releases leading up to it: "
        "3.3.5 added right9ctrl"
    )
    assert change.details["changes"] == [
        {"version": "3.3.5", "added": ["right9ctrl"], "removed": []}
    ]


def test_maintainer_change_outside_the_lookback_is_not_reported(tmp_path: Path) -> None:
    nodes = [node("event-stream", "4.0.1")]  # 3.3.5 is 3 releases back: 3.3.6, 4.0.0, 4.0.1
    document = fixture_packument("event-stream")
    assert "maintainer-change" in by_rule(run(tmp_path, nodes, [document]))
    short = {**LATER, "publishers.maintainer-versions": 2}
    assert "maintainer-change" not in by_rule(run(tmp_path, nodes, [document], short))


def test_maintainer_removed_in_the_locked_version(tmp_path: Path) -> None:
    document = make_packument(
        "pkg",
        release("1.0.0", time="2020-01-01T00:00:00Z", publisher="ann", maintainers=["ann", "bob"]),
        release("1.0.1", time="2020-02-01T00:00:00Z", publisher="ann", maintainers=["ann"]),
    )
    change = by_rule(run(tmp_path, [node("pkg", "1.0.1")], [document]))["maintainer-change"]
    assert change.message == (
        "pkg@1.0.1: maintainers changed in the releases leading up to it: "
        "1.0.1 (this version) removed bob"
    )


# -- very recent release ------------------------------------------------------------------------


def test_release_younger_than_the_minimum_age(tmp_path: Path) -> None:
    nodes = [node("flatmap-stream", "0.1.1")]  # published 2018-10-05T17:39:58Z
    documents = [fixture_packument("flatmap-stream")]
    soon = by_rule(run(tmp_path, nodes, documents, {"now": "2018-10-06T12:00:00Z"}))
    recent = soon["recent-release"]
    assert recent.severity is Severity.MEDIUM
    assert recent.message == (
        "flatmap-stream@0.1.1 was published 18 hours before this scan (minimum release age: 2 days)"
    )
    assert run(tmp_path, nodes, documents, {"now": "2018-10-08T00:00:00Z"}) == CheckResult()
    longer = {"now": "2018-10-08T00:00:00Z", "publishers.min-release-age-days": 7}
    assert "recent-release" in by_rule(run(tmp_path, nodes, documents, longer))


# -- what could not be checked ------------------------------------------------------------------


def test_mirror_without_publisher_data_is_not_checked_once(tmp_path: Path) -> None:
    nodes = [
        node("left-pad", "1.3.0"),
        node("left-pad", "1.2.0", location="node_modules/x/node_modules/left-pad"),
    ]
    result = run(tmp_path, nodes, [fixture_packument("left-pad")])
    assert result.findings == ()
    both = ("left-pad@1.2.0", "left-pad@1.3.0")
    assert gaps(result) == {
        REASON_NO_PUBLISHER: both,
        REASON_NO_TIME: both,
        REASON_NO_MAINTAINERS: both,
    }
    assert REASON_NO_PUBLISHER == "the registry returns no publisher data"


def test_version_without_publisher_among_versions_with_one(tmp_path: Path) -> None:
    document = make_packument(
        "pkg",
        release("1.0.0", time="2020-01-01T00:00:00Z", publisher="ann", maintainers=["ann"]),
        release("1.0.1", time="2020-02-01T00:00:00Z", maintainers=["ann"]),
    )
    result = run(tmp_path, [node("pkg", "1.0.1")], [document])
    assert gaps(result) == {REASON_NO_PUBLISHER_FOR_VERSION: ("pkg@1.0.1",)}


def test_unavailable_documents_are_not_checked(tmp_path: Path) -> None:
    nodes = [node("gone", "1.0.0"), node("also-gone", "2.0.0")]
    result = run(tmp_path, nodes, [Unavailable("gone", "timed out")])
    assert result.findings == ()
    assert gaps(result) == {
        "registry document unavailable (timed out)": ("gone@1.0.0",),
        "registry document unavailable (HTTP 404 Not Found)": (
            "also-gone@2.0.0",
        ),
    }


def test_locked_version_missing_from_the_document(tmp_path: Path) -> None:
    result = run(tmp_path, [node("event-stream", "3.3.7")], [fixture_packument("event-stream")])
    assert gaps(result) == {REASON_VERSION_MISSING: ("event-stream@3.3.7",)}


def test_without_registry_one_scan_wide_not_checked(tmp_path: Path) -> None:
    result = run(tmp_path, [node("event-stream", "3.3.6"), node("left-pad", "1.3.0")], None)
    assert result.findings == ()
    assert [(nc.reason, nc.packages) for nc in result.not_checked] == [(REASON_NO_REGISTRY, ())]


def test_one_lookup_with_every_registry_name(tmp_path: Path) -> None:
    nodes = [
        node("event-stream", "3.3.6"),
        node("flatmap-stream", "0.1.1"),
        node("event-stream", "3.3.6", location="node_modules/a/node_modules/event-stream"),
        node("mine", "1.0.0", source=SourceKind.GIT),
    ]
    documents = [fixture_packument("event-stream"), fixture_packument("flatmap-stream")]
    registry = FakeRegistry(documents)
    result = PublishersCheck().run(make_context(tmp_path, nodes, registry, LATER))
    assert registry.calls == [["event-stream", "flatmap-stream"]]
    takeover = by_rule(result)["publisher-takeover"]
    assert takeover.details["locations"] == [
        "node_modules/a/node_modules/event-stream",
        "node_modules/event-stream",
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("publishers.window-days", -1),
        ("publishers.window-versions", "three"),
        ("publishers.min-release-age-days", True),
        ("now", "yesterday"),
    ],
)
def test_bad_settings_are_policy_errors(tmp_path: Path, key: str, value: object) -> None:
    with pytest.raises(PolicyError) as caught:
        run(tmp_path, [node("event-stream", "3.3.6")], [], {key: value})
    assert caught.value.subject == key
