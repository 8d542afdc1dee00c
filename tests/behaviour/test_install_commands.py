from __future__ import annotations

import pytest

from scanner.behaviour.install_commands import install_commands, split_commands

FILES = {
    "install.js",
    "postinstall.js",
    "scripts/postinstall.js",
    "scripts/setup.sh",
    "binding.gyp",
    "lib/index.js",
}


def test_split_commands_respects_quotes() -> None:
    assert split_commands("a && b || c; d | e") == ["a", "b", "c", "d", "e"]
    assert split_commands('node -e "a(); b() || c" && d') == ['node -e "a(); b() || c"', "d"]


@pytest.mark.parametrize(
    ("script", "kind", "files"),
    [
        ("node install.js", "node-file", ("install.js",)),
        ("node install", "node-file", ("install.js",)),
        ("node ./scripts/postinstall.js || true", "node-file", ("scripts/postinstall.js",)),
        ("cross-env FOO=1 node scripts/postinstall.js", "node-file", ("scripts/postinstall.js",)),
        ("sh ./scripts/setup.sh", "shell-file", ("scripts/setup.sh",)),
        ("./scripts/setup.sh", "package-file", ("scripts/setup.sh",)),
        ("node-gyp rebuild", "native-build", ("binding.gyp",)),
        ("npx some-tool", "registry-bin", ()),
        ("husky install", "dependency-bin", ()),
        ("curl -s https://example.test/x", "download", ()),
        ("exit 0", "no-op", ()),
    ],
)
def test_what_each_command_runs(script: str, kind: str, files: tuple[str, ...]) -> None:
    [first, *_] = install_commands({"postinstall": script}, FILES)
    assert (first.kind, first.files) == (kind, files)


def test_or_true_is_a_no_op_after_the_real_command() -> None:
    commands = install_commands({"postinstall": "node postinstall.js || true"}, FILES)
    assert [c.kind for c in commands] == ["node-file", "no-op"]


def test_prebuild_or_gyp() -> None:
    commands = install_commands(
        {"install": "prebuild-install || node-gyp rebuild --release"}, FILES
    )
    assert [c.kind for c in commands] == ["native-build", "native-build"]


def test_inline_node_code_is_kept_for_analysis() -> None:
    [command] = install_commands(
        {"postinstall": "node -e \"try{require('./postinstall')}catch(e){}\""}, FILES
    )
    assert command.kind == "node-inline"
    assert command.files == ("package.json#scripts.postinstall",)
    assert command.code == "try{require('./postinstall')}catch(e){}"


def test_npm_run_follows_the_named_script() -> None:
    scripts = {"postinstall": "npm run setup", "setup": "node install.js"}
    commands = install_commands(scripts, FILES)
    assert [(c.script, c.kind, c.files) for c in commands] == [
        ("postinstall", "node-file", ("install.js",))
    ]


def test_a_script_that_runs_itself_does_not_loop() -> None:
    commands = install_commands({"postinstall": "npm run postinstall"}, FILES)
    assert len(commands) == 1


def test_implicit_gyp_build() -> None:
    [command] = install_commands({}, FILES, gypfile=True)
    assert (command.script, command.kind, command.files) == (
        "install",
        "native-build",
        ("binding.gyp",),
    )
    assert (
        install_commands({"install": "node install.js"}, FILES, gypfile=True)[0].kind == "node-file"
    )


def test_a_missing_file_and_unbalanced_quotes_are_noted() -> None:
    [missing] = install_commands({"postinstall": "node gone.js"}, FILES)
    assert missing.files == () and missing.note and "gone.js" in missing.note
    [broken] = install_commands({"postinstall": 'node -e "oops'}, FILES)
    assert broken.kind == "other"
