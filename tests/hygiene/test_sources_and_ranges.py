"""Source listing (and forbidding) and declared-range checks."""

from __future__ import annotations

import pytest

from scanner.errors import PolicyError
from scanner.model import DeclaredDependency, DependencyKind, PackageNode, Severity, SourceKind

from .helpers import make_lockfile, registry_node, rule_hits, run_hygiene


def _non_registry_nodes() -> list[PackageNode]:
    return [
        PackageNode(
            "node_modules/g", "g", "1.0.0", SourceKind.GIT,
            resolved="git+https://git.example.test/g.git#a9ee72ebc8fe3975f1b0c7aeb3a8f2a806a432eb",
        ),
        PackageNode(
            "node_modules/r", "r", "1.0.0", SourceKind.REMOTE_TARBALL,
            resolved="https://cdn.example.test/r.tgz", integrity="sha512-" + "C" * 86 + "==",
        ),
        PackageNode(
            "node_modules/t", "t", "1.0.0", SourceKind.LOCAL_TARBALL, resolved="file:t-1.0.0.tgz"
        ),
        PackageNode(
            "node_modules/d", "d", "1.0.0", SourceKind.LOCAL_DIRECTORY, resolved="file:../d"
        ),
        PackageNode(
            "node_modules/l", "l", "", SourceKind.LINK, resolved="../elsewhere/l",
            link_target="../elsewhere/l",
        ),
        PackageNode(
            "node_modules/ws", "ws", "", SourceKind.LINK, resolved="packages/ws",
            link_target="packages/ws",
        ),
    ]


def test_non_registry_sources_are_listed_as_info() -> None:
    workspace = PackageNode("packages/ws", "ws", "0.1.0", SourceKind.WORKSPACE)
    result = run_hygiene(make_lockfile(_non_registry_nodes(), extra_roots=[workspace]))
    listed = [f for f in result.findings if f.details["rule"] == "source"]
    assert [(f.package.name if f.package else "", f.details["source"]) for f in listed] == [
        ("g", "git"),
        ("r", "remote-tarball"),
        ("t", "local-tarball"),
        ("d", "local-directory"),
        ("l", "link"),
    ]
    assert {f.severity for f in listed} == {Severity.INFO}


def test_forbidden_source_kinds_are_high() -> None:
    workspace = PackageNode("packages/ws", "ws", "0.1.0", SourceKind.WORKSPACE)
    lockfile = make_lockfile(_non_registry_nodes(), extra_roots=[workspace])
    result = run_hygiene(lockfile, {"hygiene.forbid-sources": ["git", "remote-tarball"]})
    severities = {
        f.package.name: f.severity
        for f in result.findings
        if f.details["rule"] == "source" and f.package
    }
    assert severities == {
        "g": Severity.HIGH, "r": Severity.HIGH, "t": Severity.INFO, "d": Severity.INFO,
        "l": Severity.INFO,
    }


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"hygiene.forbid-sources": ["svn"]}, "hygiene.forbid-sources"),
        ({"hygiene.allowed-hosts": 3}, "hygiene.allowed-hosts"),
        ({"hygiene.allowed-hosts": ["https://"]}, "hygiene.allowed-hosts"),
        ({"registry-url": 12}, "registry-url"),
    ],
)
def test_bad_settings_are_policy_errors_naming_the_key(
    settings: dict[str, object], key: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        run_hygiene(make_lockfile([]), settings)
    assert caught.value.subject == key


def _declared(name: str, spec: str, kind: DependencyKind = DependencyKind.PROD) -> PackageNode:
    """A parent package declaring ``name@spec``, resolved to node_modules/<name>."""
    return registry_node(
        "parent", "1.0.0",
        dependencies=(DeclaredDependency(name, spec, kind, f"node_modules/{name}"),),
    )


@pytest.mark.parametrize(
    ("spec", "locked", "reported"),
    [
        ("^1.0.0", "2.0.0", True),
        ("^1.0.0", "1.4.2", False),
        ("~1.2", "1.3.0", True),
        (">=1 <3 || ^5", "4.0.0", True),
        ("1.x", "1.9.9", False),
        ("^1.0.0", "1.1.0-beta.1", True),
        ("*", "2.0.0-rc.1", False),
        ("", "3.0.0", False),
        ("latest", "9.9.9", False),
        ("npm:other@^1", "5.0.0", False),
        ("git+https://git.example.test/x.git", "5.0.0", False),
        ("file:../x", "5.0.0", False),
        ("workspace:^1.0.0", "5.0.0", False),
        ("user/repo", "5.0.0", False),
    ],
)
def test_declared_range_against_locked_version(spec: str, locked: str, reported: bool) -> None:
    lockfile = make_lockfile([_declared("x", spec), registry_node("x", locked, line=55)])
    result = run_hygiene(lockfile)
    hits = [f for f in result.findings if f.details["rule"] == "range-unsatisfied"]
    assert bool(hits) is reported
    if reported:
        assert hits[0].severity is Severity.MEDIUM
        assert hits[0].line == 55
        assert hits[0].details["declared_by"] == "node_modules/parent"
        assert f"parent@1.0.0 declares x@{spec}" in hits[0].message


def test_root_declarations_are_checked_and_peers_and_git_targets_are_not() -> None:
    git_target = PackageNode(
        "node_modules/g", "g", "1.0.0", SourceKind.GIT,
        resolved="git+https://git.example.test/g.git#a9ee72ebc8fe3975f1b0c7aeb3a8f2a806a432eb",
    )
    peer = _declared("p", "^2.0.0", DependencyKind.PEER)
    lockfile = make_lockfile(
        [registry_node("a", "3.0.0"), git_target, peer, registry_node("p", "1.0.0")],
        root_deps=[("a", "^2.0.0"), ("g", "^2.0.0")],
    )
    result = run_hygiene(lockfile)
    assert rule_hits(result, "range-unsatisfied") == ["a@3.0.0"]
    [finding] = [f for f in result.findings if f.details["rule"] == "range-unsatisfied"]
    assert "the project declares a@^2.0.0" in finding.message
