from __future__ import annotations

from scanner.behaviour.model import Zone
from scanner.behaviour.zones import assign_zones, is_test_path, manifest_facts


def test_platform_package() -> None:
    facts = manifest_facts(
        {"name": "@esbuild/linux-x64", "os": ["linux"], "cpu": ["x64"]}, {"bin/esbuild"}
    )
    assert facts.is_platform_package
    assert facts.os == ("linux",) and facts.cpu == ("x64",)


def test_empty_or_missing_main_means_index_js() -> None:
    files = {"index.js", "index.d.ts", "package.json"}
    assert manifest_facts({"main": ""}, files).entry_points == ("index.js",)
    assert manifest_facts({}, files).entry_points == ("index.js",)
    assert manifest_facts({"main": "./index.js"}, files).main == "./index.js"
    assert manifest_facts({"main": "", "types": "index.d.ts"}, {"index.d.ts"}).entry_points == ()


def test_exports_with_conditions_module_and_browser_map() -> None:
    files = {
        "dist/index.js",
        "dist/esm-node/index.js",
        "dist/esm-browser/index.js",
        "dist/commonjs-browser/index.js",
        "wrapper.mjs",
        "dist/rng-browser.js",
        "dist/esm/index.d.ts",
        "dist/bin/uuid",
        "package.json",
    }
    manifest = {
        "name": "uuid",
        "main": "./dist/index.js",
        "bin": {"uuid": "dist/bin/uuid"},
        "exports": {
            ".": {
                "node": {
                    "module": "./dist/esm-node/index.js",
                    "require": "./dist/index.js",
                    "import": "./wrapper.mjs",
                },
                "browser": {
                    "import": "./dist/esm-browser/index.js",
                    "require": "./dist/commonjs-browser/index.js",
                },
                "types": "./dist/esm/index.d.ts",
                "default": "./dist/esm-browser/index.js",
            },
            "./package.json": "./package.json",
        },
        "module": "./dist/esm-node/index.js",
        "browser": {"./dist/rng.js": "./dist/rng-browser.js", "./dist/native.js": False},
    }
    facts = manifest_facts(manifest, files)
    assert set(facts.entry_points) == {
        "dist/index.js",
        "dist/esm-node/index.js",
        "dist/esm-browser/index.js",
        "dist/commonjs-browser/index.js",
        "wrapper.mjs",
        "dist/rng-browser.js",
        "dist/bin/uuid",
        "package.json",
    }
    assert facts.bin == {"uuid": "dist/bin/uuid"}


def test_exports_subpath_patterns() -> None:
    files = {"lib/a.js", "lib/b.js", "lib/c.txt"}
    facts = manifest_facts({"exports": {"./*": "./lib/*.js"}}, files)
    assert set(facts.entry_points) == {"lib/a.js", "lib/b.js"}


def test_bin_string_is_named_after_the_unscoped_package() -> None:
    facts = manifest_facts({"name": "@scope/tool", "bin": "./cli.js"}, {"cli.js"})
    assert facts.bin == {"tool": "cli.js"}
    assert "cli.js" in facts.entry_points


def test_install_entry_test_types_and_other_zones() -> None:
    files = [
        "package.json",
        "install.js",
        "lib/download.js",
        "lib/main.js",
        "lib/helper.js",
        "lib/main.d.ts",
        "lib/unused.js",
        "test/main.test.js",
        "test/fixtures/sample.js",
        "bench/run.js",
        "lib/shared.spec.js",
    ]
    manifest = {"main": "lib/main.js", "scripts": {"postinstall": "node install.js"}}
    facts = manifest_facts(manifest, files)
    requires = {
        "install.js": ("lib/download.js",),
        "lib/main.js": ("lib/helper.js", "lib/shared.spec.js", "lib/download.js"),
        "test/main.test.js": ("lib/main.js",),
    }
    zones = assign_zones(files, facts, requires)
    assert zones["install.js"] is Zone.INSTALL
    assert zones["lib/download.js"] is Zone.INSTALL  # reached from both: install wins
    assert zones["lib/main.js"] is Zone.ENTRY
    assert zones["lib/helper.js"] is Zone.ENTRY
    assert zones["lib/shared.spec.js"] is Zone.ENTRY  # an entry point reaches it
    assert zones["lib/main.d.ts"] is Zone.TYPES
    assert zones["lib/unused.js"] is Zone.OTHER
    assert zones["test/main.test.js"] is Zone.TEST
    assert zones["test/fixtures/sample.js"] is Zone.TEST
    assert zones["bench/run.js"] is Zone.TEST


def test_require_cycles_terminate() -> None:
    files = ["index.js", "a.js", "b.js"]
    zones = assign_zones(
        files,
        manifest_facts({}, files),
        {"index.js": ("a.js",), "a.js": ("b.js",), "b.js": ("a.js",)},
    )
    assert {zones[f] for f in files} == {Zone.ENTRY}


def test_prepare_does_not_make_install_zone() -> None:
    files = ["index.js", "build.js"]
    facts = manifest_facts({"scripts": {"prepare": "node build.js"}}, files)
    assert facts.install_scripts == {"prepare": "node build.js"}
    assert assign_zones(files, facts, {})["build.js"] is Zone.OTHER


def test_test_paths() -> None:
    assert is_test_path("__tests__/a.js") and is_test_path("src/x.test.ts")
    assert is_test_path("examples/demo.js") and is_test_path("docs/conf.js")
    assert not is_test_path("lib/testing-utils.js") and not is_test_path("test.js")


def test_no_manifest() -> None:
    facts = manifest_facts(None, {"index.js"})
    assert facts.entry_points == () and facts.install_commands == ()
