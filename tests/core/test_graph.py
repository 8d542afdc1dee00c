"""Dependency paths from the roots: shortest paths, direct vs transitive, production vs dev."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.graph.paths import PathIndex, annotate, build_graph
from scanner.model import Finding, PackageRef, Severity
from scanner.sources.detect import read_lockfile


def _write(tmp_path: Path, packages: dict[str, object]) -> Path:
    path = tmp_path / "package-lock.json"
    doc = {"name": "my-app", "lockfileVersion": 3, "packages": packages}
    path.write_text(json.dumps(doc, indent=2))
    return path


def _reg(version: str, **deps: str) -> dict[str, object]:
    entry: dict[str, object] = {"version": version}
    if deps:
        entry["dependencies"] = deps
    return entry


def test_shortest_path_through_the_nearest_copy(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "": {
                "name": "my-app",
                "dependencies": {"some-lib": "^2"},
                "devDependencies": {"t": "1"},
            },
            "node_modules/some-lib": _reg("2.0.0", **{"event-stream": "3.3.6"}),
            "node_modules/some-lib/node_modules/event-stream": _reg(
                "3.3.6", **{"flatmap-stream": "^0.1.0"}
            ),
            "node_modules/event-stream": _reg("3.3.4"),
            "node_modules/flatmap-stream": _reg("0.1.1"),
            "node_modules/t": _reg("1.0.0", **{"event-stream": "3.3.4"}),
        },
    )
    lf = read_lockfile(path)
    index = PathIndex(lf)
    assert index.paths_to("node_modules/flatmap-stream") == [
        ("my-app", "some-lib@2.0.0", "event-stream@3.3.6", "flatmap-stream@0.1.1")
    ]
    assert not index.is_direct("node_modules/flatmap-stream")
    assert index.is_direct("node_modules/some-lib")
    assert index.reach("node_modules/flatmap-stream") == "prod"
    # event-stream 3.3.4 is only needed by the dev dependency t.
    assert index.reach("node_modules/event-stream") == "dev"
    assert index.paths_to("node_modules/event-stream") == [
        ("my-app", "t@1.0.0", "event-stream@3.3.4")
    ]


def test_several_shortest_paths_and_extraneous_nodes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "": {"name": "my-app", "dependencies": {"a": "1", "b": "1"}},
            "node_modules/a": _reg("1.0.0", c="1"),
            "node_modules/b": _reg("1.0.0", c="1"),
            "node_modules/c": _reg("1.0.0"),
            "node_modules/orphan": _reg("1.0.0"),
        },
    )
    lf = read_lockfile(path)
    index = PathIndex(lf)
    assert sorted(index.paths_to("node_modules/c")) == [
        ("my-app", "a@1.0.0", "c@1.0.0"),
        ("my-app", "b@1.0.0", "c@1.0.0"),
    ]
    assert index.paths_to("node_modules/orphan") == []
    assert index.reach("node_modules/orphan") == "unreachable"
    graph = build_graph(lf)
    assert graph.has_edge("node_modules/a", "node_modules/c")
    assert graph.number_of_edges() == 4


def test_paths_from_workspaces_skip_the_link_node() -> None:
    fixture = (
        Path(__file__).resolve().parents[1]
        / "fixtures/lockfiles/npm/workspaces-v2.package-lock.json"
    )
    lf = read_lockfile(fixture)
    index = PathIndex(lf)
    assert index.paths_to("node_modules/uuid") == [("c@1.0.0", "uuid@3.3.3")]
    assert index.is_direct("node_modules/uuid")


def test_annotate_fills_paths_only_for_this_lockfile(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"": {"name": "my-app", "dependencies": {"a": "1"}}, "node_modules/a": _reg("1.0.0")},
    )
    lf = read_lockfile(path)
    finding = Finding(
        "known-malicious",
        Severity.CRITICAL,
        "bad",
        PackageRef("a", "1.0.0", "node_modules/a"),
        lockfile=str(path),
    )
    elsewhere = Finding("x", Severity.LOW, "n", PackageRef("z", "1", "node_modules/z"))
    out = annotate([finding, elsewhere], lf)
    assert out[0].paths == (("my-app", "a@1.0.0"),) and out[0].direct and out[0].reach == "prod"
    assert out[1].paths == () and out[1].direct is None


def test_v1_without_manifest_roots_at_unrequired_top_level_entries(shared: Path) -> None:
    lf = read_lockfile(shared / "corpus/npm/v1/npm-cli-fixture-tap-old-lockfile/package-lock.json")
    index = PathIndex(lf)
    reachable = [loc for loc in lf.nodes if loc and index.reach(loc) != "unreachable"]
    # Every installed node is reachable from the root through `requires` edges.
    assert len(reachable) == len(lf.nodes) - 1
