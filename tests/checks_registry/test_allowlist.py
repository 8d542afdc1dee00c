from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.allowlist import (
    ScriptAllowlist,
    load_script_allowlist,
    rules_from_package_json,
    split_package_spec,
)
from scanner.checks.knobs import names_setting
from scanner.errors import PolicyError


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("esbuild", ("esbuild", None)),
        ("esbuild@^0.19.0", ("esbuild", "^0.19.0")),
        ("@swc/core", ("@swc/core", None)),
        ("@swc/core@1.3.0", ("@swc/core", "1.3.0")),
        ("sharp@>=0.32 <0.34", ("sharp", ">=0.32 <0.34")),
    ],
)
def test_split_package_spec(key: str, expected: tuple[str, str | None]) -> None:
    assert split_package_spec(key) == expected


def test_npm_allow_scripts_with_version_specs() -> None:
    allowlist = ScriptAllowlist(
        tuple(
            rules_from_package_json(
                {"allowScripts": {"esbuild@^0.19.0": True, "core-js": False}}, "package.json"
            )
        )
    )
    assert allowlist.allows("esbuild", "0.19.5")
    assert not allowlist.allows("esbuild", "0.20.0")
    assert not allowlist.allows("core-js", "3.0.0")
    denial = allowlist.decision("core-js", "3.0.0")
    assert denial is not None and not denial.allowed
    assert allowlist.decision("left-pad", "1.0.0") is None


def test_lavamoat_keys_are_paths_ending_in_the_package() -> None:
    rules = rules_from_package_json(
        {"lavamoat": {"allowScripts": {"webpack>terser>@swc/core": True, "keccak": False}}},
        "package.json",
    )
    allowlist = ScriptAllowlist(tuple(rules))
    assert allowlist.allows("@swc/core", "1.3.0")
    assert not allowlist.allows("terser", "5.0.0")
    assert not allowlist.allows("keccak", "3.0.0")
    assert {r.source for r in rules} == {"package.json lavamoat.allowScripts"}


def test_pnpm_lists_in_package_json_and_workspace_file(tmp_path: Path) -> None:
    manifest = {"pnpm": {"onlyBuiltDependencies": ["esbuild"]}}
    (tmp_path / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "pnpm-workspace.yaml").write_text(
        "packages: ['pkgs/*']\nonlyBuiltDependencies:\n  - sharp\n  - esbuild\n"
        "neverBuiltDependencies:\n  - esbuild\n",
        encoding="utf-8",
    )
    allowlist = load_script_allowlist(tmp_path, ["bcrypt"])
    assert allowlist.allows("sharp", "0.33.0")
    assert allowlist.allows("bcrypt", "5.0.0")
    # denied in the workspace file although package.json allows it: a denial wins
    assert not allowlist.allows("esbuild", "0.19.0")
    rule = allowlist.decision("sharp", "0.33.0")
    assert rule is not None and rule.source == "pnpm-workspace.yaml onlyBuiltDependencies"


def test_no_files_and_no_setting_allow_nothing(tmp_path: Path) -> None:
    assert load_script_allowlist(tmp_path) == ScriptAllowlist()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("package.json", "{", "not valid JSON"),
        ("package.json", '{"allowScripts": ["esbuild"]}', "allowScripts must be an object"),
        ("package.json", '{"allowScripts": {"esbuild": "yes"}}', "must be true or false"),
        ("pnpm-workspace.yaml", "onlyBuiltDependencies: esbuild\n", "must be a list"),
        ("pnpm-workspace.yaml", "a: [\n", "not valid YAML"),
    ],
)
def test_malformed_allowlists_are_one_line_policy_errors(
    tmp_path: Path, filename: str, content: str, message: str
) -> None:
    (tmp_path / filename).write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_script_allowlist(tmp_path)
    assert caught.value.subject == str(tmp_path / filename)
    assert message in caught.value.message
    assert "\n" not in caught.value.one_line()


def test_allow_setting_must_be_names() -> None:
    assert names_setting({"install-scripts.allow": "esbuild"}, "install-scripts.allow") == (
        "esbuild",
    )
    with pytest.raises(PolicyError) as caught:
        names_setting({"install-scripts.allow": {"esbuild": True}}, "install-scripts.allow")
    assert caught.value.subject == "install-scripts.allow"
