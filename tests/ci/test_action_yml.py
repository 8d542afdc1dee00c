"""action.yml: a composite action whose steps only use inputs it declares, pass them to the
scripts as environment variables, pin every action they use to a commit, and whose outputs come
from a step that exists. The shell steps' own logic is run here with bash."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.gitrepo import REPO

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
FULL_SHA = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
# Inputs that the YAML itself consumes (they decide whether a step runs), not the scan script.
YAML_ONLY_INPUTS = {"cache"}


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def _step(action: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in _steps(action) if s.get("id") == step_id)


def _expressions(value: object) -> list[str]:
    if isinstance(value, str):
        return EXPRESSION.findall(value)
    if isinstance(value, dict):
        return [e for v in value.values() for e in _expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in _expressions(v)]
    return []


def test_is_a_composite_action_with_a_name_and_description(action: dict[str, Any]) -> None:
    assert action["name"] == "depscan"
    assert action["description"].strip()
    assert action["runs"]["using"] == "composite"
    for step in _steps(action):
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", step  # composite run steps must name their shell


def test_every_action_used_is_pinned_to_a_full_commit_sha(action: dict[str, Any]) -> None:
    used = [s["uses"] for s in _steps(action) if "uses" in s]
    assert {u.split("@")[0] for u in used} == {"actions/setup-python", "actions/cache"}
    for reference in used:
        assert FULL_SHA.match(reference), f"{reference} is not pinned to a 40-hex commit"
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d", line), f"say which release: {line.strip()}"


def test_every_input_used_is_declared_and_every_declared_input_is_used(
    action: dict[str, Any],
) -> None:
    declared = set(action["inputs"])
    used = {
        m.group(1)
        for e in _expressions(_steps(action))
        for m in re.finditer(r"inputs\.([A-Za-z0-9_-]+)", e)
    }
    used |= {
        m.group(1)
        for s in _steps(action) if "if" in s
        for m in re.finditer(r"inputs\.([A-Za-z0-9_-]+)", s["if"])
    }
    assert used == declared
    for name, spec in action["inputs"].items():
        assert spec["description"].strip(), name
        assert "default" in spec, name


def test_inputs_reach_the_scripts_only_through_the_environment(action: dict[str, Any]) -> None:
    # An input spliced into `run:` would be shell code an attacker controls (a branch name, say).
    for step in _steps(action):
        if "run" in step:
            assert not EXPRESSION.search(step["run"]), step["run"]
    scan = _step(action, "scan")
    assert "-I -m scanner.action" in scan["run"]
    env_names = {name for name, value in scan["env"].items() if "inputs." in value}
    # The names the script reads: INPUT_ + the input name in upper case, '-' as '_'.
    for name in set(action["inputs"]) - YAML_ONLY_INPUTS:
        assert f"INPUT_{name.upper().replace('-', '_')}" in env_names


def test_the_script_reads_exactly_the_variables_the_action_sets(action: dict[str, Any]) -> None:
    source = (REPO / "scanner" / "action.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"(INPUT_[A-Z_]+)"', source))
    scan = _step(action, "scan")
    assert read == {n for n in scan["env"] if n.startswith("INPUT_")}


def test_the_repository_scanned_is_never_on_the_import_path(action: dict[str, Any]) -> None:
    # Steps that run in the workspace use -I, so a `scanner/` folder in the scanned repository
    # (a pull request can add one) is not imported in place of depscan.
    for step in _steps(action):
        if "run" in step and "-m scanner" in step["run"] and "working-directory" not in step:
            assert " -I -m scanner" in step["run"], step["run"]
    install = _step(action, "install")
    assert install["working-directory"] == "${{ github.action_path }}"
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "entry: python -I -m scanner.precommit" in hooks


def test_outputs_come_from_the_scan_step(action: dict[str, Any]) -> None:
    step_ids = {s.get("id") for s in _steps(action)}
    assert {"sarif", "exit-code", "findings", "failing"} <= set(action["outputs"])
    for name, spec in action["outputs"].items():
        (expression,) = _expressions(spec["value"])
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        assert match is not None, expression
        assert match.group(1) in step_ids
        assert match.group(2) == name
    source = (REPO / "scanner" / "action.py").read_text(encoding="utf-8")
    for name in action["outputs"]:
        assert f'outputs["{name}"]' in source


def test_python_comes_from_the_runner_or_a_pinned_setup_python(action: dict[str, Any]) -> None:
    setup = _step(action, "setup-python")
    assert setup["if"] == "steps.find-python.outputs.python == ''"
    assert setup["with"]["update-environment"] is False
    install = _step(action, "install")
    assert install["env"]["DEPSCAN_BOOT_PYTHON"] == (
        "${{ steps.find-python.outputs.python || steps.setup-python.outputs.python-path }}"
    )
    assert "-m scanner.action_setup install" in install["run"]
    for step_id in ("scan",):
        assert _step(action, step_id)["env"]["DEPSCAN_PYTHON"] == (
            "${{ steps.install.outputs.python }}"
        )


def test_the_cache_is_kept_by_actions_cache_keyed_by_day(action: dict[str, Any]) -> None:
    cache = next(s for s in _steps(action) if s.get("uses", "").startswith("actions/cache@"))
    assert cache["if"] == "inputs.cache == 'true'"
    assert cache["with"]["path"] == "${{ runner.temp }}/depscan-cache"
    assert cache["with"]["key"].endswith("${{ steps.cache-key.outputs.day }}")
    assert cache["with"]["restore-keys"] == "depscan-v1-${{ runner.os }}-"
    # The scan and the database update use that folder as depscan's cache.
    steps = _steps(action)
    users = [s for s in steps if s.get("env", {}).get("DEPSCAN_CACHE_DIR")]
    assert all(s["env"]["DEPSCAN_CACHE_DIR"] == cache["with"]["path"] for s in users)
    names = [s.get("name") for s in steps]
    assert names.index(cache["name"]) < names.index("Update the advisory database") < \
        names.index("Scan lockfiles")


# -- the shell steps, run with bash ------------------------------------------------------------


def _run_step(step: dict[str, Any], tmp_path: Path, path: str) -> tuple[str, str]:
    output = tmp_path / "github_output"
    output.write_text("")
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], capture_output=True, text=True, timeout=60,
        env={"PATH": path, "GITHUB_OUTPUT": str(output), "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    return output.read_text(), done.stdout


def _fake_python(folder: Path, name: str, minor: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'exec "{sys.executable}" -c "import sys; sys.exit(0 if (3, {minor}) >= (3, 11) else 1)"\n'
    )
    script.chmod(0o755)


needs_bash = pytest.mark.skipif(os.name == "nt", reason="runs the step with a POSIX bash")


@needs_bash
def test_find_python_takes_a_new_enough_runner_python(
    action: dict[str, Any], tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    _fake_python(bin_dir, "python3", 12)
    output, _ = _run_step(_step(action, "find-python"), tmp_path, f"{bin_dir}:/usr/bin:/bin")
    assert output == f"python={bin_dir / 'python3'}\n"


@needs_bash
def test_find_python_falls_back_to_python_then_to_setup_python(
    action: dict[str, Any], tmp_path: Path
) -> None:
    old = tmp_path / "old"
    _fake_python(old, "python3", 8)
    _fake_python(old, "python", 12)
    output, _ = _run_step(_step(action, "find-python"), tmp_path, f"{old}:/usr/bin:/bin")
    assert output == f"python={old / 'python'}\n"

    too_old = tmp_path / "too-old"
    _fake_python(too_old, "python3", 10)
    _fake_python(too_old, "python", 9)
    output, stdout = _run_step(_step(action, "find-python"), tmp_path, f"{too_old}:/bin")
    assert output == ""  # so the pinned actions/setup-python step runs
    assert "::notice title=depscan::no Python 3.11 or later" in stdout


@needs_bash
def test_cache_key_step_writes_the_day(action: dict[str, Any], tmp_path: Path) -> None:
    output, _ = _run_step(_step(action, "cache-key"), tmp_path, "/usr/bin:/bin")
    assert re.fullmatch(r"day=\d{4}-\d{2}-\d{2}\n", output)
