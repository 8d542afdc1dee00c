"""The rule comparing a registry tarball URL with the entry's name and version."""

from __future__ import annotations

from scanner.model import Severity

from .helpers import make_lockfile, registry_node, rule_hits, run_hygiene, tarball


def test_tarball_of_another_package_is_a_high_name_mismatch() -> None:
    swapped = registry_node("lodash", "4.17.21", resolved=tarball("evil-pkg", "1.0.0"), line=7)
    result = run_hygiene(make_lockfile([swapped]))
    [finding] = [f for f in result.findings if f.details["rule"] == "name-mismatch"]
    assert finding.severity is Severity.HIGH
    assert finding.line == 7
    assert finding.details["url_name"] == "evil-pkg"


def test_file_name_of_another_package_under_the_right_folder_is_a_mismatch() -> None:
    odd = registry_node(
        "lodash", "4.17.21",
        resolved="https://registry.example.test/lodash/-/evil-pkg-4.17.21.tgz",
    )
    assert rule_hits(run_hygiene(make_lockfile([odd])), "name-mismatch") == ["lodash@4.17.21"]


def test_tarball_of_another_version_is_a_version_mismatch() -> None:
    older = registry_node("minimist", "1.2.8", resolved=tarball("minimist", "0.0.8"))
    result = run_hygiene(make_lockfile([older]))
    assert rule_hits(result, "version-mismatch") == ["minimist@1.2.8"]
    assert rule_hits(result, "name-mismatch") == []


def test_npm_alias_is_compared_by_its_real_name() -> None:
    alias = registry_node(
        "abbrev", "1.0.3", location="node_modules/old", alias="old",
        resolved=tarball("abbrev", "1.0.3"),
    )
    result = run_hygiene(make_lockfile([alias]))
    assert [f.details["rule"] for f in result.findings] == []


def test_scoped_packages_encoded_or_not_and_path_prefixed_registries_match() -> None:
    plain = registry_node("@scope/name", "2.0.0")
    encoded = registry_node(
        "@scope/other", "2.0.0",
        resolved="https://registry.example.test/@scope%2fother/-/other-2.0.0.tgz",
    )
    prefixed = registry_node(
        "@scope/third", "1.0.0",
        resolved="https://registry.example.test/api/npm/repo/@scope/third/-/@scope/third-1.0.0.tgz",
    )
    yarn_style = registry_node(
        "abbrev", "1.1.1",
        resolved=tarball("abbrev", "1.1.1") + "#f8f2c887ad10bf67f634f005b6987fed3179aac8",
    )
    result = run_hygiene(make_lockfile([plain, encoded, prefixed, yarn_style]))
    assert result.findings == ()
    assert result.not_checked == ()


def test_scoped_mismatch_is_reported() -> None:
    wrong_scope = registry_node("@scope/name", "2.0.0", resolved=tarball("@other/name", "2.0.0"))
    assert rule_hits(run_hygiene(make_lockfile([wrong_scope])), "name-mismatch") == [
        "@scope/name@2.0.0"
    ]


def test_other_registry_layouts_are_not_checked_not_passed() -> None:
    other = registry_node(
        "pkg", "1.0.0", resolved="https://registry.example.test/download/pkg/1.0.0/abcdef"
    )
    result = run_hygiene(make_lockfile([other]))
    assert rule_hits(result, "name-mismatch") == []
    [gap] = [n for n in result.not_checked if "layout" in n.reason]
    assert gap.packages == ("pkg@1.0.0",)
