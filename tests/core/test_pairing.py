"""Pairing incoming versions with their own past, by name (scanner/pairing.py)."""

from __future__ import annotations

from pathlib import Path

from scanner.model import Lockfile, PackageNode, SourceKind
from scanner.pairing import ChangeKind, incoming


def _lockfile(
    nodes: dict[str, tuple[str, str]], source: SourceKind = SourceKind.REGISTRY
) -> Lockfile:
    """``install path -> (name, version)``."""
    built = {"": PackageNode(location="", name="app", version="1.0.0", source=SourceKind.ROOT)}
    for location, (name, version) in nodes.items():
        built[location] = PackageNode(location, name, version, source)
    return Lockfile(Path("package-lock.json"), "npm-package-lock", "3", built, ("",))


def _pairs(base: Lockfile, head: Lockfile) -> list[tuple[str, str, str | None, str]]:
    return [
        (p.kind.value, p.name, p.old.version if p.old else None, p.new.version)
        for p in incoming(base, head)
    ]


def test_a_hoisting_swap_brings_no_new_code() -> None:
    base = _lockfile(
        {
            "node_modules/signal-exit": ("signal-exit", "4.1.0"),
            "node_modules/a/node_modules/signal-exit": ("signal-exit", "3.0.7"),
        }
    )
    head = _lockfile(
        {
            "node_modules/signal-exit": ("signal-exit", "3.0.7"),
            "node_modules/b/node_modules/signal-exit": ("signal-exit", "4.1.0"),
        }
    )
    assert _pairs(base, head) == []


def test_a_version_already_in_the_base_is_not_an_upgrade_of_the_one_it_displaced() -> None:
    # minimatch 3.1.2 -> 11.0.9 at the same install path, while 11.0.9 was nested elsewhere.
    base = _lockfile(
        {
            "node_modules/minimatch": ("minimatch", "3.1.2"),
            "node_modules/glob/node_modules/minimatch": ("minimatch", "11.0.9"),
        }
    )
    head = _lockfile({"node_modules/minimatch": ("minimatch", "11.0.9")})
    assert _pairs(base, head) == []


def test_each_new_version_pairs_with_the_nearest_lower_base_version() -> None:
    base = _lockfile(
        {
            "node_modules/pkg": ("pkg", "1.0.0"),
            "node_modules/x/node_modules/pkg": ("pkg", "9.0.0"),
            "node_modules/y/node_modules/pkg": ("pkg", "10.0.0"),
        }
    )
    head = _lockfile(
        {
            "node_modules/pkg": ("pkg", "9.2.0"),
            "node_modules/z/node_modules/pkg": ("pkg", "10.1.0"),
        }
    )
    assert _pairs(base, head) == [
        ("update", "pkg", "9.0.0", "9.2.0"),
        ("update", "pkg", "10.0.0", "10.1.0"),
    ]


def test_a_downgrade_is_paired_with_the_nearest_higher_version_and_marked() -> None:
    base = _lockfile({"node_modules/signal-exit": ("signal-exit", "4.1.0")})
    head = _lockfile({"node_modules/signal-exit": ("signal-exit", "3.0.7")})
    assert _pairs(base, head) == [("downgrade", "signal-exit", "4.1.0", "3.0.7")]


def test_prereleases_order_below_their_release() -> None:
    base = _lockfile({"node_modules/p": ("p", "2.0.0-rc.1")})
    head = _lockfile({"node_modules/p": ("p", "2.0.0")})
    assert _pairs(base, head) == [("update", "p", "2.0.0-rc.1", "2.0.0")]
    assert _pairs(head, base) == [("downgrade", "p", "2.0.0", "2.0.0-rc.1")]


def test_a_name_the_base_never_had_is_new() -> None:
    base = _lockfile({"node_modules/event-stream": ("event-stream", "3.3.4")})
    head = _lockfile(
        {
            "node_modules/event-stream": ("event-stream", "3.3.6"),
            "node_modules/flatmap-stream": ("flatmap-stream", "0.1.1"),
        }
    )
    pairs = incoming(base, head)
    assert [(p.kind, p.name) for p in pairs] == [
        (ChangeKind.UPDATE, "event-stream"),
        (ChangeKind.NEW, "flatmap-stream"),
    ]
    assert pairs[1].label == "flatmap-stream@0.1.1 (new)"
    assert pairs[0].label == "event-stream 3.3.4 -> 3.3.6"


def test_only_registry_packages_are_paired_unless_asked() -> None:
    base = _lockfile({}, SourceKind.GIT)
    head = _lockfile({"node_modules/g": ("g", "1.0.0")}, SourceKind.GIT)
    assert incoming(base, head) == []
    assert [p.kind for p in incoming(base, head, registry_only=False)] == [ChangeKind.NEW]
