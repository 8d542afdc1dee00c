from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import details, found

WRITE = Capability.FILE_WRITE
FS = "const fs = require('fs'); const os = require('os'); const path = require('path');\n"


@pytest.mark.parametrize(
    ("call", "detail"),
    [
        ("fs.appendFileSync(path.join(os.homedir(), '.bashrc'), s);", "persistence"),
        ("fs.writeFileSync('~/.profile', s);", "persistence"),
        ("fs.writeFile(process.env.HOME + '/.x', s, cb);", "home"),
        ("fs.writeFileSync('/etc/hosts', s);", "system"),
        ("fs.writeFileSync('C:\\\\Windows\\\\System32\\\\x.dll', s);", "system"),
        ("fs.writeFile('../../.env', s, cb);", "outside-package"),
        ("fs.writeFileSync(path.join(os.tmpdir(), 'x.sh'), s);", "temp"),
        ("fs.mkdirSync('build');", "path:build"),
        ("fs.writeFileSync(path.join(__dirname, '..', 'dist', 'a.js'), s);", "package"),
        ("fs.writeFileSync(path.join(__dirname, '..', '..', '..', 'x'), s);", "outside-package"),
    ],
)
def test_write_targets(call: str, detail: str) -> None:
    assert details(FS + call, WRITE, path="lib/index.js") == {detail}


def test_a_target_held_in_a_variable_is_followed_one_step() -> None:
    source = FS + "const target = path.join(os.homedir(), '.ssh', 'authorized_keys');\n"
    source += "fs.appendFileSync(target, key);"
    assert details(source, WRITE) == {"home"}


def test_computed_targets_have_no_detail() -> None:
    assert details(FS + "fs.writeFileSync(out, s);", WRITE) == {None}


def test_generic_names_count_only_on_fs() -> None:
    source = "map.delete(k); list.remove(x); store.copy(a); obj.rename('a', 'b');"
    assert not found(source, WRITE)
    assert found("const fse = require('fs-extra'); fse.remove('dist');", WRITE)


def test_reads_are_not_writes() -> None:
    assert not found(FS + "fs.readFileSync('/etc/passwd'); fs.existsSync(p);", WRITE)


def test_autostart_places_are_persistence_even_through_a_variable() -> None:
    source = FS + (
        "const dir = path.join(os.homedir(), '.config', 'systemd', 'user');\n"
        "fs.writeFileSync(path.join(dir, 'x.service'), unit);\n"
        "const plist = path.join(os.homedir(), 'Library', 'LaunchAgents', 'x.plist');\n"
        "fs.writeFileSync(plist, body);\n"
    )
    assert details(source, WRITE) == {"persistence"}


def test_rewriting_another_projects_package_json_with_an_install_hook() -> None:
    source = FS + (
        "function infect(dir) { const file = path.join(dir, 'package.json');\n"
        "  m.scripts.postinstall = 'node x.js'; fs.writeFileSync(file, JSON.stringify(m)); }\n"
    )
    assert details(source, WRITE) == {"install-hook-injection"}
    own = FS + "fs.writeFileSync(path.join(__dirname, 'package.json'), data);\n"
    assert details(own, WRITE) == {"package"}


def test_a_python_path_hook_is_persistence() -> None:
    source = (
        "const fs = require('fs'); const path = require('path');\n"
        "fs.writeFileSync(path.join(dir, 'distutils-precedence-x.pth'), HOOK);\n"
        "fs.writeFileSync(path.join(site, 'sitecustomize.py'), code);\n"
    )
    assert details(source, Capability.FILE_WRITE) == {"persistence"}
