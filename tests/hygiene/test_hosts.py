"""The host, scheme and unencrypted-transport rules."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scanner.model import (
    CheckResult,
    DeclaredDependency,
    DependencyKind,
    Finding,
    Lockfile,
    PackageNode,
    Severity,
    SourceKind,
)

from .helpers import make_lockfile, registry_node, rule_hits, run_hygiene, tarball


def test_registry_host_from_the_configured_registry_is_allowed_and_others_are_high() -> None:
    good = registry_node("left-pad", "1.3.0")
    bad = registry_node(
        "lodash", "4.17.21", resolved=tarball("lodash", "4.17.21", "https://evil.example.test/"),
        line=42,
    )
    result = run_hygiene(make_lockfile([good, bad]))

    hosts = [f for f in result.findings if f.details["rule"] == "host"]
    assert [(f.package.name if f.package else None) for f in hosts] == ["lodash"]
    assert hosts[0].severity is Severity.HIGH
    assert hosts[0].line == 42
    assert hosts[0].lockfile == "package-lock.json"
    assert "evil.example.test" in hosts[0].message
    assert hosts[0].details["host"] == "evil.example.test"


def test_allowed_hosts_setting_replaces_the_registry_default() -> None:
    mirror = registry_node(
        "a", "1.0.0", resolved=tarball("a", "1.0.0", "https://mirror.example.test:8443/npm/")
    )
    default = registry_node("b", "1.0.0")
    settings: dict[str, object] = {"hygiene.allowed-hosts": ["https://mirror.example.test:8443/"]}
    result = run_hygiene(make_lockfile([mirror, default]), settings)
    assert rule_hits(result, "host") == ["b@1.0.0"]


def test_allowed_hosts_compare_ports() -> None:
    on_8080 = registry_node(
        "wrappy", "1.0.2", resolved=tarball("wrappy", "1.0.2", "https://localhost:8080/")
    )
    on_default_port = registry_node(
        "once", "1.4.0", resolved=tarball("once", "1.4.0", "https://registry.example.test:443/")
    )
    lockfile = make_lockfile([on_8080, on_default_port])
    assert rule_hits(run_hygiene(lockfile), "host") == ["wrappy@1.0.2"]
    allowed: dict[str, object] = {
        "hygiene.allowed-hosts": "registry.example.test, localhost:8080"
    }
    assert rule_hits(run_hygiene(lockfile, allowed), "host") == []


def test_without_registry_url_the_host_rule_is_not_checked_but_http_still_is() -> None:
    plain = registry_node("a", "1.0.0")
    insecure = registry_node(
        "b", "1.0.0", resolved=tarball("b", "1.0.0", "http://registry.example.test/")
    )
    result = run_hygiene(make_lockfile([plain, insecure]), registry_url=None)
    assert rule_hits(result, "host") == []
    assert rule_hits(result, "insecure-protocol") == ["b@1.0.0"]
    reasons = [n.reason for n in result.not_checked]
    assert any("resolved hosts of 2 packages not checked" in r for r in reasons)
    host_gap = next(n for n in result.not_checked if "resolved hosts" in n.reason)
    assert host_gap.packages == ("a@1.0.0", "b@1.0.0")


def test_missing_resolved_is_one_not_checked_with_the_count() -> None:
    nodes = [
        registry_node("a", "1.0.0", resolved=None),
        registry_node("b", "1.0.0", resolved=None),
        registry_node("c", "1.0.0"),
    ]
    result = run_hygiene(make_lockfile(nodes))
    assert result.findings == ()
    missing = [n for n in result.not_checked if "no resolved URL" in n.reason]
    assert len(missing) == 1
    assert missing[0].reason.startswith("2 of 3 registry packages")
    assert missing[0].packages == ("a@1.0.0", "b@1.0.0")
    assert missing[0].check == "lockfile-hygiene"


def test_http_is_high_except_on_loopback() -> None:
    remote_http = registry_node(
        "a", "1.0.0", resolved=tarball("a", "1.0.0", "http://registry.example.test/")
    )
    local_http = registry_node(
        "b", "1.0.0", resolved=tarball("b", "1.0.0", "http://127.0.0.1:4873/")
    )
    settings: dict[str, object] = {
        "hygiene.allowed-hosts": ["registry.example.test", "127.0.0.1:4873"]
    }
    result = run_hygiene(make_lockfile([remote_http, local_http]), settings)
    insecure = [f for f in result.findings if f.details["rule"] == "insecure-protocol"]
    assert [f.package.name for f in insecure if f.package] == ["a"]
    assert insecure[0].severity is Severity.HIGH
    assert rule_hits(result, "host") == []


def test_git_dependencies_are_listed_not_host_checked_and_git_protocol_is_insecure() -> None:
    over_ssh = PackageNode(
        "node_modules/minimist", "minimist", "1.2.8", SourceKind.GIT,
        resolved="git+ssh://git@git.example.test/substack/minimist.git#3754568bfd43a841d2d72d7fb54598635aea8fa4",
    )
    over_git = PackageNode(
        "node_modules/abbrev", "abbrev", "1.1.1", SourceKind.GIT,
        resolved="git://git.example.test/abbrev.git#a9ee72ebc8fe3975f1b0c7aeb3a8f2a806a432eb",
    )
    result = run_hygiene(make_lockfile([over_ssh, over_git]))
    assert rule_hits(result, "host") == []
    assert rule_hits(result, "insecure-protocol") == ["abbrev@1.1.1"]
    assert rule_hits(result, "source") == ["minimist@1.2.8", "abbrev@1.1.1"]


def test_unknown_schemes_and_non_urls_are_reported() -> None:
    ftp = registry_node("a", "1.0.0", resolved="ftp://registry.example.test/a/-/a-1.0.0.tgz")
    garbage = registry_node("b", "1.0.0", resolved="fake resolved value")
    link = PackageNode(
        "node_modules/ws-a", "ws-a", "", SourceKind.LINK, resolved="packages/a",
        link_target="packages/a",
    )
    result = run_hygiene(make_lockfile([ftp, garbage, link]))
    by_name = {f.package.name: f for f in result.findings if f.package}
    assert by_name["a"].details["rule"] == "scheme"
    assert by_name["a"].severity is Severity.HIGH
    assert by_name["b"].details["rule"] == "scheme"
    assert by_name["b"].severity is Severity.MEDIUM
    assert "ws-a" not in {n for n, f in by_name.items() if f.details["rule"] == "scheme"}


def test_bundled_packages_are_not_host_checked() -> None:
    bundled = registry_node(
        "c", "1.2.3", resolved=tarball("c", "1.2.3", "https://registry.internal.test/"),
        in_bundle=True, integrity=None,
    )
    result = run_hygiene(make_lockfile([bundled]))
    assert result.findings == ()


def test_remote_tarball_declared_by_url_is_listed_but_declared_by_range_is_host_checked() -> None:
    url = "https://cdn.example.test/pkg-1.0.0.tgz"
    declared_url = PackageNode(
        "node_modules/by-url", "by-url", "1.0.0", SourceKind.REMOTE_TARBALL, resolved=url,
        integrity="sha512-" + "C" * 86 + "==",
    )
    smuggled = PackageNode(
        "node_modules/by-range", "by-range", "1.0.0", SourceKind.REMOTE_TARBALL, resolved=url,
        integrity="sha512-" + "C" * 86 + "==",
    )
    lockfile = make_lockfile(
        [declared_url, smuggled], root_deps=[("by-url", url), ("by-range", "^1.0.0")]
    )
    result = run_hygiene(lockfile)
    assert rule_hits(result, "host") == ["by-range@1.0.0"]
    assert rule_hits(result, "source") == ["by-url@1.0.0", "by-range@1.0.0"]


def test_remote_tarball_with_unknown_dependents_is_only_listed() -> None:
    orphan = PackageNode(
        "node_modules/x", "x", "1.0.0", SourceKind.REMOTE_TARBALL,
        resolved="https://cdn.example.test/x.tgz",
    )
    lockfile = make_lockfile([orphan])
    # Nothing declared resolves to it, so nothing says it should be a registry package.
    root = dataclasses.replace(
        lockfile.root,
        dependencies=(DeclaredDependency("y", "^1", DependencyKind.PROD, None),),
    )
    lockfile = dataclasses.replace(lockfile, nodes={**lockfile.nodes, "": root})
    result = run_hygiene(lockfile)
    assert rule_hits(result, "host") == []
    assert rule_hits(result, "source") == ["x@1.0.0"]


# -- the lockfile's main registry host, unconfigured: one configuration question -----------------

OTHER = "https://other.example.test/"
EVIL = "https://evil.example.test/"


def _nodes(count: int, registry: str, prefix: str) -> list[PackageNode]:
    return [
        registry_node(f"{prefix}{i}", "1.0.0", resolved=tarball(f"{prefix}{i}", "1.0.0", registry))
        for i in range(count)
    ]


def _unconfigured(result: CheckResult) -> list[Finding]:
    return [f for f in result.findings if f.details["rule"] == "registry-unconfigured"]


def test_every_package_from_one_unconfigured_host_is_one_medium_finding() -> None:
    result = run_hygiene(make_lockfile(_nodes(40, OTHER, "p")))

    assert rule_hits(result, "host") == []
    (question,) = _unconfigured(result)
    assert question.severity is Severity.MEDIUM
    assert question.package is None and question.line == 1
    assert question.details["host"] == "other.example.test"
    assert question.details["packages"] == 40
    assert "other.example.test, which no registry configuration names" in question.message
    assert "--allowed-host other.example.test" in question.message
    assert "`registry=` in .npmrc" in question.message


def test_the_question_does_not_change_with_the_package_count() -> None:
    # Pull-request mode compares findings without a package by message: adding a package to a
    # lockfile that already had the question must not make it new.
    small = _unconfigured(run_hygiene(make_lockfile(_nodes(12, OTHER, "p"))))
    large = _unconfigured(run_hygiene(make_lockfile(_nodes(30, OTHER, "p"))))
    assert small[0].message == large[0].message


def test_a_handful_from_a_host_the_rest_do_not_use_stays_high_each() -> None:
    nodes = [*_nodes(20, "https://registry.example.test/", "ok"), *_nodes(3, EVIL, "bad")]
    result = run_hygiene(make_lockfile(nodes))
    assert _unconfigured(result) == []
    assert rule_hits(result, "host") == ["bad0@1.0.0", "bad1@1.0.0", "bad2@1.0.0"]
    assert all(f.severity is Severity.HIGH for f in result.findings)


def test_main_host_question_and_a_stranger_host_together() -> None:
    # Most packages from the project's (unconfigured) registry, a few from the configured one,
    # and two from a host nothing else uses.
    nodes = [
        *_nodes(30, OTHER, "main"),
        *_nodes(4, "https://registry.example.test/", "ok"),
        *_nodes(2, EVIL, "bad"),
    ]
    result = run_hygiene(make_lockfile(nodes))
    assert [f.details["host"] for f in _unconfigured(result)] == ["other.example.test"]
    assert rule_hits(result, "host") == ["bad0@1.0.0", "bad1@1.0.0"]


def test_a_tiny_lockfile_reports_each_package() -> None:
    result = run_hygiene(make_lockfile(_nodes(5, OTHER, "p")))
    assert _unconfigured(result) == []
    assert len(rule_hits(result, "host")) == 5


def test_no_main_host_when_no_host_has_a_majority() -> None:
    nodes = [*_nodes(10, OTHER, "a"), *_nodes(10, EVIL, "b")]
    result = run_hygiene(make_lockfile(nodes), registry_url="https://registry.example.test/")
    assert _unconfigured(result) == []
    assert len(rule_hits(result, "host")) == 20


# -- yarn's own registry configuration ----------------------------------------------------------

NPM_ELSEWHERE = "https://npm.example.test/"


def _yarn_v1_project(folder: Path, shared: Path, sample: str) -> Lockfile:
    from scanner.sources.detect import read_lockfile

    folder.mkdir(parents=True)
    target = folder / "yarn.lock"
    target.write_text((shared / "corpus" / "yarn" / "v1" / sample / "yarn.lock").read_text())
    return read_lockfile(target)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("YARN_NPM_REGISTRY_SERVER", raising=False)
    monkeypatch.delenv("YARN_RC_FILENAME", raising=False)
    return folder


def test_real_yarn_v1_lockfile_from_an_unconfigured_host_is_one_question(
    tmp_path: Path, shared: Path, home: Path
) -> None:
    # npm is configured with another registry; nothing configures the host the lockfile uses.
    lockfile = _yarn_v1_project(tmp_path / "app", shared, "excalidraw")
    result = run_hygiene(lockfile, registry_url=NPM_ELSEWHERE)

    assert rule_hits(result, "host") == []
    (question,) = _unconfigured(result)
    assert question.details["host"] == "registry.example.test"
    assert question.details["packages"] == question.details["compared"] > 1000
    assert "`registry` in .yarnrc or .npmrc" in question.message


@pytest.mark.parametrize("where", ["project", "parent", "home"])
def test_yarnrc_registry_is_an_allowed_host_for_a_yarn_v1_lockfile(
    tmp_path: Path, shared: Path, home: Path, where: str
) -> None:
    lockfile = _yarn_v1_project(tmp_path / "repo" / "app", shared, "excalidraw")
    folder = {"project": tmp_path / "repo" / "app", "parent": tmp_path / "repo", "home": home}
    (folder[where] / ".yarnrc").write_text('registry "https://registry.example.test/"\n')

    result = run_hygiene(lockfile, registry_url=NPM_ELSEWHERE)

    assert _unconfigured(result) == []
    assert rule_hits(result, "host") == []


def test_yarnrc_scoped_registry_is_allowed_and_npmrc_registry_stays_allowed(
    tmp_path: Path, home: Path
) -> None:
    from scanner.sources.detect import read_lockfile

    project = tmp_path / "app"
    project.mkdir()
    (project / ".yarnrc").write_text('"@acme:registry" "https://acme.example.test/"\n')
    (project / "yarn.lock").write_text(
        "# yarn lockfile v1\n\n\n"
        '"@acme/ui@^1.0.0":\n'
        '  version "1.0.0"\n'
        '  resolved "https://acme.example.test/@acme/ui/-/ui-1.0.0.tgz#'
        + "a" * 40 + '"\n\n'
        '"left-pad@^1.3.0":\n'
        '  version "1.3.0"\n'
        '  resolved "https://registry.example.test/left-pad/-/left-pad-1.3.0.tgz#'
        + "b" * 40 + '"\n\n'
        '"sneaky@^1.0.0":\n'
        '  version "1.0.0"\n'
        '  resolved "https://evil.example.test/sneaky/-/sneaky-1.0.0.tgz#' + "c" * 40 + '"\n'
    )
    result = run_hygiene(read_lockfile(project / "yarn.lock"))
    assert rule_hits(result, "host") == ["sneaky@1.0.0"]
    assert "acme.example.test" in result.findings[0].message  # listed among the allowed


def test_berry_yarnrc_yml_registry_is_an_allowed_host(tmp_path: Path, home: Path) -> None:
    from scanner.sources.detect import read_lockfile

    project = tmp_path / "app"
    project.mkdir()
    (project / ".yarnrc.yml").write_text("npmRegistryServer: https://mirror.example.test\n")
    url = "https://mirror.example.test/left-pad/-/left-pad-1.3.0.tgz"
    (project / "yarn.lock").write_text(
        "__metadata:\n  version: 6\n  cacheKey: 8\n\n"
        '"left-pad@npm:^1.3.0":\n'
        "  version: 1.3.0\n"
        f'  resolution: "left-pad@{url}"\n'
        "  checksum: abc\n"
        "  languageName: node\n  linkType: hard\n\n"
        '"app@workspace:.":\n'
        "  version: 0.0.0-use.local\n"
        '  resolution: "app@workspace:."\n'
        "  dependencies:\n"
        '    left-pad: "npm:^1.3.0"\n'
        "  languageName: unknown\n  linkType: soft\n"
    )
    lockfile = read_lockfile(project / "yarn.lock")
    assert rule_hits(run_hygiene(lockfile), "host") == []
    (project / ".yarnrc.yml").write_text("npmRegistryServer: https://elsewhere.example.test\n")
    assert rule_hits(run_hygiene(lockfile), "host") == ["left-pad@1.3.0"]
