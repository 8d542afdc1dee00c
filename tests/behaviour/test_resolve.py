from __future__ import annotations

import pytest

from scanner.behaviour.resolve import normalise, resolve_specifier, resolve_target

FILES = {
    "index.js",
    "lib/a.js",
    "lib/b.cjs",
    "lib/data.json",
    "lib/util/index.js",
    "lib/esm.mjs",
    "src/mod.ts",
    "package.json",
}


@pytest.mark.parametrize(
    ("spec", "importer", "expected"),
    [
        ("./a", "lib/x.js", "lib/a.js"),
        ("./a.js", "lib/x.js", "lib/a.js"),
        ("./b", "lib/x.js", "lib/b.cjs"),
        ("./data", "lib/x.js", "lib/data.json"),
        ("./util", "lib/x.js", "lib/util/index.js"),
        ("../index", "lib/x.js", "index.js"),
        ("./esm.mjs", "lib/x.js", "lib/esm.mjs"),
        ("./mod.js", "src/other.ts", "src/mod.ts"),
        ("./lib/a?query", "index.js", "lib/a.js"),
    ],
)
def test_relative_specifiers_resolve_like_node(spec: str, importer: str, expected: str) -> None:
    assert resolve_specifier(spec, importer, FILES) == expected


@pytest.mark.parametrize("spec", ["lodash", "../../outside", "./missing", "/abs/path", "node:fs"])
def test_packages_missing_files_and_escapes_do_not_resolve(spec: str) -> None:
    assert resolve_specifier(spec, "lib/x.js", FILES) is None


def test_manifest_targets() -> None:
    assert resolve_target("./lib/a.js", FILES) == "lib/a.js"
    assert resolve_target("lib/util", FILES) == "lib/util/index.js"
    assert normalise("./lib/../index.js") == "index.js"
    assert normalise("../x") is None


def test_bare_specifiers_resolve_into_bundled_dependencies() -> None:
    from scanner.behaviour.resolve import resolve_bundled

    files = {
        "lib/x.js",
        "node_modules/dep/package.json",
        "node_modules/dep/main.js",
        "node_modules/dep/util.js",
        "node_modules/@s/p/index.js",
        "lib/node_modules/near/index.js",
    }
    manifests = {"node_modules/dep/package.json": b'{"main": "main.js"}'}
    read = manifests.get
    assert resolve_bundled("dep", "lib/x.js", files, read) == "node_modules/dep/main.js"
    assert resolve_bundled("dep/util", "lib/x.js", files, read) == "node_modules/dep/util.js"
    assert resolve_bundled("@s/p", "index.js", files, read) == "node_modules/@s/p/index.js"
    assert resolve_bundled("near", "lib/x.js", files, read) == "lib/node_modules/near/index.js"
    assert resolve_bundled("near", "index.js", files, read) is None
    assert resolve_bundled("missing", "lib/x.js", files, read) is None
    assert resolve_bundled("node:fs", "lib/x.js", files, read) is None
