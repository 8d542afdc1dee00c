from __future__ import annotations

from scanner.checks.release_history import ReleaseHistory, semver_key

from .helpers import make_packument, release


def test_semver_precedence_of_prereleases() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ]
    shuffled = sorted(ordered, key=lambda v: v[::-1])
    assert sorted(shuffled, key=lambda v: semver_key(v) or ()) == ordered
    assert semver_key("not-a-version") is None


def test_history_orders_by_publish_time_and_skips_untimed_versions() -> None:
    history = ReleaseHistory.of(
        make_packument(
            "pkg",
            release("2.0.0", time="2020-03-01T00:00:00Z"),
            release("1.0.0", time="2020-01-01T00:00:00.000Z"),
            release("1.0.1", time="2020-06-01T00:00:00+00:00"),
            release("1.0.2"),  # no publish time while the others have one
        )
    )
    assert history.order == ("1.0.0", "2.0.0", "1.0.1")
    assert history.released_before("1.0.1") == ("1.0.0", "2.0.0")
    assert history.previous_version("1.0.1") == "1.0.0"
    assert history.previous_version("1.0.0") is None
    assert history.released_before("1.0.2") == ()


def test_history_without_times_falls_back_to_semver_order() -> None:
    history = ReleaseHistory.of(
        make_packument("pkg", release("1.10.0"), release("1.2.0"), release("1.9.0-rc.1"))
    )
    assert not history.has_times
    assert history.order == ("1.2.0", "1.9.0-rc.1", "1.10.0")
    assert history.previous_version("1.10.0") == "1.9.0-rc.1"
