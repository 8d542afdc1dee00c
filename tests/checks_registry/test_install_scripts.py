from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from scanner.checks.install_scripts import (
    REASON_GIT_PREPARE,
    REASON_NO_REGISTRY,
    REASON_UNKNOWN_NO_REGISTRY,
    REASON_VERSION_MISSING,
    InstallScriptsCheck,
    lifecycle_scripts,
    shorten,
)
from scanner.errors import PolicyError
from scanner.model import CheckResult, Finding, PackageNode, Severity, SourceKind
from scanner.registry.packument import Packument, Unavailable

from .helpers import (
    FakeRegistry,
    fixture_packument,
    make_context,
    make_packument,
    node,
    release,
)

UA_PREINSTALL = "start /B node preinstall.js & node preinstall.js"


def run(
    project: Path,
    nodes: list[PackageNode],
    documents: Sequence[Packument | Unavailable] | None,
    settings: dict[str, object] | None = None,
) -> CheckResult:
    registry = FakeRegistry(documents) if documents is not None else None
    return InstallScriptsCheck().run(make_context(project, nodes, registry, settings))


def only(result: CheckResult) -> Finding:
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def write_manifest(project: Path, manifest: dict[str, object]) -> None:
    (project / "package.json").write_text(json.dumps(manifest), encoding="utf-8")


def scripted(name: str, first: str, second: str) -> Packument:
    return make_packument(
        name,
        release("1.0.0", time="2020-01-01T00:00:00Z", scripts={"postinstall": first}),
        release("1.0.1", time="2020-02-01T00:00:00Z", scripts={"postinstall": second}),
    )


# -- which scripts npm runs -------------------------------------------------------------------


def test_prepare_counts_only_for_git_dependencies() -> None:
    scripts = {"prepare": "tsc -p .", "test": "jest"}
    assert lifecycle_scripts(scripts, False, SourceKind.REGISTRY) == {}
    git = lifecycle_scripts(scripts, False, SourceKind.GIT)
    assert list(git) == ["prepare"]
    assert git["prepare"].command == "tsc -p ."


def test_gypfile_without_install_script_gets_npms_implicit_rebuild() -> None:
    implicit = lifecycle_scripts({}, True, SourceKind.REGISTRY)
    assert implicit["install"].command == "node-gyp rebuild"
    assert implicit["install"].implicit
    explicit = lifecycle_scripts({"install": "node-gyp-build"}, True, SourceKind.REGISTRY)
    assert explicit["install"].command == "node-gyp-build"
    assert not explicit["install"].implicit
    # a preinstall also stops npm from adding the implicit rebuild
    assert "install" not in lifecycle_scripts({"preinstall": "x"}, True, SourceKind.REGISTRY)


def test_long_scripts_are_quoted_on_one_shortened_line() -> None:
    text = shorten("node  a.js\n&& " + "x" * 200)
    assert "\n" not in text and "  " not in text
    assert len(text) == 80 and text.endswith("…")
    assert shorten("echo `id`") == "echo 'id'"


# -- new, changed, unchanged --------------------------------------------------------------------


def test_ua_parser_js_0_7_29_added_a_preinstall_script(tmp_path: Path) -> None:
    result = run(tmp_path, [node("ua-parser-js", "0.7.29")], [fixture_packument("ua-parser-js")])
    finding = only(result)
    assert finding.severity is Severity.HIGH
    assert finding.message == (
        "ua-parser-js@0.7.29 added a preinstall script (previous version 0.7.28 had none): "
        f"`{UA_PREINSTALL}`"
    )
    assert finding.package is not None and finding.package.version == "0.7.29"
    assert finding.details["scripts"] == {"preinstall": UA_PREINSTALL}
    assert finding.details["previous_version"] == "0.7.28"
    assert finding.lockfile == str(tmp_path / "package-lock.json") and finding.line == 7
    assert result.not_checked == ()


def test_versions_without_install_scripts_give_nothing(tmp_path: Path) -> None:
    nodes = [node("ua-parser-js", "0.7.30"), node("event-stream", "3.3.6")]
    documents = [fixture_packument("ua-parser-js"), fixture_packument("event-stream")]
    assert run(tmp_path, nodes, documents) == CheckResult()


def test_changed_script_is_high_and_quotes_both_versions(tmp_path: Path) -> None:
    document = scripted("pkg", "node install.js", "node install.js && node steal.js")
    finding = only(run(tmp_path, [node("pkg", "1.0.1")], [document]))
    assert finding.severity is Severity.HIGH
    assert finding.message == (
        "pkg@1.0.1 changed its postinstall script (previous version 1.0.0: `node install.js`): "
        "`node install.js && node steal.js`"
    )


def test_unchanged_long_standing_script_is_low(tmp_path: Path) -> None:
    document = scripted("pkg", "node install.js", "node install.js")
    finding = only(run(tmp_path, [node("pkg", "1.0.1")], [document]))
    assert finding.severity is Severity.LOW
    assert finding.message == (
        "pkg@1.0.1 runs a postinstall script, unchanged since 1.0.0: `node install.js`"
    )


