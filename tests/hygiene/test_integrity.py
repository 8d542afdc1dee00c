"""Integrity rules: missing, sha1-only, malformed, conflicting, and lockfiles without any."""

from __future__ import annotations

import dataclasses

from scanner.model import PackageNode, Severity, SourceKind

from .helpers import (
    SHA1,
    SHA512_A,
    SHA512_B,
    make_lockfile,
    registry_node,
    rule_hits,
    run_hygiene,
    tarball,
)


def test_missing_integrity_is_medium_and_sha1_only_is_low() -> None:
    nodes = [
        registry_node("strong", "1.0.0"),
        registry_node("missing", "1.0.0", integrity=None),
        registry_node("weak", "1.0.0", integrity=SHA1),
        registry_node("both", "1.0.0", integrity=f"{SHA512_A} {SHA1}"),
    ]
    result = run_hygiene(make_lockfile(nodes))
    severities = {
        f.package.name: (f.details["rule"], f.severity) for f in result.findings if f.package
    }
    assert severities == {
        "missing": ("integrity-missing", Severity.MEDIUM),
        "weak": ("integrity-sha1", Severity.LOW),
    }


def test_value_that_is_not_an_sri_hash_is_reported() -> None:
    node = registry_node("x", "1.0.0", integrity="the integrity is not valid, clearly")
    result = run_hygiene(make_lockfile([node]))
    assert rule_hits(result, "integrity-invalid") == ["x@1.0.0"]


def test_yarn_sha1_fragment_counts_as_a_sha1_pin() -> None:
    node = registry_node(
        "abbrev", "1.1.1", integrity=None,
        resolved=tarball("abbrev", "1.1.1") + "#f8f2c887ad10bf67f634f005b6987fed3179aac8",
    )
    other = registry_node("a", "1.0.0")
    result = run_hygiene(make_lockfile([node, other]))
    assert rule_hits(result, "integrity-sha1") == ["abbrev@1.1.1"]
    assert rule_hits(result, "integrity-missing") == []


def test_conflicting_integrity_for_one_version_is_high_once() -> None:
    first = registry_node("ms", "2.1.3", location="node_modules/ms", line=100)
    same = registry_node("ms", "2.1.3", location="node_modules/a/node_modules/ms", line=200)
    other = registry_node(
        "ms", "2.1.3", location="node_modules/b/node_modules/ms", line=300, integrity=SHA512_B
    )
    result = run_hygiene(make_lockfile([other, first, same]))
    conflicts = [f for f in result.findings if f.details["rule"] == "integrity-conflict"]
    assert len(conflicts) == 1
    assert conflicts[0].severity is Severity.HIGH
    assert conflicts[0].line == 300
    assert conflicts[0].details["other_location"] == "node_modules/ms"
    assert "(line 100)" in conflicts[0].message


def test_hashes_of_different_algorithms_do_not_conflict() -> None:
    strong = registry_node("ms", "2.1.3", location="node_modules/ms")
    weak = registry_node("ms", "2.1.3", location="node_modules/a/node_modules/ms", integrity=SHA1)
    result = run_hygiene(make_lockfile([strong, weak]))
    assert rule_hits(result, "integrity-conflict") == []
    assert rule_hits(result, "integrity-sha1") == ["ms@2.1.3"]


def test_lockfile_without_any_integrity_gives_one_not_checked() -> None:
    nodes = [registry_node(n, "1.0.0", integrity=None) for n in ("a", "b", "c")]
    lockfile = dataclasses.replace(make_lockfile(nodes), format="yarn-berry")
    result = run_hygiene(lockfile)
    assert rule_hits(result, "integrity-missing") == []
    [gap] = [n for n in result.not_checked if "integrity" in n.reason]
    assert "yarn-berry" in gap.reason
    assert "3 registry packages" in gap.reason


def test_git_and_local_packages_need_no_integrity() -> None:
    git = PackageNode(
        "node_modules/g", "g", "1.0.0", SourceKind.GIT,
        resolved="git+https://git.example.test/g.git#a9ee72ebc8fe3975f1b0c7aeb3a8f2a806a432eb",
    )
    local = PackageNode(
        "node_modules/t", "t", "1.0.0", SourceKind.LOCAL_TARBALL, resolved="file:t-1.0.0.tgz"
    )
    result = run_hygiene(make_lockfile([registry_node("a", "1.0.0"), git, local]))
    assert [f.details["rule"] for f in result.findings] == ["source", "source"]
