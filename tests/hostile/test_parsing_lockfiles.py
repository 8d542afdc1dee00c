"""Hostile lockfiles of every format: exit 0, 1 or 2 (never 3), one line naming the file,
bounded memory, nothing written outside the sandbox, nothing run.

About 250 generated mutants of real lockfiles plus hand-made cases run in one child process
through the CLI's entry point (:mod:`tests.hostile.cli_batch`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .cli_batch import INPUT_ERROR, Batch, Case, check, run_batch
from .cli_worker import STDOUT_KEPT
from .mutations import DEEP, HUGE, mutants, oversized, seeds

# Python, depscan, the bundled advisory index and a small lockfile: about 85 MB; the heaviest
# case is a yarn.lock refused at its 250,000th entry (about 230 MB). Before the bounded readers
# the batch took 470 MB (the JSON memory bomb alone) and hung on the bun.lock comments.
PEAK_RSS_MB = 300
MAPPED_FILES_MB = 40
"""Python, its extensions and libraries mapped from files: resident, but outside RLIMIT_DATA."""


def _args(path: Path) -> list[str]:
    return ["lockfile", str(path), "--offline", "--no-registry-checks", "--quiet", "-f", "json"]


def _hand_made(inputs: Path) -> list[Case]:
    cases: list[Case] = []

    def lockfile(case_id: str, name: str, content: bytes, message: str | None = None) -> None:
        folder = inputs / case_id
        folder.mkdir()
        (folder / name).write_bytes(content)
        cases.append(Case(case_id, _args(folder / name), (str(folder / name),), INPUT_ERROR,
                          message=message))

    lockfile("json-memory-bomb", "package-lock.json",
             b'{"lockfileVersion": 3, "packages": {"": {}}, "x": [' + b"{}," * 5_600_000 + b"{}]}",
             "would need about")
    lockfile("npm-nan", "package-lock.json", b'{"lockfileVersion": 3, "packages": {"": NaN}}')
    lockfile("npm-version-int", "package-lock.json",
             b'{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": '
             + HUGE.encode() + b"}}}")
    lockfile("pnpm-laughs", "pnpm-lock.yaml", _laughs().encode(), "aliases counted expanded")
    lockfile("pnpm-recursive-alias", "pnpm-lock.yaml",
             b"lockfileVersion: '9.0'\npackages: &p\n  a@1.0.0: *p\n", "refers to no anchor")
    lockfile("pnpm-python-tag", "pnpm-lock.yaml",
             b"lockfileVersion: '9.0'\nx: !!python/object/apply:os.system ['true']\n",
             "unsupported tag")
    lockfile("pnpm-bad-date", "pnpm-lock.yaml", b"lockfileVersion: '9.0'\nx: 2024-02-31\n")
    lockfile("pnpm-version-digits", "pnpm-lock.yaml", b"lockfileVersion: '9" + b"9" * 5000 + b"'\n")
    lockfile("pnpm-deep-block", "pnpm-lock.yaml",
             b"lockfileVersion: '9.0'\n" + b"".join(b" " * i + b"k:\n" for i in range(2000)))
    lockfile("berry-unicode-digit", "yarn.lock", b'__metadata:\n  version: "\xc2\xb2"\n')
    lockfile("bun-unclosed-comments", "bun.lock",
             b'{"lockfileVersion": 1, "workspaces": {"": {}}}' + b" /* " * 300_000)
    lockfile("yarn-v1-many-entries", "yarn.lock", b"# yarn lockfile v1\n\n" + b"".join(
        b'a%d@1:\n  version "1.0.0"\n\n' % i for i in range(260_000)), "more than 250000 entries")
    lockfile("yarn-v1-many-lines", "yarn.lock", b"# yarn lockfile v1\n" + b"#\n" * 3_100_000,
             "line limit")
    lockfile("yarn-v1-unclosed-quote", "yarn.lock",
             b'# yarn lockfile v1\n\n"a@1' + b"x" * 100_000 + b"\n")
    big = inputs / "oversized"
    big.mkdir()
    oversized(big / "package-lock.json")
    cases.append(Case("oversized", _args(big / "package-lock.json"),
                      (str(big / "package-lock.json"),), INPUT_ERROR, message="larger than"))
    return cases


def _laughs() -> str:
    lines = ["lockfileVersion: '9.0'", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 6)}]" for i in range(1, 14)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Batch, list[Case], set[str]]:
    sandbox = tmp_path_factory.mktemp("hostile-lockfiles")
    inputs = sandbox / "inputs"
    inputs.mkdir()
    cases: list[Case] = []
    must_refuse: set[str] = set()
    for seed in seeds():
        for mutant in mutants(seed):
            folder = inputs / mutant.id
            folder.mkdir()
            path = folder / mutant.file_name
            path.write_bytes(mutant.content)
            expect = INPUT_ERROR if mutant.must_refuse else frozenset({0, 1, 2})
            if mutant.must_refuse:
                must_refuse.add(mutant.id)
            cases.append(Case(mutant.id, _args(path), (str(path),), expect,
                              message=mutant.message))
    cases += _hand_made(inputs)
    return run_batch(cases, sandbox), cases, must_refuse


def test_every_hostile_lockfile_is_handled(batch: tuple[Batch, list[Case], set[str]]) -> None:
    result, cases, _ = batch
    assert len(cases) > 250
    for case in cases:
        outcome = check(result, case)
        if outcome.code in (0, 1) and outcome.stdout_chars <= STDOUT_KEPT:
            # a mutant that is still a lockfile gives a whole report
            assert isinstance(json.loads(outcome.stdout_head)["summary"], dict), case.id


def test_memory_stays_bounded(batch: tuple[Batch, list[Case], set[str]]) -> None:
    result, _, _ = batch
    assert result.peak_rss_mb <= PEAK_RSS_MB, result.peak_rss_mb


def test_the_structural_attacks_are_named(batch: tuple[Batch, list[Case], set[str]]) -> None:
    result, _, must_refuse = batch
    assert {"npm-v2-deep-nesting", "pnpm-9-deep-nesting", "bun-huge-number"} <= must_refuse
    deep = result.outcomes["npm-v2-deep-nesting"].stderr
    assert "nested deeper than 128 levels" in deep and str(DEEP) not in deep
    assert "number" in result.outcomes["npm-v3-huge-number"].stderr
    assert "not valid YAML" in result.outcomes["pnpm-9-deep-nesting"].stderr


def test_past_the_memory_ceiling_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    """The backstop: a lockfile the readers accept (its estimate is under their limit) that
    still needs more than a low ceiling is exit 2 naming it, and the process stays under it
    (the data segment is capped; the resident set adds the program's mapped files)."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    path = inputs / "package-lock.json"
    path.write_bytes(b'{"lockfileVersion": 3, "packages": {"": {}}, "x": ['
                     + b"[]," * 2_600_000 + b"[]]}")
    case = Case("ceiling", _args(path), (str(path),), INPUT_ERROR,
                env={"DEPSCAN_MAX_MEMORY": "200"}, message="needs more memory than depscan's")
    result = run_batch([case], tmp_path)
    check(result, case)
    assert result.peak_rss_mb <= 200 + MAPPED_FILES_MB, result.peak_rss_mb