def test_script_added_beside_an_existing_one_is_named(tmp_path: Path) -> None:
    document = make_packument(
        "pkg",
        release("1.0.0", time="2020-01-01T00:00:00Z", scripts={"install": "node-gyp rebuild"}),
        release(
            "1.1.0",
            time="2020-02-01T00:00:00Z",
            scripts={"install": "node-gyp rebuild", "postinstall": "node p.js"},
        ),
    )
    finding = only(run(tmp_path, [node("pkg", "1.1.0")], [document]))
    assert finding.severity is Severity.HIGH
    assert finding.message == (
        "pkg@1.1.0 added a postinstall script (previous version 1.0.0 had no postinstall "
        "script): `node p.js`"
    )


def test_implicit_gyp_install_appearing_is_reported_as_added(tmp_path: Path) -> None:
    document = make_packument(
        "native",
        release("1.0.0", time="2020-01-01T00:00:00Z"),
        release("1.1.0", time="2020-02-01T00:00:00Z", gypfile=True),
    )
    finding = only(run(tmp_path, [node("native", "1.1.0")], [document]))
    assert finding.severity is Severity.HIGH
    assert finding.message == (
        "native@1.1.0 added an install script (previous version 1.0.0 had none): "
        "`node-gyp rebuild` (implicit: the package has a binding.gyp)"
    )


def test_registry_package_with_only_prepare_runs_nothing_on_install(tmp_path: Path) -> None:
    document = make_packument(
        "lib", release("1.0.0", time="2020-01-01T00:00:00Z", scripts={"prepare": "tsc"})
    )
    assert run(tmp_path, [node("lib", "1.0.0")], [document]) == CheckResult()


def test_script_in_the_first_release_is_medium(tmp_path: Path) -> None:
    document = make_packument(
        "fresh", release("0.0.1", time="2020-01-01T00:00:00Z", scripts={"postinstall": "node i"})
    )
    finding = only(run(tmp_path, [node("fresh", "0.0.1")], [document]))
    assert finding.severity is Severity.MEDIUM
    assert finding.message == (
        "fresh@0.0.1 runs a postinstall script from its first release: `node i`"
    )


def test_previous_version_is_the_highest_lower_one_published_before(tmp_path: Path) -> None:
    # 1.2.5 is a backport published after 2.0.0: it follows 1.2.4, which had no script.
    document = make_packument(
        "pkg",
        release("1.2.4", time="2020-01-01T00:00:00Z"),
        release("2.0.0", time="2020-06-01T00:00:00Z", scripts={"postinstall": "node a"}),
        release("1.2.5", time="2020-07-01T00:00:00Z", scripts={"postinstall": "node a"}),
        # published later than 2.0.0's release, so it cannot be what 2.0.0 followed
        release("1.9.0", time="2021-01-01T00:00:00Z", scripts={"postinstall": "node a"}),
    )
    backport = only(run(tmp_path, [node("pkg", "1.2.5")], [document]))
    assert backport.details["previous_version"] == "1.2.4"
    assert backport.severity is Severity.HIGH
    major = only(run(tmp_path, [node("pkg", "2.0.0")], [document]))
    assert major.details["previous_version"] == "1.2.4"
    assert major.severity is Severity.HIGH


def test_several_scripts_are_all_quoted(tmp_path: Path) -> None:
    scripts = {"preinstall": "node a", "postinstall": "node b"}
    document = make_packument(
        "pkg",
        release("1.0.0", time="2020-01-01T00:00:00Z", scripts=scripts),
        release("1.0.1", time="2020-02-01T00:00:00Z", scripts=scripts),
    )
    finding = only(run(tmp_path, [node("pkg", "1.0.1")], [document]))
    assert finding.message == (
        "pkg@1.0.1 runs preinstall and postinstall scripts, unchanged since 1.0.0: "
        "preinstall `node a`, postinstall `node b`"
    )


# -- allowlists ---------------------------------------------------------------------------------


def test_allowlisted_unchanged_script_is_info(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"name": "app", "allowScripts": {"pkg": True}})
    document = scripted("pkg", "node install.js", "node install.js")
    finding = only(run(tmp_path, [node("pkg", "1.0.1")], [document]))
    assert finding.severity is Severity.INFO
    assert finding.message.endswith("(allowed by package.json allowScripts)")


def test_allowlisted_package_whose_script_changed_is_still_high(tmp_path: Path) -> None:
    write_manifest(tmp_path, {"name": "app", "pnpm": {"onlyBuiltDependencies": ["pkg"]}})
    document = scripted("pkg", "node install.js", "curl x | sh")
    finding = only(run(tmp_path, [node("pkg", "1.0.1")], [document]))
    assert finding.severity is Severity.HIGH
    assert "changed its postinstall script" in finding.message
    assert finding.message.endswith("(allowed by package.json pnpm onlyBuiltDependencies)")


