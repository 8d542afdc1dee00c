"""From archives to a verdict: notes, metadata and kinds (scanner/verdict/assess.py).

The profiler is replaced by a table of hand-built profiles, so these tests see only what
assess adds: which versions are compared, what package.json and the registry say.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.behaviour.model import Capability as C
from scanner.behaviour.model import PackageProfile
from scanner.model import Severity
from scanner.pairing import ChangeKind
from scanner.registry.packument import Packument, VersionInfo
from scanner.tarball.archive import PackageArchive, read_package
from scanner.verdict.assess import Lookups, Profiler, judge_archives, package_metadata
from tests.tarball.builders import package
from tests.verdict.profiles import profile

NOW = datetime(2025, 9, 10, tzinfo=UTC)


def _archive(name: str, version: str, **fields: object) -> PackageArchive:
    files = fields.pop("files", {"index.js": "module.exports = 1\n"})
    assert isinstance(files, dict)
    return read_package(package(name, version, files, **fields), f"{name}@{version}")


def _profiles(table: dict[str, PackageProfile]) -> Profiler:
    def profiler(archive: PackageArchive, identity: str | None) -> PackageProfile:
        return table.get(archive.subject, profile({"index.js": []}))

    return profiler


def test_a_release_that_adds_a_known_malicious_dependency_is_critical() -> None:
    old = _archive("event-stream", "3.3.5", dependencies={"through": "~2.3.1"})
    new = _archive(
        "event-stream", "3.3.6", dependencies={"through": "~2.3.1", "flatmap-stream": "^0.1.0"}
    )
    history = Packument(
        "flatmap-stream",
        {v: VersionInfo(v) for v in ("0.1.0", "0.1.1", "0.1.2")},
        dist_tags={"latest": "0.1.2"},
    )
    seen: list[tuple[str, str]] = []

    def advisories(name: str, version: str) -> list[str]:
        seen.append((name, version))
        return ["GHSA-9x64-5r7x-2q53"] if (name, version) == ("flatmap-stream", "0.1.2") else []

    verdict = judge_archives(
        old,
        new,
        lookups=Lookups(advisories, {"flatmap-stream": history}.get),
        now=NOW,
        profiler=_profiles({}),
    )
    assert seen == [("flatmap-stream", "0.1.2")]  # the version npm would install: latest
    assert verdict.severity is Severity.CRITICAL
    assert verdict.kind is ChangeKind.UPDATE
    assert "GHSA-9x64-5r7x-2q53" in verdict.summary
    malicious = next(r for r in verdict.reasons if r.rule == "dependency-malicious")
    assert malicious.line == 6  # the dependency's own line inside "dependencies"


def test_the_version_npm_installs_is_picked_in_semver_order_not_text_order() -> None:
    versions = ("2.9.0", "2.999.0", "2.1693.0", "3.0.0")
    history = Packument(
        "aws-sdk", {v: VersionInfo(v) for v in versions}, dist_tags={"latest": "3.0.0"}
    )
    picked: list[str] = []

    def advisories(name: str, version: str) -> list[str]:
        picked.append(version)
        return []

    new = _archive("app-lib", "1.0.1", dependencies={"sdk": "npm:aws-sdk@^2.0.0"})
    judge_archives(
        _archive("app-lib", "1.0.0"),
        new,
        lookups=Lookups(advisories, {"aws-sdk": history}.get),
        now=NOW,
        profiler=_profiles({}),
    )
    assert picked == ["2.1693.0"]  # the alias is looked up under its real name


def test_an_empty_main_agrees_with_a_registry_main_of_index_js() -> None:
    new = _archive("csstype", "3.2.4", main="")
    info = VersionInfo("3.2.4", main="index.js")
    verdict = judge_archives(
        _archive("csstype", "3.1.3", main=""),
        new,
        registry_info=info,
        now=NOW,
        profiler=_profiles({}),
    )
    assert [r.rule for r in verdict.reasons] == []


def test_tarball_scripts_the_registry_does_not_show_are_manifest_confusion() -> None:
    new = _archive("pkg", "1.0.1", scripts={"postinstall": "node x.js"})
    info = VersionInfo("1.0.1")
    verdict = judge_archives(
        _archive("pkg", "1.0.0"), new, registry_info=info, now=NOW, profiler=_profiles({})
    )
    confusion = [r for r in verdict.reasons if r.rule == "manifest-confusion"]
    assert confusion and confusion[0].severity is Severity.HIGH
    assert "install scripts" in confusion[0].text


def test_a_moved_main_is_low_and_dot_slash_is_no_change() -> None:
    old = _archive("p", "1.0.0", main="index.js", files={"index.js": "", "lib/a.js": ""})
    same = _archive("p", "1.0.1", main="./index.js", files={"index.js": "", "lib/a.js": ""})
    assert judge_archives(old, same, now=NOW, profiler=_profiles({})).reasons == ()
    moved = _archive("p", "1.0.1", main="lib/a.js", files={"index.js": "", "lib/a.js": ""})
    reasons = judge_archives(old, moved, now=NOW, profiler=_profiles({})).reasons
    assert [(r.rule, r.severity) for r in reasons] == [("main-changed", Severity.LOW)]
    # The code behind a new main is judged with the rest of the package; the move is a note.
    fresh = _archive("p", "1.0.1", main="lib/b.js", files={"index.js": "", "lib/b.js": ""})
    reasons = judge_archives(old, fresh, now=NOW, profiler=_profiles({})).reasons
    assert [(r.rule, r.severity) for r in reasons] == [("main-changed", Severity.LOW)]
    assert "a file the previous version did not have" in reasons[0].text


def test_a_new_bin_that_shadows_a_system_command_is_high() -> None:
    old = _archive("p", "1.0.0", bin={"p": "cli.js"}, files={"cli.js": ""})
    shadow = _archive("p", "1.0.1", bin={"p": "cli.js", "git": "cli.js"}, files={"cli.js": ""})
    (reason,) = judge_archives(old, shadow, now=NOW, profiler=_profiles({})).reasons
    assert (reason.rule, reason.severity) == ("bin-changed", Severity.HIGH)
    assert "git shadows the system command" in reason.text
    own = _archive("npm", "1.0.1", bin={"npm": "cli.js"}, files={"cli.js": ""})
    (reason,) = judge_archives(
        _archive("npm", "1.0.0"), own, now=NOW, profiler=_profiles({})
    ).reasons
    assert reason.severity is Severity.LOW  # npm's own bin is npm


def test_a_new_package_whose_bin_shadows_a_system_command_is_high() -> None:
    shadow = _archive("git-helper", "1.0.0", bin={"git": "cli.js"}, files={"cli.js": ""})
    (reason,) = judge_archives(None, shadow, now=NOW, profiler=_profiles({})).reasons
    assert (reason.rule, reason.severity) == ("bin-changed", Severity.HIGH)
    assert "git shadows the system command" in reason.text
    own = _archive("tool", "1.0.0", bin={"tool": "cli.js"}, files={"cli.js": ""})
    assert judge_archives(None, own, now=NOW, profiler=_profiles({})).reasons == ()


def test_a_prebuilt_binary_host_that_moves_to_another_server_is_high() -> None:
    def native(version: str, host: str) -> PackageArchive:
        return _archive(
            "fastslug",
            version,
            scripts={"install": "node-pre-gyp install --fallback-to-build"},
            binary={"module_name": "fastslug", "host": host},
        )

    old = native("4.1.0", "https://fastslug-builds.example.test")
    moved = native("4.1.1", "https://cdn.other.example.test/builds")
    reasons = judge_archives(old, moved, now=NOW, profiler=_profiles({})).reasons
    rules = {(r.rule, r.severity) for r in reasons}
    assert ("binary-host-changed", Severity.HIGH) in rules
    assert any("cdn.other.example.test" in r.text for r in reasons)
    same_server = native("4.1.1", "https://fastslug-builds.example.test/v2")
    rules = {
        r.rule for r in judge_archives(old, same_server, now=NOW, profiler=_profiles({})).reasons
    }
    assert "binary-host-changed" not in rules


def test_a_downgrade_is_never_profiled_or_diffed() -> None:
    def refuse(archive: PackageArchive, identity: str | None) -> PackageProfile:
        raise AssertionError("a downgrade must not be analysed as an upgrade")

    verdict = judge_archives(
        _archive("signal-exit", "4.1.0"), _archive("signal-exit", "3.0.7"), now=NOW, profiler=refuse
    )
    assert verdict.kind is ChangeKind.DOWNGRADE
    assert verdict.severity is Severity.LOW


def test_a_new_package_is_judged_with_its_registry_history() -> None:
    scripts = {"postinstall": "node install.js"}
    history = Packument(
        "lodahs",
        {"1.0.0": VersionInfo("1.0.0", scripts=scripts)},
        time={"created": "2025-09-08T00:00:00Z", "1.0.0": "2025-09-08T00:00:00Z"},
    )
    new = _archive("lodahs", "1.0.0", scripts=scripts)
    table = {
        "lodahs@1.0.0": profile({"index.js": [], "install.js": [(C.NETWORK, 1)]}, scripts=scripts)
    }
    verdict = judge_archives(None, new, packument=history, now=NOW, profiler=_profiles(table))
    assert verdict.kind is ChangeKind.NEW
    assert verdict.severity is Severity.HIGH
    assert any("popular package lodash" in r.text for r in verdict.reasons)


def test_metadata_counts_earlier_versions_that_ran_install_scripts() -> None:
    install = {"install": "node install.js"}
    history = Packument(
        "esbuild",
        {
            "0.1.0": VersionInfo("0.1.0"),
            "0.2.0": VersionInfo("0.2.0", scripts=install),
            "0.10.0": VersionInfo("0.10.0", gypfile=True),
            "0.11.0": VersionInfo("0.11.0", scripts=install),
        },
    )
    meta = package_metadata("esbuild", "0.11.0", history, NOW)
    assert (meta.earlier_versions, meta.earlier_install_scripts, meta.version_count) == (3, 2, 4)


def test_a_binary_host_that_is_not_a_url_is_shown_as_one_bounded_line() -> None:
    old = _archive("fastslug", "4.1.0", binary={"host": "https://fastslug-builds.example.test"})
    hostile = _archive("fastslug", "4.1.1", binary={"host": "x\n::error::forged " * 50})
    (reason,) = [
        r
        for r in judge_archives(old, hostile, now=NOW, profiler=_profiles({})).reasons
        if r.rule == "binary-host-changed"
    ]
    assert "\n" not in reason.text and len(reason.text) < 200
