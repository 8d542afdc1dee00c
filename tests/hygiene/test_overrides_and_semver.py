"""Overrides that excuse unsatisfied ranges; the fast range path checked against nodesemver."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import nodesemver
import pytest

from scanner.checks.hygiene.overrides import overridden_names
from scanner.checks.hygiene.ranges import _simple_satisfies
from scanner.model import DeclaredDependency, DependencyKind, Finding, Lockfile

from .helpers import make_lockfile, registry_node, run_hygiene


def test_overridden_names_from_npm_yarn_and_pnpm_manifests(tmp_path: Path) -> None:
    manifest = {
        "overrides": {"foo": "1.0.0", "bar@^2": {"baz": "3.0.0", ".": "2.1.0"}},
        "resolutions": {"**/strip-ansi": "6.0.1", "a/@s/deep@^1": "1.2.3"},
        "pnpm": {"overrides": {"qux>quux@<2": "2.0.0"}},
    }
    (tmp_path / "package.json").write_text(json.dumps(manifest))
    assert overridden_names(tmp_path / "yarn.lock") == frozenset(
        {"foo", "bar", "baz", "strip-ansi", "@s/deep", "quux"}
    )


def test_no_manifest_or_a_broken_one_gives_none(tmp_path: Path) -> None:
    assert overridden_names(tmp_path / "package-lock.json") is None
    (tmp_path / "package.json").write_text("{not json")
    assert overridden_names(tmp_path / "package-lock.json") is None


def _forced_lockfile(directory: Path) -> Lockfile:
    parent = registry_node(
        "cliui", "8.0.2",
        dependencies=(
            DeclaredDependency(
                "strip-ansi", "^7.0.1", DependencyKind.PROD, "node_modules/strip-ansi"
            ),
        ),
    )
    base = make_lockfile([parent, registry_node("strip-ansi", "6.0.1")])
    return Lockfile(
        path=directory / "yarn.lock", format="yarn-v1", format_version="1",
        nodes=base.nodes, roots=base.roots,
    )


def test_range_rule_skips_forced_packages_and_says_when_it_could_not_look(tmp_path: Path) -> None:
    lockfile = _forced_lockfile(tmp_path)

    def range_findings() -> list[Finding]:
        result = run_hygiene(lockfile)
        return [f for f in result.findings if f.details["rule"] == "range-unsatisfied"]

    [unexplained] = range_findings()
    assert "package.json not found beside the lockfile" in unexplained.message
    (tmp_path / "package.json").write_text(json.dumps({"resolutions": {"strip-ansi": "6.0.1"}}))
    assert range_findings() == []
    (tmp_path / "package.json").write_text(json.dumps({"resolutions": {"other": "1.0.0"}}))
    [still] = range_findings()
    assert "package.json not found" not in still.message


_VERSIONS = [".".join(map(str, t)) for t in itertools.product((0, 1, 2), (0, 1, 3), (0, 2, 10))]
_BOUNDS = ("0.0.2", "0.1.0", "0.3.2", "1.0.0", "1.3.2", "2.1.10")
_RANGES = [op + v for op in ("", "^", "~") for v in _BOUNDS]


@pytest.mark.parametrize("range_", _RANGES)
def test_fast_path_agrees_with_nodesemver(range_: str) -> None:
    for version in _VERSIONS:
        fast = _simple_satisfies(version, range_)
        assert fast is not None
        assert fast == nodesemver.satisfies(version, range_, loose=True), (version, range_)


@pytest.mark.parametrize(
    ("version", "range_"),
    [("1.2.3-beta.1", "^1.0.0"), ("1.2.3", ">=1.0.0"), ("1.2.3", "^1.2"), ("v1.2.3", "^1.0.0")],
)
def test_fast_path_declines_anything_else(version: str, range_: str) -> None:
    assert _simple_satisfies(version, range_) is None