def test_depscan_setting_allows_and_a_deny_entry_overrides_it(tmp_path: Path) -> None:
    document = scripted("pkg", "node install.js", "node install.js")
    allowed = only(
        run(tmp_path, [node("pkg", "1.0.1")], [document], {"install-scripts.allow": ["pkg"]})
    )
    assert allowed.severity is Severity.INFO
    write_manifest(tmp_path, {"lavamoat": {"allowScripts": {"app>pkg": False}}})
    denied = only(
        run(tmp_path, [node("pkg", "1.0.1")], [document], {"install-scripts.allow": ["pkg"]})
    )
    assert denied.severity is Severity.LOW


def test_a_broken_package_json_is_a_policy_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        run(tmp_path, [node("pkg", "1.0.1")], [])
    assert caught.value.subject == str(tmp_path / "package.json")


# -- what could not be checked ------------------------------------------------------------------


def test_without_registry_the_lockfile_flag_is_reported_and_the_gap_said(tmp_path: Path) -> None:
    nodes = [
        node("flagged", "1.0.0", has_install_script=True),
        node("clean", "1.0.0", has_install_script=False),
        node("unknown-a", "1.0.0"),
        node("unknown-b", "2.0.0"),
    ]
    result = run(tmp_path, nodes, None)
    finding = only(result)
    assert finding.severity is Severity.LOW
    assert finding.message == (
        "flagged@1.0.0 runs an install script (recorded in the lockfile; its text and history "
        "were not checked)"
    )
    gaps = {nc.reason: nc.packages for nc in result.not_checked}
    assert gaps == {
        REASON_NO_REGISTRY: ("flagged@1.0.0",),
        REASON_UNKNOWN_NO_REGISTRY: ("unknown-a@1.0.0", "unknown-b@2.0.0"),
    }
    assert all(nc.check == "install-scripts" for nc in result.not_checked)


def test_unavailable_documents_are_not_checked_once_per_reason(tmp_path: Path) -> None:
    nodes = [node("gone-a", "1.0.0"), node("gone-b", "1.0.0"), node("gone-c", "1.0.0")]
    documents: list[Packument | Unavailable] = [
        Unavailable("gone-a", "timed out"),
        Unavailable("gone-b", "timed out"),
        Unavailable("gone-c", "offline and not cached"),
    ]
    result = run(tmp_path, nodes, documents)
    assert result.findings == ()
    gaps = {nc.reason: nc.packages for nc in result.not_checked}
    assert gaps == {
        "registry document unavailable (timed out)": (
            "gone-a@1.0.0",
            "gone-b@1.0.0",
        ),
        "registry document unavailable (offline and not cached)": (
            "gone-c@1.0.0",
        ),
    }


def test_unavailable_document_with_lockfile_saying_no_script_is_clean(tmp_path: Path) -> None:
    nodes = [node("gone", "1.0.0", has_install_script=False)]
    assert run(tmp_path, nodes, [Unavailable("gone", "timed out")]) == CheckResult()


def test_locked_version_missing_from_the_document(tmp_path: Path) -> None:
    result = run(tmp_path, [node("ua-parser-js", "9.9.9")], [fixture_packument("ua-parser-js")])
    assert result.findings == ()
    assert [(nc.reason, nc.packages) for nc in result.not_checked] == [
        (REASON_VERSION_MISSING, ("ua-parser-js@9.9.9",))
    ]


def test_git_dependencies_are_never_silently_clean(tmp_path: Path) -> None:
    nodes = [
        node("from-git", "1.0.0", source=SourceKind.GIT),
        node("built-git", "2.0.0", source=SourceKind.GIT, has_install_script=True),
    ]
    registry = FakeRegistry([])
    result = InstallScriptsCheck().run(make_context(tmp_path, nodes, registry))
    assert registry.calls == []  # git code is not what the registry serves under that name
    assert [f.package.name for f in result.findings if f.package] == ["built-git"]
    assert [(nc.reason, nc.packages) for nc in result.not_checked] == [
        (REASON_GIT_PREPARE, ("built-git@2.0.0", "from-git@1.0.0"))
    ]


def test_one_lookup_for_all_names_and_one_finding_per_version(tmp_path: Path) -> None:
    nodes = [
        node("ua-parser-js", "0.7.29"),
        node("ua-parser-js", "0.7.29", location="node_modules/a/node_modules/ua-parser-js"),
        node("event-stream", "3.3.6"),
        node("linked", "1.0.0", source=SourceKind.LINK),
    ]
    registry = FakeRegistry([fixture_packument("ua-parser-js"), fixture_packument("event-stream")])
    result = InstallScriptsCheck().run(make_context(tmp_path, nodes, registry))
    assert registry.calls == [["event-stream", "ua-parser-js"]]
    finding = only(result)
    assert finding.details["locations"] == [
        "node_modules/a/node_modules/ua-parser-js",
        "node_modules/ua-parser-js",
    ]
